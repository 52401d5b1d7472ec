"""The interface every credit-bureau adapter implements, and the errors it may raise.

An adapter is given a :class:`BureauRecord` (what the bureau files: who owes what to whom
since when) and answers with the bureau's reference, or raises a :class:`BureauError` whose
``permanent`` says whether trying again can help. Every call carries the submission's
idempotency key, the same for every attempt: a bureau (or the outbox) that has seen the key
files nothing again and answers as the first time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar

from django.conf import settings


class BureauError(Exception):
    """The bureau did not take the record; ``permanent`` says whether a retry can help."""

    permanent: ClassVar[bool] = False


class TransientBureauError(BureauError):
    permanent = False


class PermanentBureauError(BureauError):
    permanent = True


class NotConfigured(TransientBureauError):
    """No bureau connection in this deployment: the submission waits until one is set."""


@dataclass(frozen=True)
class BureauRecord:
    """One registration or deletion as the bureau receives it."""

    action: str  # "register" or "delete"
    idempotency_key: str
    bureau: str
    register: str  # "open" or "closed"
    creditor_cvr: str
    creditor_name: str
    case_number: str
    debtor_id_type: str  # "CPR" or "CVR"
    debtor_id: str
    debtor_name: str
    debtor_address: str
    debtor_postal_code: str
    debtor_city: str
    amount: Decimal | None
    currency: str
    oldest_due_date: date
    registered_on: date | None
    deleted_on: date | None = None
    deletion_reason: str = ""

    def as_json(self) -> dict:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, date):
                data[key] = value.isoformat()
            elif isinstance(value, Decimal):
                data[key] = f"{value:.2f}"
        return data


class BureauAdapter:
    """Base of the adapters. ``name`` is recorded on every attempt."""

    name: ClassVar[str] = ""

    def submit_registration(self, record: BureauRecord) -> str:
        """File a registration; return the bureau's reference."""
        raise NotImplementedError

    def submit_deletion(self, record: BureauRecord) -> str:
        """Delete a registration; return the bureau's reference for the deletion."""
        raise NotImplementedError

    def submit(self, record: BureauRecord) -> str:
        if record.action == "register":
            return self.submit_registration(record)
        if record.action == "delete":
            return self.submit_deletion(record)
        raise ValueError(f"Unknown credit-bureau action {record.action!r}.")


def bureau_adapter() -> BureauAdapter:
    """The deployment's adapter: HTTP when CREDIT_BUREAU_URL is set, else the file outbox when
    CREDIT_BUREAU_OUTBOX is set; otherwise :class:`NotConfigured` (submissions wait)."""
    from .file import FileBureauAdapter
    from .http import HttpBureauAdapter

    if settings.CREDIT_BUREAU_URL:
        return HttpBureauAdapter()
    if settings.CREDIT_BUREAU_OUTBOX:
        return FileBureauAdapter()
    raise NotConfigured(
        "No credit bureau is configured (CREDIT_BUREAU_URL and CREDIT_BUREAU_OUTBOX are empty)."
    )
