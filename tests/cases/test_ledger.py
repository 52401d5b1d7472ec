"""The ledger is append-only, its amounts are checked by the database, balances are sums."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, transaction

from cases.models import AppendOnlyError, Case, Claim, EntryKind, LedgerEntry
from cases.selectors import case_balance
from cases.services import ledger_post
from collections_portal.tenancy import creditor_scope

from .helpers import claim, file_case

pytestmark = pytest.mark.django_db
FUTURE = date(2099, 1, 1)


def test_filing_a_case_posts_each_claims_principal(tenant_a):
    case = file_case(
        tenant_a.creditor,
        claim("F-1", "1000.00", FUTURE),
        claim("F-2", "250.50", FUTURE),
    )
    with creditor_scope(tenant_a.creditor):
        entries = list(LedgerEntry.objects.filter(case=case))
        assert [(e.kind, e.component, e.amount) for e in entries] == [
            ("principal", "principal", Decimal("1000.00")),
            ("principal", "principal", Decimal("250.50")),
        ]
        assert case_balance(case).principal == Decimal("1250.50")
        assert case_balance(case).total == Decimal("1250.50")


def test_a_case_number_is_unique_and_its_fik_payment_id_checks(tenant_a):
    first = file_case(tenant_a.creditor, claim("N-1", "10.00", FUTURE))
    second = file_case(tenant_a.creditor, claim("N-2", "10.00", FUTURE))
    assert second.number == first.number + 1
    assert len(first.payment_id) == 15
    from cases.models import case_number_from_payment_id

    assert case_number_from_payment_id(first.payment_id) == first.number
    wrong = first.payment_id[:-1] + str((int(first.payment_id[-1]) + 1) % 10)
    with pytest.raises(ValueError):
        case_number_from_payment_id(wrong)


def test_the_fik_line_has_the_creditor_number(tenant_a):
    tenant_a.creditor.fik_creditor_number = "85123456"
    tenant_a.creditor.save()
    case = file_case(tenant_a.creditor, claim("L-1", "10.00", FUTURE))
    assert case.fik_line == f"+71<{case.payment_id}+85123456<"


def test_an_invoice_number_is_handed_over_once_per_creditor(tenant_a, tenant_b):
    file_case(tenant_a.creditor, claim("DUP-1", "10.00", FUTURE))
    with pytest.raises(ValidationError) as excinfo:
        file_case(tenant_a.creditor, claim("DUP-1", "10.00", FUTURE))
    assert "invoice_number" in excinfo.value.message_dict
    # Another creditor may use the same invoice number.
    file_case(tenant_b.creditor, claim("DUP-1", "10.00", FUTURE))


def test_a_failed_claim_leaves_nothing_of_the_case(tenant_a):
    file_case(tenant_a.creditor, claim("X-1", "10.00", FUTURE))
    with pytest.raises(ValidationError) as excinfo:
        file_case(tenant_a.creditor, claim("X-2", "10.00", FUTURE), claim("X-1", "5.00", FUTURE))
    assert "claims[1]" in excinfo.value.message_dict
    with creditor_scope(tenant_a.creditor):
        assert not Claim.objects.filter(invoice_number="X-2").exists()
        assert Case.objects.count() == 2  # the tenant's own fixture case and X-1's


def test_a_debtor_of_another_creditor_is_refused(tenant_a, tenant_b):
    with pytest.raises(ValidationError) as excinfo:
        file_case(tenant_a.creditor, claim("C-1", "10.00", FUTURE), debtor=tenant_b.debtor)
    assert "debtor" in excinfo.value.message_dict


@pytest.mark.parametrize("principal", ["0", "-5", "10.001", "abc"])
def test_a_bad_principal_names_the_field(tenant_a, principal):
    with pytest.raises(ValidationError) as excinfo:
        file_case(tenant_a.creditor, claim("P-1", principal, FUTURE))
    assert "principal" in excinfo.value.message_dict


def test_a_float_is_refused_as_money(tenant_a):
    from collections_portal.money import to_money

    with pytest.raises(ValidationError):
        to_money(10.5)


def test_ledger_entries_cannot_be_changed_or_deleted(tenant_a):
    case = file_case(tenant_a.creditor, claim("A-1", "100.00", FUTURE))
    with creditor_scope(tenant_a.creditor):
        entry = LedgerEntry.objects.get(case=case)
        entry.amount = Decimal("1.00")
        with pytest.raises(AppendOnlyError):
            entry.save()
        with pytest.raises(AppendOnlyError):
            entry.delete()
        # Past the model, the database refuses too.
        with pytest.raises(IntegrityError), transaction.atomic():
            LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
        with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
            LedgerEntry.objects.filter(pk=entry.pk).delete()
        assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("100.00")


@pytest.mark.parametrize(
    ("kind", "component", "amount"),
    [
        (EntryKind.REMINDER_FEE, None, Decimal("-100.00")),  # a charge is positive
        (EntryKind.PRINCIPAL, None, Decimal("0.00")),  # nothing is zero
        (EntryKind.WRITE_OFF, "principal", Decimal("5.00")),  # a write-off is negative
        (EntryKind.REVERSAL, "principal", Decimal("5.00")),  # a reversal names its entry
    ],
)
def test_the_database_checks_the_sign_of_each_kind(tenant_a, kind, component, amount):
    case = file_case(tenant_a.creditor, claim("S-1", "100.00", FUTURE))
    with creditor_scope(tenant_a.creditor), pytest.raises(IntegrityError), transaction.atomic():
        ledger_post(case=case, kind=kind, component=component, amount=amount, posted_on=FUTURE)


def test_balances_are_sums_as_of_a_date(tenant_a):
    case = file_case(
        tenant_a.creditor,
        claim("D-1", "100.00", date(2025, 1, 31), invoice=date(2025, 1, 1)),
        claim("D-2", "50.00", date(2025, 3, 31), invoice=date(2025, 3, 1)),
    )
    with creditor_scope(tenant_a.creditor):
        assert case_balance(case, on=date(2025, 2, 1)).principal == Decimal("100.00")
        assert case_balance(case, on=date(2025, 3, 1)).principal == Decimal("150.00")
