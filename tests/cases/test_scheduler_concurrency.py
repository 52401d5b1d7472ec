"""Two scheduler processes on the same due cases at the same moment: one step, one fee and one
notice per case (SELECT ... FOR UPDATE SKIP LOCKED, and the notice's unique constraint)."""

import os
import subprocess
import sys
import time
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path

import pytest
import time_machine
from django.db.models import Count
from django.utils import timezone

from cases.models import CaseEvent, EntryKind, LedgerEntry
from collections_portal.tenancy import agency_scope
from notices.models import Notice
from tests.conftest import app_database_url

from .helpers import claim, file_case

ROOT = Path(__file__).resolve().parents[2]
NOW = timezone.make_aware(datetime.combine(date(2025, 4, 1), clock(9)))
WORKER = """
import os, sys, time, django
sys.path.insert(0, {root!r})
django.setup()
from datetime import datetime
from cases.scheduler import advance_due_cases
start = float(sys.argv[1])
while time.time() < start:
    time.sleep(0.001)
report = advance_due_cases(now=datetime.fromisoformat(sys.argv[2]), batch_size=3)
print(report.advanced, len(report.failed))
"""


@pytest.mark.django_db(transaction=True)
def test_two_processes_advance_each_case_once(tenant_a, tenant_b):
    with time_machine.travel(date(2025, 3, 20)):
        cases = [
            file_case(
                tenant.creditor, claim(f"K-{tenant.creditor.pk}-{n}", "1000.00", date(2025, 3, 1))
            )
            for tenant in (tenant_a, tenant_b)
            for n in range(20)
        ]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "collections_portal.settings",
        "DATABASE_URL": app_database_url(),  # as beat's tasks run: the application's role
    }
    start = time.time() + 3
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER.format(root=str(ROOT)), str(start), NOW.isoformat()],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=120) for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    advanced = [int(out.split()[0]) for out, _ in outputs]
    assert sum(advanced) == len(cases), advanced
    assert all(n > 0 for n in advanced), f"both processes should have worked: {advanced}"

    with agency_scope(reason="test: count every creditor's steps"):
        ids = [c.pk for c in cases]
        per_case = lambda qs: dict(qs.values_list("case_id").annotate(n=Count("pk")))  # noqa: E731
        notices = per_case(Notice.objects.filter(case_id__in=ids))
        fees = per_case(LedgerEntry.objects.filter(case_id__in=ids, kind=EntryKind.REMINDER_FEE))
        events = per_case(CaseEvent.objects.filter(case_id__in=ids))
    assert notices == dict.fromkeys(ids, 1)
    assert fees == dict.fromkeys(ids, 1)
    assert events == dict.fromkeys(ids, 1)
