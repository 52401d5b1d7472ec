"""Filing a case: the one use case the portal's form, the import and the API share.

It joins two services (``debtor_get_or_create`` and ``case_create``) in one transaction, so a
refused case leaves no new debtor behind, and it answers a retried upload (an invoice number
the creditor has handed over before) with a conflict naming the claim, never a second case.
(The bulk import writes its validated rows with COPY, ``cases.services.bulk``, and asks
:func:`invoice_numbers_handed_over` which of a chunk's invoices were handed over before.)
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from cases.claim_dates import claim_date_errors
from cases.models import Case, Claim
from creditors.models import Creditor
from debtors.models import Debtor
from debtors.services import debtor_get_or_create

from .cases import ClaimInput, case_create


class DuplicateClaimError(Exception):
    """Invoices the creditor has handed over before: the case would double them."""

    def __init__(self, duplicates: dict[int, Claim]):
        self.duplicates = duplicates  # claim index in the request -> the existing claim
        super().__init__(
            "; ".join(
                f"claims[{index}].invoice_number: invoice {claim.invoice_number} is already "
                f"on case {claim.case.reference}"
                for index, claim in duplicates.items()
            )
        )


def invoice_numbers_handed_over(*, creditor_id: int, numbers: Sequence[str]) -> set[str]:
    """Which of ``numbers`` the creditor has handed over before, in one query whatever their
    count (a chunk of an import holds thousands): one array parameter, not one per number."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT invoice_number FROM cases_claim"
            " WHERE creditor_id = %s AND invoice_number = ANY(%s)",
            [creditor_id, list(numbers)],
        )
        return {row[0] for row in cursor.fetchall()}


def claims_already_handed_over(*, creditor: Creditor, claims: Sequence[ClaimInput]) -> dict:
    """{index in ``claims``: the existing claim} for invoice numbers the creditor used before."""
    numbers = [c.invoice_number.strip() for c in claims]
    existing = {
        claim.invoice_number: claim
        for claim in Claim.objects.filter(
            creditor=creditor, invoice_number__in=numbers
        ).select_related("case")
    }
    return {i: existing[n] for i, n in enumerate(numbers) if n in existing}


@transaction.atomic
def case_file(
    *,
    creditor: Creditor,
    claims: Sequence[ClaimInput],
    debtor: Debtor | None = None,
    debtor_details: dict[str, Any] | None = None,
    creditor_reference: str = "",
    creditor_reminder_dates: Sequence[date] = (),
    creditor_warning_sent_on: date | None = None,
    user: AbstractBaseUser | None = None,
) -> Case:
    """File a case with its claims for ``debtor``, or for the debtor ``debtor_details`` name
    (found by CPR/CVR within the creditor, else created; on file with another name or address
    it raises ``debtors.services.DebtorConflict``). Raises ``DuplicateClaimError`` when
    an invoice number was handed over before, ``ValidationError`` naming the field otherwise.
    A concurrent duplicate that slips past the check is stopped by the database's unique
    constraint (``ValidationError`` on the claim)."""
    # The dates a claim may have when it is handed over: the import's and the API's rule
    # (cases/claim_dates.py), named as in the request.
    today = timezone.localdate()
    date_errors = {
        f"claims[{i}].{field}": ValidationError(message, code=code)
        for i, claim in enumerate(claims)
        for field, code, message in claim_date_errors(
            claim.invoice_date, claim.due_date, today=today
        )
    }
    if date_errors:
        raise ValidationError(date_errors)
    duplicates = claims_already_handed_over(creditor=creditor, claims=claims)
    if duplicates:
        raise DuplicateClaimError(duplicates)
    if debtor is None:
        if debtor_details is None:
            raise TypeError("case_file() needs debtor or debtor_details")
        with _errors_under("debtor"):
            # A CPR/CVR on file with another name or address is a person's decision
            # (DebtorConflict), never a silent merge: the caller names the debtor instead.
            debtor, _created = debtor_get_or_create(
                creditor=creditor, refuse_different=True, **debtor_details
            )
    # case_create names a lone claim's fields without its position; the request has one.
    with _errors_under("claims[0]" if len(claims) == 1 else "", keep=CASE_FIELDS):
        return case_create(
            creditor=creditor,
            debtor=debtor,
            claims=list(claims),
            creditor_reference=creditor_reference,
            creditor_reminder_dates=creditor_reminder_dates,
            creditor_warning_sent_on=creditor_warning_sent_on,
            user=user,
        )


# Fields of the case itself; any other field case_create names belongs to a claim.
CASE_FIELDS = frozenset(
    {"debtor", "claims", "creditor_reference", "creditor_reminder_dates", "currency",
     "creditor_warning_sent_on", "creditor", "next_action_at", NON_FIELD_ERRORS}
)  # fmt: skip


@contextmanager
def _errors_under(prefix: str, keep: frozenset = frozenset()):
    """Re-raise a ValidationError with its fields named as in the request (``debtor.name``)."""
    try:
        yield
    except ValidationError as exc:
        if not prefix or not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {
                (key if key in keep or key.startswith("claims[") else f"{prefix}.{key}"): errors
                for key, errors in exc.error_dict.items()
            }
        ) from exc
