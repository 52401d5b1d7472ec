"""Filing many cases at once: the rows ``case_create`` and ``claim_add`` make, written with COPY.

For a bulk import of validated invoices. Each case is exactly what :func:`case_create` would
make for the same input (state ``new``, the creditor's currency, the creditor's evidence,
``next_action_at`` now so the scheduler picks it up), each claim what ``_claim_create`` makes,
and each claim's principal posted to the ledger with the same sentence. The ids and the case
numbers are drawn in one ``nextval`` call per table for the whole batch, then every table is
written with one ``COPY``. ``tests/imports/test_equivalence.py`` compares the rows with
``case_create``'s, column by column.

The caller validates every row first (``integrations.imports.validation``), checks that the invoice
numbers are new, and runs this in a transaction (a savepoint), so a database error leaves
nothing behind and the caller can retry a smaller batch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from cases.models import CASE_NUMBER_SEQUENCE, CaseState, Component, EntryKind
from collections_portal.tenancy import ScopeError, current_creditor_ids
from collections_portal.texts import Money, Text


@dataclass(slots=True)
class BulkClaim:
    """A validated invoice: ``ClaimInput`` with the text already stripped and the amount exact."""

    invoice_number: str
    invoice_date: date
    due_date: date
    principal: Decimal
    description: str = ""
    debtor_is_consumer: bool = True


@dataclass(slots=True)
class BulkCase:
    """A case to file (``case_id`` None) or an existing case the claims join (``claim_add``)."""

    debtor_id: int
    claims: list[BulkClaim]
    creditor_reference: str = ""
    creditor_reminder_dates: Sequence[date] = ()
    creditor_warning_sent_on: date | None = None
    case_id: int | None = None
    # Filled in by cases_bulk_create: the new case's id and number.
    number: int | None = field(default=None)


def principal_explanation(invoice_number: str, invoice_date: date, due_date: date, amount) -> Text:
    """The ledger sentence of a claim's principal: the one ``_claim_create`` posts, and this
    COPY writes (its English words and its stored text)."""
    return Text(
        N_("Invoice %(invoice)s of %(invoice_date)s, due %(due)s: principal incl. VAT %(amount)s."),
        invoice=invoice_number,
        invoice_date=invoice_date,
        due=due_date,
        amount=Money(amount),
    )


def _explanation_columns(text: Text) -> tuple[str, str]:
    """A ledger row's ``explanation`` (English words) and ``explanation_text`` (JSON)."""
    return text.render("en"), json.dumps(text.to_json())


def cases_bulk_create(
    *, creditor_id: int, currency: str, cases: list[BulkCase], created_by_id: int | None = None
) -> list[int]:
    """File ``cases`` (and add claims to the existing ones given by ``case_id``) in a fixed
    number of statements, and return each case's id in order. ``created_by_id`` is the person
    who uploaded (``case_create``'s ``user``), recorded on the ledger entries; None for the
    system and API clients, as ``case_create`` records them.

    Statements: one ``SELECT ... FOR UPDATE`` of the existing cases joined (as ``claim_add``
    locks them), one ``nextval`` batch for case ids and numbers, one for claim ids, and three
    ``COPY``s (cases, claims, ledger entries).
    """
    allowed = current_creditor_ids()
    if allowed is not None and creditor_id not in allowed:
        raise ScopeError(f"Creditor {creditor_id} is outside the active tenant scope.")
    new_cases = [c for c in cases if c.case_id is None]
    joined = [c.case_id for c in cases if c.case_id is not None]
    claim_count = sum(len(c.claims) for c in cases)
    now = timezone.now()
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own, for COPY
        if joined:
            cursor.execute(
                "SELECT id FROM cases_case WHERE id = ANY(%s) AND creditor_id = %s FOR UPDATE",
                [joined, creditor_id],
            )
            if len(cursor.fetchall()) != len(set(joined)):
                raise ValueError("A case to add claims to is missing or another creditor's.")
        if new_cases:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('cases_case', 'id')), nextval(%s)"
                " FROM generate_series(1, %s)",
                [CASE_NUMBER_SEQUENCE, len(new_cases)],
            )
            for case, (case_id, number) in zip(new_cases, cursor.fetchall(), strict=True):
                case.case_id, case.number = case_id, number
            with cursor.copy(
                "COPY cases_case (id, number, creditor_id, debtor_id, creditor_reference,"
                " currency, state, closed_reason, creditor_reminder_dates,"
                " creditor_warning_sent_on, next_action_at, created_at) FROM STDIN"
            ) as copy:
                for case in new_cases:
                    copy.write_row(
                        (
                            case.case_id,
                            case.number,
                            creditor_id,
                            case.debtor_id,
                            case.creditor_reference,
                            currency,
                            CaseState.NEW.value,
                            "",
                            list(case.creditor_reminder_dates),
                            case.creditor_warning_sent_on,
                            # The scheduler looks at a new case straight away (case_create).
                            now,
                            now,
                        )
                    )
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('cases_claim', 'id'))"
            " FROM generate_series(1, %s)",
            [claim_count],
        )
        claim_ids = iter([row[0] for row in cursor.fetchall()])
        ledger_rows = []
        with cursor.copy(
            "COPY cases_claim (id, creditor_id, case_id, invoice_number, description,"
            " invoice_date, due_date, due_date_agreed, demand_sent_on, principal,"
            " debtor_is_consumer, agreed_interest_rate, created_at) FROM STDIN"
        ) as copy:
            for case in cases:
                for claim in case.claims:
                    claim_id = next(claim_ids)
                    copy.write_row(
                        (
                            claim_id,
                            creditor_id,
                            case.case_id,
                            claim.invoice_number,
                            claim.description,
                            claim.invoice_date,
                            claim.due_date,
                            True,  # an uploaded invoice's due date is the agreed one
                            None,
                            claim.principal,
                            claim.debtor_is_consumer,
                            None,
                            now,
                        )
                    )
                    ledger_rows.append(
                        (
                            creditor_id,
                            case.case_id,
                            claim_id,
                            created_by_id,
                            EntryKind.PRINCIPAL.value,
                            Component.PRINCIPAL.value,
                            claim.principal,
                            claim.invoice_date,
                            "",
                            "",
                            *_explanation_columns(
                                principal_explanation(
                                    claim.invoice_number,
                                    claim.invoice_date,
                                    claim.due_date,
                                    claim.principal,
                                )
                            ),
                        )
                    )
        with cursor.copy(
            "COPY cases_ledgerentry (creditor_id, case_id, claim_id, created_by_id, kind,"
            " component, amount, posted_on, rule, profile, explanation, explanation_text)"
            " FROM STDIN"
        ) as copy:
            for row in ledger_rows:
                copy.write_row(row)
    return [c.case_id for c in cases]  # type: ignore[misc]
