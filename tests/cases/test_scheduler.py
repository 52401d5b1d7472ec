"""The scheduler takes a case from new to collection on the days the rules and the policy say,
with the fees and the notices the law gives, and running it twice changes nothing."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseState, EntryKind, LedgerEntry
from cases.scheduler import advance_due_cases
from collections_portal.tenancy import creditor_scope
from notices.models import Notice

from .helpers import claim, file_case

pytestmark = pytest.mark.django_db
DUE = date(2025, 3, 3)


def morning(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def run_days(first: date, last: date) -> None:
    """Run the scheduler every morning from ``first`` to ``last``, with the clock there."""
    day = first
    while day <= last:
        with time_machine.travel(morning(day), tick=False):
            advance_due_cases(now=morning(day))
            advance_due_cases(now=morning(day))  # a second run the same minute does nothing
        day += timedelta(days=1)


def history(case):
    with creditor_scope(case.creditor_id):
        notices = [
            (n.kind, n.sequence, n.dated, n.deadline) for n in Notice.objects.filter(case=case)
        ]
        fees = [
            (e.kind, e.posted_on, e.amount)
            for e in LedgerEntry.objects.filter(case=case).exclude(kind=EntryKind.PRINCIPAL)
        ]
        events = [e.code for e in CaseEvent.objects.filter(case=case)]
        case.refresh_from_db()
    return notices, fees, events


def test_a_consumer_case_runs_from_new_to_collection(tenant_a):
    with time_machine.travel(morning(date(2025, 3, 5)), tick=False):
        case = file_case(tenant_a.creditor, claim("S-1", "1000.00", DUE, invoice=date(2025, 2, 1)))
    run_days(date(2025, 3, 5), date(2025, 4, 2))
    notices, fees, events = history(case)

    # Policy: one reminder 7 days after the due date; the warning 10 days after it; collection
    # the day after the warning's 10-day deadline.
    assert notices == [
        ("reminder", 1, date(2025, 3, 10), None),
        ("warning", 1, date(2025, 3, 20), date(2025, 3, 30)),
        ("collection_letter", 1, date(2025, 3, 31), None),
    ]
    assert fees == [
        ("reminder_fee", date(2025, 3, 10), Decimal("100.00")),  # renteloven § 9 b
        ("handover_fee", date(2025, 3, 31), Decimal("100.00")),  # § 9 b stk. 3
        # BEK 601/2002: the claim is the principal of 1,000 (the reminder and handover fees
        # arose after the due date and do not count) -> the 1,000 band, agency column: 400.
        ("collection_costs", date(2025, 3, 31), Decimal("400.00")),
    ]
    assert events == ["case.reminder_sent", "case.warning_sent", "case.collection_started"]
    assert case.state == CaseState.COLLECTION
    assert case.next_action_at == morning(date(2025, 6, 29)).replace(hour=8)  # 90 days on


def test_a_business_case_gets_the_compensation_once(tenant_a):
    with time_machine.travel(morning(date(2025, 3, 5)), tick=False):
        case = file_case(
            tenant_a.creditor,
            claim("B-1", "1000.00", DUE, debtor_is_consumer=False),
            claim("B-2", "500.00", DUE, debtor_is_consumer=False),
        )
    run_days(date(2025, 3, 5), date(2025, 4, 2))
    _, fees, _ = history(case)
    assert [f for f in fees if f[0] == "compensation"] == [
        ("compensation", date(2025, 3, 31), Decimal("310.00")),
        ("compensation", date(2025, 3, 31), Decimal("310.00")),
    ]


def test_a_case_filed_with_the_creditors_own_warning_goes_to_collection_after_its_deadline(
    tenant_a,
):
    with time_machine.travel(morning(date(2025, 3, 25)), tick=False):
        case = file_case(
            tenant_a.creditor,
            claim("E-1", "1000.00", DUE),
            creditor_reminder_dates=[date(2025, 3, 10)],
            creditor_warning_sent_on=date(2025, 3, 20),
        )
    run_days(date(2025, 3, 25), date(2025, 4, 1))
    notices, fees, events = history(case)
    assert events == ["case.warning_evidence_accepted", "case.collection_started"]
    assert notices == [("collection_letter", 1, date(2025, 3, 31), None)]
    assert [f[0] for f in fees] == ["handover_fee", "collection_costs"]


def test_a_dispute_stops_the_scheduler_until_a_person_answers(tenant_a, django_user_model):
    from cases.models import Dispute
    from cases.services.lifecycle import dispute_open, dispute_resolve

    with time_machine.travel(morning(date(2025, 3, 5)), tick=False):
        case = file_case(tenant_a.creditor, claim("D-1", "1000.00", DUE))
    run_days(date(2025, 3, 5), date(2025, 3, 12))
    with creditor_scope(tenant_a.creditor), time_machine.travel(morning(date(2025, 3, 12))):
        dispute = dispute_open(case=case, reason="Goods never delivered")
    run_days(date(2025, 3, 13), date(2025, 4, 30))
    notices, _, _ = history(case)
    assert [n[0] for n in notices] == ["reminder", "dispute_ack"]
    assert case.next_action_at is None

    with creditor_scope(tenant_a.creditor), time_machine.travel(morning(date(2025, 5, 1))):
        dispute_resolve(
            dispute=dispute,
            outcome=Dispute.Outcome.REJECTED,
            note="Delivery note signed by the debtor on 2025-02-03.",
            user=tenant_a.user,
        )
    run_days(date(2025, 5, 2), date(2025, 5, 2))
    notices, _, _ = history(case)
    assert notices[-1][:3] == ("warning", 1, date(2025, 5, 2))


def test_a_pause_holds_the_case_until_its_date(tenant_a):
    from cases.services.lifecycle import case_pause

    with time_machine.travel(morning(date(2025, 3, 5)), tick=False):
        case = file_case(tenant_a.creditor, claim("P-1", "1000.00", DUE))
        with creditor_scope(tenant_a.creditor):
            case_pause(case=case, until=date(2025, 4, 15), reason="Creditor talks to debtor")
    run_days(date(2025, 3, 5), date(2025, 4, 14))
    notices, _, _ = history(case)
    assert notices == []
    run_days(date(2025, 4, 15), date(2025, 4, 15))
    notices, _, _ = history(case)
    assert notices[0][:3] == ("reminder", 1, date(2025, 4, 15))


def test_the_scheduler_only_reads_due_cases(tenant_a, django_assert_max_num_queries):
    with time_machine.travel(morning(date(2025, 3, 5)), tick=False):
        file_case(tenant_a.creditor, claim("Q-1", "1000.00", DUE))
    run_days(date(2025, 3, 5), date(2025, 3, 5))  # now waiting until 2025-03-10
    with (
        time_machine.travel(morning(date(2025, 3, 6)), tick=False),
        django_assert_max_num_queries(3),
    ):
        report = advance_due_cases(now=morning(date(2025, 3, 6)))
    assert report.advanced == 0


def test_a_closed_case_is_never_advanced(tenant_a):
    from cases.services.lifecycle import case_withdraw

    with time_machine.travel(morning(date(2025, 3, 5)), tick=False):
        case = file_case(tenant_a.creditor, claim("W-1", "1000.00", DUE))
        with creditor_scope(tenant_a.creditor):
            case_withdraw(case=case, message="Settled directly")
    run_days(date(2025, 3, 5), date(2025, 4, 30))
    notices, _, events = history(case)
    assert [n[0] for n in notices] == ["closed"]
    assert events == ["case.closed"]
    assert Case.objects.model  # the case still exists, closed
    assert case.closed_reason == "withdrawn"


def test_the_scheduler_writes_only_through_services():
    """The scheduler decides; the services write (``cases.services.scheduling`` and the
    lifecycle), so no save or update of a case or a promise is made in the scheduler itself."""
    import ast
    import inspect

    from cases import scheduler

    tree = ast.parse(inspect.getsource(scheduler))
    writes = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"save", "update", "create", "delete", "bulk_update"}
    ]
    assert writes == []
