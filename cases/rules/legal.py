"""The legal track: the summary procedure's limit and the court fees.

DK: a betalingspåkrav (retsplejeloven kapitel 44 a) is open to claims whose principal is at
most ``summary_procedure_limit``; filing it and asking the fogedret for udlæg each cost a
court fee (retsafgiftsloven). Every amount is read from the profile.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_noop as N_

from .explain import Figure, Money, Text, explained, round_money
from .profile import IncompleteProfile, JurisdictionProfile

# Used when a profile carries no citation for a topic yet: the statute, without a section
# number where none has been checked.
_DEFAULT_CITATIONS = {
    "summary_procedure": "retsplejeloven kapitel 44 a (betalingspåkrav)",
    "court_fee": "retsafgiftsloven",
}


def _cite(profile: JurisdictionProfile, topic: str) -> str:
    try:
        return profile.cite(topic)
    except IncompleteProfile:
        return _DEFAULT_CITATIONS[topic]


def summary_procedure_refusal(profile: JurisdictionProfile, *, principal: Decimal) -> str:
    """Why a betalingspåkrav is not open to a claim of this principal, or ``""`` when it is;
    in the active language (it is said to the person asking).

    A profile without a limit (SE: none for a betalningsföreläggande) never refuses.
    """
    limit = profile.summary_procedure_limit
    if limit is None or principal <= limit:
        return ""
    return Text(
        N_(
            "The principal %(principal)s is above %(limit)s, the limit of the simplified "
            "procedure: the claim must go to a civil suit (%(rule)s; %(profile)s)."
        ),
        principal=Money(principal, profile.currency),
        limit=Money(limit, profile.currency),
        rule=_cite(profile, "summary_procedure"),
        profile=profile.label,
    ).render()


def court_fee_payment_claim(profile: JurisdictionProfile) -> Figure:
    """The court fee for filing a betalingspåkrav (DK: 750 DKK)."""
    amount = round_money(profile.need(profile.court_fee_summary, "court_fee_summary"))
    rule = _cite(profile, "court_fee")
    return Figure(
        amount=amount,
        rule=rule,
        profile=profile.label,
        **explained(
            Text(
                N_("Court fee for filing a betalingspåkrav: %(amount)s"),
                amount=Money(amount, profile.currency),
            ),
            rule=rule,
            profile=profile.label,
        ),
    )


def court_fee_enforcement(profile: JurisdictionProfile) -> Figure:
    """The court fee for asking the fogedret for udlæg (DK: 750 DKK)."""
    amount = round_money(profile.need(profile.court_fee_enforcement, "court_fee_enforcement"))
    rule = _cite(profile, "court_fee")
    return Figure(
        amount=amount,
        rule=rule,
        profile=profile.label,
        **explained(
            Text(
                N_("Court fee for a request to the fogedret (udlæg): %(amount)s"),
                amount=Money(amount, profile.currency),
            ),
            rule=rule,
            profile=profile.label,
        ),
    )
