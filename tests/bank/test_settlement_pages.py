"""The Settlements pages: a creditor's users (any role) list their settlements and download
the statements; nobody sees another creditor's; agency staff settle by hand, download the
payout file and read the reconciliation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from collections_portal.tenancy import creditor_scope
from creditors.models import Role
from integrations.bank.models import Reconciliation, Settlement
from integrations.bank.payout import NS
from tests.factories import MembershipFactory, UserFactory

from .settle_helpers import known_case, pay_agency
from .test_settlements import agreement, settle

pytestmark = pytest.mark.django_db


def member(tenant, role=Role.MEMBER):
    user = UserFactory()
    MembershipFactory(user=user, creditor=tenant.creditor, role=role)
    return user


@pytest.fixture
def settlement(tenant_a, agent):
    creditor = agreement(tenant_a.creditor, commission="10")
    pay_agency(known_case(creditor, "1000.00"), "500.00", agent)
    return settle(creditor)


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.MEMBER, Role.VIEWER])
def test_every_role_reads_and_downloads(client, tenant_a, settlement, role):
    client.force_login(member(tenant_a, role))
    page = client.get(reverse("settlements"))
    assert page.status_code == 200
    assert settlement.number in page.text
    pdf = client.get(reverse("settlement_pdf", args=[settlement.public_id]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = client.get(reverse("settlement_csv", args=[settlement.public_id]))
    assert text.status_code == 200
    assert "450.00" in text.content.decode()  # 500 less 10 % commission


def test_another_creditors_statement_is_not_found(client, tenant_b, settlement):
    client.force_login(member(tenant_b, Role.OWNER))
    assert settlement.number not in client.get(reverse("settlements")).text
    for name in ("settlement_pdf", "settlement_csv"):
        assert client.get(reverse(name, args=[settlement.public_id])).status_code == 404


def test_a_creditor_user_cannot_use_the_agency_pages(client, tenant_a, settlement):
    client.force_login(member(tenant_a, Role.OWNER))
    for name, args in (
        ("bank:settlements", []),
        ("bank:settlement_payout", [settlement.public_id]),
        ("bank:reconciliation", []),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403
    assert client.post(reverse("bank:reconciliation_run")).status_code == 403
    assert Reconciliation.objects.count() == 0


def test_agency_staff_settle_by_hand_and_download_the_payout(client, tenant_a, agent, settings):
    settings.AGENCY_BANK_IBAN = "DK5000400440116243"
    creditor = agreement(tenant_a.creditor, commission="0")
    creditor.iban = "DK9520000123456789"
    creditor.save()
    pay_agency(known_case(creditor, "1000.00"), "321.45", agent)
    client.force_login(agent)
    assert client.get(reverse("bank:settlements")).status_code == 200
    response = client.post(
        reverse("bank:settlements"),
        {"creditor": creditor.pk, "period_end": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    with creditor_scope(creditor):
        settlement = Settlement.objects.get()
    assert settlement.payout == Decimal("321.45")
    assert settlement.created_by == agent
    payout = client.get(reverse("bank:settlement_payout", args=[settlement.public_id]))
    assert payout.status_code == 200
    root = etree.fromstring(payout.content)
    assert root.findtext(f".//{{{NS}}}CtrlSum") == "321.45"
    # Again: nothing left to settle, no second settlement.
    client.post(
        reverse("bank:settlements"),
        {"creditor": creditor.pk, "period_end": timezone.localdate().isoformat()},
    )
    with creditor_scope(creditor):
        assert Settlement.objects.count() == 1


def test_agency_staff_check_and_read_the_reconciliation(client, agent, settlement):
    client.force_login(agent)
    assert (
        "Not checked yet"
        in client.get(reverse("bank:reconciliation"), HTTP_ACCEPT_LANGUAGE="en").text
    )
    assert client.post(reverse("bank:reconciliation_run")).status_code == 302
    page = client.get(reverse("bank:reconciliation"))
    assert page.status_code == 200
    assert 'id="reconciliation"' in page.text
    assert Reconciliation.objects.filter(creditor=None, difference=0).count() == 1
