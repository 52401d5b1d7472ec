"""A creditor's collection policy may tighten the jurisdiction profile, never loosen it.

:func:`collection_policy_errors` is the one check of the policy fields on ``Creditor``
(``policy_*``, ``allocation_order``, ``interest_day_count``) against the profile in force: the
portal's policy form, the admin's creditor form (``creditors.admin.CreditorAdminForm``) and
the service ``creditor_policy_update`` all call it. (Not ``Creditor.clean()``: the profile is
in ``cases.rules``, a layer above the creditors' models.) Each refusal names the field, the
rule and its source (the provision the profile cites, and the profile's version), in the
active language.

Why these limits (the scheduler sends a reminder with a fee each time, ``case_send_reminder``):

- ``policy_reminders``: every reminder carries a fee, so no more reminders than the profile
  lets carry one (DK: 3, renteloven § 9 b);
- ``policy_reminder_interval_days``: reminders count for fees only this far apart (DK: 10);
- ``policy_first_reminder_days``: the first fee no earlier than the profile allows after the
  due date (DK: 0, NO: 14).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.rules import IncompleteProfile, JurisdictionProfile, UnknownProfile, get_profile

#: The fields of the policy: what the portal's form edits and the service writes.
POLICY_FIELDS: tuple[str, ...] = (
    "policy_reminders",
    "policy_first_reminder_days",
    "policy_reminder_interval_days",
    "policy_collection_days",
    "policy_monitoring_recheck_days",
    "policy_group_invoices_per_debtor",
    "policy_payment_receipts",
    "allocation_order",
    "interest_day_count",
)


def _source(profile: JurisdictionProfile, topic: str) -> str:
    """``renteloven § 9 b, DK@2024-01-01``: the provision and the profile it is read from."""
    try:
        return f"{profile.cite(topic)}, {profile.label}"
    except IncompleteProfile:
        return profile.label


def profile_for_policy(jurisdiction: str, on: date | None = None) -> JurisdictionProfile:
    return get_profile(jurisdiction, on or timezone.localdate())


def collection_policy_errors(
    values: Mapping[str, Any], *, jurisdiction: str, on: date | None = None
) -> dict[str, list[str]]:
    """Every refusal of ``values`` (policy field -> value; fields left out are not checked),
    by field. Empty: the policy is within the law of the profile in force ``on`` (today)."""
    errors: dict[str, list[str]] = {}
    try:
        profile = profile_for_policy(jurisdiction, on)
    except UnknownProfile as exc:
        return {"__all__": [str(exc)]}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    reminders = values.get("policy_reminders")
    count_max = profile.reminder_fee_count_max
    if reminders is not None and count_max is not None and reminders > count_max:
        refuse(
            "policy_reminders",
            _(
                "At most %(max)s reminders may carry a fee, and each reminder the portal "
                "sends carries one: %(value)s is more than the law allows (%(source)s)."
            )
            % {
                "max": profile.reminder_fee_count_max,
                "value": reminders,
                "source": _source(profile, "reminder_fee"),
            },
        )
    interval = values.get("policy_reminder_interval_days")
    spacing = profile.reminder_min_spacing_days
    if interval is not None and spacing is not None and interval < spacing:
        refuse(
            "policy_reminder_interval_days",
            _(
                "Reminders must be at least %(min)s days apart to carry a fee: %(value)s "
                "days is under the legal minimum (%(source)s)."
            )
            % {
                "min": profile.reminder_min_spacing_days,
                "value": interval,
                "source": _source(profile, "reminder_fee"),
            },
        )
    first = values.get("policy_first_reminder_days")
    if first is not None and first < profile.reminder_first_fee_after_due_days:
        refuse(
            "policy_first_reminder_days",
            _(
                "The first reminder fee may be charged %(min)s days after the due date at the "
                "earliest: %(value)s days is too early (%(source)s)."
            )
            % {
                "min": profile.reminder_first_fee_after_due_days,
                "value": first,
                "source": _source(profile, "reminder_fee"),
            },
        )
    for field in ("policy_collection_days", "policy_monitoring_recheck_days"):
        value = values.get(field)
        if value is not None and value < 1:
            refuse(field, _("At least 1 day."))
    order = values.get("allocation_order")
    if order and profile.allocation_order is None:
        refuse(
            "allocation_order",
            _(
                "The profile %(profile)s has no checked rule on payment allocation yet; leave "
                "it empty until it has."
            )
            % {"profile": profile.label},
        )
    return errors


def validate_collection_policy(
    values: Mapping[str, Any], *, jurisdiction: str, on: date | None = None
) -> None:
    """``ValidationError`` by field when ``values`` loosen the profile (see the module)."""
    errors = collection_policy_errors(values, jurisdiction=jurisdiction, on=on)
    if errors:
        raise ValidationError(errors)


def policy_limits(jurisdiction: str, on: date | None = None) -> dict[str, Any]:
    """The profile's limits, for the form to show beside the fields."""
    profile = profile_for_policy(jurisdiction, on)
    return {
        "profile": profile.label,
        "reminders_max": profile.reminder_fee_count_max,
        "spacing_min": profile.reminder_min_spacing_days,
        "first_fee_after_due_days": profile.reminder_first_fee_after_due_days,
        "warning_deadline_days": profile.warning_deadline_days,
        "reminder_rule": _source(profile, "reminder_fee"),
        "warning_rule": _source(profile, "warning"),
    }
