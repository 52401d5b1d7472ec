"""Credit-bureau adapters (RKI and similar): one interface, a file outbox and an HTTP API.

The registration service (``cases.services.credit_bureau``) decides; the send task hands the
bureau a :class:`BureauRecord` through :func:`bureau_adapter` and records the answer.
"""

from .base import (
    BureauAdapter,
    BureauError,
    BureauRecord,
    NotConfigured,
    PermanentBureauError,
    TransientBureauError,
    bureau_adapter,
)

__all__ = [
    "BureauAdapter",
    "BureauError",
    "BureauRecord",
    "NotConfigured",
    "PermanentBureauError",
    "TransientBureauError",
    "bureau_adapter",
]
