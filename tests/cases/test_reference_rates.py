"""Staff keep the reference-rate table; interest follows what they add."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.models import ReferenceRate
from cases.selectors import interest_accruals
from collections_portal.tenancy import creditor_scope
from creditors.agency import AgencyRole
from tests.factories import agency_user

from .helpers import claim, file_case

pytestmark = pytest.mark.django_db


def test_the_dk_table_is_seeded_with_unverified_rates_marked():
    rates = {r.valid_from: r for r in ReferenceRate.objects.filter(jurisdiction="DK")}
    assert rates[date(2023, 1, 1)].rate == Decimal("1.900")
    assert rates[date(2023, 1, 1)].verified
    assert not rates[date(2025, 7, 1)].verified


def test_an_agency_admin_adds_the_next_half_year_and_interest_runs_on(client, tenant_a):
    case = file_case(tenant_a.creditor, claim("R-1", "10000.00", date(2026, 1, 15)))
    with creditor_scope(tenant_a.creditor):
        before = interest_accruals(case=case, up_to=date(2026, 8, 31))
    assert before[0].end == date(2026, 6, 30)  # no rate for 2026-H2 yet

    client.force_login(agency_user(AgencyRole.ADMIN))
    response = client.post(
        reverse("admin:cases_referencerate_add"),
        {"jurisdiction": "DK", "valid_from": "2026-07-01", "rate": "1.600", "source": "NB"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    with creditor_scope(tenant_a.creditor):
        after = interest_accruals(case=case, up_to=date(2026, 8, 31))
    assert after[0].end == date(2026, 8, 31)
    assert "9.60" in after[0].figure.explanation + "".join(
        p.explanation for p in after[0].figure.parts
    )


def test_a_rate_must_start_a_half_year(client):
    client.force_login(agency_user(AgencyRole.ADMIN))
    response = client.post(
        reverse("admin:cases_referencerate_add"),
        {"jurisdiction": "DK", "valid_from": "2026-08-01", "rate": "1.600"},
    )
    assert response.status_code == 200
    assert "valid_from" in response.context["adminform"].form.errors
