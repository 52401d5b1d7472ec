"""The scheduler's Celery task, run by a real worker against the test database."""

from datetime import date

import pytest
import time_machine

from cases.tasks import advance_due_cases_task
from collections_portal.tenancy import creditor_scope
from notices.models import Notice

from .helpers import claim, file_case


@pytest.mark.celery_worker
def test_a_worker_runs_the_scheduler(worker, tenant_a):
    with time_machine.travel(date(2025, 3, 20)):
        case = file_case(tenant_a.creditor, claim("T-1", "1000.00", date(2025, 3, 1)))
    result = advance_due_cases_task.apply_async(queue=worker).get(timeout=60)
    assert result == {"advanced": 1, "failed": 0, "batches": 1}
    with creditor_scope(tenant_a.creditor):
        # The worker runs at today's date: the case (due 2025-03-01) gets its first reminder.
        assert list(Notice.objects.filter(case=case).values_list("kind", flat=True)) == ["reminder"]
    # Run again: nothing is due any more.
    again = advance_due_cases_task.apply_async(queue=worker).get(timeout=60)
    assert again["advanced"] == 0
