"""The dashboard (issue 15, item 1): figures computed in SQL over the tenant's scope."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cases.dashboard import dashboard
from collections_portal.tenancy import agency_scope, creditor_scope
from creditors.agency import AgencyRole
from creditors.models import Role
from tests.factories import MembershipFactory, UserFactory, agency_user

from .helpers import at
from .portfolio import TODAY, make_portfolio

pytestmark = pytest.mark.django_db

HANDED_OVER = Decimal("1000.00") + Decimal("500.50") + Decimal("2000.00") + Decimal("1234.56")
HANDED_OVER += Decimal("250000.00")


@pytest.fixture
def portfolios(tenant_a, tenant_b):
    a = make_portfolio(tenant_a.creditor, "A")
    b = make_portfolio(tenant_b.creditor, "B")
    return a, b


@pytest.fixture
def today():
    with at(TODAY, 12):
        yield TODAY


def test_the_figures_of_one_creditor(tenant_a, portfolios, today, django_assert_max_num_queries):
    with creditor_scope(tenant_a.creditor), django_assert_max_num_queries(10):
        board = dashboard(today=today)
    # tenant_a's own factory case has no claims: 5 cases, only the portfolio's money.
    assert board.cases_total == 5
    assert board.handed_over == HANDED_OVER
    assert board.recovered_all == board.recovered_year == board.recovered_month == Decimal("400")
    assert board.outstanding["principal"] == HANDED_OVER - Decimal("400")
    assert board.recovery_rate == Decimal("400") / HANDED_OVER
    assert board.by_flag == {"paused": 1, "disputed": 1, "plan": 0, "promise": 0, "legal": 0}
    assert dict(board.aging) == {"0-30": 1, "31-90": 1, "91-180": 1, "181-365": 0, "365+": 1}
    assert {s: n for s, _label, n in board.by_stage}["new"] == 5
    assert board.average_days_to_payment == 30
    assert [d.case.creditor_id for d in board.open_disputes] == [tenant_a.creditor.pk]
    months = {row.month: row for row in board.months}
    assert len(board.months) == 12
    assert months[TODAY.replace(day=1)].collected == Decimal("400")
    filed_month = months[TODAY.replace(day=1, month=10)]
    assert filed_month.handed_over == HANDED_OVER  # filed on 17 October


def test_the_agency_sees_every_creditor_and_a_row_each(tenant_a, tenant_b, portfolios, today):
    with agency_scope(reason="test"):
        board = dashboard(today=today, per_creditor=True)
    assert board.handed_over == 2 * HANDED_OVER
    assert board.recovered_all == Decimal("800")
    assert [r["creditor__name"] for r in board.per_creditor] == sorted(
        [tenant_a.creditor.name, tenant_b.creditor.name]
    )
    assert all(r["handed_over"] == HANDED_OVER for r in board.per_creditor)
    assert all(r["recovered"] == Decimal("400") for r in board.per_creditor)


def _member(tenant, role):
    user = UserFactory()
    MembershipFactory(user=user, creditor=tenant.creditor, role=role)
    return user


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.MEMBER, Role.VIEWER])
def test_every_role_sees_its_creditors_dashboard_only(
    client, tenant_a, tenant_b, portfolios, today, role
):
    client.force_login(_member(tenant_a, role))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="handed-over">254.735<' in body
    assert 'id="recovered-all">400,00<' in body
    assert "A Jensen" in body  # the open dispute needs attention
    assert "B Jensen" not in body and tenant_b.creditor.name not in body
    assert 'id="per-creditor"' not in body
    assert 'href="/cases/?flag=disputed"' in body
    assert 'href="/cases/?aging=365+"' in body
    assert "vendor/chartjs/chart.umd.min.js" in body


def test_english_dashboard_uses_english_notation(client, tenant_a, portfolios, today):
    client.force_login(tenant_a.user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert 'id="handed-over">254,735<' in body
    assert 'id="recovered-all">400.00<' in body
    assert "Needs your attention" in body


def test_agency_staff_across_and_per_creditor(client, tenant_a, tenant_b, portfolios, today):
    client.force_login(agency_user(AgencyRole.AGENT))
    body = client.get(reverse("home")).content.decode()
    assert 'id="per-creditor"' in body
    assert tenant_a.creditor.name in body and tenant_b.creditor.name in body
    assert 'id="handed-over">509.470<' in body
    client.post(reverse("switch_creditor"), {"creditor": tenant_b.creditor.pk, "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert 'id="handed-over">254.735<' in body
    assert "B Jensen" in body and "A Jensen" not in body
    assert 'id="per-creditor"' not in body


def test_the_dashboard_reads_only(client, tenant_a):
    client.force_login(tenant_a.user)
    assert client.post(reverse("home")).status_code == 405
