"""Credit-bureau registration (RKI and similar): may this claim be registered, and until when.

DK: never a disputed claim; never data older than ``credit_bureau_data_max_years`` (5 years,
databeskyttelsesloven § 20); the debtor warned in a letter that says so at least
``credit_bureau_warning_days`` before (bureau practice, unverified); the claim above the
bureau's minimum, and below ``open_register_from`` to its closed register only. A pure
function over plain data: the service gathers the facts, this decides and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_noop as N_

from .explain import Money, Text, explained
from .profile import IncompleteProfile, JurisdictionProfile

OPEN = "open"
CLOSED = "closed"


@dataclass(frozen=True)
class BureauVerdict:
    """Whether a registration is allowed on ``on``, with every reason it is not.

    ``reasons``, ``explanation`` and :attr:`refusal` are English (the explanation is kept on
    the registration and sent through the API); ``text`` and ``refusal_text`` are the same as
    stored texts, read in the reader's language (a timeline entry, a refusal shown to a person).

    ``register`` is the register the claim goes to (open or closed) when the amount allows one;
    ``eligible_from`` the first day the warning allows; ``data_expires_on`` the day the data
    turns too old (a registration must be gone by then).
    """

    allowed: bool
    reasons: tuple[str, ...]
    rule: str
    profile: str
    explanation: str
    text: Text
    refusal_text: Text
    bureau: str
    register: str = ""
    eligible_from: date | None = None
    data_expires_on: date | None = None

    @property
    def refusal(self) -> str:
        return "; ".join(self.reasons)


def _cite(profile: JurisdictionProfile) -> str:
    try:
        return profile.cite("credit_bureau")
    except IncompleteProfile:
        return "credit-bureau practice"


def data_expiry(profile: JurisdictionProfile, oldest_due_date: date) -> date:
    """The day data about a claim that fell due on ``oldest_due_date`` may no longer be held
    by a bureau (DK: 5 years on)."""
    years = profile.need(profile.credit_bureau_data_max_years, "credit_bureau_data_max_years")
    return oldest_due_date + relativedelta(years=years)


def deregistration_deadline(profile: JurisdictionProfile, ground_arose_on: date) -> date:
    """The last day a registration may still stand once its ground has gone."""
    days = profile.need(
        profile.credit_bureau_deregistration_days, "credit_bureau_deregistration_days"
    )
    return ground_arose_on + timedelta(days=days)


def credit_bureau_verdict(
    profile: JurisdictionProfile,
    *,
    bureau: str,
    on: date,
    amount: Decimal,
    oldest_due_date: date,
    disputed: bool,
    in_collection: bool,
    warned_on: date | None,
    identified: bool = True,
    check_warning: bool = True,
) -> BureauVerdict:
    """May a claim of ``amount`` owed since ``oldest_due_date`` be registered with ``bureau``
    on ``on``?

    ``in_collection``: the case is past the collection warning's deadline (collection,
    monitoring or the legal track), so the reminders and the warning were sent. ``warned_on``:
    the date of the credit-bureau warning letter, if one was sent. ``identified``: the
    debtor's CPR/CVR number is known (a bureau files by it). With ``check_warning``
    False the warning is not asked about (deciding whether a warning may be sent: it must not
    announce a registration the law forbids, inkassoloven § 9).
    """
    rule = _cite(profile)
    rules = profile.credit_bureau(bureau)
    currency = profile.currency
    warning_days = profile.need(profile.credit_bureau_warning_days, "credit_bureau_warning_days")
    expires = data_expiry(profile, oldest_due_date)
    reasons: list[Text] = []
    if disputed:
        reasons.append(Text(N_("the claim is disputed: a disputed claim is never registered")))
    if on >= expires:
        reasons.append(
            Text(
                N_(
                    "the claim fell due on %(due)s, and data older than %(years)s years (from "
                    "%(expires)s) may not be registered"
                ),
                due=oldest_due_date,
                years=profile.credit_bureau_data_max_years,
                expires=expires,
            )
        )
    if not in_collection:
        reasons.append(
            Text(
                N_(
                    "the case is not in collection: the reminders and the collection warning "
                    "come first"
                )
            )
        )
    if amount <= rules.min_amount:
        reasons.append(
            Text(
                N_("the claim %(amount)s is not above %(bureau)s's minimum of %(minimum)s"),
                amount=Money(amount, currency),
                bureau=rules.name,
                minimum=Money(rules.min_amount, currency),
            )
        )
    if not identified:
        reasons.append(Text(N_("the debtor's CPR/CVR number is not known, and a bureau needs it")))
    eligible_from = None
    if check_warning:
        if warned_on is None:
            reasons.append(
                Text(N_("the debtor has not been warned in a letter announcing the registration"))
            )
        else:
            eligible_from = warned_on + timedelta(days=warning_days)
            if on < eligible_from:
                reasons.append(
                    Text(
                        N_(
                            "the warning of %(warned)s allows a registration from %(eligible)s "
                            "(%(days)s days), not on %(on)s"
                        ),
                        warned=warned_on,
                        days=warning_days,
                        on=on,
                        eligible=eligible_from,
                    )
                )
    register = ""
    if amount > rules.min_amount:
        register = OPEN if amount >= rules.open_register_from else CLOSED
    refusal = Text.join(*reasons, separator="; ")
    if reasons:
        text = Text(
            N_("No registration with %(bureau)s on %(on)s: %(refusal)s"),
            bureau=rules.name,
            on=on,
            refusal=refusal,
        )
    else:
        text = Text(
            N_(
                "The claim %(amount)s may be registered with %(bureau)s (open register) on "
                "%(on)s; the data must be deleted by %(expires)s"
            )
            if register == OPEN
            else N_(
                "The claim %(amount)s may be registered with %(bureau)s (closed register) on "
                "%(on)s; the data must be deleted by %(expires)s"
            ),
            amount=Money(amount, currency),
            bureau=rules.name,
            on=on,
            expires=expires,
        )
    return BureauVerdict(
        allowed=not reasons,
        reasons=tuple(reason.render("en") for reason in reasons),
        rule=rule,
        profile=profile.label,
        **explained(text, rule=rule, profile=profile.label),
        refusal_text=refusal,
        bureau=bureau,
        register=register,
        eligible_from=eligible_from,
        data_expires_on=expires,
    )
