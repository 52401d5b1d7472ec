"""Gateways that carry a message to a debtor: one package per provider behind one interface.

Every adapter implements :class:`integrations.gateways.base.Gateway` and is handed a plain
:class:`~integrations.gateways.base.OutgoingMessage`; the delivery service in
``notices.delivery.services`` picks them by channel through :func:`gateway_for`. They import
nothing from the domain (notices, debtors, cases, creditors).
"""

from .base import (
    Attachment,
    Gateway,
    GatewayError,
    NoAddress,
    NotConfigured,
    OutcomeUnknown,
    OutgoingMessage,
    PermanentGatewayError,
    TransientGatewayError,
)
from .registry import gateway_for

__all__ = [
    "Attachment",
    "Gateway",
    "GatewayError",
    "NoAddress",
    "NotConfigured",
    "OutcomeUnknown",
    "OutgoingMessage",
    "PermanentGatewayError",
    "TransientGatewayError",
    "gateway_for",
]
