"""fee_post is the one door every fee goes through, and it trusts no caller.

An outside probe had it post a 150 reminder fee, a fourth reminder fee and a fee on a disputed
case, because it charged whatever figure it was handed. Now it asks the rules engine itself.
Each test hands it a figure that looks allowed (allowed=True, an amount) and checks that the
case's own facts decide.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cases.models import EntryKind, InstalmentPlan, LedgerEntry, PlanStatus
from cases.rules import Figure
from cases.services import CaseError, fee_post
from cases.services import lifecycle as lc
from cases.services.plans import plan_propose
from collections_portal.tenancy import creditor_scope
from notices.models import Notice, NoticeKind

from .helpers import at, claim, file_case

# The refusals are matched in English (tests/cases/test_words_in_danish.py reads them in
# Danish).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
DUE = date(2025, 3, 3)


def asked(amount: str) -> Figure:
    """What a careless caller hands over: a figure that claims to be allowed."""
    return Figure(amount=Decimal(amount), rule="renteloven § 9 b", profile="DK", explanation="x")


@pytest.fixture
def case(tenant_a):
    case = file_case(tenant_a.creditor, claim("G-1", "5000.00", DUE, debtor_is_consumer=False))
    with creditor_scope(tenant_a.creditor):
        yield case


def remind(case, day: date):
    with at(day):
        return lc.case_send_reminder(case=case, on=day)


def fees(case, kind) -> list[Decimal]:
    return list(LedgerEntry.objects.filter(case=case, kind=kind).values_list("amount", flat=True))


def post(case, kind, amount: str, on: date, *, claim=True):
    with at(on):
        return fee_post(
            case=case,
            claim=case.claims.get() if claim else None,
            kind=kind,
            figure=asked(amount),
            posted_on=on,
        )


def test_a_reminder_fee_above_the_cap_is_refused(case):
    day = DUE + timedelta(days=1)
    remind(case, day)  # charges its own 100
    later = day + timedelta(days=10)
    Notice.objects.create(
        creditor=case.creditor, case=case, kind=NoticeKind.REMINDER, dated=later, sequence=9
    )
    with pytest.raises(CaseError, match=r"150\.00 is more than the 100\.00"):
        post(case, EntryKind.REMINDER_FEE, "150.00", later)
    assert fees(case, EntryKind.REMINDER_FEE) == [Decimal("100.00")]


def test_a_fourth_reminder_fee_is_refused(case):
    day = DUE + timedelta(days=1)
    for _ in range(3):
        remind(case, day)
        day += timedelta(days=10)
    remind(case, day)  # a fourth reminder goes out, without a fee
    assert fees(case, EntryKind.REMINDER_FEE) == [Decimal("100.00")] * 3
    with pytest.raises(CaseError, match="3 fee-bearing reminders were already sent"):
        post(case, EntryKind.REMINDER_FEE, "100.00", day)


def test_reminder_fees_closer_than_ten_days_are_refused(case):
    day = DUE + timedelta(days=1)
    remind(case, day)
    soon = day + timedelta(days=5)
    Notice.objects.create(
        creditor=case.creditor, case=case, kind=NoticeKind.REMINDER, dated=soon, sequence=9
    )
    with pytest.raises(CaseError, match="only 5 days have passed"):
        post(case, EntryKind.REMINDER_FEE, "100.00", soon)


def test_a_reminder_fee_needs_the_reminder_that_carries_it(case):
    with pytest.raises(CaseError, match="No reminder was sent on 2025-03-10"):
        post(case, EntryKind.REMINDER_FEE, "100.00", date(2025, 3, 10))
    assert fees(case, EntryKind.REMINDER_FEE) == []


def test_no_fee_of_any_kind_on_a_disputed_case(case):
    remind(case, DUE + timedelta(days=1))
    with at(DUE + timedelta(days=2)):
        lc.dispute_open(case=case, reason="Never ordered")
    for kind in (EntryKind.REMINDER_FEE, EntryKind.HANDOVER_FEE, EntryKind.COMPENSATION):
        with pytest.raises(CaseError, match="open dispute"):
            post(case, kind, "100.00", DUE + timedelta(days=11))
    assert fees(case, EntryKind.REMINDER_FEE) == [Decimal("100.00")]


def test_no_reminder_fee_after_a_broken_plan(case):
    remind(case, DUE + timedelta(days=1))
    with at(DUE + timedelta(days=2)):
        plan = plan_propose(case=case, first_due=DUE + timedelta(days=20), count=2)
    InstalmentPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.BROKEN)  # as if missed
    day = DUE + timedelta(days=30)
    Notice.objects.create(
        creditor=case.creditor, case=case, kind=NoticeKind.REMINDER, dated=day, sequence=9
    )
    with pytest.raises(CaseError, match="broken instalment plan"):
        post(case, EntryKind.REMINDER_FEE, "100.00", day)


def test_collection_fees_need_an_expired_warning_and_come_once_within_the_cap(case):
    with pytest.raises(CaseError, match="after a collection warning whose deadline has passed"):
        post(case, EntryKind.HANDOVER_FEE, "100.00", date(2025, 3, 20), claim=False)
    with at(date(2025, 3, 20)):
        lc.case_send_warning(case=case, on=date(2025, 3, 20))
    with pytest.raises(CaseError, match="deadline has passed"):
        post(case, EntryKind.COLLECTION_COSTS, "100.00", date(2025, 3, 30), claim=False)
    with at(date(2025, 3, 31)):
        lc.case_hand_over(case=case, on=date(2025, 3, 31))  # 100 + 310 + 1,000 (5,000 band)
    assert fees(case, EntryKind.COLLECTION_COSTS) == [Decimal("1000.00")]

    with pytest.raises(CaseError, match="handover fee has been charged already"):
        post(case, EntryKind.HANDOVER_FEE, "100.00", date(2025, 4, 2), claim=False)
    with pytest.raises(CaseError, match=r"more than the 0\.00"):
        post(case, EntryKind.COLLECTION_COSTS, "1.00", date(2025, 4, 2), claim=False)
    with pytest.raises(CaseError, match="has had its compensation already"):
        post(case, EntryKind.COMPENSATION, "310.00", date(2025, 4, 2))


def test_compensation_is_for_business_debtors_only(tenant_a):
    case = file_case(tenant_a.creditor, claim("C-1", "800.00", DUE, debtor_is_consumer=True))
    with creditor_scope(tenant_a.creditor), pytest.raises(CaseError, match="never to a consumer"):
        post(case, EntryKind.COMPENSATION, "310.00", DUE + timedelta(days=1))
