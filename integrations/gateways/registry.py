"""Which adapter serves which channel."""

from __future__ import annotations

from .base import Gateway


def gateway_for(channel: str) -> Gateway:
    """A fresh adapter for a channel value of ``notices.delivery.models.Channel``."""
    from .digital_post.adapter import DigitalPostGateway
    from .mail.adapter import EmailGateway
    from .printing.adapter import PrintGateway
    from .sms.adapter import SmsGateway

    adapters: dict[str, type[Gateway]] = {
        EmailGateway.channel: EmailGateway,
        SmsGateway.channel: SmsGateway,
        DigitalPostGateway.channel: DigitalPostGateway,
        PrintGateway.channel: PrintGateway,
    }
    try:
        return adapters[channel]()
    except KeyError:
        raise ValueError(f"No delivery gateway for channel {channel!r}") from None
