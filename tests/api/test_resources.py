"""Debtors and notices over the API; the per-key rate limit; a clean OpenAPI schema."""

import pytest
import weasyprint
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command

from collections_portal.tenancy import creditor_scope
from debtors.models import Debtor
from integrations.api.throttling import ApiKeyRateThrottle
from notices.models import Notice, NoticeKind, NoticeStatus

from .conftest import key_client

pytestmark = pytest.mark.django_db

DEBTORS = "/api/v1/debtors/"
PERSON = {
    "kind": "person",
    "name": "Karen Jensen",
    "national_id": "030385-4321",
    "address_line": "Vestergade 2",
    "postal_code": "5000",
    "city": "Odense C",
}


def test_a_debtor_is_created_with_its_cpr_number_masked(api_a, tenant_a):
    response = api_a.post(DEBTORS, PERSON, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["national_id_masked"] == "030385-XXXX"
    assert "4321" not in response.content.decode()
    assert response["Location"] == f"/api/v1/debtors/{body['id']}/"
    with creditor_scope(tenant_a.creditor):
        assert Debtor.objects.get(pk=body["id"]).national_id == "0303854321"
    assert api_a.get(f"{DEBTORS}{body['id']}/").json() == body


def test_the_same_cpr_number_finds_the_existing_debtor(api_a):
    first = api_a.post(DEBTORS, PERSON, format="json")
    second = api_a.post(DEBTORS, {**PERSON, "national_id": "0303854321"}, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]


def test_a_company_shows_its_public_cvr_number(api_a, tenant_a):
    cvr = tenant_a.creditor.cvr  # any valid CVR number
    company = {**PERSON, "kind": "company", "name": "Fjord ApS", "national_id": cvr}
    body = api_a.post(DEBTORS, company, format="json").json()
    assert body["national_id_masked"] == cvr


def test_a_bad_cpr_number_is_400_naming_the_field(api_a):
    response = api_a.post(DEBTORS, {**PERSON, "national_id": "321321-3213"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "national_id"


def test_debtors_are_listed_and_found_by_number(api_a, tenant_a):
    api_a.post(DEBTORS, PERSON, format="json")
    rows = api_a.get(DEBTORS).json()["results"]
    assert {r["name"] for r in rows} == {"Karen Jensen", tenant_a.debtor.name}
    found = api_a.post(
        f"{DEBTORS}lookup/", {"national_id": "030385-4321", "reason": "ERP sync"}, format="json"
    ).json()["results"]
    assert [r["name"] for r in found] == ["Karen Jensen"]


def _notice(tenant, **kwargs) -> Notice:
    with creditor_scope(tenant.creditor):
        return Notice.objects.create(
            creditor=tenant.creditor,
            case=tenant.case,
            kind=NoticeKind.REMINDER,
            dated=tenant.case.created_at.date(),
            **kwargs,
        )


def test_notices_are_listed_and_a_pending_one_has_no_pdf_yet(api_a, tenant_a):
    notice = _notice(tenant_a)
    rows = api_a.get("/api/v1/notices/", {"case": tenant_a.case.pk}).json()["results"]
    assert [(r["id"], r["status"], r["pdf_available"]) for r in rows] == [
        (notice.pk, "pending", False)
    ]
    response = api_a.get(f"/api/v1/notices/{notice.pk}/pdf/")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_rendered"
    assert "ikke dannet endnu" in error["message"]


def test_a_rendered_notice_downloads_as_pdf(api_a, tenant_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    notice = _notice(tenant_a, status=NoticeStatus.RENDERED)
    pdf = weasyprint.HTML(string="<h1>Rykker</h1>").write_pdf()
    with creditor_scope(tenant_a.creditor):
        notice.pdf.save("r.pdf", ContentFile(pdf))
    detail = api_a.get(f"/api/v1/notices/{notice.pk}/").json()
    assert detail["pdf_available"] is True
    response = api_a.get(detail["pdf_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == pdf


def test_the_rate_limit_is_per_key(tenant_a, monkeypatch):
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "3/min"})
    first, second = key_client(tenant_a.creditor), key_client(tenant_a.creditor)
    for client in (first, second):
        cache.delete(f"throttle_api_key_key:{client.api_key.pk}")
    assert [first.get(DEBTORS).status_code for _ in range(3)] == [200] * 3
    limited = first.get(DEBTORS)
    assert limited.status_code == 429
    assert limited.json()["error"]["status"] == 429
    assert int(limited["Retry-After"]) > 0
    assert second.get(DEBTORS).status_code == 200  # another key has its own budget


def test_the_schema_validates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert "Idempotency-Key" in (tmp_path / "schema.yaml").read_text()
