"""The portal's "Upload invoices" pages: upload a CSV or XLSX file, map the columns of a file
with headers of its own (remembered per creditor), follow the job, read and download its
rejected rows, the history; the templates; who may upload; another creditor's jobs are 404."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from collections_portal.tenancy import creditor_scope
from creditors.agency import AgencyRole
from creditors.models import Role
from integrations.imports.models import ColumnMapping, ImportJob, ImportStatus
from integrations.imports.reading import COLUMNS, header_columns, read_rows
from integrations.imports.services import import_job_process
from integrations.imports.validation import Invoice, Validator
from tests.factories import MembershipFactory, UserFactory, agency_user, valid_cpr

from .helpers import invoice_rows, to_csv
from .test_xlsx import to_xlsx

pytestmark = pytest.mark.django_db

OWN_HEADER = ["Kunde", "Gade", "Post", "Bynavn", "Fakt.nr.", "Dato", "Forfald", "Total"]
OWN_MAPPING = {
    "debtor_name": "Kunde",
    "debtor_address": "Gade",
    "debtor_postal_code": "Post",
    "debtor_city": "Bynavn",
    "invoice_number": "Fakt.nr.",
    "invoice_date": "Dato",
    "due_date": "Forfald",
    "amount": "Total",
}


def own_csv(rows) -> bytes:
    ours = [{**r, **{h: r[c] for c, h in OWN_MAPPING.items()}} for r in rows]
    return to_csv(ours, header=OWN_HEADER)


def post_file(client, name: str, data: bytes):
    return client.post(reverse("imports:upload"), {"file": SimpleUploadedFile(name, data)})


def process(creditor, response) -> ImportJob:
    assert response.status_code == 302, response.content
    public_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    with creditor_scope(creditor):
        job = ImportJob.objects.get(public_id=public_id)
        import_job_process(job_id=job.pk, chunk_rows=20)
        job.refresh_from_db()
    return job


def viewer_of(tenant):
    viewer = UserFactory(username=f"viewer-{tenant.creditor.pk}")
    MembershipFactory(user=viewer, creditor=tenant.creditor, role=Role.VIEWER)
    return viewer


def test_a_member_uploads_a_csv_and_follows_the_job_to_its_end(client, tenant_a):
    client.force_login(tenant_a.user)
    page = client.get(reverse("imports:upload"))
    assert page.status_code == 200
    assert 'id="import-upload"' in page.content.decode()
    rows = invoice_rows(45)
    rows[4]["amount"] = "-5"
    response = post_file(client, "fakturaer.csv", to_csv(rows))
    assert response["Location"].startswith("/imports/")
    with creditor_scope(tenant_a.creditor):
        job = ImportJob.objects.get()
        assert (job.created_by, job.original_name, job.format) == (
            tenant_a.user,
            "fakturaer.csv",
            "csv",
        )
    # Queued: the progress partial polls itself.
    detail = client.get(reverse("imports:detail", args=[job.public_id])).content.decode()
    assert 'hx-trigger="every 1s"' in detail
    job = process(tenant_a.creditor, response)
    assert (job.status, job.rows_accepted, job.rows_rejected) == (ImportStatus.FINISHED, 44, 1)
    partial = client.get(reverse("imports:progress", args=[job.public_id])).content.decode()
    assert "hx-trigger" not in partial  # finished: the polling stops
    assert 'id="import-outcome"' in partial and "44" in partial
    assert 'id="import-rejections"' in partial and "<td>6</td>" in partial  # line 6
    history = client.get(reverse("imports:upload")).content.decode()
    assert "fakturaer.csv" in history and tenant_a.user.username in history


def test_an_xlsx_uploads_through_the_page(client, tenant_a):
    client.force_login(tenant_a.user)
    response = post_file(client, "ark.xlsx", to_xlsx(invoice_rows(12)))
    job = process(tenant_a.creditor, response)
    assert (job.format, job.rows_accepted, job.rows_rejected) == ("xlsx", 12, 0)


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused_naming_the_field(client, tenant_a):
    client.force_login(tenant_a.user)
    response = post_file(client, "fakturaer.pdf", b"%PDF-1.4")
    assert response.status_code == 400
    assert "id_file_error" in response.content.decode()
    response = post_file(client, "fakturaer.xlsx", b"not a workbook")
    assert response.status_code == 400
    assert "XLSX" in response.content.decode()
    with creditor_scope(tenant_a.creditor):
        assert not ImportJob.objects.exists()


def test_rejected_rows_page_and_their_csv_are_masked_and_formula_safe(client, tenant_a):
    rows = invoice_rows(60)
    cpr = valid_cpr(77)
    rows[1]["amount"] = f"kr {cpr}"  # a CPR number in the wrong column: echoed masked
    rows[2]["invoice_number"] = '=HYPERLINK("http://x")'
    rows[2]["amount"] = "abc"
    for row in rows[10:]:
        row["due_date"] = "never"
    client.force_login(tenant_a.user)
    job = process(tenant_a.creditor, post_file(client, "f.csv", to_csv(rows)))
    assert job.rows_rejected == 52
    first = client.get(reverse("imports:detail", args=[job.public_id])).content.decode()
    assert first.count("<tr><td>") == 50  # paged: 50 a page
    with creditor_scope(tenant_a.creditor):
        stored = job.rejections.count()
    second = client.get(reverse("imports:detail", args=[job.public_id]) + "?page=2")
    assert second.content.decode().count("<tr><td>") == stored - 50 > 0
    assert cpr not in first
    download = client.get(reverse("imports:rejections_csv", args=[job.public_id]))
    assert download["Content-Type"].startswith("text/csv")
    text = download.content.decode("utf-8-sig")
    assert cpr not in text and f"{cpr[:6]}-XXXX" in text
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0] == ["line", "field", "code", "reason", "invoice_number"]
    assert lines[2][:2] == ["4", "amount"]
    assert lines[2][4].startswith("'=")


def test_a_file_with_headers_of_its_own_is_mapped_once_and_then_by_itself(client, tenant_a):
    client.force_login(tenant_a.user)
    response = post_file(client, "eksport.csv", own_csv(invoice_rows(5)))
    assert response.status_code == 302 and "/imports/map/" in response["Location"]
    form = client.get(response["Location"])
    body = form.content.decode()
    assert form.status_code == 200 and "Fakt.nr." in body
    with creditor_scope(tenant_a.creditor):
        assert not ImportJob.objects.exists()  # nothing is queued before the mapping
    # The same header twice is refused on the field.
    doubled = {**OWN_MAPPING, "debtor_city": "Gade"}
    refused = client.post(response["Location"], doubled)
    assert refused.status_code == 400 and "id_debtor_city_error" in refused.content.decode()
    mapped = client.post(response["Location"], OWN_MAPPING)
    job = process(tenant_a.creditor, mapped)
    assert job.column_mapping == OWN_MAPPING
    assert (job.rows_accepted, job.rows_rejected) == (5, 0)
    with creditor_scope(tenant_a.creditor):
        remembered = ColumnMapping.objects.get()
        assert remembered.mapping == OWN_MAPPING and remembered.headers == OWN_HEADER

    # The next file with the same headers maps by itself.
    again = post_file(client, "eksport2.csv", own_csv(invoice_rows(3, prefix="G")))
    assert "/imports/map/" not in again["Location"]
    job = process(tenant_a.creditor, again)
    assert (job.column_mapping, job.rows_accepted) == (OWN_MAPPING, 3)


def test_a_mapping_is_the_creditors_own(client, tenant_a, tenant_b):
    client.force_login(tenant_a.user)
    first = post_file(client, "eksport.csv", own_csv(invoice_rows(2)))
    process(tenant_a.creditor, client.post(first["Location"], OWN_MAPPING))
    client.force_login(tenant_b.user)
    response = post_file(client, "eksport.csv", own_csv(invoice_rows(2, prefix="B")))
    assert "/imports/map/" in response["Location"]  # B has chosen no mapping
    # A's staged upload is not B's to map.
    client.force_login(tenant_b.user)
    assert client.get(first["Location"]).status_code == 404


def test_a_viewer_reads_the_history_and_is_refused_an_upload(client, tenant_a):
    client.force_login(tenant_a.user)
    job = process(tenant_a.creditor, post_file(client, "f.csv", to_csv(invoice_rows(2))))
    client.force_login(viewer_of(tenant_a))
    page = client.get(reverse("imports:upload")).content.decode()
    assert 'id="import-upload"' not in page and "f.csv" in page
    assert post_file(client, "f.csv", to_csv(invoice_rows(2, prefix="V"))).status_code == 403
    assert client.post(reverse("imports:map", args=["x"]), OWN_MAPPING).status_code == 403
    assert client.get(reverse("imports:detail", args=[job.public_id])).status_code == 200
    assert client.get(reverse("imports:rejections_csv", args=[job.public_id])).status_code == 200
    with creditor_scope(tenant_a.creditor):
        assert ImportJob.objects.count() == 1


def test_agency_staff_upload_for_the_creditor_they_switched_to(client, tenant_a):
    agent = agency_user(AgencyRole.AGENT)
    client.force_login(agent)
    page = client.get(reverse("imports:upload"))
    assert "imports/choose_creditor.html" in [t.name for t in page.templates]
    assert post_file(client, "f.csv", to_csv(invoice_rows(1))).status_code == 403
    client.post(reverse("switch_creditor"), {"creditor": tenant_a.creditor.pk})
    job = process(tenant_a.creditor, post_file(client, "f.csv", to_csv(invoice_rows(2))))
    assert (job.creditor, job.created_by, job.rows_accepted) == (tenant_a.creditor, agent, 2)


def test_another_creditors_jobs_are_404(client, tenant_a, tenant_b):
    client.force_login(tenant_a.user)
    job = process(tenant_a.creditor, post_file(client, "f.csv", to_csv(invoice_rows(2))))
    client.force_login(tenant_b.user)
    for name in ("imports:detail", "imports:progress", "imports:rejections_csv"):
        assert client.get(reverse(name, args=[job.public_id])).status_code == 404, name
    assert "f.csv" not in client.get(reverse("imports:upload")).content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_has_danish_headings_and_an_example_row_that_imports(client, tenant_a, fmt):
    client.force_login(tenant_a.user)
    response = client.get(reverse(f"imports:template_{fmt}"))
    assert response.status_code == 200
    assert f"fakturaer-skabelon.{fmt}" in response["Content-Disposition"]
    data = response.content
    if fmt == "csv":
        header = data.decode("utf-8-sig").splitlines()[0].split(";")
    else:
        sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
        header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[:4] == ["Navn", "CPR/CVR", "Skyldnertype", "Adresse"]
    assert "Beløb" in header and "Forfaldsdato" in header
    assert sorted(header_columns(header)) == sorted(COLUMNS)  # every column, each by its alias
    ((line, row),) = read_rows(data, fmt)
    assert line == 2 and all(row.get(column) is not None for column in COLUMNS)
    checked = Validator(currency="DKK").validate(line, row)
    assert isinstance(checked, Invoice), checked
    assert str(checked.principal) == "1234.50" and checked.city == "Aarhus C"


def test_an_upload_left_unmapped_is_deleted_after_a_day(client, tenant_a, settings):
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from integrations.imports.services import STAGED_FOLDER, staged_uploads_delete_old

    client.force_login(tenant_a.user)
    post_file(client, "eksport.csv", own_csv(invoice_rows(2)))
    _folders, files = default_storage.listdir(f"{STAGED_FOLDER}/{tenant_a.creditor.pk}")
    assert len(files) == 1
    assert staged_uploads_delete_old() == 0  # not yet a day old
    assert staged_uploads_delete_old(now=timezone.now() + timedelta(days=2)) == 1
    _folders, files = default_storage.listdir(f"{STAGED_FOLDER}/{tenant_a.creditor.pk}")
    assert files == []
