"""Stored files are never served from MEDIA_URL, in any mode: only views that check the
tenant serve letters and documents (an import upload holds full CPR numbers)."""

import importlib

import pytest
from django.core.files.base import ContentFile
from django.urls import clear_url_caches, reverse
from django.utils import timezone

from collections_portal import tenancy
from notices.models import Notice, NoticeKind

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 a stored letter"


@pytest.fixture(params=[True, False], ids=["DEBUG", "production"])
def urls_in_mode(request, settings, tmp_path):
    """The URL configuration as it is built with DEBUG on and off (it is built at import)."""
    import collections_portal.urls

    settings.DEBUG = request.param
    settings.MEDIA_ROOT = tmp_path
    importlib.reload(collections_portal.urls)
    clear_url_caches()
    yield request.param
    settings.DEBUG = False
    importlib.reload(collections_portal.urls)
    clear_url_caches()


def stored_letter(tenant) -> Notice:
    with tenancy.creditor_scope(tenant.creditor):
        notice = Notice.objects.create(
            creditor=tenant.creditor,
            case=tenant.case,
            kind=NoticeKind.REMINDER,
            sequence=1,
            dated=timezone.localdate(),
        )
        notice.pdf.save("letter.pdf", ContentFile(PDF))
    return notice


def test_media_url_serves_nothing_signed_in_or_not(client, tenant_a, urls_in_mode, settings):
    notice = stored_letter(tenant_a)
    path = f"{settings.MEDIA_URL}{notice.pdf.name}"
    assert (settings.MEDIA_ROOT / notice.pdf.name).read_bytes() == PDF  # the file is there
    assert client.get(path).status_code == 404
    client.force_login(tenant_a.user)
    assert client.get(path).status_code == 404
    # The letter is served by its view, which checks the tenant.
    response = client.get(reverse("notice_pdf", args=[notice.pk]))
    assert response.status_code == 200
    assert b"".join(response) == PDF


def test_any_stored_path_is_404(client, urls_in_mode, settings):
    (settings.MEDIA_ROOT / "imports").mkdir()
    (settings.MEDIA_ROOT / "imports" / "upload.csv").write_text("cpr;amount\n0101501234;100\n")
    assert client.get(f"{settings.MEDIA_URL}imports/upload.csv").status_code == 404


def test_another_creditors_letter_is_404_through_its_view(client, tenant_a, tenant_b):
    notice = stored_letter(tenant_b)
    client.force_login(tenant_a.user)
    assert client.get(reverse("notice_pdf", args=[notice.pk])).status_code == 404
