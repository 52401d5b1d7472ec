"""A promise to pay holds the case's escalation until its date and the grace days after it
(PROMISE_GRACE_DAYS); money not come by then breaks it, and a work item appears."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import Case, PromiseToPay, WorkItem, WorkItemReason, WorkItemStatus
from cases.scheduler import advance_due_cases
from cases.services import lifecycle as lc
from cases.services import payments
from collections_portal.tenancy import creditor_scope

from .helpers import at, claim, file_case

pytestmark = pytest.mark.django_db
DUE = date(2025, 3, 3)
PAY_BY = date(2025, 4, 10)


@pytest.fixture
def case(tenant_a, settings):
    settings.PROMISE_GRACE_DAYS = 3
    with at(date(2025, 3, 5)):
        case = file_case(tenant_a.creditor, claim("G-1", "2000.00", DUE))
    with creditor_scope(tenant_a.creditor):
        with at(date(2025, 3, 20)):
            lc.case_send_warning(case=case, on=date(2025, 3, 20))
        with at(date(2025, 4, 2)):
            lc.case_hand_over(case=case, on=date(2025, 4, 2))
            lc.promise_to_pay_record(case=case, amount=Decimal("500.00"), pay_by=PAY_BY)
        yield case


def run_scheduler(day: date) -> None:
    with at(day, hour=10):
        advance_due_cases(now=timezone.now())


def broken_items(case):
    return WorkItem.objects.filter(
        case=case, reason=WorkItemReason.PROMISE_BROKEN, status=WorkItemStatus.OPEN
    )


def test_the_case_waits_for_the_promise_and_its_grace_days(case):
    case.refresh_from_db()
    assert timezone.localtime(case.next_action_at).date() == PAY_BY + timedelta(days=4)
    run_scheduler(PAY_BY + timedelta(days=3))  # the last day of grace: not yet due
    assert PromiseToPay.objects.get(case=case).kept is None
    assert not broken_items(case).exists()


def test_no_money_by_the_end_of_the_grace_days_breaks_the_promise(case):
    run_scheduler(PAY_BY + timedelta(days=4))
    assert PromiseToPay.objects.get(case=case).kept is False
    assert broken_items(case).count() == 1
    assert Case.objects.get(pk=case.pk).events.filter(code="case.promise_broken").exists()


def test_money_in_the_grace_days_keeps_it(case):
    with at(PAY_BY + timedelta(days=2)):
        payments.payment_register(
            case=case,
            amount=Decimal("500.00"),
            received_on=PAY_BY + timedelta(days=2),
            method="bank_transfer",
        )
    run_scheduler(PAY_BY + timedelta(days=4))
    assert PromiseToPay.objects.get(case=case).kept is True
    assert not broken_items(case).exists()
