"""Reconciliation: received = paid out + agency revenue + refunds + held, per creditor and in
total, to the øre; the daily check records it and opens a work item for a difference. And the
property: for random sequences of payments (to the agency and directly to the creditor),
reversals, refunds and settlements, the identity holds and no payment is settled twice."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import WorkItem, WorkItemReason
from cases.selectors import case_balance
from collections_portal.tenancy import agency_scope, creditor_scope
from integrations.bank.models import Reconciliation, Refund, Settlement, SettlementLine
from integrations.bank.reconciliation import creditor_figures, reconcile
from integrations.bank.settlements import settlement_create
from integrations.bank.tools import credit_refund, payment_reverse_tool
from tests.factories import CreditorFactory, agency_user

from .settle_helpers import known_case, pay_agency, pay_direct
from .test_settlements import agreement, scenario, settle

pytestmark = pytest.mark.django_db
D = Decimal
ZERO = D("0.00")


def test_the_identity_after_a_settlement_and_a_refund(tenant_a, agent):
    creditor = agreement(tenant_a.creditor)
    _, a2, _, _ = scenario(creditor, agent)
    before = creditor_figures(creditor.pk)
    # 1600 received (the reversed 50 is not the creditor's), all held until settled.
    assert before == {
        "received": D("1600.00"),
        "paid_out": ZERO,
        "agency_revenue": ZERO,
        "refunds": ZERO,
        "held": D("1600.00"),
        "difference": ZERO,
    }
    settle(creditor)
    with creditor_scope(creditor):
        credit_refund(case=a2.case, reason="Overpaid", user=agent)
    after = creditor_figures(creditor.pk)
    assert after == {
        "received": D("1600.00"),
        "paid_out": D("1228.00"),
        "agency_revenue": D("212.00"),  # 200 of its share, 12 owed for the direct payment
        "refunds": D("160.00"),
        "held": ZERO,
        "difference": ZERO,
    }


def test_the_daily_check_records_each_creditor_and_the_total(tenant_a, tenant_b, agent):
    pay_agency(known_case(tenant_a.creditor, "1000.00"), "100.00", agent)
    pay_agency(known_case(tenant_b.creditor, "1000.00"), "250.00", agent)
    settle(agreement(tenant_b.creditor, commission="10"))
    results = reconcile()
    total = results[-1]
    assert total.creditor_id is None
    assert (total.received, total.held, total.paid_out, total.agency_revenue) == (
        D("350.00"),
        D("100.00"),
        D("225.00"),
        D("25.00"),
    )
    assert {r.creditor_id for r in results[:-1]} == {tenant_a.creditor.pk, tenant_b.creditor.pk}
    assert all(r.difference == 0 for r in results)
    assert Reconciliation.objects.count() == 3
    with agency_scope(reason="test"):
        assert not WorkItem.objects.filter(reason=WorkItemReason.RECONCILIATION_DIFFERENCE).exists()


def test_a_difference_opens_a_work_item(tenant_a, agent):
    creditor = tenant_a.creditor
    case = known_case(creditor, "1000.00")
    pay_agency(case, "100.00", agent)
    settle(creditor)
    # A refund recorded without taking the credit off the case (as by a faulty script): the
    # refunds no longer match the money held, and the check must notice.
    Refund.objects.create(creditor=creditor, case=case, amount=D("0.01"), reason="by hand")
    results = reconcile()
    assert results[-1].difference == D("-0.01")
    with creditor_scope(creditor):
        item = WorkItem.objects.get(reason=WorkItemReason.RECONCILIATION_DIFFERENCE)
    assert item.case_id == case.pk
    assert item.factors["difference"] == "-0.01"
    reconcile()  # the next day: the same open item, not a second one
    with creditor_scope(creditor):
        assert WorkItem.objects.filter(reason=WorkItemReason.RECONCILIATION_DIFFERENCE).count() == 1


def test_the_reconciliation_task_runs(tenant_a, agent):
    from integrations.bank.tasks import reconcile_client_account, run_settlements

    pay_agency(known_case(tenant_a.creditor, "1000.00"), "100.00", agent)
    assert reconcile_client_account() == "0.00"
    assert run_settlements() >= 0
    from django.conf import settings as django_settings

    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert schedule["bank-settlements"]["task"] == "bank.run_settlements"
    assert schedule["bank-reconcile"]["task"] == "bank.reconcile"


def test_the_beat_settles_on_the_first(tenant_a, agent):
    from datetime import date, timedelta

    from integrations.bank.settlements import settlements_run

    creditor = tenant_a.creditor
    pay_agency(known_case(creditor, "1000.00"), "100.00", agent)
    today = timezone.localdate()
    first_of_next = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    assert settlements_run(today=first_of_next + timedelta(days=1)) == []  # not the 1st
    made = settlements_run(today=first_of_next)
    assert [s.creditor_id for s in made] == [creditor.pk]
    assert (made[0].period_start, made[0].period_end) == (
        today.replace(day=1),
        first_of_next - timedelta(days=1),
    )
    assert settlements_run(today=first_of_next) == []  # run twice: nothing settled twice


money = st.decimals(min_value=D("0.01"), max_value=D("900"), places=2)
percent = st.decimals(min_value=D("0"), max_value=D("100"), places=2)
operation = st.one_of(
    st.tuples(st.just("agency"), st.integers(0, 3), money),
    st.tuples(st.just("direct"), st.integers(0, 3), money),
    st.tuples(st.just("reverse"), st.integers(0, 30)),
    st.tuples(st.just("refund"), st.integers(0, 3)),
    st.tuples(st.just("settle"), st.integers(0, 1)),
)


def check(creditors) -> None:
    total = ZERO
    for creditor in creditors:
        figures = creditor_figures(creditor.pk)
        assert figures["difference"] == ZERO, figures
        total += figures["received"] - figures["paid_out"] - figures["agency_revenue"]
        total -= figures["refunds"] + figures["held"]
    assert total == ZERO
    twice = SettlementLine.objects.values("payment_id").annotate(n=Count("pk")).filter(n__gt=1)
    assert not twice.exists()
    with agency_scope(reason="test"):
        settlements = list(Settlement.objects.filter(creditor__in=creditors))
    for settlement in settlements:
        lines = list(settlement.lines.all())
        assert settlement.payments == len(lines)
        agency = [line for line in lines if not line.direct]
        direct = [line for line in lines if line.direct]
        assert settlement.creditor_share == sum((x.creditor_share for x in agency), ZERO)
        assert settlement.direct_owed == sum((x.agency_share for x in direct), ZERO)
        for line in lines:
            assert line.amount == line.creditor_share + line.agency_share + line.credit
            assert min(line.creditor_share, line.agency_share, line.credit) >= 0


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    agreements=st.lists(
        st.tuples(percent, percent, st.sampled_from(["creditor", "agency"])),
        min_size=2,
        max_size=2,
    ),
    operations=st.lists(operation, max_size=14),
)
def test_the_identity_holds_for_any_sequence(agreements, operations):
    with transaction.atomic():
        agent = agency_user(username=f"agent-{timezone.now().timestamp()}")
        creditors = []
        for share, commission, to in agreements:
            creditors.append(
                agreement(CreditorFactory(), share=share, commission=commission, compensation_to=to)
            )
        cases = [
            known_case(
                creditors[0], "500.00", compensation="310.00", costs="90.00", interest="25.00"
            ),
            known_case(creditors[0], "300.00"),
            known_case(creditors[1], "700.00", compensation="310.00", interest="33.33"),
            known_case(creditors[1], "120.00", costs="100.00"),
        ]
        payments = []
        today = timezone.localdate()
        for op in operations:
            if op[0] == "agency":
                payments.append(pay_agency(cases[op[1]], str(op[2]), agent))
            elif op[0] == "direct":
                payments.append(pay_direct(cases[op[1]], str(op[2])))
            elif op[0] == "reverse" and payments:
                payment = payments[op[1] % len(payments)]
                # Settled, or its overpayment refunded: the tool refuses, the payment stays.
                with contextlib.suppress(ValidationError):
                    payment_reverse_tool(payment=payment, reason="property test", user=agent)
            elif op[0] == "refund":
                case = cases[op[1]]
                with creditor_scope(case.creditor_id):
                    # Credit from a direct payment is the creditor's to refund: refused.
                    if case_balance(case).credit > 0:
                        with contextlib.suppress(ValidationError):
                            credit_refund(case=case, reason="property test", user=agent)
            elif op[0] == "settle":
                settlement_create(
                    creditor=creditors[op[1]], period_start=today.replace(day=1), period_end=today
                )
            check(creditors)
        transaction.set_rollback(True)
