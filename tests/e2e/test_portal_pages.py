"""The creditor portal in a real browser (issue 15): the dashboard, search, filter and export
on the case list, and the switcher cases of item 7; axe-core on each page, at 1280 and 390 px."""

import csv
import io
from datetime import datetime, time

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from creditors.agency import AgencyRole
from creditors.models import Role
from tests.cases.portfolio import TODAY, make_portfolio
from tests.factories import MembershipFactory, agency_user

from .axe import check_page_at_widths
from .test_sign_in import page, sign_in  # noqa: F401 (the page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portfolios(tenant_a, tenant_b):
    a = make_portfolio(tenant_a.creditor, "A")
    b = make_portfolio(tenant_b.creditor, "B")
    # The server runs on TODAY's clock (ticking, so the browser's waits still pass).
    noon = timezone.make_aware(datetime.combine(TODAY, time(12)))
    with time_machine.travel(noon, tick=True):
        yield a, b


def test_the_dashboard(page, live_server, tenant_a, tenant_b, portfolios):  # noqa: F811
    a, _b = portfolios
    sign_in(page, live_server, tenant_a.user.username)
    expect(page.locator("#creditor-name")).to_have_text(tenant_a.creditor.name)
    expect(page.locator("#handed-over")).to_have_text("254.735")
    expect(page.locator("#recovered-all")).to_have_text("400,00")
    expect(page.locator("#attention")).to_contain_text("A Jensen")
    expect(page.get_by_text("B Jensen")).to_have_count(0)
    # The chart is drawn from our own Chart.js; its figures are also a table.
    expect(page.locator("#months-chart[data-ready='1']")).to_have_count(1)
    page.get_by_text("De samme tal som tabel").click()
    expect(page.locator("#months-table")).to_contain_text("400,00")

    check_page_at_widths(page, f"{live_server.url}/")

    # A segment opens the case list filtered to it.
    page.locator("#flags").get_by_role("link", name="Bestridt").click()
    expect(page).to_have_url(f"{live_server.url}/cases/?flag=disputed")
    expect(page.locator("#case-table tbody tr")).to_have_count(1)
    expect(page.locator("#case-table")).to_contain_text(a.disputed.reference)


def test_search_filter_and_export(page, live_server, tenant_a, tenant_b, portfolios):  # noqa: F811
    a, b = portfolios
    sign_in(page, live_server, tenant_a.user.username)
    page.get_by_role("link", name="Sager", exact=True).click()
    expect(page.locator("#case-table tbody tr")).to_have_count(5)
    expect(page.get_by_text(b.company.debtor.name)).to_have_count(0)

    # Typing searches (htmx swaps the results and keeps the address in step).
    page.get_by_label("Søg", exact=True).fill("Vinterberg")
    expect(page.locator("#case-table tbody tr")).to_have_count(1)
    expect(page.locator("#case-table")).to_contain_text(a.paused.reference)
    expect(page).to_have_url(f"{live_server.url}/cases/?q=Vinterberg", timeout=5000)
    expect(page.locator("#case-table")).to_contain_text("sat i bero til 26.11.2026")

    page.get_by_label("Søg", exact=True).fill("")
    page.get_by_label("Bestridt").check()
    expect(page.locator("#case-table tbody tr")).to_have_count(1)
    expect(page.locator("#case-table")).to_contain_text(a.disputed.reference)
    page.get_by_label("Bestridt").uncheck()
    page.get_by_label("Trin").select_option("open")
    page.get_by_label("Saldo fra").fill("1500")
    page.get_by_label("Saldo fra").press("Tab")
    expect(page.locator("#case-table tbody tr")).to_have_count(2)

    with page.expect_download() as download:
        page.locator("#export-csv").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert {r[0] for r in rows[1:]} == {a.company.reference, a.disputed.reference}

    with page.expect_download() as download:
        page.locator("#export-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    data = io.BytesIO(download.value.path().read_bytes())
    sheet = load_workbook(data, read_only=True).active
    numbers = {r[0] for r in list(sheet.iter_rows(values_only=True))[1:]}
    assert numbers == {a.company.number, a.disputed.number}

    check_page_at_widths(page, f"{live_server.url}/cases/?stage=open")


def test_the_switcher_cases(page, live_server, tenant_a, tenant_b, portfolios):  # noqa: F811
    a, b = portfolios
    agent = agency_user(AgencyRole.AGENT, username="agent")
    sign_in(page, live_server, agent.username)
    expect(page.locator("#creditor-name")).to_have_text("Overblik over bureauet")
    expect(page.locator("#per-creditor")).to_contain_text(tenant_b.creditor.name)

    # On a case of A, switch to B: the case list of B, not a 404.
    page.goto(f"{live_server.url}/cases/{a.paid_part.pk}/")
    page.locator("#creditor-select").select_option(label=tenant_b.creditor.name)
    expect(page).to_have_url(f"{live_server.url}/cases/")
    expect(page.locator("#case-table tbody tr")).to_have_count(5)
    expect(page.locator("#case-table")).to_contain_text(b.paid_part.reference)
    expect(page.locator("#case-table")).not_to_contain_text(a.paid_part.reference)

    # Back to all creditors.
    page.locator("#creditor-select").select_option(label="Alle kreditorer")
    expect(page.locator("#case-table tbody tr")).to_have_count(10)

    # Language on a page that does not exist lands on the nearest that does.
    page.goto(f"{live_server.url}/cases/no-such-page/")
    expect(page.get_by_role("heading", name="Siden blev ikke fundet")).to_be_visible()
    check_page_at_widths(page, f"{live_server.url}/cases/no-such-page/")
    page.get_by_role("button", name="EN").click()
    expect(page).to_have_url(f"{live_server.url}/cases/")
    expect(page.get_by_role("heading", name="Cases")).to_be_visible()


def test_language_switch_after_a_form_lands_on_its_page(page, live_server, tenant_a):  # noqa: F811
    """Revoking an API key answers on its POST-only address; switching language there used
    to end on a 405."""
    from creditors.services import api_key_create
    from tests.factories import UserFactory

    owner = UserFactory(username="alfa-owner")
    MembershipFactory(user=owner, creditor=tenant_a.creditor, role=Role.OWNER)
    api_key_create(creditor=tenant_a.creditor, name="ERP")
    sign_in(page, live_server, owner.username)
    page.goto(f"{live_server.url}/settings/api-keys/")
    page.get_by_role("button", name="Tilbagekald ERP").click()
    expect(page.get_by_text("API-nøglen ERP er tilbagekaldt.")).to_be_visible()
    page.get_by_role("button", name="EN").click()
    expect(page).to_have_url(f"{live_server.url}/settings/api-keys/")
    expect(page.get_by_role("heading", name="API keys")).to_be_visible()


def test_every_other_portal_page_is_accessible(page, live_server, tenant_a, portfolios):  # noqa: F811
    """The pages the new base (header, styles, error pages) reaches: axe and 390 px."""
    from tests.factories import UserFactory

    a, _b = portfolios
    owner = UserFactory(username="alfa-owner")
    MembershipFactory(user=owner, creditor=tenant_a.creditor, role=Role.OWNER)
    page.goto(f"{live_server.url}/accounts/login/")
    check_page_at_widths(page, f"{live_server.url}/accounts/login/")
    sign_in(page, live_server, owner.username)
    expect(page.locator("#creditor-name")).to_be_visible()
    for path in (
        f"/cases/{a.paid_part.pk}/",
        f"/cases/{a.disputed.pk}/",
        "/debtors/",
        f"/debtors/{a.paid_part.debtor_id}/",
        "/settings/api-keys/",
        "/no-such-page/",
    ):
        check_page_at_widths(page, f"{live_server.url}{path}")
