"""The credit-bureau resources of a case over the API: list, warn, register, deregister."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from cases.models import CreditBureauSubmission, RegistrationStatus
from collections_portal.tenancy import creditor_scope
from creditors.models import Role
from tests.cases.helpers import at
from tests.cases.test_credit_bureau import ELIGIBLE, WARNED, in_collection
from tests.factories import MembershipFactory, UserFactory, agency_user

from .conftest import key_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CREDIT_BUREAU_URL = ""
    settings.CREDIT_BUREAU_OUTBOX = str(tmp_path / "outbox")


def url(case, action: str = "") -> str:
    return f"/api/v1/cases/{case.pk}/credit-bureau/" + (f"{action}/" if action else "")


def test_an_api_key_warns_registers_and_deregisters(tenant_a, django_capture_on_commit_callbacks):
    case = in_collection(tenant_a.creditor)
    client = key_client(tenant_a.creditor)
    assert client.get(url(case)).json() == {"results": []}
    with at(WARNED):
        warned = client.post(url(case, "warn"), {"bureau": "rki"}, format="json")
        assert warned.status_code == 201, warned.json()
        assert warned.json()["status"] == RegistrationStatus.WARNED
        assert warned.json()["eligible_from"] == ELIGIBLE.isoformat()
        again = client.post(url(case, "warn"), {"bureau": "rki"}, format="json")
        assert again.status_code == 200 and again.json()["id"] == warned.json()["id"]
    with at(WARNED):
        early = client.post(
            url(case, "register"), {"bureau": "rki"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        danish = client.post(
            url(case, "register"), {"bureau": "rki"}, format="json", HTTP_ACCEPT_LANGUAGE="da"
        )
    assert early.status_code == danish.status_code == 409
    assert early.json()["error"]["code"] == "refused"
    assert "allows a registration from 2025-02-12" in early.json()["error"]["message"]
    # The refusal is said in the caller's language.
    assert "tillader en registrering fra den 2025-02-12" in danish.json()["error"]["message"]
    with at(ELIGIBLE), django_capture_on_commit_callbacks(execute=False) as hooks:
        done = client.post(url(case, "register"), {"bureau": "rki"}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == RegistrationStatus.REGISTERED
    assert [h.task.name for h in hooks if hasattr(h, "task")] == ["cases.credit_bureau_send"]
    with at(ELIGIBLE):
        gone = client.post(
            url(case, "deregister"), {"bureau": "rki", "note": "Agreed"}, format="json"
        )
    assert gone.status_code == 200
    [row] = gone.json()["results"]
    assert (row["status"], row["deregistration_reason"]) == ("deregistered", "decided")
    with creditor_scope(tenant_a.creditor):
        assert CreditBureauSubmission.objects.filter(registration_id=row["id"]).count() == 2


def test_an_unknown_bureau_is_a_field_error(tenant_a):
    case = in_collection(tenant_a.creditor)
    answer = key_client(tenant_a.creditor).post(url(case, "warn"), {"bureau": "x"}, format="json")
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"][0]["field"] == "bureau"


def test_agency_staff_act_and_viewers_only_read(tenant_a):
    case = in_collection(tenant_a.creditor)
    viewer = UserFactory(username="cb-viewer")
    MembershipFactory(user=viewer, creditor=tenant_a.creditor, role=Role.VIEWER)
    reader = APIClient()
    reader.force_login(viewer)
    with at(WARNED):
        assert reader.get(url(case)).status_code == 200
        for action in ("warn", "register", "deregister"):
            answer = reader.post(url(case, action), {"bureau": "rki"}, format="json")
            assert answer.status_code == 403, action
        staff = APIClient()
        staff.force_login(agency_user())
        answer = staff.post(url(case, "warn"), {"bureau": "rki"}, format="json")
    assert answer.status_code == 201, answer.json()


def test_another_creditors_key_finds_no_case(tenant_a, tenant_b):
    case = in_collection(tenant_a.creditor)
    other = key_client(tenant_b.creditor)
    assert other.get(url(case)).status_code == 404
    assert other.post(url(case, "warn"), {"bureau": "rki"}, format="json").status_code == 404


def test_the_walks_know_the_new_routes():
    from .test_tenant_isolation import api_urls_with_objects

    names = {u.name for u in api_urls_with_objects()}
    assert {
        "api-case-credit-bureau",
        "api-case-credit-bureau-warn",
        "api-case-credit-bureau-register",
        "api-case-credit-bureau-deregister",
    } <= names
