"""An exact look-up by CPR number is a POST with a reason, recorded as a reveal and limited.

The old ``?national_id=`` filter let any role, viewers included, recover a full CPR number by
trying the masked digits (37 requests), unlogged, with every try in the access log.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient
from stdnum.dk import cpr as stdnum_cpr

from collections_portal.tenancy import agency_scope
from creditors.models import Role
from debtors.models import NationalIdLookup, NationalIdReveal
from tests.factories import MembershipFactory, UserFactory

LOOKUP = "/api/v1/debtors/lookup/"


def lookups() -> list[NationalIdLookup]:
    with agency_scope(reason="test reads the look-up log"):
        return list(NationalIdLookup.objects.order_by("pk"))


def reveals() -> list[NationalIdReveal]:
    with agency_scope(reason="test reads the reveal log"):
        return list(NationalIdReveal.objects.order_by("pk"))


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_number_is_no_longer_a_query_parameter(api_a, tenant_a):
    number = tenant_a.debtor.national_id
    response = api_a.get(f"/api/v1/debtors/?national_id={number}")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"][0]["field"] == "national_id"
    assert number not in response.content.decode()


@pytest.mark.django_db
def test_an_api_key_finds_the_debtor_and_the_look_up_is_recorded_as_a_reveal(api_a, tenant_a):
    number = stdnum_cpr.format(tenant_a.debtor.national_id)  # formatted is fine
    response = api_a.post(
        LOOKUP, {"national_id": number, "reason": "Customer called about invoice"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert [d["id"] for d in response.json()["results"]] == [tenant_a.debtor.pk]
    (lookup,) = lookups()
    assert lookup.api_key_id == api_a.api_key.pk and lookup.user_id is None
    assert lookup.found_id == tenant_a.debtor.pk
    assert lookup.reason == "Customer called about invoice"
    (reveal,) = reveals()
    assert reveal.debtor_id == tenant_a.debtor.pk and reveal.api_key_id == api_a.api_key.pk


@pytest.mark.django_db
def test_a_miss_is_recorded_too_and_finds_nothing_of_another_creditor(api_a, tenant_b):
    response = api_a.post(
        LOOKUP, {"national_id": tenant_b.debtor.national_id, "reason": "check"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["results"] == []
    (lookup,) = lookups()
    assert lookup.found_id is None
    assert reveals() == []


@pytest.mark.django_db
def test_viewers_cannot_look_up(tenant_a):
    viewer = UserFactory(username="viewer")
    MembershipFactory(user=viewer, creditor=tenant_a.creditor, role=Role.VIEWER)
    response = session_client(viewer).post(
        LOOKUP, {"national_id": tenant_a.debtor.national_id, "reason": "curious"}, format="json"
    )

    assert response.status_code == 403
    assert lookups() == []


@pytest.mark.django_db
def test_a_member_looks_up_with_a_reason(tenant_a):
    client = session_client(tenant_a.user)
    without = client.post(LOOKUP, {"national_id": tenant_a.debtor.national_id}, format="json")
    assert without.status_code == 400
    assert without.json()["error"]["fields"][0]["field"] == "reason"

    found = client.post(
        LOOKUP, {"national_id": tenant_a.debtor.national_id, "reason": "phone"}, format="json"
    )
    assert found.status_code == 200
    assert [r.user_id for r in reveals()] == [tenant_a.user.pk]


@pytest.mark.django_db
def test_a_bad_number_is_refused_without_repeating_it(api_a):
    response = api_a.post(LOOKUP, {"national_id": "0101901234X", "reason": "x"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "national_id"
    assert "0101901234" not in response.content.decode()


@pytest.mark.django_db
def test_trying_the_masked_digits_is_stopped_by_the_limit(tenant_a, settings):
    """The probe's attack: the masked number shows the birth date; try the last four."""
    settings.NATIONAL_ID_LOOKUPS_PER_HOUR = 5
    client = session_client(tenant_a.user)
    birth = tenant_a.debtor.national_id[:6]
    statuses = [
        client.post(
            LOOKUP, {"national_id": f"{birth}{n:04d}", "reason": "guess"}, format="json"
        ).status_code
        for n in range(8)
    ]

    assert statuses == [200] * 5 + [429] * 3
    refused = client.post(
        LOOKUP, {"national_id": tenant_a.debtor.national_id, "reason": "x"}, format="json"
    )
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["error"]["status"] == 429
    assert len(lookups()) == 5
