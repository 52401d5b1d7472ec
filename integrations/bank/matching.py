"""Which case a payment from the bank is for.

In order, the first rule that names exactly one case wins:

1. ``fik``: the FIK +71 payment ID with a valid check digit (``cases.models.payment_id_for``:
   the 14-digit case number and a modulus-10 digit), from the creditor reference
   (``RmtInf/Strd/CdtrRefInf/Ref``, typed ``71`` or issued by ``FI``; banks may drop the
   leading zeros there), any other structured reference, or a ``+71<...+`` code line or a
   15-digit number in the remittance text;
2. ``case_number``: the one case number (6 to 14 digits) in the references or the text;
3. ``creditor_reference``: the creditor's own reference of an open case, as a word of the text.

A payment ID or number that names a closed case, a case in another currency, or several cases
is not booked: the payment is unmatched, with the cases as suggestions. With no rule matching,
cases are suggested by the payer's name and the amount (the open balance) and never booked by
themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from stdnum import luhn

from cases import selectors
from cases.models import Case, CaseState
from collections_portal.tenancy import agency_scope

from .parsers import RawEntry

FIFTEEN_DIGITS = re.compile(r"(?<!\d)\d{15}(?!\d)")
CODE_LINE = re.compile(r"\+71\s*<\s*(\d{1,15})\s*\+")
CASE_NUMBER = re.compile(r"(?<!\d)\d{6,14}(?!\d)")
WORD = re.compile(r"[^\s,;:()\[\]]{3,100}")
MAX_SUGGESTIONS = 5


@dataclass
class Match:
    case: Case | None = None
    rule: str = ""
    reason: str = ""
    suggestions: list[dict] = field(default_factory=list)

    @property
    def sure(self) -> bool:
        return self.case is not None


def suggestion(case: Case, why: str) -> dict:
    return {
        "case": case.pk,
        "number": case.number,
        "creditor": case.creditor.name,
        "debtor": case.debtor.name,
        "why": why,
    }


def _fik_candidates(raw: RawEntry) -> list[tuple[str, bool]]:
    """(digits, typed as FIK) in the order they are trusted."""
    found: list[tuple[str, bool]] = []
    if raw.fik_reference:
        match = CODE_LINE.search(raw.fik_reference)
        digits = match.group(1) if match else re.sub(r"\D", "", raw.fik_reference)
        if 0 < len(digits) <= 15:
            found.append((digits.zfill(15), True))
    for ref in raw.payment_references:
        digits = re.sub(r"[\s-]", "", ref)
        if digits.isdigit() and len(digits) == 15:
            found.append((digits, False))
    for text in [raw.remittance, *raw.payment_references]:
        for match in CODE_LINE.finditer(text):
            found.append((match.group(1).zfill(15), True))
        found.extend((m.group(0), False) for m in FIFTEEN_DIGITS.finditer(text))
    return found


def _open(case: Case) -> bool:
    return case.state != CaseState.CLOSED


def _check(case: Case, raw: RawEntry, rule: str) -> Match:
    """A case named surely still takes the payment only when it is open and in the currency."""
    if raw.currency and raw.currency != case.currency:
        return Match(
            rule=rule,
            reason=_("The payment is in %(ccy)s, case %(case)s in %(case_ccy)s.")
            % {"ccy": raw.currency, "case": case.number, "case_ccy": case.currency},
            suggestions=[suggestion(case, _("named by the payment"))],
        )
    if not _open(case):
        return Match(
            rule=rule,
            reason=_("Case %(case)s is closed.") % {"case": case.number},
            suggestions=[suggestion(case, _("named by the payment, closed"))],
        )
    return Match(case=case, rule=rule)


def match_entry(raw: RawEntry) -> Match:
    with agency_scope(reason="matching a bank payment to a case"):
        return _match(raw)


def _cases() -> object:
    return Case.objects.select_related("creditor", "debtor")


def _match(raw: RawEntry) -> Match:
    notes: list[str] = []
    # 1. The FIK payment ID, check digit and all.
    for digits, typed in _fik_candidates(raw):
        if not luhn.is_valid(digits):
            if typed:
                notes.append(_("The payment ID %(id)s has a wrong check digit.") % {"id": digits})
            continue
        case = _cases().filter(number=int(digits[:14])).first()
        if case is not None:
            return _check(case, raw, "fik")
        if typed:
            notes.append(_("No case has the payment ID %(id)s.") % {"id": digits})
    text = " ".join([*raw.payment_references, raw.remittance])
    # 2. A case number in the references or the text.
    numbers = {int(m.group(0)) for m in CASE_NUMBER.finditer(text)}
    if numbers:
        named = list(_cases().filter(number__in=numbers)[: MAX_SUGGESTIONS + 1])
        if len(named) == 1:
            return _check(named[0], raw, "case_number")
        if named:
            return Match(
                rule="case_number",
                reason=_("The text names several cases."),
                suggestions=[suggestion(c, _("case number in the text")) for c in named][
                    :MAX_SUGGESTIONS
                ],
            )
    # 3. The creditor's reference of an open case.
    words = set(WORD.findall(text))
    if words:
        named = list(
            _cases()
            .filter(creditor_reference__in=words)
            .exclude(state=CaseState.CLOSED)[: MAX_SUGGESTIONS + 1]
        )
        if len(named) == 1:
            return _check(named[0], raw, "creditor_reference")
        if named:
            return Match(
                rule="creditor_reference",
                reason=_("The creditor reference in the text fits several cases."),
                suggestions=[suggestion(c, _("creditor reference in the text")) for c in named][
                    :MAX_SUGGESTIONS
                ],
            )
    # 4. Suggestions only: the payer's name, the amount.
    notes.append(_("No payment ID or case reference was found."))
    return Match(reason=" ".join(notes), suggestions=_suggest(raw))


def _suggest(raw: RawEntry) -> list[dict]:
    name = " ".join(raw.debtor_name.split())
    if not name:
        return []
    cases = list(
        _cases()
        .filter(Q(debtor__name__iexact=name))
        .exclude(state=CaseState.CLOSED)
        .order_by("-created_at")[:20]
    )
    rows = []
    for case in cases:
        balance = selectors.case_balance(case).total
        same = raw.amount is not None and balance == raw.amount
        why = _("same name and the open balance") if same else _("same name")
        rows.append((0 if same else 1, suggestion(case, why)))
    rows.sort(key=lambda row: row[0])
    return [row for _rank, row in rows][:MAX_SUGGESTIONS]
