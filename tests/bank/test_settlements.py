"""Settlements: the figures worked out by hand, nothing settled twice, the statement (PDF and
CSV), the payout file (pain.001), the webhook, the beat and the pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from collections_portal.tenancy import creditor_scope
from integrations.bank.models import ReceivedPayment, Settlement, SettlementLine
from integrations.bank.settlements import period_for, settlement_create
from integrations.bank.tools import payment_reverse_tool

from .settle_helpers import known_case, pay_agency, pay_direct

pytestmark = pytest.mark.django_db
D = Decimal


def agreement(creditor, *, share="25", commission="10", compensation_to="creditor"):
    creditor.settlement_interest_share = D(share)
    creditor.settlement_commission_percent = D(commission)
    creditor.settlement_compensation_to = compensation_to
    creditor.full_clean()
    creditor.save()
    return creditor


def settle(creditor, user=None):
    start, end = period_for(creditor, timezone.localdate())
    return settlement_create(creditor=creditor, period_start=start, period_end=end, user=user)


def scenario(creditor, agent):
    """Case A: principal 1000, compensation 310, collection costs 90, interest 40.
    Case B: principal 500, compensation 310, interest 20. Case C: principal 200."""
    a = known_case(creditor, "1000.00", compensation="310.00", costs="90.00", interest="40.00")
    b = known_case(creditor, "500.00", compensation="310.00", interest="20.00")
    c = known_case(creditor, "200.00")
    a1 = pay_agency(a, "600.00", agent)  # costs 400 (310 + 90), interest 40, principal 160
    a2 = pay_agency(a, "1000.00", agent)  # principal 840, then 160 overpaid (credit)
    b1 = pay_direct(b, "400.00")  # costs 310 (compensation), interest 20, principal 70
    c1 = pay_agency(c, "50.00", agent)
    payment_reverse_tool(payment=c1, reason="Booked on the wrong case", user=agent)
    return a1, a2, b1, c1


def test_a_settlement_worked_out_by_hand(tenant_a, agent):
    creditor = agreement(tenant_a.creditor)
    a1, a2, b1, c1 = scenario(creditor, agent)

    s = settle(creditor, agent)

    lines = {line.payment_id: line for line in s.lines.all()}
    assert set(lines) == {a1.pk, a2.pk, b1.pk}  # the reversed payment is not settled
    # A1 (600, to the agency): interest 40 -> 25 % = 10 to the agency, 30 to the creditor;
    # commission 10 % of principal 160 = 16; compensation 310 to the creditor; costs 90 agency.
    l1 = lines[a1.pk]
    assert (l1.principal, l1.interest, l1.interest_agency) == (D("160.00"), D("40.00"), D("10.00"))
    assert (l1.compensation, l1.costs, l1.commission) == (D("310.00"), D("90.00"), D("16.00"))
    assert l1.creditor_share == D("484.00")  # 160 - 16 + 30 + 310
    assert l1.agency_share == D("116.00")  # 90 + 10 + 16
    assert not l1.direct
    # A2 (1000): principal 840, commission 84, credit 160 held for the debtor.
    l2 = lines[a2.pk]
    assert (l2.principal, l2.commission, l2.credit) == (D("840.00"), D("84.00"), D("160.00"))
    assert (l2.creditor_share, l2.agency_share) == (D("756.00"), D("84.00"))
    # B1 (400, paid to the creditor): compensation 310, interest 20 (5 the agency's),
    # principal 70 (commission 7): the creditor owes the agency 12.
    l3 = lines[b1.pk]
    assert l3.direct
    assert (l3.compensation, l3.interest_agency, l3.commission) == (
        D("310.00"),
        D("5.00"),
        D("7.00"),
    )
    assert (l3.creditor_share, l3.agency_share) == (D("388.00"), D("12.00"))

    assert s.payments == 3
    assert s.received == D("1600.00")
    assert s.principal == D("1000.00")
    assert s.interest_creditor == D("30.00")
    assert s.interest_agency == D("10.00")
    assert s.compensation_creditor == D("310.00")
    assert s.compensation_agency == D("0.00")
    assert s.costs_agency == D("90.00")
    assert s.commission == D("100.00")
    assert s.creditor_share == D("1240.00")
    assert s.agency_share == D("200.00")
    assert s.credit_held == D("160.00")
    assert s.direct_received == D("400.00")
    assert s.direct_owed == D("12.00")
    assert s.payout == D("1228.00")  # 1240 - 12
    assert s.agency_revenue == D("212.00")

    marks = ReceivedPayment.objects.filter(payment__in=[a1, a2])
    assert all(row.settled_at and row.settlement_reference == s.number for row in marks)
    assert ReceivedPayment.objects.get(payment=c1).settled_at is None


def test_compensation_kept_by_the_agency(tenant_a, agent):
    creditor = agreement(tenant_a.creditor, share="0", commission="0", compensation_to="agency")
    case = known_case(creditor, "1000.00", compensation="310.00", costs="90.00")
    pay_agency(case, "500.00", agent)  # costs 400, principal 100
    s = settle(creditor)
    assert (s.compensation_agency, s.compensation_creditor) == (D("310.00"), D("0.00"))
    assert (s.creditor_share, s.agency_share, s.payout) == (D("100.00"), D("400.00"), D("100.00"))


def test_nothing_is_settled_twice(tenant_a, agent):
    creditor = agreement(tenant_a.creditor)
    case = known_case(creditor, "1000.00")
    first = pay_agency(case, "100.00", agent)
    s1 = settle(creditor)
    assert settle(creditor) is None  # nothing new
    second = pay_agency(case, "200.00", agent)
    s2 = settle(creditor)
    assert [line.payment_id for line in s2.lines.all()] == [second.pk]
    assert s1.number != s2.number
    assert SettlementLine.objects.filter(payment=first).count() == 1


def test_a_settled_payment_cannot_be_reversed(tenant_a, agent):
    from django.core.exceptions import ValidationError

    creditor = agreement(tenant_a.creditor)
    payment = pay_agency(known_case(creditor, "1000.00"), "100.00", agent)
    settle(creditor)
    with pytest.raises(ValidationError):
        payment_reverse_tool(payment=payment, reason="late", user=agent)


def test_payments_after_the_period_wait_for_the_next(tenant_a, agent):
    creditor = agreement(tenant_a.creditor)
    pay_agency(known_case(creditor, "1000.00"), "100.00", agent)
    assert (
        settlement_create(
            creditor=creditor, period_start=date(2000, 1, 1), period_end=date(2000, 1, 31)
        )
        is None
    )
    with creditor_scope(creditor):
        assert Settlement.objects.count() == 0


def test_the_agreement_is_validated(tenant_a):
    from django.core.exceptions import ValidationError

    creditor = tenant_a.creditor
    creditor.settlement_commission_percent = D("100.01")
    with pytest.raises(ValidationError):
        creditor.full_clean()


def test_periods():
    class C:
        settlement_period = "monthly"

    assert period_for(C, date(2026, 2, 10)) == (date(2026, 2, 1), date(2026, 2, 28))
    C.settlement_period = "quarterly"
    assert period_for(C, date(2026, 5, 10)) == (date(2026, 4, 1), date(2026, 6, 30))


def test_other_tenants_payments_are_not_in_it(tenant_a, tenant_b, agent):
    creditor = agreement(tenant_a.creditor)
    pay_agency(known_case(tenant_b.creditor, "1000.00"), "100.00", agent)
    mine = pay_agency(known_case(creditor, "1000.00"), "70.00", agent)
    s = settle(creditor)
    with creditor_scope(creditor):
        assert [line.payment_id for line in s.lines.all()] == [mine.pk]
