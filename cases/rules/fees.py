"""Reminder fees, the collection warning's deadline, the handover fee and B2B compensation.

DK: renteloven § 9 b (reminder and handover fees), inkassoloven § 10 (collection warning),
renteloven § 9 a stk. 3 (compensation). Every amount and period is read from the profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.utils.translation import gettext_noop as N_

from .explain import ZERO, Figure, Money, Text, explained, round_money
from .profile import JurisdictionProfile


def reminder_fee(
    profile: JurisdictionProfile,
    *,
    on: date,
    due_date: date,
    previous_fee_reminders: Sequence[date],
    disputed: bool = False,
    broken_plan: bool = False,
    fee_agreed: bool | None = None,
) -> Figure:
    """The fee for a reminder sent ``on``, or a refusal saying why (DK: renteloven § 9 b).

    ``previous_fee_reminders`` are the dates of the earlier reminders on the same claim that
    carried a fee (a collection warning combined with a reminder counts). A fee is allowed when
    all of these hold:

    - ``on`` is at least ``reminder_first_fee_after_due_days`` after the due date (DK: 0, a
      reminder may be charged as soon as the claim is due);
    - fewer than ``reminder_fee_count_max`` fees were charged before (DK: a 4th is refused);
    - at least ``reminder_min_spacing_days`` have passed since the last fee (DK: 10);
    - no instalment plan on the claim has been broken;
    - the claim is not disputed, or this is the first fee: no fee on the 2nd or 3rd reminder
      of a disputed claim (renteloven § 9 b) (``reminder_fee_after_dispute`` False). Pausing the
      reminders of a disputed claim altogether (inkassoloven § 9) is the workflow's decision;
    - where the profile requires it (SE), the fee was agreed when the debt arose.
    """
    rule = profile.cite("reminder_fee")
    currency = profile.currency
    earlier = sorted(previous_fee_reminders)
    if earlier and earlier[-1] > on:
        raise ValueError(f"A previous fee-bearing reminder ({earlier[-1]}) is after {on}.")

    reasons: list[Text] = []
    earliest = due_date + timedelta(days=profile.reminder_first_fee_after_due_days)
    if on < earliest:
        reasons.append(
            Text(
                N_(
                    "the first fee may be charged from %(earliest)s (%(days)s days after the "
                    "due date %(due)s), not on %(on)s"
                ),
                earliest=earliest,
                days=profile.reminder_first_fee_after_due_days,
                due=due_date,
                on=on,
            )
        )
    count_max = profile.need(profile.reminder_fee_count_max, "reminder_fee_count_max")
    if len(earlier) >= count_max:
        reasons.append(
            Text(
                N_(
                    "%(sent)s fee-bearing reminders were already sent and at most %(count_max)s "
                    "may carry a fee"
                ),
                sent=len(earlier),
                count_max=count_max,
            )
        )
    spacing = profile.need(profile.reminder_min_spacing_days, "reminder_min_spacing_days")
    if earlier and (on - earlier[-1]).days < spacing:
        reasons.append(
            Text(
                N_(
                    "only %(days)s days have passed since the last fee-bearing reminder on "
                    "%(last)s; at least %(spacing)s are required"
                ),
                days=(on - earlier[-1]).days,
                last=earlier[-1],
                spacing=spacing,
            )
        )
    if broken_plan:
        reasons.append(
            Text(N_("no further reminder fees may be charged after a broken instalment plan"))
        )
    if disputed and earlier:
        after_dispute = profile.need(
            profile.reminder_fee_after_dispute, "reminder_fee_after_dispute"
        )
        if not after_dispute:
            reasons.append(
                Text(
                    N_("the claim is disputed, and no fee may be charged on reminder %(number)s"),
                    number=len(earlier) + 1,
                )
            )
    if profile.reminder_fee_requires_agreement and not fee_agreed:
        reasons.append(Text(N_("the fee was not agreed when the debt arose")))

    if reasons:
        refusal = Text.join(*reasons, separator="; ")
        return Figure(
            amount=ZERO,
            rule=rule,
            profile=profile.label,
            **explained(
                Text(
                    N_("No reminder fee for the reminder on %(on)s: %(refusal)s"),
                    on=on,
                    refusal=refusal,
                ),
                rule=rule,
                profile=profile.label,
            ),
            dates=(on,),
            allowed=False,
            refusal=refusal.render("en"),
            refusal_text=refusal,
        )

    amount = round_money(profile.reminder_fee_max)
    since_last = (
        Text(
            N_(
                ", %(days)s days after the last fee-bearing reminder on %(last)s (at least "
                "%(spacing)s required)"
            ),
            days=(on - earlier[-1]).days,
            last=earlier[-1],
            spacing=spacing,
        )
        if earlier
        else ""
    )
    # No full stop at the end: the citation follows (see explained).
    dispute_note = (
        Text(N_(". The claim is disputed; this first fee is allowed")) if disputed else ""
    )
    return Figure(
        amount=amount,
        rule=rule,
        profile=profile.label,
        **explained(
            Text(
                N_(
                    "Reminder fee of %(amount)s (the maximum) for the reminder on %(on)s: fee "
                    "%(number)s of at most %(count_max)s on the claim due %(due)s%(since_last)s"
                    "%(dispute_note)s"
                ),
                amount=Money(amount, currency),
                on=on,
                number=len(earlier) + 1,
                count_max=count_max,
                due=due_date,
                since_last=since_last,
                dispute_note=dispute_note,
            ),
            rule=rule,
            profile=profile.label,
        ),
        dates=(on,),
    )


def warning_deadline_date(profile: JurisdictionProfile, sent_on: date) -> date:
    """The collection warning's deadline: ``sent_on`` plus ``warning_deadline_days``
    (DK: inkassoloven § 10, at least 10 days from sending)."""
    return sent_on + timedelta(days=profile.warning_deadline_days)


def warning_deadline(profile: JurisdictionProfile, *, sent_on: date) -> Figure:
    """The collection warning's deadline as a figure: amount 0, ``dates=(deadline,)``.

    DK: inkassoloven § 10. No collection step (and no collection cost) before the deadline
    has passed, i.e. not before the day after ``deadline``.
    """
    rule = profile.cite("warning")
    deadline = warning_deadline_date(profile, sent_on)
    first_step = deadline + timedelta(days=1)
    return Figure(
        amount=ZERO,
        rule=rule,
        profile=profile.label,
        **explained(
            Text(
                N_(
                    "The collection warning sent on %(sent)s has the deadline %(deadline)s, "
                    "%(days)s days after sending; no collection step may be taken before "
                    "%(first_step)s"
                ),
                sent=sent_on,
                deadline=deadline,
                days=profile.warning_deadline_days,
                first_step=first_step,
            ),
            rule=rule,
            profile=profile.label,
        ),
        dates=(deadline,),
    )


def handover_fee(profile: JurisdictionProfile) -> Figure:
    """The fee (inkassogebyr) when the case is handed to a third party (DK: renteloven § 9 b
    stk. 3, at most 100 DKK)."""
    rule = profile.cite("handover_fee")
    amount = round_money(profile.handover_fee_max)
    return Figure(
        amount=amount,
        rule=rule,
        profile=profile.label,
        **explained(
            Text(
                N_(
                    "Handover fee of at most %(amount)s when the case is handed to a third party "
                    "for collection"
                ),
                amount=Money(amount, profile.currency),
            ),
            rule=rule,
            profile=profile.label,
        ),
    )


_MODE_TEXT = {
    "on_top": N_("it comes on top of reminder fees, interest and collection costs"),
    "replaces": N_("it replaces the reminder, collection and plan fees up to its amount"),
    "offsets": N_("it is offset against the collection fees"),
}


def b2b_compensation(
    profile: JurisdictionProfile, *, debtor_is_consumer: bool, due_date: date
) -> Figure:
    """The fixed compensation for a business debtor's late payment, once per overdue invoice
    (DK: renteloven § 9 a stk. 3, 310 DKK for claims due from 1 March 2013, never consumers).
    """
    rule = profile.cite("b2b_compensation")
    since = profile.need(profile.b2b_compensation_since, "b2b_compensation_since")
    refusal: Text | None = None
    if debtor_is_consumer:
        refusal = Text(N_("compensation is charged to business debtors only, never to a consumer"))
    elif due_date < since:
        refusal = Text(
            N_(
                "the claim was due on %(due)s, before compensation applies (claims due from "
                "%(since)s)"
            ),
            due=due_date,
            since=since,
        )
    if refusal is not None:
        return Figure(
            amount=ZERO,
            rule=rule,
            profile=profile.label,
            **explained(
                Text(N_("No compensation: %(refusal)s"), refusal=refusal),
                rule=rule,
                profile=profile.label,
            ),
            dates=(due_date,),
            allowed=False,
            refusal=refusal.render("en"),
            refusal_text=refusal,
        )
    amount = round_money(profile.b2b_compensation)
    return Figure(
        amount=amount,
        rule=rule,
        profile=profile.label,
        **explained(
            Text(
                N_(
                    "Compensation of %(amount)s from a business debtor for the invoice due "
                    "%(due)s, once per overdue invoice; %(mode)s, as a separate ledger line"
                ),
                amount=Money(amount, profile.currency),
                due=due_date,
                mode=Text(_MODE_TEXT[profile.b2b_compensation_mode]),
            ),
            rule=rule,
            profile=profile.label,
        ),
        dates=(due_date,),
    )
