"""A member files a case through the wizard in a browser: a CPR/CVR already on file with another
address is shown side by side and the member chooses the debtor on file; the preview shows the
case's future; the case is filed and its page opens. Each step is checked with axe at 1280
and 390 px."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case
from collections_portal.tenancy import creditor_scope
from debtors.models import Debtor
from tests.factories import DebtorFactory

from .axe import assert_accessible, check_page_at_widths
from .test_sign_in import page, sign_in  # noqa: F401 (the page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_files_a_case_choosing_the_debtor_on_file(page, live_server, tenant_a):  # noqa: F811
    on_file = DebtorFactory(
        creditor=tenant_a.creditor,
        name="Karen Holm",
        national_id="1203801234",
        address_line="Torvet 2",
        postal_code="8000",
        city="Aarhus C",
    )
    with creditor_scope(tenant_a.creditor):
        debtors = Debtor.objects.count()
    sign_in(page, live_server, tenant_a.user.username)

    page.get_by_role("link", name="Opret sag").click()
    expect(page.get_by_role("heading", name="Hvem skylder pengene?")).to_be_visible()
    check_page_at_widths(page, f"{live_server.url}/cases/new/")

    # A new debtor with a CPR number on file under another address: shown side by side.
    page.locator("#id_kind").select_option("person")
    page.locator("#id_name").fill("Karen Holm")
    page.locator("#id_national_id").fill("120380-1234")
    page.locator("#id_address_line").fill("Søndergade 40")
    page.locator("#id_postal_code").fill("8000")
    page.locator("#id_city").fill("Aarhus C")
    page.get_by_role("button", name="Næste: fakturaer").click()
    conflict = page.locator("#debtor-conflict")
    expect(conflict).to_be_visible()
    expect(conflict.get_by_text("Torvet 2")).to_be_visible()
    expect(conflict.get_by_text("Søndergade 40")).to_be_visible()
    assert_accessible(page, "the debtor conflict")
    page.get_by_role("button", name="Brug den registrerede skyldner").click()

    # Invoices: one consumer invoice, nothing sent yet.
    expect(page.get_by_role("heading", name="Fakturaer", exact=True)).to_be_visible()
    check_page_at_widths(page, f"{live_server.url}/cases/new/invoices/")
    today = timezone.localdate()
    page.locator("#id_line-0-invoice_number").fill("E2E-1")
    page.locator("#id_line-0-invoice_date").fill((today - timedelta(days=40)).isoformat())
    page.locator("#id_line-0-due_date").fill((today - timedelta(days=20)).isoformat())
    page.locator("#id_line-0-principal").fill("2500.00")
    page.locator("#id_creditor_reference").fill("E2E-REF")
    page.get_by_role("button", name="Næste: forhåndsvisning").click()

    # The preview: every step with its date and what is owed, nothing filed yet.
    steps = page.locator("#preview-steps > li")
    expect(steps).to_have_count(5)
    expect(page.locator('[data-code="handover"]')).to_contain_text("Overdraget til inkasso")
    expect(page.locator("#preview-debtor")).to_contain_text("Karen Holm")
    with creditor_scope(tenant_a.creditor):
        assert not Case.objects.filter(creditor_reference="E2E-REF").exists()
    check_page_at_widths(page, f"{live_server.url}/cases/new/preview/")

    page.get_by_role("button", name="Opret sagen").click()
    expect(page.get_by_role("cell", name="E2E-1", exact=True)).to_be_visible()
    with creditor_scope(tenant_a.creditor):
        case = Case.objects.get(creditor_reference="E2E-REF")
        assert case.debtor == on_file
        assert Debtor.objects.count() == debtors  # nothing merged, no second debtor
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/")
