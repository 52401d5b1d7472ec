"""The limitation watch warns on the timeline from 2 years 6 months (DK), says when a claim
is time-barred, and never says the same thing twice."""

from datetime import date, datetime, time

import pytest
import time_machine
from django.utils import timezone

from cases.limitation_watch import APPROACHING, TIME_BARRED, flag_approaching_limitation
from cases.models import CaseEvent, Claim
from cases.services import limitation_event_record
from cases.services.lifecycle import case_close
from collections_portal.tenancy import creditor_scope

from .helpers import claim, file_case

pytestmark = pytest.mark.django_db
DUE = date(2024, 3, 1)  # the last day is 2027-03-01; the warning day 2026-09-01


def at(day: date):
    return time_machine.travel(timezone.make_aware(datetime.combine(day, time(6, 0))), tick=False)


def run(day: date) -> int:
    with at(day):
        return flag_approaching_limitation(today=day)


def watch_events(case):
    with creditor_scope(case.creditor_id):
        return [
            (code, data["limitation_date"])
            for code, data in CaseEvent.objects.filter(
                case=case, code__in=[APPROACHING, TIME_BARRED]
            )
            .order_by("pk")
            .values_list("code", "data")
        ]


@pytest.fixture
def case(tenant_a):
    with at(date(2024, 3, 5)):
        return file_case(tenant_a.creditor, claim("W-1", "1000.00", DUE))


def test_it_says_nothing_before_the_warning_day(case):
    assert run(date(2026, 8, 31)) == 0
    assert watch_events(case) == []


def test_it_flags_once_from_the_warning_day(case):
    assert run(date(2026, 9, 1)) == 1
    assert run(date(2026, 9, 1)) == 0  # a second run the same day
    assert run(date(2026, 10, 1)) == 0  # and the next month
    assert watch_events(case) == [(APPROACHING, "2027-03-01")]
    with creditor_scope(case.creditor_id):
        event = CaseEvent.objects.get(case=case, code=APPROACHING)
    assert event.actor_label == "limitation watch"
    assert "W-1 becomes time-barred after 2027-03-01" in event.message


def test_it_says_when_the_claim_is_time_barred(case):
    run(date(2026, 9, 1))
    assert run(date(2027, 3, 1)) == 0  # the last day still counts
    assert run(date(2027, 3, 2)) == 1
    assert run(date(2027, 3, 3)) == 0
    assert watch_events(case) == [(APPROACHING, "2027-03-01"), (TIME_BARRED, "2027-03-01")]


def test_a_new_period_is_flagged_again_when_it_too_runs_short(case):
    run(date(2026, 9, 1))
    with at(date(2026, 10, 1)), creditor_scope(case.creditor_id):
        limitation_event_record(
            claim=Claim.objects.get(case=case),
            kind="acknowledgement",
            occurred_on=date(2026, 10, 1),
        )
    assert run(date(2026, 10, 2)) == 0  # the new period runs to 2029-10-01
    assert run(date(2029, 4, 1)) == 1
    assert watch_events(case) == [(APPROACHING, "2027-03-01"), (APPROACHING, "2029-10-01")]


def test_it_leaves_closed_cases_alone(case):
    with at(date(2025, 1, 1)), creditor_scope(case.creditor_id):
        case_close(case=case, reason="withdrawn")
    assert run(date(2026, 9, 1)) == 0


def test_it_works_in_batches_across_creditors(tenant_a, tenant_b):
    with at(date(2024, 3, 5)):
        cases = [
            file_case(tenant.creditor, claim(f"B-{n}", "500.00", DUE))
            for n, tenant in enumerate([tenant_a, tenant_b, tenant_a])
        ]
    with at(date(2026, 9, 1)):
        assert flag_approaching_limitation(today=date(2026, 9, 1), batch_size=1) == 3
    assert run(date(2026, 9, 2)) == 0
    assert all(watch_events(c) == [(APPROACHING, "2027-03-01")] for c in cases)
