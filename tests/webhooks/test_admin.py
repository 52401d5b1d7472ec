"""The admin: a new endpoint's secret is shown once; the URL guard applies; rotate, test-fire
and replay are admin actions."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from collections_portal.tenancy import creditor_scope
from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.cases.helpers import claim, file_case
from tests.factories import UserFactory

from .conftest import send_pending

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_adding_an_endpoint_shows_its_secret_once(admin_client, tenant_a, receiver, allow_private):
    response = admin_client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {
            "creditor": tenant_a.creditor.pk,
            "url": receiver.url,
            "description": "ERP",
            "events": ["case.created", "case.state_changed"],
            "is_active": "on",
        },
        follow=True,
    )
    with creditor_scope(tenant_a.creditor):
        endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["case.created", "case.state_changed"]
    shown = [str(m) for m in response.context["messages"]]
    assert any(endpoint.secret in m for m in shown)
    page = admin_client.get(
        reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])
    ).content.decode()
    assert endpoint.secret not in page


def test_the_admin_form_refuses_a_private_host(admin_client, tenant_a, deny_private):
    response = admin_client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {
            "creditor": tenant_a.creditor.pk,
            "url": "https://169.254.169.254/latest/",
            "events": ["case.created"],
        },
    )
    assert response.status_code == 200
    assert "169.254.169.254" in str(response.context["adminform"].form.errors["url"])
    with creditor_scope(tenant_a.creditor):
        assert not WebhookEndpoint.objects.exists()


def test_rotate_test_fire_and_replay_actions(admin_client, tenant_a, receiver, allow_private):
    from integrations.webhooks.services import webhook_endpoint_create

    with creditor_scope(tenant_a.creditor):
        endpoint, old = webhook_endpoint_create(
            creditor_id=tenant_a.creditor.pk, url=receiver.url, events=["case.created"]
        )
    changelist = reverse("admin:webhooks_webhookendpoint_changelist")
    response = admin_client.post(
        changelist, {"action": "rotate_secret", "_selected_action": [endpoint.pk]}, follow=True
    )
    with creditor_scope(tenant_a.creditor):
        endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    assert any(endpoint.secret in str(m) for m in response.context["messages"])

    admin_client.post(changelist, {"action": "send_test", "_selected_action": [endpoint.pk]})
    file_case(tenant_a.creditor, claim("ADM-1", "100.00", date(2025, 3, 3)))
    send_pending(tenant_a.creditor)
    assert sorted(r.headers["Webhook-Event"] for r in receiver.requests) == [
        "case.created",
        "webhook.test",
    ]
    with creditor_scope(tenant_a.creditor):
        delivery = WebhookDelivery.objects.get(event__type="case.created")
    admin_client.post(
        reverse("admin:webhooks_webhookdelivery_changelist"),
        {"action": "replay", "_selected_action": [delivery.pk]},
    )
    send_pending(tenant_a.creditor)
    assert len(receiver.of_type("case.created")) == 2
    page = admin_client.get(
        reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk])
    ).content.decode()
    assert "200" in page  # the attempt log shows the response code
    with creditor_scope(tenant_a.creditor):
        assert WebhookEvent.objects.filter(type="case.created").count() == 1
