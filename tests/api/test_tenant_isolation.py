"""Every API URL that names an object answers 404 to another creditor's API key.

The URLs are found by walking /api/v1/ in the URL configuration, so an endpoint added later (by
any app) is tested without anyone remembering to. A URL whose keyword argument, or whose route
name, this file does not know fails the test until someone says how to make another creditor's
object for it (OBJECTS below).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
import weasyprint
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cases.models import PaymentMethod
from cases.services import payment_register
from cases.services.documents import case_document_add
from cases.services.lifecycle import dispute_open
from collections_portal import tenancy
from collections_portal.tenancy import creditor_scope
from integrations.api import scoping
from integrations.imports.services import import_job_create
from integrations.webhooks.services import webhook_endpoint_create, webhook_endpoint_test
from tests.cases.helpers import claim, file_case

from .conftest import key_client

pytestmark = pytest.mark.django_db


@dataclass
class World:
    """One creditor's objects of every kind the API serves."""

    debtor: object
    case: object
    payment: object
    notice: object
    document: object
    import_job: object
    webhook_endpoint: object
    webhook_delivery: object


def make_world(creditor, tag: str) -> World:
    case = file_case(creditor, claim(f"{tag}-1", "500.00", timezone.localdate() - timedelta(30)))
    with creditor_scope(creditor):
        payment = payment_register(
            case=case,
            amount="100.00",
            received_on=timezone.localdate(),
            method=PaymentMethod.BANK_TRANSFER,
        )
        dispute_open(case=case, reason="Wrong amount")
        notice = case.notices.get()
        # A rendered letter, so the PDF download answers 200 to its own creditor.
        pdf = weasyprint.HTML(string=f"<p>Notice {tag}</p>").write_pdf()
        notice.pdf.save("n.pdf", ContentFile(pdf))
        document = case_document_add(case=case, file=ContentFile(b"%PDF-1.4 copy", name="copy.pdf"))
        upload = ContentFile(b"[]", name="invoices.json")
        import_job = import_job_create(creditor=creditor, upload=upload, fmt="json")
        endpoint, _secret = webhook_endpoint_create(
            creditor_id=creditor.pk, url="http://127.0.0.1:9/inkasso", events=["case.created"]
        )
        delivery = webhook_endpoint_test(endpoint=endpoint)
    return World(case.debtor, case, payment, notice, document, import_job, endpoint, delivery)


# Route name prefix (the router's basename) -> the object its ``pk`` names.
OBJECTS: dict[str, Callable[[World], object]] = {
    "api-debtor": lambda w: w.debtor,
    "api-case": lambda w: w.case,
    "api-payment": lambda w: w.payment,
    "api-notice": lambda w: w.notice,
    "api-document": lambda w: w.document,
    "import": lambda w: w.import_job,
    "webhook-endpoint": lambda w: w.webhook_endpoint,
    "webhook-delivery": lambda w: w.webhook_delivery,
    # The agency's own endpoints (AGENCY_ONLY): the agents' money tools name the creditor's own
    # case or payment; bank files and unmatched payments are the agency's, not a creditor's,
    # and a creditor's client never gets past the role check, so any id names them here.
    "agency-case": lambda w: w.case,
    "agency-payment": lambda w: w.payment,
    # The workspace's work items (agency staff only: tests/api/test_workspace_api.py tests
    # which creditors an agent reaches).
    "agency-work-item": lambda w: AgencyObject(),
    "bank-file": lambda w: AgencyObject(),
    "bank-unmatched": lambda w: AgencyObject(),
}
# Route name prefixes of the agency's own endpoints (bank files, unmatched payments, the agents'
# money tools): a creditor's key or user is refused (403) whether the object is its own or not.
AGENCY_ONLY = ("agency-", "bank-")


class AgencyObject:
    """An id of the shape the agency's endpoints take."""

    pk = 1
    public_id = uuid.UUID(int=1)


def expected_for_creditors(url) -> tuple[int, ...] | None:
    """403 for the agency's own endpoints; None for the rest (their checks below apply)."""
    return (403,) if url.name.startswith(AGENCY_ONLY) else None


# URL keyword -> how to read it off the object it names.
KNOWN_KWARGS: dict[str, Callable[[object], object]] = {
    "pk": lambda obj: obj.pk,
    "public_id": lambda obj: obj.public_id,
}


@dataclass(frozen=True)
class ApiUrl:
    name: str
    route: str
    kwargs: tuple[str, ...]


def _walk(patterns, prefix: str = "") -> Iterator[ApiUrl]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            converters = getattr(entry.pattern, "converters", {})
            if route.startswith("api/v1/") and converters and "format" not in converters:
                yield ApiUrl(entry.name, route, tuple(sorted(converters)))


def api_urls_with_objects() -> list[ApiUrl]:
    return list(_walk(get_resolver().url_patterns))


def _object_for(url: ApiUrl, world: World):
    unknown = [k for k in url.kwargs if k not in KNOWN_KWARGS]
    assert not unknown, (
        f"API URL {url.route!r} ({url.name}) takes {unknown}: teach this test which object "
        "it names."
    )
    prefix = next((p for p in OBJECTS if url.name.startswith(p + "-")), None)
    assert prefix is not None, (
        f"API URL {url.route!r} ({url.name}) names an object this test cannot make: add its "
        "route name prefix to OBJECTS."
    )
    return OBJECTS[prefix](world)


def _path(url: ApiUrl, world: World) -> str:
    obj = _object_for(url, world)
    return reverse(url.name, kwargs={k: KNOWN_KWARGS[k](obj) for k in url.kwargs})


def _status(client, path: str) -> int:
    status = client.get(path).status_code
    if status == 405:  # a POST-only action
        status = client.post(path, {}, format="json").status_code
    return status


def find_leaks(client, other: World) -> list[str]:
    leaks = []
    for url in api_urls_with_objects():
        path = _path(url, other)
        status = _status(client, path)
        if status not in (expected_for_creditors(url) or (404,)):
            leaks.append(f"{path} answered {status}")
    return leaks


@pytest.fixture
def worlds(tenant_a, tenant_b, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True  # the endpoints are never called here
    return make_world(tenant_a.creditor, "A"), make_world(tenant_b.creditor, "B")


def test_the_walk_finds_every_resource():
    names = {url.name for url in api_urls_with_objects()}
    assert {
        "api-debtor-detail",
        "api-case-detail",
        "api-case-withdraw",
        "api-case-pause",
        "api-case-direct-payments",
        "api-case-disputes",
        "api-case-notes",
        "api-case-messages",
        "api-case-documents",
        "api-payment-detail",
        "api-notice-detail",
        "api-notice-pdf",
        "api-document-detail",
        "api-document-download",
    } <= names


def test_own_objects_are_reachable(tenant_a, worlds):
    """The control: the 404s below come from tenancy, not from broken endpoints."""
    own, _other = worlds
    client = key_client(tenant_a.creditor)
    for url in api_urls_with_objects():
        path = _path(url, own)
        # 400/415: an action found the case, then refused the empty input.
        assert _status(client, path) in (expected_for_creditors(url) or (200, 400, 415)), path


def test_every_object_url_is_404_for_another_creditors_key(tenant_a, worlds):
    _own, other = worlds
    assert find_leaks(key_client(tenant_a.creditor), other) == []


def test_every_object_url_is_404_for_another_creditors_user(client, tenant_a, worlds):
    _own, other = worlds
    client.force_login(tenant_a.user)
    leaks = []
    for url in api_urls_with_objects():
        path = _path(url, other)
        status = client.get(path).status_code
        if status == 405:
            status = client.post(path, {}, content_type="application/json").status_code
        if status not in (expected_for_creditors(url) or (404,)):
            leaks.append(f"{path} answered {status}")
    assert leaks == []


def test_the_check_catches_leaks_when_scoping_is_switched_off(tenant_a, worlds, monkeypatch):
    """Were API keys given the agency's scope, every URL would leak."""
    monkeypatch.setattr(
        scoping, "creditor_scope", lambda creditor: tenancy.agency_scope(reason="test: no scope")
    )
    _own, other = worlds
    leaks = find_leaks(key_client(tenant_a.creditor), other)
    tenant_urls = [u for u in api_urls_with_objects() if expected_for_creditors(u) is None]
    assert len(leaks) == len(tenant_urls)


@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/debtors/", "/api/v1/payments/"])
def test_lists_show_only_the_keys_creditor(tenant_a, worlds, path):
    _own, other = worlds
    rows = key_client(tenant_a.creditor).get(path).json()["results"]
    ids = {row["id"] for row in rows}
    other_obj = {"cases": other.case, "debtors": other.debtor, "payments": other.payment}
    assert other_obj[path.split("/")[3]].pk not in ids
    assert ids


def test_unauthenticated_requests_are_401_everywhere(worlds):
    from rest_framework.test import APIClient

    own, _other = worlds
    client = APIClient()
    for url in api_urls_with_objects():
        path = _path(url, own)
        assert _status(client, path) == 401, path
    for path in ("/api/v1/", "/api/v1/cases/", "/api/v1/debtors/", "/api/v1/notices/"):
        assert client.get(path).status_code == 401


# The creditor's settings pages (creditors/views_settings.py) name their rows in the POST body,
# not the URL, so the walks above do not reach them: each is tried here with another creditor's
# row, by that creditor's owner's counterpart in creditor A (the role that may act).
SETTINGS_POSTS = {
    "settings_user_role": lambda other: {"membership": other["membership"].pk, "role": "admin"},
    "settings_user_remove": lambda other: {"membership": other["membership"].pk},
    "settings_invitation_revoke": lambda other: {"invitation": other["invitation"].pk},
    "api_key_revoke": lambda other: {"key": other["api_key"].pk},
}


def test_settings_posts_naming_another_creditors_rows_are_404(client, tenant_a, tenant_b):
    from creditors.models import ApiKey, Invitation, Membership, Role
    from creditors.services import api_key_create, membership_invite
    from tests.factories import MembershipFactory, UserFactory

    owner_a = UserFactory(username="alfa-owner")
    MembershipFactory(user=owner_a, creditor=tenant_a.creditor, role=Role.OWNER)
    owner_b = UserFactory(username="beta-owner")
    MembershipFactory(user=owner_b, creditor=tenant_b.creditor, role=Role.OWNER)
    other = {
        "membership": Membership.objects.get(user=tenant_b.user),
        "invitation": membership_invite(
            creditor=tenant_b.creditor,
            actor=owner_b,
            email="b@example.com",
            role=Role.MEMBER,
            base_url="http://testserver/",
        ),
        "api_key": api_key_create(creditor=tenant_b.creditor, name="Beta key")[0],
    }
    client.force_login(owner_a)
    for name, data in SETTINGS_POSTS.items():
        assert client.post(reverse(name), data(other)).status_code == 404, name
    assert Membership.objects.get(user=tenant_b.user).role == Role.MEMBER
    assert Invitation.objects.get(pk=other["invitation"].pk).revoked_at is None
    assert ApiKey.objects.get(pk=other["api_key"].pk).revoked_at is None
    # The lists show creditor A's rows only.
    users = client.get(reverse("settings_users")).content.decode()
    assert tenant_b.user.email not in users and "b@example.com" not in users
