"""How "next" commits its lease: in one statement, and without waiting for the WAL flush when
the claim is its own transaction (a lease is a soft claim; see bench/README.md), never inside
a caller's transaction, whose writes must stay durable."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from cases.models import WorkItem, WorkItemReason
from cases.services import workspace
from collections_portal.tenancy import agency_scope
from tests.factories import agency_user

from .helpers import claim, file_case

ASYNC_COMMIT = "SET LOCAL synchronous_commit TO OFF"


@pytest.fixture
def item(tenant_a):
    case = file_case(tenant_a.creditor, claim("C-1", "700.00", timezone.localdate() - timedelta(9)))
    with agency_scope(reason="test: an item to claim"):
        return workspace.work_item_raise(case=case, reason=WorkItemReason.CALLBACK)


def claim_recording(user) -> tuple[WorkItem | None, list[str]]:
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with agency_scope(reason="test: next"), connection.execute_wrapper(record):
        return workspace.work_next(user=user), statements


@pytest.mark.django_db(transaction=True)
def test_a_claim_of_its_own_commits_the_lease_asynchronously(item):
    agent = agency_user()
    got, statements = claim_recording(agent)
    assert got is not None and got.pk == item.pk
    assert ASYNC_COMMIT in statements
    # One UPDATE picks and leases the row; no SELECT ... FOR UPDATE followed by a save.
    claims = [s for s in statements if s.startswith("UPDATE")]
    assert len(claims) == 1 and "SKIP LOCKED" in claims[0]
    with agency_scope(reason="test: the lease is committed"):
        leased = WorkItem.objects.get(pk=item.pk)
    assert leased.leased_by == agent and leased.leased_until > timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"  # LOCAL: the setting ended with the transaction


@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_the_commit_is_left_alone(item):
    agent = agency_user()
    with transaction.atomic():
        got, statements = claim_recording(agent)
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
    assert got is not None and got.pk == item.pk
    assert ASYNC_COMMIT not in statements


@pytest.mark.django_db
def test_an_agents_own_lease_is_returned_without_a_new_claim(item):
    agent = agency_user()
    first, _ = claim_recording(agent)
    again, statements = claim_recording(agent)
    assert again.pk == first.pk == item.pk
    assert not [s for s in statements if s.startswith("UPDATE")]
