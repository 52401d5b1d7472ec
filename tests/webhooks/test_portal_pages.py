"""The portal's webhook pages (/settings/webhooks/): what an owner or administrator does there,
each through the webhook services, audited; members and viewers are refused, another
creditor's endpoints and deliveries are 404."""

import pytest
from django.urls import reverse
from django.utils import translation

from collections_portal.tenancy import creditor_scope
from creditors.models import CreditorEvent, Role
from integrations.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from integrations.webhooks.services import (
    webhook_delivery_send,
    webhook_endpoint_create,
    webhook_endpoint_test,
)
from integrations.webhooks.signing import verify
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _default_language_after():
    """A request in English leaves English active in this thread (the locale middleware does
    not switch back): the tests after this one expect the default, Danish."""
    yield
    translation.deactivate()


def person(tenant, role):
    user = UserFactory()
    MembershipFactory(user=user, creditor=tenant.creditor, role=role)
    return user


@pytest.fixture
def admin_client(client, tenant_a):
    client.force_login(person(tenant_a, Role.ADMIN))
    return client


def codes(creditor) -> list[str]:
    with creditor_scope(creditor):
        events = CreditorEvent.objects.filter(creditor=creditor).order_by("pk")
        return list(events.values_list("code", flat=True))


def refresh(endpoint) -> None:
    with creditor_scope(endpoint.creditor_id):
        endpoint.refresh_from_db()


def make_endpoint(creditor, url="http://127.0.0.1:9/inkasso"):
    with creditor_scope(creditor):
        endpoint, _secret = webhook_endpoint_create(
            creditor_id=creditor.pk, url=url, events=["case.created"]
        )
    return endpoint


def test_the_form_offers_the_events_by_name(admin_client):
    page = admin_client.get(reverse("webhook_create"), **ENGLISH).content.decode()
    assert "Payment received" in page and "Settlement created" in page
    assert 'value="payment.received"' in page


def test_an_admin_creates_an_endpoint_and_sees_its_secret_once(
    admin_client, tenant_a, receiver, allow_private
):
    response = admin_client.post(
        reverse("webhook_create"),
        {"url": receiver.url, "description": "ERP", "events": ["case.created", "payment.received"]},
    )
    assert response.status_code == 201
    assert response["Cache-Control"] == "private, no-store"
    secret = response.context["secret"]
    assert secret.startswith("whsec_") and secret in response.content.decode()
    with creditor_scope(tenant_a.creditor):
        endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["case.created", "payment.received"]
    assert endpoint.secret == secret
    detail = admin_client.get(reverse("webhook_detail", args=[endpoint.pk])).content.decode()
    assert secret not in detail and receiver.url in detail
    assert codes(tenant_a.creditor) == ["webhook.endpoint_created"]


def test_the_url_guard_refuses_a_private_or_plain_http_url(admin_client, tenant_a, deny_private):
    for url in ("http://hooks.example.com/x", "https://127.0.0.1/x", "https://10.1.2.3/x"):
        response = admin_client.post(
            reverse("webhook_create"), {"url": url, "events": ["case.created"]}, **ENGLISH
        )
        assert response.status_code == 400, url
        assert list(response.context["form"].errors) == ["url"], url
        assert "<strong>URL:</strong>" in response.content.decode()
    with creditor_scope(tenant_a.creditor):
        assert not WebhookEndpoint.objects.exists()


def test_no_events_chosen_is_refused_on_the_events_field(admin_client, allow_private):
    response = admin_client.post(
        reverse("webhook_create"), {"url": "https://hooks.example.com/x"}, **ENGLISH
    )
    assert response.status_code == 400
    assert response.context["form"].errors["events"] == ["Choose at least one event."]


def test_edit_deactivate_activate_rotate_and_delete(admin_client, tenant_a, allow_private):
    endpoint = make_endpoint(tenant_a.creditor)
    old_secret = endpoint.secret
    detail = reverse("webhook_detail", args=[endpoint.pk])
    response = admin_client.post(
        detail,
        {"url": "http://127.0.0.1:9/v2", "description": "", "events": ["notice.sent"]},
    )
    assert response.status_code == 302
    refresh(endpoint)
    assert endpoint.url == "http://127.0.0.1:9/v2" and endpoint.events == ["notice.sent"]

    admin_client.post(reverse("webhook_set_active", args=[endpoint.pk]), {"active": "0"})
    refresh(endpoint)
    assert endpoint.is_active is False
    admin_client.post(reverse("webhook_set_active", args=[endpoint.pk]), {"active": "1"})
    refresh(endpoint)
    assert endpoint.is_active is True

    response = admin_client.post(reverse("webhook_rotate_secret", args=[endpoint.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    refresh(endpoint)
    assert endpoint.secret == response.context["secret"] != old_secret
    assert endpoint.previous_secret == old_secret  # keeps signing for the grace period

    response = admin_client.post(reverse("webhook_delete", args=[endpoint.pk]))
    assert response.status_code == 302
    with creditor_scope(tenant_a.creditor):
        assert not WebhookEndpoint.objects.exists()
        change = CreditorEvent.objects.filter(
            creditor=tenant_a.creditor, code="webhook.endpoint_changed"
        ).earliest("pk")
    assert change.data["changes"]["events"] == ["case.created", "notice.sent"]
    assert codes(tenant_a.creditor) == [
        "webhook.endpoint_created",
        "webhook.endpoint_changed",
        "webhook.endpoint_changed",
        "webhook.endpoint_changed",
        "webhook.secret_rotated",
        "webhook.endpoint_deleted",
    ]
    # The secret is never written to the audit log.
    with creditor_scope(tenant_a.creditor):
        logged = str(list(CreditorEvent.objects.values_list("data", flat=True)))
    assert old_secret not in logged and endpoint.secret not in logged


def test_test_fire_and_replay_reach_the_receiver_and_show_in_the_log(
    admin_client, tenant_a, receiver, allow_private
):
    endpoint = make_endpoint(tenant_a.creditor, url=receiver.url)
    admin_client.post(reverse("webhook_test", args=[endpoint.pk]))
    with creditor_scope(tenant_a.creditor):
        [delivery] = WebhookDelivery.objects.all()
    with creditor_scope(tenant_a.creditor):
        webhook_delivery_send(delivery_id=delivery.pk)  # as the queued task does
    [got] = receiver.requests
    assert got.headers["Webhook-Event"] == "webhook.test"
    refresh(endpoint)
    assert verify(endpoint.secret, got.headers["Webhook-Signature"], got.body)

    page = admin_client.get(reverse("webhook_detail", args=[endpoint.pk]), **ENGLISH)
    [row] = page.context["deliveries"]
    assert row.status == DeliveryStatus.SUCCEEDED and row.last_response_code == 200
    assert "Test event" in page.content.decode() and "Succeeded" in page.content.decode()

    response = admin_client.post(reverse("webhook_replay", args=[endpoint.pk, delivery.pk]))
    assert response.status_code == 302
    with creditor_scope(tenant_a.creditor):
        replay = WebhookDelivery.objects.get(replay_of=delivery)
        webhook_delivery_send(delivery_id=replay.pk)
    assert len(receiver.requests) == 2
    assert receiver.requests[1].headers["Webhook-Id"] == got.headers["Webhook-Id"]
    assert codes(tenant_a.creditor)[-2:] == ["webhook.test_sent", "webhook.delivery_replayed"]


def _every_webhook_url(endpoint, delivery) -> list[tuple[str, str]]:
    e = endpoint.pk
    return [
        ("get", reverse("webhook_detail", args=[e])),
        ("post", reverse("webhook_detail", args=[e])),
        ("post", reverse("webhook_rotate_secret", args=[e])),
        ("post", reverse("webhook_set_active", args=[e])),
        ("post", reverse("webhook_delete", args=[e])),
        ("post", reverse("webhook_test", args=[e])),
        ("post", reverse("webhook_replay", args=[e, delivery.pk])),
    ]


@pytest.fixture
def foreign(tenant_b, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True
    endpoint = make_endpoint(tenant_b.creditor, url="http://127.0.0.1:9/b")
    with creditor_scope(tenant_b.creditor):
        delivery = webhook_endpoint_test(endpoint=endpoint)
    return endpoint, delivery


def test_another_creditors_endpoint_and_delivery_are_404(admin_client, tenant_b, foreign):
    endpoint, delivery = foreign
    for method, url in _every_webhook_url(endpoint, delivery):
        data = {"url": "https://x.example.com/", "events": ["case.created"], "active": "0"}
        status = getattr(admin_client, method)(url, data).status_code
        assert status == 404, f"{method.upper()} {url} answered {status}"
    with creditor_scope(tenant_b.creditor):
        endpoint.refresh_from_db()
        assert endpoint.is_active and WebhookDelivery.objects.count() == 1
    assert codes(tenant_b.creditor) == ["webhook.endpoint_created", "webhook.test_sent"]


def test_a_delivery_of_another_endpoint_of_the_same_creditor_is_404(
    admin_client, tenant_a, allow_private
):
    one = make_endpoint(tenant_a.creditor, url="http://127.0.0.1:9/one")
    two = make_endpoint(tenant_a.creditor, url="http://127.0.0.1:9/two")
    with creditor_scope(tenant_a.creditor):
        delivery = webhook_endpoint_test(endpoint=two)
    response = admin_client.post(reverse("webhook_replay", args=[one.pk, delivery.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_members_and_viewers_are_refused_every_webhook_page(client, tenant_a, role, allow_private):
    endpoint = make_endpoint(tenant_a.creditor, url="http://127.0.0.1:9/a")
    with creditor_scope(tenant_a.creditor):
        delivery = webhook_endpoint_test(endpoint=endpoint)
    client.force_login(person(tenant_a, role))
    pages = [("get", reverse("webhooks")), ("get", reverse("webhook_create"))]
    pages += [("post", reverse("webhook_create")), *_every_webhook_url(endpoint, delivery)]
    for method, url in pages:
        data = {"url": "https://x.example.com/", "events": ["case.created"], "active": "0"}
        status = getattr(client, method)(url, data).status_code
        assert status == 403, f"{method.upper()} {url} answered {status}"
    with creditor_scope(tenant_a.creditor):
        assert WebhookEndpoint.objects.get().url == "http://127.0.0.1:9/a"
        assert WebhookDelivery.objects.count() == 1
