"""Uploading invoices in a real browser as a creditor's member, with a real Celery worker: a CSV
and an XLSX file, followed on the progress bar to the end, then the rejected rows downloaded; a
file with headings of its own mapped; a large case-list export followed to its download.
axe-core on each page at 1280 and 390 px."""

import base64
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from collections_portal.tenancy import creditor_scope
from integrations.imports.models import ImportJob
from tests.cases.helpers import claim, file_case
from tests.conftest import start_celery_worker, stop_celery_worker
from tests.factories import valid_cpr
from tests.imports.helpers import invoice_rows, to_csv
from tests.imports.test_portal import OWN_MAPPING, own_csv
from tests.imports.test_xlsx import to_xlsx

from .axe import assert_accessible, check_page_at_widths
from .test_sign_in import page, sign_in  # noqa: F401 (the page fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker_queue(settings, tmp_path):
    """A worker on a queue of its own, sharing this test's database and MEDIA_ROOT with the
    live server (which runs in this process and enqueues on the default queue)."""
    from collections_portal.celery import app

    settings.MEDIA_ROOT = tmp_path
    queue, process = start_celery_worker({"MEDIA_ROOT": str(tmp_path)})
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        app.conf.task_default_queue = previous
        stop_celery_worker(queue, process)


def upload_page(page, live_server, user) -> str:  # noqa: F811
    sign_in(page, live_server, user.username)
    page.get_by_role("link", name="Upload fakturaer").click()
    expect(page.get_by_role("heading", name="Upload fakturaer", level=1)).to_be_visible()
    return page.url


def upload(page, path) -> None:  # noqa: F811
    page.locator("#id_file").set_input_files(str(path))
    page.get_by_role("button", name="Upload", exact=True).click()


def drop(page, path) -> None:  # noqa: F811
    """Drop a file on the drop zone (not on its input), as a person dragging it there does."""
    data = base64.b64encode(path.read_bytes()).decode()
    page.evaluate(
        """([name, data]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name));
            document.querySelector(".drop-zone > span").dispatchEvent(
                new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }""",
        [path.name, data],
    )
    page.get_by_role("button", name="Upload", exact=True).click()


def test_a_member_uploads_a_csv_follows_it_and_downloads_the_rejections(
    page,  # noqa: F811
    live_server,
    tenant_a,
    worker_queue,
    tmp_path,
):
    url = upload_page(page, live_server, tenant_a.user)
    check_page_at_widths(page, url)
    rows = invoice_rows(400)
    rows[6]["amount"] = f"kr {valid_cpr(42)}"  # rejected, and its CPR number masked
    rows[9]["debtor_name"] = "Åse Ørnebjerg"
    path = tmp_path / "fakturaer.csv"
    path.write_bytes(to_csv(rows))
    upload(page, path)
    expect(page.get_by_role("heading", name="Import fakturaer.csv")).to_be_visible()
    expect(page.locator("#import-outcome")).to_contain_text(
        "Importen er færdig: 399 fakturaer blev overdraget.", timeout=90_000
    )
    expect(page.locator("#import-status")).to_contain_text("400 af 400 rækker læst")
    expect(page.locator("#import-rejected")).to_have_text("1")
    bar = page.locator("#import-bar")
    assert bar.get_attribute("value") == bar.get_attribute("max") == "400"
    expect(page.locator("#import-rejections")).to_contain_text("8")  # the file's line 8
    assert_accessible(page, "the finished import")
    check_page_at_widths(page, page.url)
    with page.expect_download() as info:
        page.locator("#rejections-csv").click()
    info.value.save_as(tmp_path / "rejections.csv")
    text = (tmp_path / "rejections.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[1].startswith("8;amount;")
    assert valid_cpr(42) not in text and "-XXXX" in text
    # The history lists the upload.
    page.get_by_role("link", name="← Upload fakturaer").click()
    expect(page.locator("#import-history")).to_contain_text("fakturaer.csv")
    expect(page.locator("#import-history")).to_contain_text(tenant_a.user.username)


def test_a_member_drops_an_xlsx_and_follows_it_to_the_end(
    page,  # noqa: F811
    live_server,
    tenant_a,
    worker_queue,
    tmp_path,
):
    upload_page(page, live_server, tenant_a.user)
    rows = invoice_rows(50)
    rows[0]["debtor_name"] = "Søren Ærø"
    rows[3]["due_date"] = ""
    path = tmp_path / "ark.xlsx"
    path.write_bytes(to_xlsx(rows))
    drop(page, path)
    expect(page.locator("#import-outcome")).to_contain_text(
        "49 fakturaer blev overdraget", timeout=90_000
    )
    expect(page.locator("#import-rejections")).to_contain_text("due_date")
    with creditor_scope(tenant_a.creditor):
        assert ImportJob.objects.get().format == "xlsx"


def test_a_file_with_headings_of_its_own_is_mapped_and_imported(
    page,  # noqa: F811
    live_server,
    tenant_a,
    worker_queue,
    tmp_path,
):
    upload_page(page, live_server, tenant_a.user)
    path = tmp_path / "eksport.csv"
    path.write_bytes(own_csv(invoice_rows(5)))
    upload(page, path)
    expect(page.get_by_role("heading", name="Tilknyt kolonnerne")).to_be_visible()
    check_page_at_widths(page, page.url)
    for column, header in OWN_MAPPING.items():
        page.locator(f"#id_{column}").select_option(header)
    page.get_by_role("button", name="Importér med disse kolonner").click()
    expect(page.locator("#import-outcome")).to_contain_text(
        "5 fakturaer blev overdraget", timeout=90_000
    )


def test_a_large_export_is_followed_to_its_download(
    page,  # noqa: F811
    live_server,
    tenant_a,
    worker_queue,
    settings,
    tmp_path,
):
    settings.CASE_EXPORT_BACKGROUND_ROWS = 2
    for i in range(3):
        due = date.today() - timedelta(days=40 + i)
        file_case(tenant_a.creditor, claim(f"EX-{i}", "500.00", due))
    sign_in(page, live_server, tenant_a.user.username)
    page.goto(f"{live_server.url}/cases/export.xlsx")
    expect(page.get_by_role("heading", name="Eksport af sagslisten")).to_be_visible()
    expect(page.locator("#export-download")).to_be_visible(timeout=90_000)
    expect(page.locator("#export-status")).to_contain_text("4 af 4 sager skrevet")
    assert_accessible(page, "the finished export")
    check_page_at_widths(page, page.url)
    with page.expect_download() as info:
        page.locator("#export-download").click()
    assert info.value.suggested_filename.endswith(".xlsx")
