"""Agents pressing "next" at the same moment in parallel processes (each its own PostgreSQL
connection, as the application's role): every item is taken by exactly one agent, none is
held by two at once, and none is lost (SELECT ... FOR UPDATE SKIP LOCKED and the lease)."""

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from cases.models import WorkItem, WorkItemReason, WorkItemStatus
from cases.services import workspace
from collections_portal.tenancy import agency_scope
from tests.conftest import app_database_url
from tests.factories import agency_user

from .helpers import claim, file_case

ROOT = Path(__file__).resolve().parents[2]
AGENTS = 6
ITEMS = 150
DUE = date(2025, 1, 1)
WORKER = """
import os, sys, time, django
sys.path.insert(0, {root!r})
django.setup()
from django.contrib.auth import get_user_model
from cases.models import WorkItem
from cases.services import workspace
from collections_portal.tenancy import agency_scope
user = get_user_model().objects.get(pk=int(sys.argv[2]))
start = float(sys.argv[1])
while time.time() < start:
    time.sleep(0.001)
taken = []
presses = 0
with agency_scope(reason="test: an agent working the queue"):
    while True:
        presses += 1
        item = workspace.work_next(user=user)
        if item is None:
            break
        # Held by this agent alone while it works it.
        assert WorkItem.objects.get(pk=item.pk).leased_by_id == user.pk
        if presses % 5 == 0:
            # Pressing "next" again before finishing returns the same item: no hoarding.
            assert workspace.work_next(user=user).pk == item.pk
        workspace.work_item_done(item=item, user=user, outcome="worked")
        taken.append(item.pk)
print(" ".join(map(str, taken)))
"""


@pytest.mark.django_db(transaction=True)
def test_agents_in_parallel_processes_never_share_an_item(tenant_a, tenant_b):
    cases = [
        file_case(
            tenant.creditor, claim(f"Q-{tenant.creditor.pk}-{n}", "1000.00", date(2025, 1, 1))
        )
        for tenant in (tenant_a, tenant_b)
        for n in range(ITEMS // 2)
    ]
    with agency_scope(reason="test: raise every creditor's items"):
        ids = {
            workspace.work_item_raise(case=case, reason=WorkItemReason.CALLBACK).pk
            for case in cases
        }
    agents = [agency_user() for _ in range(AGENTS)]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "collections_portal.settings",
        "DATABASE_URL": app_database_url(),  # as the web processes run
    }
    start = time.time() + 3
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER.format(root=str(ROOT)), str(start), str(agent.pk)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for agent in agents
    ]
    outputs = [w.communicate(timeout=300) for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    per_agent = [[int(pk) for pk in out.split()] for out, _ in outputs]
    taken = Counter(pk for pks in per_agent for pk in pks)
    assert [pk for pk, n in taken.items() if n > 1] == []  # never two agents on one item
    assert set(taken) == ids  # none lost
    assert sum(1 for pks in per_agent if pks) > 1, "the agents should have worked in parallel"
    with agency_scope(reason="test: every item closed by the agent that took it"):
        closed = dict(WorkItem.objects.filter(pk__in=ids).values_list("pk", "closed_by_id"))
        assert not WorkItem.objects.filter(pk__in=ids, status=WorkItemStatus.OPEN).exists()
    by_agent = {pk: agent.pk for agent, pks in zip(agents, per_agent, strict=True) for pk in pks}
    assert closed == by_agent
