"""A creditor downloads its settlement statement in the browser; the settlement pages (the
creditor's and the agency's) pass axe at both widths."""

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from integrations.bank.reconciliation import reconcile
from tests.bank.settle_helpers import known_case, pay_agency, pay_direct
from tests.bank.test_settlements import agreement, settle
from tests.factories import agency_user
from tests.notices.pdf import pdf_text

from .axe import check_page_at_widths
from .test_sign_in import page, sign_in  # noqa: F401 (the page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_creditor_downloads_its_statement(
    page,  # noqa: F811 (the fixture imported above)
    live_server,
    tenant_a,
    tmp_path,
):
    agent = agency_user(username="agent-sofie")
    creditor = agreement(tenant_a.creditor, share="50", commission="5")
    case = known_case(creditor, "2000.00", compensation="310.00", interest="100.00")
    pay_agency(case, "1410.00", agent)  # costs 310, interest 100 (50 kept), principal 1000
    pay_direct(case, "200.00")  # principal 200: commission 10 owed by the creditor
    settlement = settle(creditor)
    # 1000 - 50 + 50 + 310 = 1310 the creditor's share; 1310 - 10 = 1300 to pay out.
    assert settlement.payout == Decimal("1300.00")

    sign_in(page, live_server, tenant_a.user.username)
    page.get_by_role("link", name="Afregninger").click()
    expect(page.get_by_role("heading", name="Afregninger")).to_be_visible()
    row = page.locator("#settlement-list tr", has_text=settlement.number)
    expect(row).to_contain_text("1.300,00 DKK")
    with page.expect_download() as info:
        row.locator("a.statement-pdf").click()
    download = info.value
    assert download.suggested_filename == f"{settlement.number}.pdf"
    text = pdf_text(Path(download.path()).read_bytes(), tmp_path)
    assert "Afregningsopgørelse" in text
    assert "1.300,00" in text and "1.310,00" in text and "10,00" in text

    check_page_at_widths(page, f"{live_server.url}/settlements/")


def test_the_agency_settlement_pages_are_accessible(
    page,  # noqa: F811 (the fixture imported above)
    live_server,
    tenant_a,
):
    agent = agency_user(username="agent-jens")
    creditor = agreement(tenant_a.creditor)
    pay_agency(known_case(creditor, "1000.00"), "100.00", agent)
    settle(creditor)
    reconcile()
    sign_in(page, live_server, agent.username)
    for path in ("/agency/settlements/", "/agency/reconciliation/"):
        check_page_at_widths(page, f"{live_server.url}{path}")
