"""The Idempotency-Key header: a retried POST replays the first response and creates nothing."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import Case, Claim, Payment
from collections_portal.tenancy import creditor_scope
from integrations.api.idempotency import idempotency_records_delete_expired
from integrations.api.models import IdempotencyRecord
from tests.factories import agency_user

from .conftest import case_payload, days_ago, key_client

CASES = "/api/v1/cases/"


def post(client, payload, key, path=CASES):
    return client.post(path, payload, format="json", HTTP_IDEMPOTENCY_KEY=key)


def cases_of(creditor) -> int:
    with creditor_scope(creditor):
        return Case.objects.count()


@pytest.mark.django_db
def test_the_same_key_and_body_replays_the_first_response(api_a, tenant_a):
    first = post(api_a, case_payload(), "upload-2026-11-23")
    assert first.status_code == 201
    again = post(api_a, case_payload(), "upload-2026-11-23")
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Location"] == first["Location"]
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert cases_of(tenant_a.creditor) == 2  # the fixture's and this one


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_422(api_a, tenant_a):
    assert post(api_a, case_payload("INV-1"), "k1").status_code == 201
    response = post(api_a, case_payload("INV-2"), "k1")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"][0]["field"] == "Idempotency-Key"
    with creditor_scope(tenant_a.creditor):
        assert not Claim.objects.filter(invoice_number="INV-2").exists()


@pytest.mark.django_db
def test_the_same_key_on_another_path_is_422(api_a, tenant_a):
    assert post(api_a, case_payload(), "k1").status_code == 201
    response = post(api_a, case_payload(), "k1", path=f"{CASES}{tenant_a.case.pk}/notes/")
    assert response.status_code == 422


@pytest.mark.django_db
def test_a_validation_error_is_not_kept_so_a_corrected_retry_runs(api_a, tenant_a):
    bad = case_payload(principal="-5")
    response = post(api_a, bad, "k-retry")
    assert response.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    good = post(api_a, case_payload(), "k-retry")
    assert good.status_code == 201
    assert "Idempotent-Replayed" not in good


@pytest.mark.django_db
def test_a_refusal_is_not_kept_either(api_a, tenant_a):
    """A 409 (the invoice was handed over) leaves the key free for another request."""
    assert api_a.post(CASES, case_payload("INV-1"), format="json").status_code == 201
    assert post(api_a, case_payload("INV-1"), "k-409").status_code == 409
    assert post(api_a, case_payload("INV-3"), "k-409").status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize(("length", "status"), [(255, 201), (256, 400)])
def test_the_key_is_at_most_255_characters(api_a, length, status):
    response = post(api_a, case_payload(), "k" * length)
    assert response.status_code == status
    if status == 400:
        assert response.json()["error"]["fields"][0]["field"] == "Idempotency-Key"


@pytest.mark.django_db
def test_keys_are_per_client(api_a, api_b, tenant_a, tenant_b):
    assert post(api_a, case_payload(), "shared").status_code == 201
    second = post(api_b, case_payload(), "shared")
    assert second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert cases_of(tenant_b.creditor) == 2


@pytest.mark.django_db
def test_session_users_have_their_own_keys(client, tenant_a):
    client.force_login(agency_user())
    payload = case_payload(creditor=tenant_a.creditor.pk)
    kwargs = {"content_type": "application/json", "HTTP_IDEMPOTENCY_KEY": "staff-1"}
    assert client.post(CASES, payload, **kwargs).status_code == 201
    again = client.post(CASES, payload, **kwargs)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_an_action_that_creates_is_idempotent_too(api_a, tenant_a):
    case = api_a.post(CASES, case_payload(), format="json").json()
    payload = {"amount": "100.00", "received_on": days_ago(1).isoformat()}
    path = f"{CASES}{case['id']}/direct-payments/"
    first = post(api_a, payload, "pay-1", path=path)
    again = post(api_a, payload, "pay-1", path=path)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    with creditor_scope(tenant_a.creditor):
        assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_expired_records_are_deleted_and_the_key_is_free_again(api_a, tenant_a):
    assert post(api_a, case_payload("INV-1"), "old").status_code == 201
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = post(api_a, case_payload("INV-2"), "old")
    assert response.status_code == 201  # not 422: the old record has expired
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert idempotency_records_delete_expired() == 1
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_an_unauthenticated_post_with_a_key_is_401_and_keeps_nothing():
    from rest_framework.test import APIClient

    response = post(APIClient(), case_payload(), "anon")
    assert response.status_code == 401
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_one_case(tenant_a):
    """Four threads send the same request with the same key at once: one case, four 201s."""
    raw = key_client(tenant_a.creditor).raw_key
    barrier = threading.Barrier(4)
    responses = []

    def send():
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        try:
            barrier.wait()
            responses.append(post(client, case_payload(), "concurrent"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [r.status_code for r in responses] == [201] * 4
    assert len({r.content for r in responses}) == 1
    assert sum(r.has_header("Idempotent-Replayed") for r in responses) == 3
    assert cases_of(tenant_a.creditor) == 2


@pytest.mark.django_db
def test_the_schema_documents_the_header_on_every_post(client):
    schema = client.get("/api/schema/?format=json").json()
    posts = [
        (path, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method == "post"
    ]
    assert posts
    for path, op in posts:
        names = [p["name"] for p in op.get("parameters", []) if p["in"] == "header"]
        assert "Idempotency-Key" in names, path


@pytest.mark.django_db
def test_a_multipart_upload_is_read_intact_and_replayed(api_a, tenant_a, settings, tmp_path):
    """The middleware hashes the body on its way to the view: the upload arrives whole."""
    from django.core.files.base import ContentFile

    from cases.models import CaseDocument

    settings.MEDIA_ROOT = tmp_path
    content = b"%PDF-1.4 " + bytes(range(256)) * 8000  # 2 MB: spooled to disk on the way
    path = f"{CASES}{tenant_a.case.pk}/documents/"

    def upload():
        return api_a.post(
            path,
            {"file": ContentFile(content, name="big.pdf")},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="doc-1",
        )

    first, again = upload(), upload()
    assert first.status_code == again.status_code == 201, first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["size"] == len(content)
    with creditor_scope(tenant_a.creditor):
        [document] = CaseDocument.objects.all()
        assert document.file.read() == content


@pytest.mark.django_db
def test_a_retried_upload_with_a_new_multipart_boundary_is_the_same_request(
    api_a, tenant_a, settings, tmp_path
):
    from django.test.client import encode_multipart

    from cases.models import CaseDocument

    settings.MEDIA_ROOT = tmp_path
    path = f"{CASES}{tenant_a.case.pk}/documents/"

    def upload(boundary: str, description: str = "Contract"):
        from django.core.files.base import ContentFile

        body = encode_multipart(
            boundary,
            {
                "file": ContentFile(b"%PDF-1.4 signed contract " * 10_000, name="c.pdf"),
                "description": description,
            },
        )
        return api_a.generic(
            "POST",
            path,
            body,
            content_type=f"multipart/form-data; boundary={boundary}",
            HTTP_IDEMPOTENCY_KEY="contract",
        )

    first = upload("aaaaBoundary1")
    again = upload("zzzzOtherBoundary22")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert upload("qqq", description="Another").status_code == 422
    with creditor_scope(tenant_a.creditor):
        assert CaseDocument.objects.count() == 1


@pytest.mark.django_db
def test_a_user_of_two_creditors_is_not_replayed_the_other_creditors_answer(tenant_a, tenant_b):
    """The same key while acting for another creditor is another request: it files the case
    there, instead of replaying the first creditor's answer and filing nothing."""
    from rest_framework.test import APIClient

    from creditors.models import Role
    from creditors.selectors import SESSION_CREDITOR_KEY
    from tests.factories import MembershipFactory

    MembershipFactory(user=tenant_a.user, creditor=tenant_b.creditor, role=Role.MEMBER)
    client = APIClient()
    client.force_login(tenant_a.user)
    before_a, before_b = cases_of(tenant_a.creditor), cases_of(tenant_b.creditor)

    for creditor in (tenant_a.creditor, tenant_b.creditor):
        session = client.session
        session[SESSION_CREDITOR_KEY] = creditor.pk
        session.save()
        response = post(client, case_payload(), "nightly-upload-1")
        assert response.status_code == 201, response.content
        assert "Idempotent-Replayed" not in response
        assert response.json()["creditor"] == creditor.pk

    assert cases_of(tenant_a.creditor) == before_a + 1
    assert cases_of(tenant_b.creditor) == before_b + 1
    # And within one creditor the key still replays.
    again = post(client, case_payload(), "nightly-upload-1")
    assert again["Idempotent-Replayed"] == "true"
    assert cases_of(tenant_b.creditor) == before_b + 1


@pytest.mark.django_db
def test_a_body_over_the_endpoints_limit_is_refused_before_it_is_spooled(api_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = case_payload(creditor_reference="x" * 20_000)
    response = post(api_a, body, "too-big")

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert not IdempotencyRecord.objects.filter(key="too-big").exists()


@pytest.mark.django_db
def test_the_fingerprint_reads_no_further_than_the_limit(api_a, settings):
    """Without a Content-Length to go by (a chunked upload), reading stops at the limit."""
    import json

    from django.test import RequestFactory

    from integrations.api.idempotency import IdempotencyMiddleware

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    body = json.dumps(case_payload(creditor_reference="x" * 1_000_000)).encode()
    request = RequestFactory().post(
        CASES,
        data=body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="chunked",
        HTTP_AUTHORIZATION=f"Bearer {api_a.raw_key}",
    )
    del request.META["CONTENT_LENGTH"]
    inner = request._stream
    read = []

    class Counting:
        def read(self, size=-1):
            chunk = inner.read(size)
            read.append(len(chunk))
            return chunk

    request._stream = Counting()

    def view_must_not_run(request):
        raise AssertionError("the view ran")

    response = IdempotencyMiddleware(view_must_not_run)(request)

    assert response.status_code == 413
    assert sum(read) <= 100_000 + 64 * 1024
