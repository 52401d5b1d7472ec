"""Agents resolve unmatched payments and use the money tools: register, reverse, move,
refund."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import CaseEvent, Component, LedgerEntry, Payment, PaymentMethod
from cases.selectors import case_balance
from collections_portal.tenancy import creditor_scope
from integrations.bank.models import (
    BankEntry,
    EntryStatus,
    PaymentSource,
    ReceivedPayment,
    Refund,
    UnmatchedPayment,
    UnmatchedStatus,
)
from integrations.bank.services import Share, unmatched_book, unmatched_refund
from integrations.bank.tools import (
    credit_refund,
    payment_move,
    payment_register_other,
    payment_reverse_tool,
)

from .conftest import debt_case, fresh, read_file, sample

pytestmark = pytest.mark.django_db


def unmatched(amount: str = "500.00") -> UnmatchedPayment:
    """An unmatched payment of ``amount``: a transfer naming nothing."""
    read_file(
        sample(
            "nordea_camt054_v08.xml",
            AMOUNT_A="1.00",
            PID_A_SHORT="999",
            AMOUNT_B=amount,
            NAME_B="Ukendt Betaler",
        )
    )
    return UnmatchedPayment.objects.get(entry__reference="NDEA-E-2")


def live(case) -> list[Payment]:
    with creditor_scope(case.creditor_id):
        return list(Payment.objects.filter(case=case, reversed_at__isnull=True))


def test_an_agent_books_an_unmatched_payment_on_a_case(tenant_a, agent):
    item = unmatched("500.00")
    case = debt_case(tenant_a.creditor)
    [booking] = unmatched_book(item=item, shares=[Share(case, Decimal("500.00"))], user=agent)
    assert booking.source == PaymentSource.BANK_AGENT
    assert booking.payment.amount == Decimal("500.00")
    assert live(case) == [booking.payment]
    item.refresh_from_db()
    assert (item.status, item.resolved_by) == (UnmatchedStatus.BOOKED, agent)
    entry = BankEntry.objects.get(pk=item.entry_id)
    assert (entry.status, entry.creditor_id) == (EntryStatus.RESOLVED, tenant_a.creditor.pk)
    with pytest.raises(ValidationError, match="already"):
        unmatched_book(item=item, shares=[Share(case, Decimal("500.00"))], user=agent)


def test_an_agent_splits_an_unmatched_payment_across_creditors(tenant_a, tenant_b, agent):
    item = unmatched("500.00")
    case_a, case_b = debt_case(tenant_a.creditor), debt_case(tenant_b.creditor)
    with pytest.raises(ValidationError, match="add up"):
        unmatched_book(
            item=item,
            shares=[Share(case_a, Decimal("200.00")), Share(case_b, Decimal("200.00"))],
            user=agent,
        )
    bookings = unmatched_book(
        item=item,
        shares=[Share(case_a, Decimal("200.00")), Share(case_b, Decimal("300.00"))],
        user=agent,
    )
    assert {(b.creditor_id, b.amount) for b in bookings} == {
        (tenant_a.creditor.pk, Decimal("200.00")),
        (tenant_b.creditor.pk, Decimal("300.00")),
    }
    # Split across creditors: each booking names its creditor, the entry none.
    assert BankEntry.objects.get(pk=item.entry_id).creditor_id is None


def test_an_agent_marks_an_unmatched_payment_for_refund(agent):
    item = unmatched("75.50")
    with pytest.raises(ValidationError):
        unmatched_refund(item=item, reason=" ", user=agent)
    refund = unmatched_refund(item=item, reason="Betalt til forkert modtager", user=agent)
    assert (refund.amount, refund.payee_name, refund.case) == (
        Decimal("75.50"),
        "Ukendt Betaler",
        None,
    )
    item.refresh_from_db()
    assert item.status == UnmatchedStatus.REFUND
    assert BankEntry.objects.get(pk=item.entry_id).status == EntryStatus.REFUND


def test_register_a_payment_received_by_other_means(tenant_a, agent):
    case = debt_case(tenant_a.creditor)
    received = payment_register_other(
        case=case,
        amount="250,00".replace(",", "."),
        received_on=timezone.localdate(),
        method=PaymentMethod.MOBILEPAY,
        reference="MobilePay 12345",
        user=agent,
    )
    assert (received.source, received.creditor_id, received.entry) == (
        PaymentSource.AGENT,
        tenant_a.creditor.pk,
        None,
    )
    assert received.payment.created_by == agent
    with pytest.raises(ValidationError):
        payment_register_other(
            case=case,
            amount="1.00",
            received_on=timezone.localdate(),
            method=PaymentMethod.DIRECT_TO_CREDITOR,
            user=agent,
        )


def test_reverse_a_payment_with_a_reason(tenant_a, agent):
    case = debt_case(tenant_a.creditor)
    received = payment_register_other(
        case=case,
        amount="100.00",
        received_on=timezone.localdate(),
        method=PaymentMethod.CARD,
        user=agent,
    )
    with pytest.raises(ValidationError):
        payment_reverse_tool(payment=received.payment, reason="", user=agent)
    payment = payment_reverse_tool(payment=received.payment, reason="Kortet afvist", user=agent)
    assert payment.reversal_reason == "Kortet afvist"
    assert live(case) == []


def test_reversing_a_bank_booked_payment_gives_the_money_back_to_the_agents(tenant_a, agent):
    case = debt_case(tenant_a.creditor)
    read_file(sample("bank_export.csv", AMOUNT_A="300,00", PID_A=case.payment_id))
    [payment] = live(case)
    payment_reverse_tool(payment=payment, reason="Forkert sag", user=agent)
    item = UnmatchedPayment.objects.get(entry__reference="CSV-1")
    assert (item.amount, item.status) == (Decimal("300.00"), UnmatchedStatus.OPEN)
    assert "Forkert sag" in item.reason


def test_move_a_payment_to_the_right_case(tenant_a, tenant_b, agent):
    wrong = debt_case(tenant_a.creditor)
    right = debt_case(tenant_b.creditor)
    read_file(sample("bank_export.csv", AMOUNT_A="300,00", PID_A=wrong.payment_id))
    [payment] = live(wrong)
    moved = payment_move(payment=payment, to_case=right, reason="Forkert FIK-nummer", user=agent)
    assert live(wrong) == []
    [new] = live(right)
    assert new == moved.payment
    assert (new.amount, new.received_on) == (payment.amount, payment.received_on)
    assert (moved.source, moved.creditor_id, moved.moved_from_id) == (
        PaymentSource.MOVED,
        tenant_b.creditor.pk,
        payment.pk,
    )
    assert moved.entry.reference == "CSV-1"  # still the bank's money
    with creditor_scope(wrong.creditor_id):
        out = CaseEvent.objects.get(case=wrong, code="payment.moved_out")
        assert out.data["to_payment"] == new.pk
        assert CaseEvent.objects.filter(case=wrong, code="payment.reversed").exists()
    with creditor_scope(right.creditor_id):
        came = CaseEvent.objects.get(case=right, code="payment.moved_in")
        assert came.data["from_payment"] == payment.pk
    with pytest.raises(ValidationError):
        payment_move(payment=new, to_case=right, reason="x", user=agent)


def test_refund_an_overpayment(tenant_a, agent):
    case = debt_case(tenant_a.creditor, "400.00")
    received = payment_register_other(
        case=case,
        amount="1000.00",
        received_on=timezone.localdate(),
        method=PaymentMethod.BANK_TRANSFER,
        user=agent,
    )
    with creditor_scope(case.creditor_id):
        credit = case_balance(fresh(case)).credit
    assert credit > 0
    refund = credit_refund(case=case, reason="Betalt for meget", user=agent, payee_account="1234")
    assert refund.amount == credit
    assert refund.creditor_id == tenant_a.creditor.pk
    with creditor_scope(case.creditor_id):
        assert case_balance(case).credit == 0
        entry = LedgerEntry.objects.get(case=case, component=Component.CREDIT, rule="refund")
        assert (
            f"refund {refund.pk}" in entry.explanation and "Betalt for meget" in entry.explanation
        )
        assert CaseEvent.objects.filter(case=case, code="payment.refunded").exists()
    with pytest.raises(ValidationError, match="no credit"):
        credit_refund(case=case, reason="igen", user=agent)
    # The money went back to the debtor: the payment can no longer be reversed or moved.
    with pytest.raises(ValidationError, match="refunded"):
        payment_reverse_tool(payment=received.payment, reason="x", user=agent)
    assert Refund.objects.count() == 1
    assert ReceivedPayment.objects.get(pk=received.pk).settled_at is None


def test_credit_from_a_payment_to_the_creditor_is_not_refunded_from_the_client_account(
    tenant_a, agent
):
    """Found by the reconciliation's property test: the agency refunded an overpayment the
    debtor had made to the creditor directly, money it never held."""
    from cases.services import payment_register

    case = debt_case(tenant_a.creditor, "400.00")
    with creditor_scope(case.creditor_id):
        payment_register(
            case=case,
            amount="450.00",
            received_on=timezone.localdate(),
            method=PaymentMethod.DIRECT_TO_CREDITOR,
            post_interest=False,
        )
        assert case_balance(fresh(case)).credit > 0
    with pytest.raises(ValidationError, match="directly to the creditor"):
        credit_refund(case=case, reason="Betalt for meget", user=agent)
    assert not Refund.objects.exists()
    # Then the agency receives an overpayment too: only that part is refunded by the agency.
    payment_register_other(
        case=case,
        amount="75.00",
        received_on=timezone.localdate(),
        method=PaymentMethod.BANK_TRANSFER,
        user=agent,
    )
    refund = credit_refund(case=case, reason="Betalt for meget", user=agent)
    assert refund.amount == Decimal("75.00")
    with creditor_scope(case.creditor_id):
        assert case_balance(fresh(case)).credit > 0  # the direct part stays, the creditor's


def test_reversing_an_agents_booking_opens_the_unmatched_payment_again(tenant_a, agent):
    item = unmatched("120.00")
    case = debt_case(tenant_a.creditor)
    [booking] = unmatched_book(item=item, shares=[Share(case, Decimal("120.00"))], user=agent)
    payment_reverse_tool(payment=booking.payment, reason="Forkert sag", user=agent)
    item.refresh_from_db()
    assert item.status == UnmatchedStatus.OPEN and "Forkert sag" in item.note
    assert BankEntry.objects.get(pk=item.entry_id).status == EntryStatus.UNMATCHED
    other = debt_case(tenant_a.creditor)
    [again] = unmatched_book(item=item, shares=[Share(other, Decimal("120.00"))], user=agent)
    assert live(other) == [again.payment]
