"""The errors of notice delivery."""

from __future__ import annotations


class DeliveryError(Exception):
    """A notice cannot be delivered as asked (not rendered, PDF missing, batch still open)."""


class DeliveryRetry(Exception):
    """Some delivery met a temporary error or is being sent by another worker: try later."""
