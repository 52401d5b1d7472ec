"""Gateways that carry a notice to a debtor: one package per provider behind one interface.

Every adapter implements :class:`integrations.gateways.base.Gateway`; the delivery service in
``notices.delivery.services`` picks them by channel through :func:`gateway_for`.
"""

from .base import (
    Gateway,
    GatewayError,
    NoAddress,
    NotConfigured,
    OutcomeUnknown,
    PermanentGatewayError,
    TransientGatewayError,
)
from .registry import gateway_for

__all__ = [
    "Gateway",
    "GatewayError",
    "NoAddress",
    "NotConfigured",
    "OutcomeUnknown",
    "PermanentGatewayError",
    "TransientGatewayError",
    "gateway_for",
]
