"""Building cases through the services, as the portal and the API do."""

from datetime import date, datetime, time

import time_machine
from django.utils import timezone

from cases.services import ClaimInput, case_create
from collections_portal.tenancy import creditor_scope
from tests.factories import DebtorFactory


def at(day: date, hour: int = 9):
    """Travel to ``hour`` o'clock, Copenhagen time, on ``day`` (the clock stands still)."""
    return time_machine.travel(timezone.make_aware(datetime.combine(day, time(hour))), tick=False)


def claim(number: str, principal: str, due: date, *, invoice: date | None = None, **kwargs):
    return ClaimInput(
        invoice_number=number,
        invoice_date=invoice or due,
        due_date=due,
        principal=principal,
        **kwargs,
    )


def file_case(creditor, *claims: ClaimInput, debtor=None, **kwargs):
    debtor = debtor or DebtorFactory(creditor=creditor)
    with creditor_scope(creditor):
        return case_create(creditor=creditor, debtor=debtor, claims=list(claims), **kwargs)
