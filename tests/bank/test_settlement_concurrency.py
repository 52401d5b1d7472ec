"""Two processes settle the same creditor at the same moment, each on its own connection as
the application's role: every payment is in exactly one settlement, each marked once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db.models import Count

from collections_portal.tenancy import creditor_scope
from integrations.bank.models import ReceivedPayment, Settlement, SettlementLine
from tests.conftest import app_database_url
from tests.factories import agency_user

from .settle_helpers import known_case, pay_agency, pay_direct

ROOT = Path(__file__).resolve().parents[2]
WORKER = """
import sys, time, django
sys.path.insert(0, {root!r})
django.setup()
from django.utils import timezone
from creditors.models import Creditor
from integrations.bank.settlements import settlement_create
start = float(sys.argv[2])
creditor = Creditor.objects.get(pk=int(sys.argv[1]))
today = timezone.localdate()
while time.time() < start:
    time.sleep(0.001)
made = settlement_create(creditor=creditor, period_start=today.replace(day=1), period_end=today)
print(made.payments if made else 0)
"""


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_settle_each_payment_once(tenant_a):
    agent = agency_user(username="agent-concurrent")
    creditor = tenant_a.creditor
    payments = []
    for n in range(6):
        case = known_case(creditor, "1000.00", compensation="310.00")
        payments.append(pay_agency(case, f"{100 + n}.00", agent))
        payments.append(pay_direct(case, "50.00"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "collections_portal.settings",
        "DATABASE_URL": app_database_url(),
    }
    start = time.time() + 3
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER.format(root=str(ROOT)), str(creditor.pk), str(start)],
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
    settled = sorted(int(out.split()[-1]) for out, _ in outputs)
    assert settled == [0, len(payments)]  # one run settled all, the other found nothing
    with creditor_scope(creditor):
        assert Settlement.objects.count() == 1
    lines = SettlementLine.objects.filter(payment__in=payments)
    assert lines.count() == len(payments)
    assert not lines.values("payment_id").annotate(n=Count("pk")).filter(n__gt=1).exists()
    marks = ReceivedPayment.objects.filter(payment__in=payments)
    assert marks.count() == 6 and all(row.settled_at for row in marks)
    assert len({row.settlement_reference for row in marks}) == 1
