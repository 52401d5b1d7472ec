"""GET/POST /api/v1/cases/<id>/messages/: the same service as the portal, the creditor's side
for an API key, idempotent like the other POSTs, a viewer reads only, another creditor's case
is 404."""

import pytest
from rest_framework.test import APIClient

from cases.models import CaseEvent, CaseMessage, MessageSide
from cases.services.messages import case_message_post
from collections_portal.tenancy import creditor_scope
from creditors.models import Role
from tests.factories import MembershipFactory, UserFactory, agency_user

pytestmark = pytest.mark.django_db


def path(case) -> str:
    return f"/api/v1/cases/{case.pk}/messages/"


def test_a_key_writes_for_the_creditor_and_reads_the_thread(api_a, tenant_a):
    agent = agency_user(username="agent-api")
    with creditor_scope(tenant_a.creditor):
        case_message_post(case=tenant_a.case, author=agent, body="Svar fra bureauet")
    response = api_a.post(path(tenant_a.case), {"body": "Spørgsmål fra ERP"}, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["side"] == MessageSide.CREDITOR
    assert created["author_name"] == f"API key {api_a.api_key.prefix}"
    listed = api_a.get(path(tenant_a.case)).json()["results"]
    assert [m["body"] for m in listed] == ["Svar fra bureauet", "Spørgsmål fra ERP"]
    assert listed[0]["read_by_creditor_at"] is None  # the API's read marks nothing read
    with creditor_scope(tenant_a.creditor):
        event = CaseEvent.objects.get(code="case.message_from_creditor")
    assert event.actor_label == f"API key {api_a.api_key.prefix}"


def test_a_retried_post_with_the_same_key_writes_one_message(api_a, tenant_a):
    for _ in range(2):
        response = api_a.post(
            path(tenant_a.case), {"body": "Én gang"}, format="json", HTTP_IDEMPOTENCY_KEY="m-1"
        )
        assert response.status_code == 201
    assert response.headers["Idempotent-Replayed"] == "true"
    with creditor_scope(tenant_a.creditor):
        assert CaseMessage.objects.count() == 1


def test_an_empty_message_is_400_naming_the_field(api_a, tenant_a):
    response = api_a.post(path(tenant_a.case), {"body": "   "}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "body"


def test_another_creditors_case_is_404(api_a, tenant_b):
    assert api_a.get(path(tenant_b.case)).status_code == 404
    assert api_a.post(path(tenant_b.case), {"body": "x"}, format="json").status_code == 404


def test_a_viewer_reads_but_may_not_write(tenant_a):
    viewer = UserFactory()
    MembershipFactory(user=viewer, creditor=tenant_a.creditor, role=Role.VIEWER)
    client = APIClient()
    client.force_login(viewer)
    assert client.get(path(tenant_a.case)).status_code == 200
    assert client.post(path(tenant_a.case), {"body": "x"}, format="json").status_code == 403
