"""The bulk import makes the same rows case_create makes for the same invoices.

Creditor A imports N rows through the bulk path; creditor B files the same rows one by one
through ``debtor_get_or_create`` and ``case_create``. Every created row is compared column by
column, leaving out only ids, case numbers, timestamps and the creditor.
"""

from datetime import date

import pytest
from django.forms.models import model_to_dict

from cases.figures import figures_differing
from cases.models import Case, CaseEvent, Claim, LedgerEntry, LimitationEvent
from cases.services import ClaimInput, case_create
from collections_portal.tenancy import creditor_scope
from debtors.models import DebtorKind
from debtors.services import debtor_get_or_create

from .helpers import api_client, invoice_rows, run_job, to_json, upload

pytestmark = pytest.mark.django_db

IGNORED = {"id", "number", "created_at", "creditor", "case", "claim", "debtor", "next_action_at"}


def _rows():
    rows = invoice_rows(24, debtors=9)
    rows[3]["reminder_dates"] = "01-02-2026|11-02-2026"
    rows[3]["warning_sent_on"] = "2026-02-21"
    rows[5]["reference"] = "SAG-5"
    rows[6]["debtor_national_id"] = ""  # a debtor without a number gets one of its own
    return rows


def _file_one_by_one(creditor, rows, *, grouped: bool):
    """What the portal/API would do row by row: find or make the debtor, file the case."""
    groups: dict = {}
    with creditor_scope(creditor):
        for row in rows:
            number = row["debtor_national_id"]
            kind = DebtorKind.COMPANY if len(number) == 8 else DebtorKind.PERSON
            debtor, _ = debtor_get_or_create(
                creditor=creditor,
                kind=kind,
                name=row["debtor_name"],
                national_id=number,
                address_line=row["debtor_address"],
                postal_code=row["debtor_postal_code"],
                city=row["debtor_city"],
            )
            claim = ClaimInput(
                invoice_number=row["invoice_number"],
                invoice_date=date.fromisoformat(row["invoice_date"]),
                due_date=date.fromisoformat(row["due_date"]),
                principal=row["amount"],
                description=row["description"],
                debtor_is_consumer=kind == DebtorKind.PERSON,
            )
            reminders = tuple(
                date(*reversed([int(p) for p in d.split("-")]))
                for d in row.get("reminder_dates", "").split("|")
                if d
            )
            warning = row.get("warning_sent_on")
            evidence = (reminders, date.fromisoformat(warning) if warning else None)
            key = (debtor.pk, row.get("reference", ""), evidence) if grouped else object()
            groups.setdefault(key, (debtor, row.get("reference", ""), evidence, []))[3].append(
                claim
            )
        for debtor, reference, (reminders, warning), claims in groups.values():
            case_create(
                creditor=creditor,
                debtor=debtor,
                claims=claims,
                creditor_reference=reference,
                creditor_reminder_dates=reminders,
                creditor_warning_sent_on=warning,
            )


def _snapshot(creditor, exclude_case):
    """Every row the filing made, as comparable values, keyed by the invoice number."""

    def plain(obj, extra=()):
        data = model_to_dict(obj)
        data.update({name: getattr(obj, name) for name in extra})
        return {k: v for k, v in data.items() if k not in IGNORED}

    with creditor_scope(creditor):
        out = {}
        for claim in Claim.objects.exclude(case=exclude_case).select_related("case__debtor"):
            case = claim.case
            out[claim.invoice_number] = {
                "claim": plain(claim),
                "case": plain(case, extra=("state",)),
                "case_invoices": sorted(case.claims.values_list("invoice_number", flat=True)),
                "debtor": plain(case.debtor),
                "case_has_next_action": case.next_action_at is not None,
                "ledger": [plain(e) for e in LedgerEntry.objects.filter(claim=claim)],
                "events": sorted(
                    CaseEvent.objects.filter(case=case).values_list("code", flat=True)
                ),
                "limitation": [plain(e) for e in LimitationEvent.objects.filter(claim=claim)],
            }
        return out


@pytest.mark.parametrize("grouped", [False, True])
def test_the_import_makes_the_rows_case_create_makes(tenant_a, tenant_b, grouped):
    for tenant in (tenant_a, tenant_b):
        tenant.creditor.policy_group_invoices_per_debtor = grouped
        tenant.creditor.save(update_fields=["policy_group_invoices_per_debtor"])
    rows = _rows()
    job = run_job(
        upload(api_client(tenant_a.creditor), to_json(rows), "application/json"),
        tenant_a.creditor,
        chunk_rows=100,
    )
    assert job.rows_accepted == len(rows)
    _file_one_by_one(tenant_b.creditor, rows, grouped=grouped)

    imported = _snapshot(tenant_a.creditor, tenant_a.case)
    filed = _snapshot(tenant_b.creditor, tenant_b.case)
    assert len(imported) == len(rows)
    assert imported.keys() == filed.keys()
    for invoice in imported:
        assert imported[invoice] == filed[invoice], invoice
    # The ledger's sentence, word for word, and the evidence where given.
    sample = imported[rows[3]["invoice_number"]]
    assert sample["ledger"][0]["explanation"].startswith(f"Invoice {rows[3]['invoice_number']} of ")
    assert sample["case"]["creditor_reminder_dates"] == [date(2026, 2, 1), date(2026, 2, 11)]
    with creditor_scope(tenant_a.creditor):
        cases = Case.objects.exclude(pk=tenant_a.case.pk)
        assert cases.count() == (len(rows) if not grouped else job.cases_created)
    # The COPYs kept every case's stored figures, as the services' inserts do.
    assert figures_differing() == (0, [])
