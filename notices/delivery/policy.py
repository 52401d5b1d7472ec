"""The one check of a creditor's channel policy for a notice kind, and its wording.

A policy is valid when it parses (``parse_channel_policy``: routes joined by ``+``, fallbacks
by ``>``, each channel once) and is legal for the kind: a kind that must reach the debtor's
registered address (``LetterKind.registered_address_rule``; DK: the collection warning,
inkassoloven § 10, and the credit-bureau warning) keeps one route made of letter and digital
post only, with the letter in it, so a debtor without digital post still gets the letter and
no e-mail or SMS stands in for it. The portal's channel page, ``ChannelPolicy.clean()`` (so the
admin) and the service ``channel_policy_set`` all call :func:`channel_policy_check`.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.rules import IncompleteProfile, UnknownProfile, get_profile

from .models import Channel, format_channel_policy, parse_channel_policy

REGISTERED_ADDRESS_CHANNELS = frozenset({Channel.PRINT.value, Channel.DIGITAL_POST.value})


def _rule_source(jurisdiction: str, topic: str, on: date | None) -> str:
    try:
        profile = get_profile(jurisdiction, on or timezone.localdate())
    except UnknownProfile:
        return topic
    try:
        return f"{profile.cite(topic)}, {profile.label}"
    except IncompleteProfile:
        return profile.label


def channel_policy_check(
    *, kind: str, channels: str, jurisdiction: str, on: date | None = None
) -> str:
    """``channels`` in its normal form when it is a valid and legal policy for ``kind``;
    else ``ValidationError`` on ``channels`` saying why (with the rule and its source)."""
    from notices.kinds import kind_for

    try:
        routes = parse_channel_policy(channels)
    except ValidationError as exc:
        raise ValidationError({"channels": exc.error_list}) from None
    spec = kind_for(kind)
    if spec.registered_address_rule is not None and not any(
        set(route) <= REGISTERED_ADDRESS_CHANNELS and Channel.PRINT.value in route
        for route in routes
    ):
        raise ValidationError(
            {
                "channels": _(
                    "%(kind)s must reach the debtor's registered address: keep a route of "
                    "letter (print), or digital post falling back to a letter, e.g. "
                    "'print + email' or 'digital_post > print' (%(source)s)."
                )
                % {
                    "kind": spec_label(kind),
                    "source": _rule_source(jurisdiction, spec.registered_address_rule, on),
                }
            },
            code="registered_address",
        )
    return format_channel_policy(routes)


def spec_label(kind: str) -> str:
    from notices.models import NoticeKind

    return str(NoticeKind(kind).label)


def channel_policy_in_words(channels: str) -> str:
    """``"print + email > sms"`` -> ``"Letter (print) and E-mail, else SMS"``."""
    labels = dict(Channel.choices)
    return _(" and ").join(
        _(", else ").join(str(labels[channel]) for channel in route)
        for route in parse_channel_policy(channels)
    )
