"""Instalment plans: the schedule adds up to the balance to the øre; a signed settlement gives
10 years; a paid plan closes the case; a missed instalment gets a reminder without a fee, and
one more than 7 days late breaks the plan, after which no reminder carries a fee."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import scheduler, selectors
from cases.models import (
    CaseEvent,
    CaseState,
    ClosedReason,
    EntryKind,
    Instalment,
    InstalmentPlan,
    LedgerEntry,
    PaymentMethod,
    PlanStatus,
)
from cases.services import CaseError, payment_register, payment_reverse
from cases.services import lifecycle as lc
from cases.services.plans import (
    plan_activate,
    plan_advance,
    plan_cancel,
    plan_match_payments,
    plan_propose,
    plan_was_broken,
)
from collections_portal.tenancy import creditor_scope
from notices.models import Notice, NoticeKind

from .helpers import at, claim, file_case

# The refusals are matched in English (tests/cases/test_words_in_danish.py reads them in
# Danish).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
FUTURE = date(2099, 1, 1)  # due in the future: no interest runs, the amounts are round
TODAY = date(2026, 1, 5)
DUE = date(2025, 3, 3)  # for the cases driven into collection


def refresh(obj):
    obj.refresh_from_db()
    return obj


def amounts(plan) -> list[Decimal]:
    return list(plan.instalments.order_by("number").values_list("amount", flat=True))


@pytest.fixture
def case(tenant_a):
    """A case of 1000.00, not yet due, in A's scope, on TODAY."""
    with at(TODAY):
        case = file_case(tenant_a.creditor, claim("P-1", "1000.00", FUTURE))
        with creditor_scope(tenant_a.creditor):
            yield case


def pay(case, amount: str, on: date):
    with at(on):
        return payment_register(
            case=case, amount=Decimal(amount), received_on=on, method=PaymentMethod.FIK
        )


def test_the_last_instalment_takes_the_rest(case):
    plan = plan_propose(case=case, first_due=date(2026, 1, 31), count=3)
    assert amounts(plan) == [Decimal("333.33"), Decimal("333.33"), Decimal("333.34")]
    assert list(plan.instalments.values_list("due_date", flat=True)) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]
    assert plan.status == PlanStatus.PROPOSED
    assert CaseEvent.objects.filter(case=case, code="plan.created").exists()


def test_instalments_of_an_amount_end_with_the_rest(case):
    plan = plan_propose(case=case, first_due=TODAY, amount="300.00", interval_months=2)
    assert amounts(plan) == [Decimal("300.00")] * 3 + [Decimal("100.00")]
    assert plan.instalments.order_by("number").last().due_date == date(2026, 7, 5)


def test_the_schedule_covers_interest_already_accrued(tenant_a):
    with at(TODAY):
        case = file_case(tenant_a.creditor, claim("P-I", "1000.00", DUE))
        with creditor_scope(tenant_a.creditor):
            plan = plan_propose(case=case, first_due=TODAY, count=7)
            balance = selectors.case_balance(case)
            assert balance.interest > 0  # posted up to the proposal
            assert sum(amounts(plan)) == balance.total


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("count", {"count": 0}),
        ("count", {"count": 121}),  # more than the portal allows
        ("amount", {"amount": "1.00"}),  # 1000 instalments
        ("count", {}),  # neither a count nor an amount
        ("amount", {"amount": "1000.01"}),
        ("amount", {"amount": "0"}),
        ("first_due", {"count": 2, "first_due": TODAY - timedelta(days=1)}),
        ("interval_months", {"count": 2, "interval_months": 0}),
    ],
)
def test_bad_input_names_its_field_and_creates_nothing(case, field, kwargs):
    kwargs.setdefault("first_due", TODAY)
    with pytest.raises(ValidationError) as excinfo:
        plan_propose(case=case, **kwargs)
    assert field in excinfo.value.message_dict
    assert not InstalmentPlan.objects.filter(case=case).exists()


def test_one_open_plan_per_case(case):
    first = plan_propose(case=case, first_due=TODAY, count=2)
    with pytest.raises(CaseError, match="already has"):
        plan_propose(case=case, first_due=TODAY, count=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        InstalmentPlan.objects.create(creditor_id=case.creditor_id, case=case, proposed_on=TODAY)
    plan_cancel(plan=first, reason="The debtor wants smaller instalments.")
    assert plan_propose(case=case, first_due=TODAY, count=4).instalments.count() == 4


def test_no_plan_on_a_disputed_or_closed_case(case):
    lc.dispute_open(case=case, reason="Never ordered")
    with pytest.raises(CaseError, match="dispute"):
        plan_propose(case=case, first_due=TODAY, count=2)
    lc.case_withdraw(case=case)
    with pytest.raises(CaseError, match="closed"):
        plan_propose(case=case, first_due=TODAY, count=2)


def test_a_consumer_plan_is_flagged_for_review_as_consumer_credit(case, tenant_a):
    assert plan_propose(case=case, first_due=TODAY, count=2).consumer_credit_review
    with at(TODAY):
        business = file_case(
            tenant_a.creditor, claim("B-1", "1000.00", FUTURE, debtor_is_consumer=False)
        )
        assert not plan_propose(case=business, first_due=TODAY, count=2).consumer_credit_review


def test_activation_confirms_and_a_signed_settlement_gives_ten_years(tenant_a):
    with at(TODAY):
        case = file_case(tenant_a.creditor, claim("S-1", "500.00", DUE), claim("S-2", "1.00", DUE))
        with creditor_scope(tenant_a.creditor):
            _activate_with_settlement(case)


def _activate_with_settlement(case):
    before = selectors.claim_limitations(case, on=TODAY)
    assert [lim.figure.dates[0] for lim in before] == [date(2028, 3, 3)] * 2  # 3 years
    plan = plan_propose(case=case, first_due=date(2026, 2, 1), count=2)
    plan_activate(plan=plan, settlement_signed_on=TODAY)
    assert refresh(plan).status == PlanStatus.ACTIVE
    assert Notice.objects.filter(case=case, kind=NoticeKind.PLAN_CONFIRMATION).count() == 1
    assert refresh(case).next_action_at == lc.action_at(date(2026, 2, 2))
    after = selectors.claim_limitations(case, on=TODAY)
    assert [lim.figure.dates[0] for lim in after] == [TODAY + relativedelta(years=10)] * 2
    assert CaseEvent.objects.filter(case=case, code="plan.settlement_signed").exists()
    with pytest.raises(CaseError, match="not proposed"):
        plan_activate(plan=plan)


def test_a_settlement_is_not_signed_in_the_future(case):
    plan = plan_propose(case=case, first_due=TODAY, count=2)
    with pytest.raises(ValidationError) as excinfo:
        plan_activate(plan=plan, settlement_signed_on=TODAY + timedelta(days=1))
    assert "settlement_signed_on" in excinfo.value.message_dict


def test_a_paid_plan_closes_the_case_as_paid(case):
    plan = plan_propose(case=case, first_due=date(2026, 2, 1), count=3)
    plan_activate(plan=plan)
    pay(case, "333.33", date(2026, 1, 30))
    with at(date(2026, 2, 2)):
        assert plan_advance(case=case, today=date(2026, 2, 2)) is True
    assert refresh(case).next_action_at == lc.action_at(date(2026, 3, 2))
    paid = list(plan.instalments.order_by("number").values_list("paid_amount", flat=True))
    assert paid == [Decimal("333.33"), 0, 0]
    pay(case, "333.33", date(2026, 2, 27))
    pay(case, "333.34", date(2026, 3, 30))
    assert refresh(case).state == CaseState.CLOSED  # payment_register closes a paid case
    assert case.closed_reason == ClosedReason.PAID
    plan = plan_match_payments(plan=plan)
    assert plan.status == PlanStatus.COMPLETED
    assert all(i.is_paid for i in plan.instalments.all())


def test_matching_is_idempotent_and_follows_a_reversal(case):
    plan = plan_propose(case=case, first_due=date(2026, 2, 1), count=2)
    plan_activate(plan=plan)
    payment = pay(case, "600.00", TODAY)
    plan_match_payments(plan=plan)
    plan_match_payments(plan=plan)
    assert list(plan.instalments.values_list("paid_amount", flat=True)) == [
        Decimal("500.00"),
        Decimal("100.00"),
    ]
    payment_reverse(payment=payment, reason="Bounced")
    plan_match_payments(plan=plan)
    assert list(plan.instalments.values_list("paid_amount", flat=True)) == [0, 0]


@pytest.fixture(params=[CaseState.COLLECTION, CaseState.MONITORING])
def plan_in_collection(request, tenant_a):
    """A case driven into collection (or on to monitoring), then on an active plan of 2
    instalments, the first due 15 April 2025."""
    with at(date(2025, 3, 5)):
        case = file_case(tenant_a.creditor, claim("C-1", "1000.00", DUE))
    with creditor_scope(tenant_a.creditor):
        with at(date(2025, 3, 20)):
            lc.case_send_warning(case=case, on=date(2025, 3, 20))
        with at(date(2025, 3, 31)):
            lc.case_hand_over(case=case, on=date(2025, 3, 31))
            if request.param == CaseState.MONITORING:
                lc.case_to_monitoring(case=case, on=date(2025, 3, 31))
        with at(date(2025, 4, 1)):
            plan = plan_propose(case=case, first_due=date(2025, 4, 15), count=2)
            plan_activate(plan=plan, settlement_signed_on=date(2025, 4, 1))
        assert refresh(case).state == request.param
        yield case, plan


def advance(case, day: date) -> None:
    """One scheduler step on the case, on ``day``."""
    with at(day):
        scheduler.case_advance(case=refresh(case), now=timezone.now())


def test_a_missed_instalment_gets_a_reminder_without_a_fee_then_the_plan_breaks(
    plan_in_collection,
):
    case, plan = plan_in_collection
    entries = LedgerEntry.objects.filter(case=case).count()
    advance(case, date(2025, 4, 16))
    missed = Notice.objects.filter(case=case, kind=NoticeKind.MISSED_INSTALMENT)
    assert missed.count() == 1
    assert missed.get().deadline == date(2025, 4, 22)
    assert LedgerEntry.objects.filter(case=case).count() == entries  # no fee
    assert refresh(case).next_action_at == lc.action_at(date(2025, 4, 23))
    advance(case, date(2025, 4, 20))  # visited again: no second notice
    assert missed.count() == 1
    assert refresh(plan).status == PlanStatus.ACTIVE
    # A person follows the missed instalment up: one open work item.
    assert case.work_items.filter(reason="instalment_missed", status="open").count() == 1

    advance(case, date(2025, 4, 23))  # 8 days late: the whole balance falls due
    assert refresh(plan).status == PlanStatus.BROKEN
    assert refresh(case).state == CaseState.COLLECTION
    assert case.next_action_at.date() > date(2025, 4, 23)  # collection goes on from here
    broken = CaseEvent.objects.get(case=case, code="plan.broken")
    assert broken.data == {"plan": plan.pk, "instalment": 1, "days_late": 8}
    assert plan_was_broken(case)
    assert LedgerEntry.objects.filter(case=case, kind=EntryKind.REMINDER_FEE).count() == 0


def test_a_paid_instalment_waits_for_the_next(plan_in_collection):
    case, plan = plan_in_collection
    first = plan.instalments.get(number=1)
    pay(case, str(first.amount), date(2025, 4, 14))
    advance(case, date(2025, 4, 16))
    assert not Notice.objects.filter(case=case, kind=NoticeKind.MISSED_INSTALMENT).exists()
    assert refresh(case).next_action_at == lc.action_at(date(2025, 5, 16))


def test_after_a_broken_plan_a_reminder_carries_no_fee(tenant_a):
    with at(date(2025, 3, 5)):
        case = file_case(tenant_a.creditor, claim("R-1", "1000.00", DUE))
    with creditor_scope(tenant_a.creditor):
        with at(date(2025, 3, 10)):
            lc.case_send_reminder(case=case, on=date(2025, 3, 10))
            plan = plan_propose(case=case, first_due=date(2025, 3, 12), count=2)
            plan_activate(plan=plan)
        fees = LedgerEntry.objects.filter(case=case, kind=EntryKind.REMINDER_FEE)
        assert fees.count() == 1
        with at(date(2025, 3, 20)):
            # Not in collection: the plan breaks and the case goes on along its own track.
            assert plan_advance(case=case, today=date(2025, 3, 20)) is False
            assert refresh(plan).status == PlanStatus.BROKEN
            assert refresh(case).state == CaseState.REMINDER
            lc.case_send_reminder(case=case, on=date(2025, 3, 20))
        assert fees.count() == 1
        event = CaseEvent.objects.filter(case=case, code="case.reminder_sent").last()
        assert "broken instalment plan" in event.message


def test_without_an_active_plan_the_scheduler_goes_on(case):
    assert plan_advance(case=case, today=TODAY) is False
    plan_propose(case=case, first_due=TODAY, count=2)  # proposed, not active
    assert plan_advance(case=case, today=TODAY) is False


def test_another_creditor_does_not_see_the_plan(case, tenant_b):
    plan = plan_propose(case=case, first_due=TODAY, count=2)
    with creditor_scope(tenant_b.creditor):
        assert not InstalmentPlan.objects.filter(pk=plan.pk).exists()
        assert not Instalment.objects.filter(plan_id=plan.pk).exists()


def test_a_payment_is_matched_to_the_plan_when_it_is_registered(case):
    plan = plan_propose(case=case, first_due=date(2026, 2, 1), count=3)
    plan_activate(plan=plan)
    pay(case, "400.00", date(2026, 1, 30))
    paid = list(plan.instalments.order_by("number").values_list("paid_amount", flat=True))
    assert paid == [Decimal("333.33"), Decimal("66.67"), 0]
    pay(case, "600.00", date(2026, 2, 27))
    assert refresh(plan).status == PlanStatus.COMPLETED
    assert refresh(case).state == CaseState.CLOSED
