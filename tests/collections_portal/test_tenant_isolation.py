"""Every URL that takes an object id answers 404 to a member of another creditor.

The URLs are found by walking the project's URL configuration, so a URL added later is tested
without anyone remembering to add it here. A URL whose keyword argument this file does not know
fails the test until someone says how to make another creditor's object for it.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from collections_portal import tenancy
from tests.conftest import Tenant


# How to find the object a URL keyword argument names, in a given tenant.
def _notice_of(tenant: Tenant) -> int:
    """A letter on the tenant's case (made once; not rendered: the PDF view then redirects)."""
    from django.utils import timezone

    from notices.models import Notice, NoticeKind

    with tenancy.creditor_scope(tenant.creditor):
        notice, _ = Notice.objects.get_or_create(
            creditor=tenant.creditor,
            case=tenant.case,
            kind=NoticeKind.REMINDER,
            sequence=1,
            defaults={"dated": timezone.localdate()},
        )
    return notice.pk


def _settlement_of(tenant: Tenant):
    """An (empty) settlement of the tenant's, as the statement URLs name it."""
    from django.utils import timezone

    from integrations.bank.models import Settlement

    zero = 0
    today = timezone.localdate()
    with tenancy.creditor_scope(tenant.creditor):
        settlement, _ = Settlement.objects.get_or_create(
            number=f"T-{tenant.creditor.pk}",
            defaults={
                "creditor": tenant.creditor,
                "period_start": today,
                "period_end": today,
                "interest_share": zero,
                "commission_percent": zero,
                "compensation_to": "creditor",
                "payments": 0,
                **dict.fromkeys(
                    [
                        "received",
                        "principal",
                        "interest_creditor",
                        "interest_agency",
                        "compensation_creditor",
                        "compensation_agency",
                        "costs_agency",
                        "commission",
                        "creditor_share",
                        "agency_share",
                        "credit_held",
                        "direct_received",
                        "direct_owed",
                        "payout",
                    ],
                    zero,
                ),
            },
        )
    return settlement.public_id


def _document_of(tenant: Tenant) -> int:
    """A document on the tenant's case (made once)."""
    from django.core.files.base import ContentFile

    from cases.models import CaseDocument
    from cases.services.documents import case_document_add

    with tenancy.creditor_scope(tenant.creditor):
        document = CaseDocument.objects.filter(case=tenant.case).first()
        if document is None:
            document = case_document_add(
                case=tenant.case, file=ContentFile(b"%PDF-1.4 walk", name="walk.pdf")
            )
    return document.pk


def _webhook_delivery_of(tenant: Tenant):
    """A test delivery to a webhook endpoint of the tenant's (made again when a walked page,
    the delete, has removed it), as the settings pages name them."""
    from django.test import override_settings

    from integrations.webhooks.models import WebhookDelivery
    from integrations.webhooks.services import webhook_endpoint_create, webhook_endpoint_test

    with tenancy.creditor_scope(tenant.creditor):
        delivery = WebhookDelivery.objects.filter(creditor=tenant.creditor).first()
        if delivery is None:
            with override_settings(WEBHOOKS_ALLOW_PRIVATE_HOSTS=True):  # never called here
                endpoint, _secret = webhook_endpoint_create(
                    creditor_id=tenant.creditor.pk,
                    url="http://127.0.0.1:9/walk",
                    events=["case.created"],
                )
            delivery = webhook_endpoint_test(endpoint=endpoint)
    return delivery


def _import_job_of(tenant: Tenant):
    """An import job of the tenant's (its row only: the pages read no file)."""
    from integrations.imports.models import ImportJob

    with tenancy.creditor_scope(tenant.creditor):
        job = ImportJob.objects.filter(original_name="walk.csv").first()
        if job is None:
            job = ImportJob.objects.create(
                creditor=tenant.creditor,
                format="csv",
                original_name="walk.csv",
                file_sha256="0" * 64,
                group_per_debtor=False,
            )
    return job.public_id


def _case_export_of(tenant: Tenant):
    """A case export of the tenant's, queued (its download then leads to its page)."""
    from integrations.imports.models import CaseExport

    with tenancy.creditor_scope(tenant.creditor):
        job = CaseExport.objects.filter(query="walk").first()
        if job is None:
            job = CaseExport.objects.create(
                creditor=tenant.creditor, format="csv", query="walk", language="da"
            )
    return job.public_id


OBJECT_KWARGS: dict[str, Callable[[Tenant], object]] = {
    "case_id": lambda t: t.case.pk,
    "debtor_id": lambda t: t.debtor.pk,
    "notice_id": _notice_of,
    "settlement_id": _settlement_of,
    "document_id": _document_of,
    # The settings pages' webhook endpoint and its delivery (creditors/views_webhooks.py).
    "endpoint_id": lambda t: _webhook_delivery_of(t).endpoint_id,
    "delivery_id": lambda t: _webhook_delivery_of(t).pk,
    "job_id": _import_job_of,
    "export_id": _case_export_of,
}

# URLs with arguments that do not name tenant data, and why.
NOT_TENANT_DATA = {
    "password_reset_confirm": "a signed token for one user, not a creditor's object",
    "invitation_accept": "a signed invitation token; a forged one is 400 "
    "(tests/creditors/test_settings_services.py), another creditor's rows are tested in "
    "tests/api/test_tenant_isolation.py",
    "map": "an upload waiting for its column mapping, named by a token in the user's own "
    "session (another user's or creditor's token is 404: tests/imports/test_portal.py)",
}
# URL prefixes walked by another test, and why.
ELSEWHERE = {
    "api/": "the REST API; tests/api/test_tenant_isolation.py walks it with API keys",
}
# URL namespaces outside the creditor portal, and why.
NOT_TENANT_NAMESPACES = {
    "admin": "agency staff only; tests/creditors/test_admin.py shows creditor users are refused",
    "bank": "agency staff only (/agency/); tests/bank/test_pages.py shows creditor users are "
    "refused on every one",
    "work": "agency staff only (/workspace/); tests/cases/test_workspace_views.py shows creditor "
    "users are refused on every one",
}


@dataclass(frozen=True)
class UrlWithObject:
    name: str
    route: str
    kwargs: tuple[str, ...]


def _walk(patterns, prefix: str = "", namespace: str | None = None) -> Iterator[UrlWithObject]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in NOT_TENANT_NAMESPACES or prefix + str(entry.pattern) in ELSEWHERE:
                continue
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            converters = getattr(entry.pattern, "converters", {})
            if converters and entry.name not in NOT_TENANT_DATA:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                yield UrlWithObject(name, prefix + str(entry.pattern), tuple(sorted(converters)))


def urls_with_objects() -> list[UrlWithObject]:
    return list(_walk(get_resolver().url_patterns))


@pytest.fixture
def owner_a(tenant_a):
    """The walk signs in as tenant A's owner: the role that may open every creditor page (the
    settings pages refuse members with 403, before any look-up)."""
    from creditors.models import Role
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username="alfa-owner")
    MembershipFactory(user=user, creditor=tenant_a.creditor, role=Role.OWNER)
    return user


def _request(client, url: str) -> int:
    status = client.get(url).status_code
    if status == 405:  # a POST-only action
        status = client.post(url).status_code
    return status


def find_leaks(client, own: Tenant, other: Tenant) -> list[str]:
    """Request every URL with the other tenant's objects; list those that did not answer 404."""
    leaks = []
    for url in urls_with_objects():
        unknown = [k for k in url.kwargs if k not in OBJECT_KWARGS]
        assert not unknown, (
            f"URL {url.route!r} ({url.name}) takes {unknown}: add to OBJECT_KWARGS how to find "
            "a tenant's object for it, or to NOT_TENANT_DATA why it holds no tenant data."
        )
        foreign = reverse(url.name, kwargs={k: OBJECT_KWARGS[k](other) for k in url.kwargs})
        status = _request(client, foreign)
        if status != 404:
            leaks.append(f"{foreign} answered {status}")
    return leaks


def test_the_walk_finds_the_object_urls():
    names = {url.name for url in urls_with_objects()}
    assert {"case_detail", "debtor_detail", "webhook_detail", "webhook_replay"} <= names


def test_own_objects_are_reachable(client, tenant_a, tenant_b, owner_a):
    """The control: the 404s below come from tenancy, not from broken pages."""
    client.force_login(owner_a)
    for url in urls_with_objects():
        own = reverse(url.name, kwargs={k: OBJECT_KWARGS[k](tenant_a) for k in url.kwargs})
        assert _request(client, own) in (200, 302), own


def test_every_object_url_is_404_for_another_creditors_member(client, tenant_a, tenant_b, owner_a):
    client.force_login(owner_a)
    assert find_leaks(client, own=tenant_a, other=tenant_b) == []


def test_the_check_catches_leaks_when_scoping_is_switched_off(
    client, tenant_a, tenant_b, owner_a, monkeypatch
):
    """Were the middleware to give creditor users the agency's scope, every URL would leak."""
    monkeypatch.setattr(
        tenancy, "creditor_scope", lambda creditor: tenancy.agency_scope(reason="test: no scoping")
    )
    client.force_login(owner_a)
    leaks = find_leaks(client, own=tenant_a, other=tenant_b)
    assert len(leaks) == len(urls_with_objects())


@pytest.mark.parametrize("path", ["/cases/", "/debtors/", "/"])
def test_lists_show_only_own_creditors_objects(client, tenant_a, tenant_b, path):
    client.force_login(tenant_a.user)
    body = client.get(path).content.decode()
    assert tenant_b.case.reference not in body
    assert tenant_b.debtor.name not in body
    assert tenant_b.creditor.name not in body


@pytest.mark.parametrize("name", ["case_export_csv", "case_export_xlsx"])
def test_exports_hold_only_own_creditors_cases(client, tenant_a, tenant_b, name):
    """The case list's exports (no object in their URL, so not in the walk above)."""
    import io

    from openpyxl import load_workbook

    client.force_login(tenant_a.user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    if response.streaming:
        text = b"".join(response.streaming_content).decode("utf-8-sig")
    else:
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
        text = "\n".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)
    assert tenant_a.case.reference in text
    assert tenant_b.case.reference not in text
    assert tenant_b.debtor.name not in text
    assert tenant_b.creditor.name not in text


def test_the_cpr_look_up_never_finds_another_creditors_debtor(client, tenant_a, tenant_b):
    client.force_login(tenant_a.user)
    response = client.post(
        reverse("case_lookup"),
        {"national_id": tenant_b.debtor.national_id, "reason": "isolation walk"},
    )
    assert response.status_code == 302
    assert "debtor=" not in response["Location"]
    body = client.get(response["Location"]).content.decode()
    assert tenant_b.debtor.name not in body


def test_a_case_list_filter_naming_another_creditors_debtor_shows_nothing(
    client, tenant_a, tenant_b
):
    client.force_login(tenant_a.user)
    response = client.get("/cases/", {"debtor": tenant_b.debtor.pk})
    assert response.context["rows"] == []
    response = client.get("/cases/", {"creditor": tenant_b.creditor.pk})
    assert tenant_b.case.reference not in response.content.decode()
