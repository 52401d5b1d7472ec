"""Showing a full CPR number: only on a POST, only to those who may, and always recorded."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from collections_portal.tenancy import creditor_scope
from creditors.agency import AgencyRole
from creditors.models import Role
from debtors.models import NationalIdReveal
from debtors.services import debtor_reveal_national_id
from tests.factories import CompanyDebtorFactory, DebtorFactory, MembershipFactory, agency_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def debtor(tenant_a):
    return DebtorFactory(creditor=tenant_a.creditor, national_id="0101901234")


def viewer_of(creditor):
    return MembershipFactory(creditor=creditor, role=Role.VIEWER).user


def reveals(creditor):
    with creditor_scope(creditor):
        return list(
            NationalIdReveal.objects.values("debtor_id", "user_id", "reason", "revealed_at")
        )


def test_the_service_records_who_saw_the_number_and_when(tenant_a, debtor):
    moment = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
    with time_machine.travel(moment, tick=False), creditor_scope(tenant_a.creditor):
        shown = debtor_reveal_national_id(debtor=debtor, user=tenant_a.user, reason="phone call")
    assert shown == "010190-1234"
    assert reveals(tenant_a.creditor) == [
        {
            "debtor_id": debtor.pk,
            "user_id": tenant_a.user.pk,
            "reason": "phone call",
            "revealed_at": moment,
        }
    ]


def test_the_service_refuses_a_viewer_and_records_nothing(tenant_a, debtor):
    with creditor_scope(tenant_a.creditor), pytest.raises(PermissionDenied):
        debtor_reveal_national_id(debtor=debtor, user=viewer_of(tenant_a.creditor))
    assert reveals(tenant_a.creditor) == []


def test_the_service_refuses_a_member_of_another_creditor(tenant_a, tenant_b, debtor):
    with creditor_scope(tenant_a.creditor), pytest.raises(PermissionDenied):
        debtor_reveal_national_id(debtor=debtor, user=tenant_b.user)


def test_the_detail_page_shows_the_cpr_number_masked_with_a_button(client, tenant_a, debtor):
    client.force_login(tenant_a.user)
    body = client.get(reverse("debtor_detail", args=[debtor.pk])).content.decode()
    assert "010190-XXXX" in body
    assert "0101901234" not in body
    assert "010190-1234" not in body
    assert reverse("debtor_reveal", args=[debtor.pk]) in body
    assert reveals(tenant_a.creditor) == []


def test_the_list_page_shows_the_cpr_number_masked(client, tenant_a, debtor):
    client.force_login(tenant_a.user)
    body = client.get(reverse("debtor_list")).content.decode()
    assert "010190-XXXX" in body
    assert "0101901234" not in body


def test_the_full_number_is_shown_once_after_the_post(client, tenant_a, debtor):
    client.force_login(tenant_a.user)
    url = reverse("debtor_reveal", args=[debtor.pk])
    response = client.post(url, {"reason": "debtor on the phone"})
    assert response.status_code == 200
    assert "010190-1234" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    [reveal] = reveals(tenant_a.creditor)
    assert (reveal["user_id"], reveal["reason"]) == (tenant_a.user.pk, "debtor on the phone")
    # Back on the page, the number is masked again.
    body = client.get(reverse("debtor_detail", args=[debtor.pk])).content.decode()
    assert "010190-1234" not in body


def test_a_get_does_not_reveal(client, tenant_a, debtor):
    client.force_login(tenant_a.user)
    assert client.get(reverse("debtor_reveal", args=[debtor.pk])).status_code == 405
    assert reveals(tenant_a.creditor) == []


def test_a_viewer_gets_no_button_and_a_403(client, tenant_a, debtor):
    client.force_login(viewer_of(tenant_a.creditor))
    body = client.get(reverse("debtor_detail", args=[debtor.pk])).content.decode()
    assert "010190-XXXX" in body
    assert reverse("debtor_reveal", args=[debtor.pk]) not in body
    response = client.post(reverse("debtor_reveal", args=[debtor.pk]))
    assert response.status_code == 403
    assert "010190-1234" not in response.content.decode()
    assert reveals(tenant_a.creditor) == []


def test_another_creditors_member_gets_a_404(client, tenant_a, tenant_b, debtor):
    client.force_login(tenant_b.user)
    assert client.post(reverse("debtor_reveal", args=[debtor.pk])).status_code == 404
    assert reveals(tenant_a.creditor) == []


def test_an_agent_may_reveal(client, tenant_a, debtor):
    agent = agency_user(AgencyRole.AGENT)
    client.force_login(agent)
    response = client.post(reverse("debtor_reveal", args=[debtor.pk]))
    assert "010190-1234" in response.content.decode()
    assert [r["user_id"] for r in reveals(tenant_a.creditor)] == [agent.pk]


def test_a_too_long_reason_is_refused_without_revealing(client, tenant_a, debtor):
    client.force_login(tenant_a.user)
    response = client.post(reverse("debtor_reveal", args=[debtor.pk]), {"reason": "x" * 201})
    assert response.status_code == 400
    assert "010190-1234" not in response.content.decode()
    assert reveals(tenant_a.creditor) == []


def test_a_companys_cvr_number_is_shown_without_a_button(client, tenant_a):
    company = CompanyDebtorFactory(creditor=tenant_a.creditor, national_id="18340003")
    client.force_login(tenant_a.user)
    body = client.get(reverse("debtor_detail", args=[company.pk])).content.decode()
    assert "18340003" in body
    assert reverse("debtor_reveal", args=[company.pk]) not in body
