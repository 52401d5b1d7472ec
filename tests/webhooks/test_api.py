"""/api/v1/webhooks/: endpoints CRUD, secret shown once, rotate, test-fire, deliveries with
filters, replay; errors name the field; another creditor's key gets 404 everywhere."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from collections_portal.tenancy import creditor_scope
from creditors.services import api_key_create
from integrations.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from integrations.webhooks.signing import verify
from tests.cases.helpers import claim, file_case

from .conftest import send_pending

pytestmark = pytest.mark.django_db
BASE = "/api/v1/webhooks"


def client_for(creditor) -> APIClient:
    _, raw = api_key_create(creditor=creditor, name="ERP")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def api_a(tenant_a):
    return client_for(tenant_a.creditor)


@pytest.fixture
def api_b(tenant_b):
    return client_for(tenant_b.creditor)


def create(api, url, events=("case.created",), **extra):
    return api.post(
        f"{BASE}/endpoints/", {"url": url, "events": list(events), **extra}, format="json"
    )


def test_create_shows_the_secret_once(api_a, receiver, allow_private, tenant_a):
    response = create(api_a, receiver.url, ["case.created", "payment.received"], description="ERP")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["case.created", "payment.received"]
    assert body["is_active"] is True
    with creditor_scope(tenant_a.creditor):
        stored = WebhookEndpoint.objects.get(pk=body["id"])
    assert stored.creditor_id == tenant_a.creditor.pk
    assert stored.secret == body["secret"]

    detail = api_a.get(f"{BASE}/endpoints/{body['id']}/").json()
    assert "secret" not in detail and detail["url"] == receiver.url
    listed = api_a.get(f"{BASE}/endpoints/").json()
    assert [e["id"] for e in listed["results"]] == [body["id"]]
    assert all("secret" not in e for e in listed["results"])


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"url": "https://169.254.169.254/latest/", "events": ["case.created"]}, "url"),
        ({"url": "https://10.0.0.7/hook", "events": ["case.created"]}, "url"),
        ({"url": "https://localhost/hook", "events": ["case.created"]}, "url"),
        ({"url": "http://8.8.8.8/hook", "events": ["case.created"]}, "url"),
        ({"url": "not a url", "events": ["case.created"]}, "url"),
        ({"url": "https://8.8.8.8/hook", "events": []}, "events"),
        ({"url": "https://8.8.8.8/hook", "events": ["case.deleted"]}, "events"),
        ({"events": ["case.created"]}, "url"),
    ],
)
def test_a_refused_endpoint_names_the_field(api_a, deny_private, payload, field):
    response = api_a.post(f"{BASE}/endpoints/", payload, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"], error
    assert error["fields"][0]["field"].startswith(field), error
    assert not WebhookEndpoint.objects.none().exists()


def test_a_public_https_endpoint_is_accepted_with_the_guard_on(api_a, deny_private):
    response = create(api_a, "https://8.8.8.8/hooks")
    assert response.status_code == 201, response.json()


def test_update_rechecks_the_url_and_delete_removes(api_a, receiver, allow_private, settings):
    endpoint_id = create(api_a, receiver.url).json()["id"]
    response = api_a.patch(
        f"{BASE}/endpoints/{endpoint_id}/",
        {"events": ["payment.received"], "is_active": False},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["events"] == ["payment.received"]
    assert response.json()["is_active"] is False
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = False
    refused = api_a.patch(
        f"{BASE}/endpoints/{endpoint_id}/", {"url": "https://192.168.0.10/x"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"][0]["field"] == "url"
    assert api_a.delete(f"{BASE}/endpoints/{endpoint_id}/").status_code == 204
    assert api_a.get(f"{BASE}/endpoints/{endpoint_id}/").status_code == 404


def test_rotate_secret_returns_a_new_one_once(api_a, receiver, allow_private, tenant_a):
    created = create(api_a, receiver.url).json()
    response = api_a.post(
        f"{BASE}/endpoints/{created['id']}/rotate-secret/",
        {"previous_valid_hours": 0},
        format="json",
    )
    assert response.status_code == 200
    new = response.json()["secret"]
    assert new.startswith("whsec_") and new != created["secret"]
    with creditor_scope(tenant_a.creditor):
        stored = WebhookEndpoint.objects.get(pk=created["id"])
    assert (stored.secret, stored.previous_secret) == (new, "")
    bad = api_a.post(
        f"{BASE}/endpoints/{created['id']}/rotate-secret/",
        {"previous_valid_hours": 1000},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"][0]["field"] == "previous_valid_hours"


def test_test_fire_deliveries_and_replay_through_the_api(api_a, receiver, allow_private, tenant_a):
    created = create(api_a, receiver.url, ["case.created"]).json()
    fired = api_a.post(f"{BASE}/endpoints/{created['id']}/test/")
    assert fired.status_code == 202
    assert fired.json()["event"]["type"] == "webhook.test"
    assert fired.json()["status"] == "pending"
    file_case(tenant_a.creditor, claim("API-1", "250.00", date(2025, 3, 3)))
    receiver.answer(200, 500)  # the test event arrives; the case event fails once
    send_pending(tenant_a.creditor)
    assert [r.headers["Webhook-Event"] for r in receiver.requests] == [
        "webhook.test",
        "case.created",
    ]
    assert verify(created["secret"], **_sig(receiver.requests[0]))

    listed = api_a.get(f"{BASE}/endpoints/{created['id']}/deliveries/").json()["results"]
    assert [(d["event"]["type"], d["status"], d["last_response_code"]) for d in listed] == [
        ("case.created", "pending", 500),
        ("webhook.test", "succeeded", 200),
    ]
    only_failed = api_a.get(
        f"{BASE}/endpoints/{created['id']}/deliveries/", {"event_type": "case.created"}
    ).json()["results"]
    assert [d["event"]["type"] for d in only_failed] == ["case.created"]
    succeeded = api_a.get(f"{BASE}/deliveries/", {"status": "succeeded"}).json()["results"]
    assert [d["event"]["type"] for d in succeeded] == ["webhook.test"]
    bad = api_a.get(f"{BASE}/deliveries/", {"status": "nonsense"})
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"][0]["field"] == "status"

    failed_id = listed[0]["id"]
    detail = api_a.get(f"{BASE}/deliveries/{failed_id}/").json()
    assert [(a["number"], a["response_code"]) for a in detail["attempt_log"]] == [(1, 500)]
    assert detail["event"]["data"]["case"]["claims"][0]["invoice_number"] == "API-1"

    replay = api_a.post(f"{BASE}/deliveries/{failed_id}/replay/")
    assert replay.status_code == 202
    assert replay.json()["replay_of"] == failed_id
    assert replay.json()["event"]["id"] == detail["event"]["id"]


def _sig(request) -> dict:
    return {"header": request.headers["Webhook-Signature"], "body": request.body}


def test_replay_to_a_disabled_endpoint_is_refused(api_a, receiver, allow_private, tenant_a):
    created = create(api_a, receiver.url).json()
    file_case(tenant_a.creditor, claim("API-2", "250.00", date(2025, 3, 3)))
    [delivery] = send_pending(tenant_a.creditor)
    api_a.patch(f"{BASE}/endpoints/{created['id']}/", {"is_active": False}, format="json")
    response = api_a.post(f"{BASE}/deliveries/{delivery.pk}/replay/")
    assert response.status_code == 409
    assert "deaktiveret" in response.json()["error"]["message"]


def test_another_creditors_key_gets_404_on_every_webhook_object(
    api_a, api_b, receiver, allow_private, tenant_a
):
    endpoint_id = create(api_a, receiver.url).json()["id"]
    file_case(tenant_a.creditor, claim("API-3", "250.00", date(2025, 3, 3)))
    [delivery] = send_pending(tenant_a.creditor)
    urls = [
        ("get", f"{BASE}/endpoints/{endpoint_id}/"),
        ("patch", f"{BASE}/endpoints/{endpoint_id}/"),
        ("put", f"{BASE}/endpoints/{endpoint_id}/"),
        ("delete", f"{BASE}/endpoints/{endpoint_id}/"),
        ("post", f"{BASE}/endpoints/{endpoint_id}/rotate-secret/"),
        ("post", f"{BASE}/endpoints/{endpoint_id}/test/"),
        ("get", f"{BASE}/endpoints/{endpoint_id}/deliveries/"),
        ("get", f"{BASE}/deliveries/{delivery.pk}/"),
        ("post", f"{BASE}/deliveries/{delivery.pk}/replay/"),
    ]
    for method, url in urls:
        response = getattr(api_b, method)(url, {}, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.json()["error"]["status"] == 404
    assert api_b.get(f"{BASE}/endpoints/").json()["results"] == []
    assert api_b.get(f"{BASE}/deliveries/").json()["results"] == []
    # Nothing happened to A's endpoint.
    with creditor_scope(tenant_a.creditor):
        assert WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True).exists()
        assert WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).count() == 0


def test_without_credentials_it_is_401():
    client = APIClient()
    assert client.get(f"{BASE}/endpoints/").status_code == 401
    assert client.post(f"{BASE}/endpoints/", {}, format="json").status_code == 401
    assert client.get(f"{BASE}/deliveries/").status_code == 401


def test_in_the_browser_members_read_and_admins_change(client, tenant_a, receiver, allow_private):
    from creditors.models import Role
    from tests.factories import MembershipFactory, UserFactory

    client.force_login(tenant_a.user)  # a member
    assert client.get(f"{BASE}/endpoints/").status_code == 200
    payload = {"url": receiver.url, "events": ["case.created"]}
    refused = client.post(f"{BASE}/endpoints/", payload, content_type="application/json")
    assert refused.status_code == 403
    admin_user = UserFactory(username="alfa-admin")
    MembershipFactory(user=admin_user, creditor=tenant_a.creditor, role=Role.ADMIN)
    client.force_login(admin_user)
    made = client.post(f"{BASE}/endpoints/", payload, content_type="application/json")
    assert made.status_code == 201, made.json()


def test_the_openapi_schema_documents_webhooks_and_their_signature(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/webhooks/endpoints/", "/api/v1/webhooks/deliveries/{id}/replay/"):
        assert path in schema
    assert "Webhook-Signature" in schema
    assert "integrations.webhooks.signing import verify" in schema


def test_in_the_browser_agents_cannot_rotate_or_change_webhooks_supervisors_can(
    client, tenant_a, receiver, allow_private
):
    from creditors.agency import AgencyRole
    from tests.factories import agency_user

    api_a = client_for(tenant_a.creditor)
    created = create(api_a, receiver.url).json()
    rotate = f"{BASE}/endpoints/{created['id']}/rotate-secret/"
    endpoint = f"{BASE}/endpoints/{created['id']}/"

    client.force_login(agency_user(AgencyRole.AGENT))
    assert client.get(endpoint).status_code == 200  # agents read
    assert client.post(rotate, {}, content_type="application/json").status_code == 403
    assert client.delete(endpoint).status_code == 403
    with creditor_scope(tenant_a.creditor):
        assert WebhookEndpoint.objects.get(pk=created["id"]).secret == created["secret"]

    for role in (AgencyRole.SUPERVISOR, AgencyRole.ADMIN):
        client.force_login(agency_user(role))
        rotated = client.post(rotate, {}, content_type="application/json")
        assert rotated.status_code == 200, role
        assert rotated.json()["secret"] != created["secret"]


def test_a_creditor_admin_rotates_only_the_own_creditors_secret(
    client, tenant_a, tenant_b, receiver, allow_private
):
    from creditors.models import Role
    from tests.factories import MembershipFactory, UserFactory

    b_endpoint = create(client_for(tenant_b.creditor), receiver.url).json()
    user = UserFactory()
    MembershipFactory(user=user, creditor=tenant_a.creditor, role=Role.ADMIN)
    client.force_login(user)
    response = client.post(
        f"{BASE}/endpoints/{b_endpoint['id']}/rotate-secret/", {}, content_type="application/json"
    )
    assert response.status_code == 404
