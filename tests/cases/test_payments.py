"""Payments are allocated costs, interest, principal (or as designated), oldest claim first;
an overpayment is a credit; a reversal restores the balances exactly."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases.models import Component, EntryKind, LedgerEntry, PaymentMethod
from cases.selectors import case_balance, component_balances
from cases.services import ledger_post, payment_register, payment_reverse
from collections_portal.tenancy import creditor_scope
from creditors.models import AllocationOrder

from .helpers import claim, file_case

pytestmark = pytest.mark.django_db
FUTURE = date(2099, 1, 1)  # due dates in the future: no interest runs in these tests
PAID_ON = date(2026, 11, 2)


@pytest.fixture
def two_claims_and_a_fee(tenant_a):
    """Claim OLD (1000, due first) and NEW (500), and a 100 reminder fee on OLD."""
    case = file_case(
        tenant_a.creditor,
        claim("NEW", "500.00", date(2099, 6, 1)),
        claim("OLD", "1000.00", FUTURE),
    )
    with creditor_scope(tenant_a.creditor):
        old = case.claims.get(invoice_number="OLD")
        ledger_post(
            case=case,
            claim=old,
            kind=EntryKind.REMINDER_FEE,
            amount=Decimal("100.00"),
            posted_on=PAID_ON,
        )
    return case


def pay(case, amount, **kwargs):
    with creditor_scope(case.creditor_id):
        return payment_register(
            case=case,
            amount=Decimal(amount),
            received_on=kwargs.pop("received_on", PAID_ON),
            method=PaymentMethod.BANK_TRANSFER,
            **kwargs,
        )


def allocation(payment):
    with creditor_scope(payment.creditor_id):
        return [
            (e.claim.invoice_number if e.claim else None, e.component, e.amount)
            for e in LedgerEntry.objects.filter(payment=payment).order_by("pk")
        ]


def test_costs_then_interest_then_principal_oldest_claim_first(two_claims_and_a_fee):
    payment = pay(two_claims_and_a_fee, "1200.00")
    assert allocation(payment) == [
        ("OLD", "costs", Decimal("-100.00")),
        ("OLD", "principal", Decimal("-1000.00")),
        ("NEW", "principal", Decimal("-100.00")),
    ]
    with creditor_scope(payment.creditor_id):
        balance = case_balance(two_claims_and_a_fee)
    assert (balance.principal, balance.costs, balance.credit) == (Decimal("400.00"), 0, 0)


def test_the_debtors_designation_is_followed(two_claims_and_a_fee):
    with creditor_scope(two_claims_and_a_fee.creditor_id):
        new = two_claims_and_a_fee.claims.get(invoice_number="NEW")
    payment = pay(two_claims_and_a_fee, "600.00", designated_claim=new)
    assert allocation(payment) == [
        ("NEW", "principal", Decimal("-500.00")),
        ("OLD", "costs", Decimal("-100.00")),
    ]


def test_the_creditors_order_replaces_the_profiles(two_claims_and_a_fee):
    creditor = two_claims_and_a_fee.creditor
    creditor.allocation_order = AllocationOrder.PRINCIPAL_INTEREST_COSTS
    creditor.save()
    payment = pay(two_claims_and_a_fee, "1050.00")
    assert allocation(payment) == [
        ("OLD", "principal", Decimal("-1000.00")),
        ("NEW", "principal", Decimal("-50.00")),
    ]
    with creditor_scope(creditor):
        entry = LedgerEntry.objects.filter(payment=payment).first()
    assert "creditor policy" in entry.profile


def test_an_overpayment_becomes_a_credit(two_claims_and_a_fee):
    payment = pay(two_claims_and_a_fee, "1700.00")
    assert allocation(payment)[-1] == (None, "credit", Decimal("-100.00"))
    with creditor_scope(payment.creditor_id):
        balance = case_balance(two_claims_and_a_fee)
    assert balance.total == 0
    assert balance.credit == Decimal("100.00")


def test_a_reversal_restores_the_balances_exactly(two_claims_and_a_fee):
    with creditor_scope(two_claims_and_a_fee.creditor_id):
        before = component_balances(two_claims_and_a_fee)
    payment = pay(two_claims_and_a_fee, "1700.00")
    with creditor_scope(payment.creditor_id):
        payment_reverse(payment=payment, reason="Returned by the bank")
        after = {k: v for k, v in component_balances(two_claims_and_a_fee).items() if v}
        assert after == {k: v for k, v in before.items() if v}
        # Reversing again changes nothing.
        count = LedgerEntry.objects.count()
        payment_reverse(payment=payment, reason="Returned by the bank")
        assert LedgerEntry.objects.count() == count
        payment.refresh_from_db()
        assert payment.reversal_reason == "Returned by the bank"


def test_a_reversal_needs_a_reason(two_claims_and_a_fee):
    payment = pay(two_claims_and_a_fee, "10.00")
    with creditor_scope(payment.creditor_id), pytest.raises(ValidationError) as excinfo:
        payment_reverse(payment=payment, reason=" ")
    assert "reason" in excinfo.value.message_dict


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("amount", {"amount": "0"}),
        ("amount", {"amount": "12.345"}),
        ("received_on", {"amount": "10", "received_on": date(2999, 1, 1)}),
    ],
)
def test_a_bad_payment_names_the_field_and_changes_nothing(two_claims_and_a_fee, field, kwargs):
    with creditor_scope(two_claims_and_a_fee.creditor_id):
        count = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        pay(two_claims_and_a_fee, kwargs.pop("amount"), **kwargs)
    assert field in excinfo.value.message_dict
    with creditor_scope(two_claims_and_a_fee.creditor_id):
        assert LedgerEntry.objects.count() == count


@time_machine.travel(date(2025, 8, 2))
def test_interest_is_posted_up_to_the_payment_and_paid_before_principal(tenant_a):
    case = file_case(
        tenant_a.creditor,
        claim("I-1", "10000.00", date(2024, 12, 15), invoice=date(2024, 11, 15)),
    )
    payment = pay(case, "500.00", received_on=date(2025, 8, 1))
    with creditor_scope(tenant_a.creditor):
        interest = LedgerEntry.objects.get(case=case, kind=EntryKind.INTEREST)
    assert interest.period_end == date(2025, 8, 1)
    assert interest.profile.startswith("DK@")
    assert "%" in interest.explanation
    allocated = allocation(payment)
    assert allocated[0] == ("I-1", "interest", -min(interest.amount, Decimal("500.00")))
    assert sum(a for *_, a in allocated) == Decimal("-500.00")


@time_machine.travel(date(2025, 8, 2))
def test_interest_posting_is_idempotent(tenant_a):
    from cases.services import interest_post

    case = file_case(tenant_a.creditor, claim("I-2", "10000.00", date(2024, 12, 15)))
    with creditor_scope(tenant_a.creditor):
        first = interest_post(case=case, up_to=date(2025, 8, 1))
        again = interest_post(case=case, up_to=date(2025, 8, 1))
        assert len(first) == 1 and again == []


@time_machine.travel(date(2025, 10, 2))
def test_reversing_a_payment_recomputes_later_interest_on_the_restored_principal(tenant_a):
    from cases.services import interest_post

    case = file_case(tenant_a.creditor, claim("I-3", "10000.00", date(2024, 12, 15)))
    with creditor_scope(tenant_a.creditor):
        # Posted in the same two steps as below, so the rounding per posting is the same.
        interest_post(case=case, up_to=date(2025, 3, 1))
        interest_post(case=case, up_to=date(2025, 10, 1))
        untouched = case_balance(case).interest
    case2 = file_case(tenant_a.creditor, claim("I-4", "10000.00", date(2024, 12, 15)))
    payment = pay(case2, "5000.00", received_on=date(2025, 3, 1))
    with creditor_scope(tenant_a.creditor):
        interest_post(case=case2, up_to=date(2025, 10, 1))
        lowered = case_balance(case2).interest
        payment_reverse(payment=payment, reason="Bounced")
        restored = case_balance(case2)
    assert lowered < untouched
    assert restored.interest == untouched
    assert restored.principal == Decimal("10000.00")


def test_credit_is_its_own_component(two_claims_and_a_fee):
    pay(two_claims_and_a_fee, "2000.00")
    with creditor_scope(two_claims_and_a_fee.creditor_id):
        balances = component_balances(two_claims_and_a_fee)
    assert balances[(None, Component.CREDIT)] == Decimal("-400.00")
