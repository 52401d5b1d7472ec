"""A case's whole future before it is filed: every step the scheduler would take, with its date
and what the debtor would owe that day, each amount explained by the rules engine.

A selector: it reads the creditor's policy and the reference rates and writes nothing. It walks
the same decisions as ``cases.scheduler.case_advance`` (reminders per the creditor's policy,
the collection warning, the handover after the warning's deadline, collection, monitoring) and
prices each step with the same rules functions the services post with (``reminder_fee``,
``warning_deadline_date``, ``collection_charges``, ``interest_owed``), assuming the debtor pays
nothing and nobody pauses, disputes or agrees a plan. Amounts are the rules' Figures, so every
fee, interest period and cost carries its rule and explanation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.rules import (
    ClaimForCosts,
    Figure,
    collection_charges,
    get_profile,
    interest_owed,
    interest_start,
    reminder_fee,
    warning_deadline,
    warning_deadline_date,
)
from cases.selectors import rate_table, rates_known_until
from cases.services.cases import ClaimInput
from collections_portal.money import to_money
from creditors.models import Creditor

ZERO = Decimal("0.00")

STEP_TITLES = {
    "filed": gettext_lazy("Case filed"),
    "reminder": gettext_lazy("Reminder"),
    "warning": gettext_lazy("Collection warning (inkassovarsel)"),
    "warning_accepted": gettext_lazy("Your own collection warning counts"),
    "handover": gettext_lazy("Handed over to collection"),
    "monitoring": gettext_lazy("Long-term monitoring"),
}


@dataclass(frozen=True)
class PreviewStep:
    code: str  # a key of STEP_TITLES
    on: date
    charges: tuple[Figure, ...]  # fees and costs added on this day (refused ones included)
    interest: tuple[Figure, ...]  # per invoice: the interest owed by this day, by period
    principal: Decimal
    interest_total: Decimal
    costs: Decimal  # every fee and cost charged so far
    note: str = ""
    deadline: date | None = None

    @property
    def title(self) -> str:
        return str(STEP_TITLES[self.code])

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest_total + self.costs


@dataclass(frozen=True)
class CasePreview:
    as_of: date
    currency: str
    profile: str
    steps: list[PreviewStep] = field(default_factory=list)


@dataclass
class _Claim:
    index: int
    data: ClaimInput
    principal: Decimal
    first_interest_day: date | None


def case_preview(
    *,
    creditor: Creditor,
    claims: Sequence[ClaimInput],
    creditor_reminder_dates: Sequence[date] = (),
    creditor_warning_sent_on: date | None = None,
    today: date | None = None,
) -> CasePreview:
    """The schedule a case with these claims would follow if filed ``today`` and never paid.

    Raises ``ValidationError`` naming the field for input the scheduler would refuse (a
    creditor's warning sent before the invoice fell due), ``UnknownProfile`` for a day no
    jurisdiction profile covers."""
    if not claims:
        raise ValidationError({"claims": _("A case needs at least one claim.")})
    today = today or timezone.localdate()
    jurisdiction = creditor.jurisdiction
    rates = rate_table(jurisdiction)
    profile_today = get_profile(jurisdiction, today)
    items = []
    for index, data in enumerate(claims):
        principal = to_money(data.principal, field="principal")
        first_day = None
        if data.due_date_agreed or data.demand_sent_on is not None:
            first_day = interest_start(
                profile_today,
                due_date=data.due_date,
                due_date_agreed=data.due_date_agreed,
                demand_sent_on=data.demand_sent_on,
            ).dates[0]
        items.append(_Claim(index, data, principal, first_day))
    oldest = min(items, key=lambda c: (c.data.due_date, c.index))
    principal_total = sum((c.principal for c in items), ZERO)
    costs = ZERO
    steps: list[PreviewStep] = []

    def step(code: str, on: date, charges=(), note: str = "", deadline=None) -> None:
        nonlocal costs
        costs += sum((f.amount for f in charges if f.allowed), ZERO)
        interest, note_interest = _interest_by(items, rates, jurisdiction, creditor, on)
        steps.append(
            PreviewStep(
                code=code,
                on=on,
                charges=tuple(charges),
                interest=tuple(interest),
                principal=principal_total,
                interest_total=sum((f.amount for f in interest), ZERO),
                costs=costs,
                note=" ".join(n for n in (note, note_interest) if n),
                deadline=deadline,
            )
        )

    step("filed", today)
    interval = creditor.policy_reminder_interval_days
    if creditor_warning_sent_on is not None:
        # cases.services.lifecycle.case_accept_creditor_warning: the creditor's own warning
        # is checked and counted; the handover waits for its deadline.
        if creditor_warning_sent_on < oldest.data.due_date:
            raise ValidationError(
                {
                    "creditor_warning_sent_on": _(
                        "A collection warning sent before the invoice fell due (%(due)s) is "
                        "not valid."
                    )
                    % {"due": oldest.data.due_date.isoformat()}
                }
            )
        profile = get_profile(jurisdiction, creditor_warning_sent_on)
        deadline = warning_deadline_date(profile, creditor_warning_sent_on)
        figure = warning_deadline(profile, sent_on=creditor_warning_sent_on)
        day = max(deadline + timedelta(days=1), today)
        step("warning_accepted", today, (figure,), deadline=deadline)
    else:
        sent = sorted(creditor_reminder_dates)
        fee_dates = list(sent)  # the creditor's reminders count as fee-bearing ones
        day = today
        while len(sent) < creditor.policy_reminders:
            earliest = oldest.data.due_date + timedelta(days=creditor.policy_first_reminder_days)
            if sent:
                earliest = max(earliest, sent[-1] + timedelta(days=interval))
            day = max(day, earliest)
            profile = get_profile(jurisdiction, day)
            fee = reminder_fee(
                profile,
                on=day,
                due_date=oldest.data.due_date,
                previous_fee_reminders=fee_dates,
            )
            if fee.allowed:
                fee_dates.append(day)
            sent.append(day)
            step("reminder", day, (fee,))
            spacing = profile.reminder_min_spacing_days or 0
            day = day + timedelta(days=max(interval, spacing))
        if sent:
            day = max(day, sent[-1] + timedelta(days=interval))
        # No collection warning before the invoice falls due (case_send_warning).
        day = max(day, oldest.data.due_date)
        profile = get_profile(jurisdiction, day)
        deadline = warning_deadline_date(profile, day)
        step("warning", day, (warning_deadline(profile, sent_on=day),), deadline=deadline)
        day = deadline + timedelta(days=1)

    profile = get_profile(jurisdiction, day)
    charges = collection_charges(
        profile,
        claims=[
            ClaimForCosts(
                claim_id=c.index,
                principal=c.principal,
                due_date=c.data.due_date,
                debtor_is_consumer=c.data.debtor_is_consumer,
            )
            for c in items
        ],
    )
    handover_figures = [charges.handover_fee, *(f for _i, f in charges.compensations)]
    if charges.collection_costs.amount > 0:
        handover_figures.append(charges.collection_costs)
    step("handover", day, handover_figures)
    step("monitoring", day + timedelta(days=creditor.policy_collection_days))
    return CasePreview(
        as_of=today, currency=creditor.currency, profile=profile_today.label, steps=steps
    )


def _interest_by(items, rates, jurisdiction, creditor, on: date) -> tuple[list[Figure], str]:
    """Each invoice's interest from its first interest day through ``on`` (by period), and a
    note when a half-year's reference rate is not published yet (no interest is guessed)."""
    figures = []
    unknown_from = None
    for c in items:
        if c.first_interest_day is None or c.first_interest_day > on:
            continue
        end = min(on, rates_known_until(rates, c.first_interest_day, on))
        if end < on:
            unknown_from = end + timedelta(days=1)
        if end < c.first_interest_day:
            continue
        figures.append(
            interest_owed(
                get_profile(jurisdiction, end),
                rates=rates,
                principal_changes=[(c.first_interest_day, c.principal)],
                start=c.first_interest_day,
                end=end,
                due_date=c.data.due_date,
                agreed_rate=c.data.agreed_interest_rate,
                consumer=c.data.debtor_is_consumer,
                agreed_day_count=creditor.interest_day_count or None,
            )
        )
    note = ""
    if unknown_from is not None:
        note = _(
            "Interest from %(day)s is not included: the reference rate for that half-year is "
            "not published yet."
        ) % {"day": unknown_from.isoformat()}
    return figures, note


def figure_data(figure: Figure) -> dict:
    """A Figure as plain data (the API's and the page's shape)."""
    return {
        "amount": str(figure.amount),
        "rule": figure.rule,
        "explanation": figure.explanation,
        "allowed": figure.allowed,
        "refusal": figure.refusal,
        "dates": [d.isoformat() for d in figure.dates],
        "parts": [figure_data(part) for part in figure.parts],
    }


def preview_data(preview: CasePreview) -> dict:
    return {
        "as_of": preview.as_of.isoformat(),
        "currency": preview.currency,
        "profile": preview.profile,
        "steps": [
            {
                "code": s.code,
                "title": s.title,
                "date": s.on.isoformat(),
                "deadline": s.deadline.isoformat() if s.deadline else None,
                "charges": [figure_data(f) for f in s.charges],
                "interest": [figure_data(f) for f in s.interest],
                "owed": {
                    "principal": str(s.principal),
                    "interest": str(s.interest_total),
                    "costs": str(s.costs),
                    "total": str(s.total),
                },
                "note": s.note,
            }
            for s in preview.steps
        ],
    }
