"""Which adapter serves which channel."""

from __future__ import annotations

from .base import Gateway


def gateway_for(channel: str) -> Gateway:
    """A fresh adapter for a provider's channel (print is not one: the print batch is ours,
    ``notices.delivery.printing``)."""
    from .digital_post.adapter import DigitalPostGateway
    from .mail.adapter import EmailGateway
    from .sms.adapter import SmsGateway

    adapters: dict[str, type[Gateway]] = {
        EmailGateway.channel: EmailGateway,
        SmsGateway.channel: SmsGateway,
        DigitalPostGateway.channel: DigitalPostGateway,
    }
    try:
        return adapters[channel]()
    except KeyError:
        raise ValueError(f"No delivery gateway for channel {channel!r}") from None
