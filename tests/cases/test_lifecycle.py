"""Every allowed transition works through its service; every forbidden one is refused with
a reason a person can read."""

from datetime import date
from decimal import Decimal

import pytest

from cases.models import CaseEvent, CaseState, EntryKind, LedgerEntry, PaymentMethod
from cases.services import CaseError, payment_register, payment_reverse
from cases.services import lifecycle as lc
from collections_portal.tenancy import creditor_scope
from notices.models import Notice

from .helpers import at, claim, file_case

# The refusals are matched in English (tests/cases/test_words_in_danish.py reads them in
# Danish).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
DUE = date(2025, 3, 3)


@pytest.fixture
def case(tenant_a):
    with at(date(2025, 3, 5)):
        case = file_case(tenant_a.creditor, claim("L-1", "1000.00", DUE))
    with creditor_scope(tenant_a.creditor):
        yield case


def refresh(case):
    case.refresh_from_db()
    return case


def to_collection(case):
    with at(date(2025, 3, 20)):
        lc.case_send_warning(case=case, on=date(2025, 3, 20))
    with at(date(2025, 3, 31)):
        lc.case_hand_over(case=case, on=date(2025, 3, 31))
    return refresh(case)


def test_reminder_then_warning_then_collection(case):
    with at(date(2025, 3, 10)):
        lc.case_send_reminder(case=case, on=date(2025, 3, 10))
    assert refresh(case).state == CaseState.REMINDER
    assert to_collection(case).state == CaseState.COLLECTION
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.from_state, event.to_state, event.actor_label) == (
        "warning",
        "collection",
        "system",
    )


def test_collection_one_day_before_the_warning_deadline_is_refused(case):
    with at(date(2025, 3, 20)):
        lc.case_send_warning(case=case, on=date(2025, 3, 20))
    with at(date(2025, 3, 30)), pytest.raises(CaseError, match="deadline 2025-03-30 has passed"):
        lc.case_hand_over(case=case, on=date(2025, 3, 30))
    assert refresh(case).state == CaseState.WARNING
    assert not LedgerEntry.objects.filter(case=case, kind=EntryKind.HANDOVER_FEE).exists()


def test_collection_without_a_warning_is_refused(case):
    with pytest.raises(CaseError, match="cannot hand over from state new"):
        lc.case_hand_over(case=case, on=date(2025, 4, 1))


def test_escalation_while_disputed_is_refused(case):
    with at(date(2025, 3, 6)):
        lc.dispute_open(case=case, reason="Wrong amount")
    for step in (
        lambda: lc.case_send_reminder(case=case, on=date(2025, 3, 10)),
        lambda: lc.case_send_warning(case=case, on=date(2025, 3, 10)),
    ):
        with at(date(2025, 3, 10)), pytest.raises(CaseError, match="open dispute"):
            step()
    assert refresh(case).state == CaseState.NEW


def test_a_disputed_collection_case_cannot_go_legal(case):
    to_collection(case)
    with at(date(2025, 4, 2)):
        lc.dispute_open(case=case, reason="Never ordered")
    with pytest.raises(CaseError, match="open dispute"):
        lc._apply(refresh(case), case.go_legal)


def test_a_fourth_reminder_carries_no_fee(case):
    for day in (date(2025, 3, 10), date(2025, 3, 20), date(2025, 3, 30), date(2025, 4, 9)):
        with at(day):
            lc.case_send_reminder(case=case, on=day)
    fees = LedgerEntry.objects.filter(case=case, kind=EntryKind.REMINDER_FEE).count()
    assert fees == 3
    assert Notice.objects.filter(case=case, kind="reminder").count() == 4
    assert "no fee" in CaseEvent.objects.filter(case=case).last().message


def test_a_reminder_after_a_dispute_carries_no_fee(case, tenant_a):
    from cases.models import Dispute

    with at(date(2025, 3, 10)):
        lc.case_send_reminder(case=case, on=date(2025, 3, 10))
    with at(date(2025, 3, 12)):
        dispute = lc.dispute_open(case=case, reason="Wrong amount")
        lc.dispute_resolve(
            dispute=dispute, outcome=Dispute.Outcome.REJECTED, note="Amount per contract.",
            user=tenant_a.user,
        )  # fmt: skip
    with at(date(2025, 3, 20)):
        lc.case_send_reminder(case=case, on=date(2025, 3, 20))
    assert LedgerEntry.objects.filter(case=case, kind=EntryKind.REMINDER_FEE).count() == 1


def test_monitoring_and_back(case):
    to_collection(case)
    lc.case_to_monitoring(case=case, on=date(2025, 7, 1))
    assert refresh(case).state == CaseState.MONITORING
    lc.case_reopen(case=case, on=date(2025, 8, 1), reason="Debtor found work")
    assert refresh(case).state == CaseState.COLLECTION


def test_monitoring_from_new_is_refused(case):
    with pytest.raises(CaseError, match="cannot monitor from state new"):
        lc.case_to_monitoring(case=case, on=date(2025, 7, 1))


def test_an_upheld_dispute_closes_the_case(case, tenant_a):
    from cases.models import Dispute

    dispute = lc.dispute_open(case=case, reason="Paid in cash")
    lc.dispute_resolve(
        dispute=dispute, outcome=Dispute.Outcome.UPHELD, note="Receipt seen.", user=tenant_a.user
    )
    assert (refresh(case).state, case.closed_reason) == (CaseState.CLOSED, "withdrawn")


def test_a_closed_case_refuses_every_step(case):
    lc.case_withdraw(case=case)
    for step in (
        lambda: lc.case_send_reminder(case=case, on=date(2025, 3, 10)),
        lambda: lc.case_send_warning(case=case, on=date(2025, 3, 10)),
    ):
        with pytest.raises(CaseError, match="is closed"):
            step()
    with pytest.raises(CaseError, match="is closed"):
        lc.case_pause(case=case, until=date(2099, 1, 1))


def test_paid_in_full_closes_and_a_bounced_payment_reopens(case):
    to_collection(case)
    owed = LedgerEntry.objects.filter(case=case).values_list("amount", flat=True)
    with at(date(2025, 4, 1)):
        payment = payment_register(
            case=case, amount=sum(owed) + Decimal("500.00"), received_on=date(2025, 4, 1),
            method=PaymentMethod.BANK_TRANSFER,
        )  # fmt: skip
    assert (refresh(case).state, case.closed_reason) == (CaseState.CLOSED, "paid")
    with at(date(2025, 4, 3)):
        payment_reverse(payment=payment, reason="Returned by the bank")
    assert refresh(case).state == CaseState.COLLECTION
    assert case.closed_reason == ""
    codes = list(CaseEvent.objects.filter(case=case).values_list("code", flat=True))
    assert codes[-4:] == ["payment.received", "case.closed", "payment.reversed", "case.reinstated"]


def test_the_state_cannot_be_set_directly(case):
    with pytest.raises(AttributeError):
        case.state = CaseState.CLOSED


def test_no_reminder_before_the_due_date(tenant_a):
    with at(date(2025, 3, 1)):
        case = file_case(tenant_a.creditor, claim("EARLY", "100.00", date(2025, 3, 10)))
    with creditor_scope(tenant_a.creditor), pytest.raises(CaseError, match="falls due"):
        lc.case_send_reminder(case=case, on=date(2025, 3, 9))


def test_no_reminder_within_the_spacing(case):
    with at(date(2025, 3, 10)):
        lc.case_send_reminder(case=case, on=date(2025, 3, 10))
    with at(date(2025, 3, 19)), pytest.raises(CaseError, match="10 days later"):
        lc.case_send_reminder(case=case, on=date(2025, 3, 19))
    assert Notice.objects.filter(case=case, kind="reminder").count() == 1


def test_nothing_is_collected_on_a_time_barred_claim(tenant_a):
    with at(date(2025, 3, 1)):
        case = file_case(tenant_a.creditor, claim("OLD", "100.00", date(2022, 1, 10)))
    with creditor_scope(tenant_a.creditor), pytest.raises(CaseError, match="time-barred"):
        lc.case_send_warning(case=case, on=date(2025, 3, 1))
