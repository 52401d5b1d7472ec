"""An agent resolves an unmatched bank payment in the browser: finds it in the list, books it
on the right case, and the case has the payment."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cases.models import Payment
from collections_portal.tenancy import creditor_scope
from integrations.bank.models import UnmatchedPayment, UnmatchedStatus
from tests.bank.conftest import debt_case, read_file, sample
from tests.factories import agency_user

from .axe import check_page_at_widths
from .test_sign_in import page, sign_in  # noqa: F401 (the page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_books_an_unmatched_payment_on_a_case(
    page,  # noqa: F811 (the fixture imported above)
    live_server,
    tenant_a,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    case = debt_case(tenant_a.creditor, name="Bente Kjær")
    read_file(
        sample(
            "nordea_camt054_v08.xml",
            AMOUNT_A="1.00",
            PID_A_SHORT="999",
            AMOUNT_B="432.10",
            NAME_B="Ukendt Betaler Æblegård",
        )
    )
    item = UnmatchedPayment.objects.get(entry__reference="NDEA-E-2")
    agent = agency_user(username="agent-kim")
    sign_in(page, live_server, agent.username)

    page.get_by_role("link", name="Bankindbetalinger").click()
    expect(page.get_by_role("heading", name="Bankfiler")).to_be_visible()
    page.locator("#unmatched-link").click()
    expect(page.get_by_role("heading", name="Uafstemte betalinger")).to_be_visible()
    row = page.locator("#unmatched-list tr", has_text="Ukendt Betaler Æblegård")
    expect(row).to_contain_text("432,10 DKK")  # Danish number format
    row.get_by_role("link", name="Behandl").click()

    form = page.locator("#unmatched-book")
    form.locator("input[name=case_0]").fill(str(case.number))
    form.locator("input[name=amount_0]").fill("432,10")
    form.get_by_role("button", name="Bogfør").click()
    expect(page.get_by_text("Betalingen er bogført.")).to_be_visible()
    # Back on the list, which no longer has it (the file's other unmatched payment stays).
    expect(page.get_by_role("heading", name="Uafstemte betalinger")).to_be_visible()
    expect(page.locator("#unmatched-list tr", has_text="Æblegård")).to_have_count(0)

    item.refresh_from_db()
    assert (item.status, item.resolved_by) == (UnmatchedStatus.BOOKED, agent)
    # The bank pages pass axe at both widths and do not scroll sideways on a phone.
    other = UnmatchedPayment.objects.get(status=UnmatchedStatus.OPEN)
    for path in (
        "/agency/bank/",
        f"/agency/bank/files/{item.entry.file.public_id}/",
        "/agency/bank/unmatched/",
        f"/agency/bank/unmatched/{other.pk}/",
        f"/agency/cases/{case.pk}/money/",
    ):
        check_page_at_widths(page, f"{live_server.url}{path}")
    with creditor_scope(case.creditor_id):
        assert Payment.objects.get(case=case).amount == Decimal("432.10")
