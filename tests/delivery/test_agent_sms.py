"""An agent's SMS from a template on a real Celery worker: a 503 from the gateway is retried
with the same idempotency key, and the debtor gets one SMS; the timeline says it was sent."""

import time
from datetime import date, timedelta

import pytest

from cases.models import CaseEvent, WorkItemReason
from cases.services import work_actions, workspace
from cases.tasks_sms import send_agent_sms
from collections_portal.tenancy import creditor_scope
from debtors.models import ContactKind, ContactPoint
from tests.cases.helpers import claim, file_case
from tests.factories import agency_user

from .conftest import gateway_env

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def sms_worker(request, transactional_db, media, sms, settings, monkeypatch):
    for name, value in gateway_env(settings).items():
        monkeypatch.setenv(name, value)
    return request.getfixturevalue("worker")


def sent_events(case, *, timeout: float = 60) -> list[CaseEvent]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with creditor_scope(case.creditor):
            found = list(CaseEvent.objects.filter(case=case, code="case.sms_sent"))
        if found:
            return found
        time.sleep(0.5)
    return []


def test_a_worker_sends_the_agents_sms_once_through_a_503(sms_worker, tenant_a, sms):
    sms.script = [503]
    case = file_case(tenant_a.creditor, claim("S-1", "700.00", date.today() - timedelta(days=30)))
    agent = agency_user(username="agent-sms", first_name="Sif")
    with creditor_scope(tenant_a.creditor):
        workspace.work_item_raise(case=case, reason=WorkItemReason.NEW_IN_COLLECTION)
        ContactPoint.objects.create(
            creditor=tenant_a.creditor,
            debtor=case.debtor,
            kind=ContactKind.MOBILE,
            value="+4520987654",
            consent=True,
            consent_source="agent",
        )
        queued = work_actions.sms_send(
            case=case, user=agent, template="callback_request", token="form-9"
        )
    send_agent_sms.apply_async(
        kwargs={"event_id": queued.pk, "creditor_id": tenant_a.creditor.pk}, queue=sms_worker
    )
    [sent] = sent_events(case)
    assert sent.data["key"] == queued.data["key"]
    keys = [r["headers"]["idempotency-key"] for r in sms.requests]
    assert keys == [queued.data["key"]] * 2  # the 503, then the retry with the same key
    assert len(sms.sent) == 1
    [message] = sms.sent.values()
    assert message["to"] == "+4520987654" and case.reference in message["message"]
