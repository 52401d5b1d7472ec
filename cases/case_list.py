"""The portal's case list: one search box, filters, sorting and keyset pagination, and the
same rows for the CSV and XLSX exports.

Everything is one SQL query per page inside the active tenant scope: each row's original
principal, balance, oldest due date and last activity are the case's stored figures and its
flags are correlated subqueries, so a page of 50 costs the same with 100 cases or 100,000, and
a page is found by its sort key (keyset), never by counting past OFFSET rows.

The search box never searches CPR or CVR numbers. Knowing a whole number is a look-up (a
reveal), which the portal records with its reason and refuses to viewers, as the API does;
it has its own form (a POST, so the number never lands in a URL, a log or the browser's
history): ``case_lookup`` in ``cases/views_list.py``.
"""

from __future__ import annotations

import base64
import json
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db.models import (
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Cast, Coalesce
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from debtors.models import ContactPoint, Debtor
from debtors.validators import normalise_email, normalise_phone

from .dashboard import AGING_BUCKETS, FLAGS, aging_q, flag_q, with_flags
from .models import (
    ACTIVE_STATES,
    Case,
    CaseState,
    Claim,
    Payment,
    case_number_from_payment_id,
)

PAGE_SIZE = 50
ZERO = Decimal("0.00")
OPEN = "open"  # the stage filter's "every stage but closed"

# Sort keys: the URL's name -> the annotation or field it orders by, and how a cursor's
# value is read back.
SORTS: dict[str, tuple[str, str]] = {
    "number": ("number", "int"),
    "handed": ("created_at", "datetime"),
    "balance": ("balance", "decimal"),
    "due": ("sort_due", "date"),
    "activity": ("last_activity", "datetime"),
}
DEFAULT_SORT = "-handed"


@dataclass
class CaseFilters:
    """What the list is narrowed to; every field optional."""

    q: str = ""
    stage: str = ""
    flags: list[str] = field(default_factory=list)
    aging: str = ""
    balance_min: Decimal | None = None
    balance_max: Decimal | None = None
    handed_from: date | None = None
    handed_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None
    paid_from: date | None = None
    paid_to: date | None = None
    creditor: int | None = None
    debtor: int | None = None
    sort: str = DEFAULT_SORT


def annotated_cases(today: date) -> QuerySet[Case]:
    """Every case of the scope with what a row shows. The original principal, balance, oldest
    due date and last activity are the case's stored figures (``CaseFigures``, kept by the
    database as the ledger, claims and timeline change), so sorting by balance or activity
    reads an index instead of summing every case's ledger (bench/portal.py)."""
    cases = with_flags(Case.objects.select_related("debtor", "creditor"), today)
    # Joined as the same creditor's (it always is): the scope's creditor filter then reaches
    # the figures too, and their indexes (creditor, balance / activity) serve the sort.
    cases = cases.filter(figures__creditor=F("creditor"))
    return cases.annotate(
        oldest_due=F("figures__oldest_due"),
        original_principal=F("figures__original_principal"),
        balance=F("figures__balance"),
        last_activity=F("figures__last_activity_at"),
        sort_due=Coalesce("figures__oldest_due", Cast("created_at", output_field=DateField())),
    )


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def looks_like_national_id(text: str) -> bool:
    """Ten digits (a CPR number, with or without its dash) or eight (a CVR number): the search
    box does not look these up, and says where to."""
    compact = text.replace(" ", "").replace("-", "")
    return compact.isdigit() and len(compact) in (8, 10)


def search_q(text: str) -> Q:
    """One box: case number, FIK payment ID, creditor's reference, invoice number, the
    debtor's name, e-mail or phone. Never a CPR/CVR number (see the module's docstring).

    Every kind of match is a set of case ids found by an index of its own (the case number,
    ``case_reference_search``, ``claim_invoice_number_search``, the contact points' values,
    the trigram index ``debtor_name_trigram``), and the list is the union of those sets: a
    search reads the few cases it finds, never every case of the creditor in the list's
    order until a page of them matches (0.2 s at 100,000 cases, bench/portal.py)."""
    text = text.strip()
    matches = [
        Case.objects.filter(creditor_reference__iexact=text).values("pk"),
        Claim.objects.filter(invoice_number__iexact=text).values("case"),
    ]
    compact = text.replace(" ", "").replace("+71<", "").replace("<", "")
    digits = _digits(compact)
    numbers = []
    if digits and digits == compact:
        if len(digits) == 15:
            with suppress(ValueError):  # not a payment ID: the digits may still be a number
                numbers.append(case_number_from_payment_id(digits))
        if len(digits) <= 18:  # fits a bigint
            numbers.append(int(digits))
    if numbers:
        matches.append(Case.objects.filter(number__in=numbers).values("pk"))
    contact = None
    if "@" in text:
        # E-mail addresses are stored with the domain in lower case; the local part is
        # compared without case too (no mail provider in practice tells them apart).
        with suppress(ValidationError):
            contact = Q(value__iexact=normalise_email(text))
    elif digits and len(digits) >= 8:
        with suppress(ValidationError):
            contact = Q(value=normalise_phone(text))  # stored in E.164
    if contact is not None:
        debtors = ContactPoint.objects.filter(contact).values("debtor")
        matches.append(Case.objects.filter(debtor__in=debtors).values("pk"))
    if not digits or digits != compact:
        debtors = Debtor.objects.filter(name__icontains=text).values("pk")
        matches.append(Case.objects.filter(debtor__in=debtors).values("pk"))
    first, *rest = (m.order_by() for m in matches)  # a set: the models' orderings say nothing
    return Q(pk__in=first.union(*rest))


def filtered_cases(filters: CaseFilters, today: date) -> QuerySet[Case]:
    cases = annotated_cases(today)
    if filters.q:
        cases = cases.filter(search_q(filters.q))
    if filters.stage == OPEN:
        cases = cases.filter(state__in=ACTIVE_STATES)
    elif filters.stage:
        cases = cases.filter(state=filters.stage)
    for flag in filters.flags:
        cases = cases.filter(flag_q(flag, today))
    if filters.aging:
        cases = cases.filter(aging_q(filters.aging, today))
    if filters.balance_min is not None:
        cases = cases.filter(balance__gte=filters.balance_min)
    if filters.balance_max is not None:
        cases = cases.filter(balance__lte=filters.balance_max)
    if filters.handed_from:
        cases = cases.filter(created_at__date__gte=filters.handed_from)
    if filters.handed_to:
        cases = cases.filter(created_at__date__lte=filters.handed_to)
    if filters.due_from or filters.due_to:
        due = Q()
        if filters.due_from:
            due &= Q(due_date__gte=filters.due_from)
        if filters.due_to:
            due &= Q(due_date__lte=filters.due_to)
        cases = cases.filter(Exists(Claim.objects.filter(due, case=OuterRef("pk"))))
    if filters.paid_from or filters.paid_to:
        paid = Q(reversed_at__isnull=True)
        if filters.paid_from:
            paid &= Q(received_on__gte=filters.paid_from)
        if filters.paid_to:
            paid &= Q(received_on__lte=filters.paid_to)
        cases = cases.filter(Exists(Payment.objects.filter(paid, case=OuterRef("pk"))))
    if filters.creditor:
        cases = cases.filter(creditor_id=filters.creditor)
    if filters.debtor:
        cases = cases.filter(debtor_id=filters.debtor)
    return cases


def _sort(sort: str) -> tuple[str, str, bool]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        return _sort(DEFAULT_SORT)
    field_name, kind = SORTS[key]
    return field_name, kind, descending


def ordered(cases: QuerySet[Case], sort: str) -> QuerySet[Case]:
    field_name, _kind, descending = _sort(sort)
    if descending:
        return cases.order_by(f"-{field_name}", "-pk")
    return cases.order_by(field_name, "pk")


# --- Keyset pages -------------------------------------------------------------------------


def _encode(value) -> str:
    if isinstance(value, datetime | date):
        value = value.isoformat()
    elif isinstance(value, Decimal):
        value = str(value)
    return value


def cursor_for(case: Case, sort: str) -> str:
    field_name, _kind, _desc = _sort(sort)
    raw = json.dumps([_encode(getattr(case, field_name)), case.pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, kind: str):
    """The cursor's (value, pk), or None for a cursor that cannot be read (first page)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        value, pk = json.loads(raw)
        pk = int(pk)
        if kind == "int":
            value = int(value)
        elif kind == "decimal":
            value = Decimal(value)
        elif kind == "date":
            value = parse_date(value)
        elif kind == "datetime":
            value = parse_datetime(value)
        if value is None:
            return None
        return value, pk
    except (ValueError, TypeError, InvalidOperation, json.JSONDecodeError, UnicodeDecodeError):
        return None


@dataclass
class CasePage:
    rows: list[Case]
    next_cursor: str | None
    first: bool


def case_page(
    cases: QuerySet[Case], sort: str, cursor: str = "", size: int = PAGE_SIZE
) -> CasePage:
    """One page of ``cases`` after ``cursor`` in ``sort`` order (size + 1 rows are read to know
    whether another page follows)."""
    size = size or PAGE_SIZE
    field_name, kind, descending = _sort(sort)
    after = _decode(cursor, kind) if cursor else None
    if after is not None:
        value, pk = after
        if descending:
            cases = cases.filter(
                Q(**{f"{field_name}__lt": value}) | Q(**{field_name: value, "pk__lt": pk})
            )
        else:
            cases = cases.filter(
                Q(**{f"{field_name}__gt": value}) | Q(**{field_name: value, "pk__gt": pk})
            )
    rows = list(ordered(cases, sort)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return CasePage(
        rows=rows,
        next_cursor=cursor_for(rows[-1], sort) if more else None,
        first=after is None,
    )


# --- What a row says ----------------------------------------------------------------------


@lru_cache(maxsize=8)
def _words(language: str | None) -> dict[str, str]:
    """The rows' words in ``language`` (the active one), translated once: an export of
    10,000 rows asked gettext for them 30,000 times (bench/portal.py)."""
    return {
        "paused": _("paused until %(day)s"),
        "disputed": _("disputed"),
        "plan": _("instalment plan"),
        "promise": _("promise to pay"),
        "legal": _("legal"),
        "step_disputed": _("Waits for the dispute to be answered"),
        "step_paused": _("Resumes after the pause"),
        "step_plan": _("Next instalment is followed up"),
        "step_promise": _("The promise to pay is followed up"),
        CaseState.NEW: _("First letter to the debtor"),
        CaseState.REMINDER: _("Next reminder or the collection warning"),
        CaseState.WARNING: _("Handover to collection when the warning's deadline has passed"),
        CaseState.COLLECTION: _("Collection follow-up"),
        CaseState.MONITORING: _("Monitoring re-check"),
        CaseState.LEGAL: _("Next legal step"),
        "step_court": _("Waits for the court"),
    }


def row_flags(case: Case, today: date) -> list[tuple[str, str]]:
    """The row's flags as (key, words), from the annotations (no query)."""
    words = _words(get_language())
    flags = []
    if case.paused_until and case.paused_until >= today and case.state != CaseState.CLOSED:
        until = date_format(case.paused_until, "SHORT_DATE_FORMAT")
        flags.append(("paused", words["paused"] % {"day": until}))
    if getattr(case, "flag_disputed", False):
        flags.append(("disputed", words["disputed"]))
    if getattr(case, "flag_plan", False):
        flags.append(("plan", words["plan"]))
    if getattr(case, "flag_promise", False):
        flags.append(("promise", words["promise"]))
    if case.state == CaseState.LEGAL:
        flags.append(("legal", words["legal"]))
    return flags


def next_step(case: Case, today: date) -> tuple[str, date | None]:
    """The next thing that happens on the case, in words, and its date (None: no date)."""
    when = case.next_action_at.date() if case.next_action_at else None
    if case.state == CaseState.CLOSED:
        return "", None
    words = _words(get_language())
    if getattr(case, "flag_disputed", False):
        return words["step_disputed"], None
    if case.paused_until and case.paused_until >= today:
        return words["step_paused"], case.paused_until
    if getattr(case, "flag_plan", False):
        return words["step_plan"], when
    if getattr(case, "flag_promise", False):
        return words["step_promise"], when
    if case.state == CaseState.LEGAL and not when:
        return words["step_court"], when
    return words.get(case.state, ""), when


def aging_choices() -> list[str]:
    return [key for key, _first, _last in AGING_BUCKETS]


__all__ = [
    "FLAGS",
    "OPEN",
    "SORTS",
    "CaseFilters",
    "CasePage",
    "aging_choices",
    "annotated_cases",
    "case_page",
    "filtered_cases",
    "looks_like_national_id",
    "next_step",
    "ordered",
    "row_flags",
]
