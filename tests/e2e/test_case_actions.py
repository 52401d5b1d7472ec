"""Acting on a case in a real browser (issue 15, item 5): a direct payment and its receipt, pause
and resume, withdraw (and a second attempt refused), a dispute with a document, documents up and
down (and a program renamed .pdf refused); axe-core on the case page at 1280 and 390 px, and on
the opened forms and their errors."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.services import lifecycle
from collections_portal.tenancy import creditor_scope
from tests.cases.helpers import claim, file_case

from .axe import assert_accessible, check_page_at_widths
from .test_sign_in import page, sign_in  # noqa: F401 (the page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


@pytest.fixture
def case(tenant_a):
    today = timezone.localdate()
    case = file_case(tenant_a.creditor, claim("E-1", "1000.00", today - timedelta(days=40)))
    with creditor_scope(tenant_a.creditor):
        lifecycle.case_send_reminder(case=case, on=today)  # the debtor has had a letter
    return case


def open_case(page, live_server, user, case) -> str:  # noqa: F811
    sign_in(page, live_server, user.username)
    url = f"{live_server.url}/cases/{case.pk}/"
    page.goto(url)
    return url


def test_the_case_page_and_its_forms_are_accessible(page, live_server, tenant_a, case):  # noqa: F811
    url = open_case(page, live_server, tenant_a.user, case)
    expect(page.locator("#next-step")).to_be_visible()
    check_page_at_widths(page, url)
    page.goto(url)
    for summary in page.locator("details.case-action > summary").all():
        summary.click()
    assert_accessible(page, "the case page with every action form open")


def test_register_a_direct_payment_and_see_the_receipt(page, live_server, tenant_a, case):  # noqa: F811
    open_case(page, live_server, tenant_a.user, case)
    form = page.locator("#action-payment")
    form.locator("summary").click()
    form.get_by_label("Beløb").fill("200,00")
    form.get_by_label("Betalt den").fill(timezone.localdate().isoformat())
    form.get_by_label("Betalingsreference").fill("Bank 4711")
    form.get_by_role("button", name="Registrér betaling").click()
    expect(page.locator("#action-result")).to_have_text("Betalingen blev registreret.")
    # The letters, the ledger and the timeline follow without a reload.
    expect(page.locator("#case-letters")).to_contain_text("Kvittering for betaling")
    expect(page.locator("#case-timeline")).to_contain_text("Betaling modtaget")

    # More than the balance needs the confirmation, named next to its field.
    form = page.locator("#action-payment")
    form.locator("summary").click()
    form.get_by_label("Beløb").fill("50000")
    form.get_by_role("button", name="Registrér betaling").click()
    expect(page.locator("#id_payment-confirm_overpayment_error")).to_contain_text("mere end")
    assert_accessible(page, "the payment form with an error")


def test_pause_then_resume(page, live_server, tenant_a, case):  # noqa: F811
    open_case(page, live_server, tenant_a.user, case)
    until = timezone.localdate() + timedelta(days=14)
    form = page.locator("#action-pause")
    form.locator("summary").click()
    form.get_by_label("Sæt i bero til").fill(until.isoformat())
    form.get_by_role("button", name="Sæt i bero").click()
    expect(page.locator("#action-result")).to_have_text("Sagen er sat i bero.")
    expect(page.locator("#next-step")).to_contain_text("Genoptages efter pausen")
    form = page.locator("#action-resume")
    form.locator("summary").click()
    form.get_by_role("button", name="Genoptag nu").click()
    expect(page.locator("#action-result")).to_have_text("Sagen er genoptaget.")
    expect(page.locator("#action-pause")).to_be_visible()
    expect(page.locator("#case-timeline")).to_contain_text("Sagen genoptaget")


def test_withdraw_and_a_second_attempt_is_refused(page, live_server, tenant_a, case):  # noqa: F811
    url = open_case(page, live_server, tenant_a.user, case)
    stale = page.context.new_page()  # a second tab, opened before the withdrawal
    stale.goto(url)

    form = page.locator("#action-withdraw")
    form.locator("summary").click()
    form.get_by_label("Begrundelse").fill("Skyldneren har betalt os")
    form.get_by_role("button", name="Tilbagekald sagen").click()
    expect(page.locator("#id_withdraw-confirm_error")).to_be_visible()  # the confirmation step
    form = page.locator("#action-withdraw")
    form.get_by_label("Ja, tilbagekald sagen").check()
    form.get_by_role("button", name="Tilbagekald sagen").click()
    expect(page.locator("#action-result")).to_have_text("Sagen er tilbagekaldt.")
    expect(page.locator("#closed-reason")).to_have_text("Tilbagekaldt")
    expect(page.locator("#action-withdraw")).to_have_count(0)

    form = stale.locator("#action-withdraw")
    form.locator("summary").click()
    form.get_by_label("Begrundelse").fill("Igen")
    form.get_by_label("Ja, tilbagekald sagen").check()
    form.get_by_role("button", name="Tilbagekald sagen").click()
    expect(stale.locator("#action-error")).to_contain_text("allerede lukket")
    stale.close()


def test_a_dispute_with_a_document(page, live_server, tenant_a, case):  # noqa: F811
    open_case(page, live_server, tenant_a.user, case)
    form = page.locator("#action-dispute")
    form.locator("summary").click()
    form.get_by_label("Hvad gør skyldneren indsigelse mod?").fill("Varen blev aldrig leveret")
    form.locator("input[type=file]").set_input_files(
        {"name": "reklamation.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    form.get_by_role("button", name="Registrér indsigelse").click()
    expect(page.locator("#action-result")).to_contain_text("Indsigelsen er registreret")
    expect(page.locator("#documents")).to_contain_text("reklamation.pdf")
    expect(page.locator("#case-timeline")).to_contain_text("Indsigelse registreret")
    expect(page.locator("#next-step")).to_contain_text("indsigelsen")


def test_upload_and_download_a_document_and_a_program_is_refused(
    page,  # noqa: F811
    live_server,
    tenant_a,
    case,
    tmp_path,
):
    open_case(page, live_server, tenant_a.user, case)
    section = page.locator("#case-documents")
    section.locator("summary").click()
    section.locator("input[type=file]").set_input_files(
        {"name": "kontrakt.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    section.get_by_label("Beskrivelse").fill("Underskrevet kontrakt")
    section.get_by_role("button", name="Upload").click()
    expect(page.locator("#document-result")).to_have_text("Dokumentet blev tilføjet.")
    row = page.locator("#documents tbody tr").first
    expect(row).to_contain_text("kontrakt.pdf")
    expect(row).to_contain_text(tenant_a.user.username)
    with page.expect_download() as download:
        row.get_by_role("link", name="kontrakt.pdf").click()
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    assert Path(saved).read_bytes() == PDF

    section = page.locator("#case-documents")
    section.locator("summary").click()
    section.locator("input[type=file]").set_input_files(
        {"name": "faktura.pdf", "mimeType": "application/pdf", "buffer": EXE}
    )
    section.get_by_role("button", name="Upload").click()
    expect(page.locator("#id_document-file_error")).to_contain_text("Denne filtype modtages ikke")
    expect(page.locator("#documents tbody tr")).to_have_count(1)
    assert_accessible(page, "the upload form with an error")
