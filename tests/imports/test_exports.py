"""Large case-list exports run as background jobs (over ``CASE_EXPORT_BACKGROUND_ROWS``): a page
follows the job and then offers the download, served only through a view in the tenant's scope;
small exports stay immediate; an export interrupted part way fails and says to start again."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from collections_portal.tenancy import creditor_scope
from creditors.agency import AgencyRole
from creditors.models import Role
from integrations.imports.exports import case_export_run
from integrations.imports.models import CaseExport
from integrations.jobs import JobStatus
from tests.cases.helpers import claim, file_case
from tests.factories import MembershipFactory, UserFactory, agency_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_cases(tenant_a, tenant_b, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CASE_EXPORT_BACKGROUND_ROWS = 3
    cases = [
        file_case(tenant_a.creditor, claim(f"X-{i}", "1234.50", date(2026, 1, 10)))
        for i in range(5)
    ]
    file_case(tenant_b.creditor, claim("B-1", "10.00", date(2026, 1, 10)))
    return cases


def started(client, name: str, query: str = "") -> str:
    response = client.get(reverse(name) + query)
    assert response.status_code == 302, response
    assert response["Location"].startswith("/cases/exports/")
    public_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return public_id


def run(creditor, public_id) -> CaseExport:
    with creditor_scope(creditor):
        job = CaseExport.objects.get(public_id=public_id)
        case_export_run(job_id=job.pk, chunk_cases=2)
        job.refresh_from_db()
    return job


def test_a_large_csv_export_runs_in_the_background_and_is_downloaded(
    client, tenant_a, tenant_b, many_cases
):
    client.force_login(tenant_a.user)
    public_id = started(client, "case_export_csv", "?sort=number")
    page = client.get(reverse("case_export_detail", args=[public_id])).content.decode()
    assert 'hx-trigger="every 2s"' in page and "export-download" not in page
    early = client.get(reverse("case_export_download", args=[public_id]))
    assert early.status_code == 302  # not written yet: back to its page
    job = run(tenant_a.creditor, public_id)
    assert (job.status, job.units_total, job.units_done) == (JobStatus.FINISHED, 6, 6)
    assert job.language == "da" and job.query == "sort=number"
    assert job.filters["sort"] == "number"
    partial = client.get(reverse("case_export_progress", args=[public_id])).content.decode()
    assert "hx-trigger" not in partial and 'id="export-download"' in partial
    response = client.get(reverse("case_export_download", args=[public_id]))
    assert response["Content-Disposition"].startswith("attachment")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Sagsnummer;")  # the page's language: Danish
    assert len(lines) == 7 and "1234,50" in text  # 6 cases (with the fixture's) and the header
    numbers = [int(line.split(";")[0]) for line in lines[1:]]
    assert numbers == sorted(numbers)  # the list's order
    assert tenant_b.creditor.name not in text


def test_a_large_xlsx_export_runs_in_the_background(client, tenant_a, many_cases):
    client.force_login(tenant_a.user)
    job = run(tenant_a.creditor, started(client, "case_export_xlsx"))
    response = client.get(reverse("case_export_download", args=[job.public_id]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Sagsnummer" and len(rows) == 7


def test_a_small_export_is_answered_at_once(client, tenant_a, many_cases, settings):
    settings.CASE_EXPORT_BACKGROUND_ROWS = 10
    client.force_login(tenant_a.user)
    response = client.get(reverse("case_export_csv"))
    assert response.status_code == 200 and response.streaming
    with creditor_scope(tenant_a.creditor):
        assert not CaseExport.objects.exists()


def test_agency_staff_across_creditors_export_at_once(client, many_cases):
    client.force_login(agency_user(AgencyRole.AGENT))
    response = client.get(reverse("case_export_csv"))
    assert response.status_code == 200 and response.streaming


def test_another_creditors_export_is_404_and_a_viewer_may_export(
    client, tenant_a, tenant_b, many_cases
):
    viewer = UserFactory(username="alfa-viewer")
    MembershipFactory(user=viewer, creditor=tenant_a.creditor, role=Role.VIEWER)
    client.force_login(viewer)
    job = run(tenant_a.creditor, started(client, "case_export_csv"))
    assert client.get(reverse("case_export_download", args=[job.public_id])).status_code == 200
    client.force_login(tenant_b.user)
    for name in ("case_export_detail", "case_export_progress", "case_export_download"):
        assert client.get(reverse(name, args=[job.public_id])).status_code == 404, name


def test_an_export_interrupted_part_way_fails_and_says_to_start_again(client, tenant_a, many_cases):
    client.force_login(tenant_a.user)
    public_id = started(client, "case_export_csv")
    with creditor_scope(tenant_a.creditor):
        CaseExport.objects.filter(public_id=public_id).update(
            status=JobStatus.RUNNING, units_total=6, units_done=2, attempts=1
        )
    job = run(tenant_a.creditor, public_id)
    assert (job.status == JobStatus.FAILED and "igen" in job.error.lower()) or "again" in job.error
    assert not job.file


def test_the_background_export_holds_only_the_filtered_cases(
    client, tenant_a, many_cases, settings
):
    settings.CASE_EXPORT_BACKGROUND_ROWS = 0
    client.force_login(tenant_a.user)
    job = run(tenant_a.creditor, started(client, "case_export_csv", "?q=X-3"))
    assert job.filters["q"] == "X-3" and job.units_total == 1
    response = client.get(reverse("case_export_download", args=[job.public_id]))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"{many_cases[3].number};")


def test_the_same_export_asked_for_twice_while_it_runs_is_one_job(client, tenant_a, many_cases):
    client.force_login(tenant_a.user)
    first = started(client, "case_export_csv", "?sort=number")
    assert started(client, "case_export_csv", "?sort=number") == first
    assert started(client, "case_export_xlsx", "?sort=number") != first  # another format
    run(tenant_a.creditor, first)
    assert started(client, "case_export_csv", "?sort=number") != first  # it has finished
