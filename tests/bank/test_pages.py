"""The agency's bank pages and API: agents upload files, resolve unmatched payments and use
the money tools; creditors' users and API keys are refused everywhere."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, get_resolver, reverse
from rest_framework.test import APIClient

from cases.models import Payment
from collections_portal.tenancy import creditor_scope
from creditors.models import Role
from integrations.bank.models import BankFile, Refund, UnmatchedPayment, UnmatchedStatus
from tests.api.conftest import key_client
from tests.factories import MembershipFactory, UserFactory

from .conftest import debt_case, read_file, sample

pytestmark = pytest.mark.django_db


def bank_routes() -> list[tuple[str, dict]]:
    """Every page of the agency's bank namespace, with ids of the right shape."""
    resolver = get_resolver().namespace_dict["bank"][1]
    routes = []
    for entry in resolver.url_patterns:
        assert isinstance(entry, URLPattern)
        kwargs = {}
        for name, converter in entry.pattern.converters.items():
            kwargs[name] = (
                "00000000-0000-0000-0000-000000000001" if "UUID" in str(type(converter)) else 1
            )
        routes.append((f"bank:{entry.name}", kwargs))
    return routes


def unmatched_item(amount: str = "500.00") -> UnmatchedPayment:
    read_file(
        sample(
            "nordea_camt054_v08.xml",
            AMOUNT_A="1.00",
            PID_A_SHORT="999",
            AMOUNT_B=amount,
            NAME_B="Ukendt Betaler",
        )
    )
    return UnmatchedPayment.objects.get(entry__reference="NDEA-E-2")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER, Role.ADMIN])
def test_creditor_users_are_refused_every_bank_page(client, tenant_a, role):
    user = UserFactory(username=f"bank-page-{role}")
    MembershipFactory(user=user, creditor=tenant_a.creditor, role=role)
    client.force_login(user)
    case_kwargs = {"case_id": tenant_a.case.pk}  # the creditor's own case: still refused
    routes = bank_routes()
    assert len(routes) >= 5
    for name, kwargs in routes:
        if "case_id" in kwargs:
            kwargs = case_kwargs
        path = reverse(name, kwargs=kwargs)
        assert client.get(path).status_code == 403, path
        # A write: refused (403), or not taken at all by a page that only reads (405).
        assert client.post(path).status_code in (403, 405), path


def test_creditor_api_keys_are_refused(tenant_a):
    client = key_client(tenant_a.creditor)
    data = sample("bank_export.csv", AMOUNT_A="1,00", PID_A="1")
    upload = SimpleUploadedFile("bank.csv", data)
    assert client.post("/api/v1/bank-files/", {"file": upload}).status_code == 403
    assert client.get("/api/v1/bank-files/").status_code == 403
    assert client.get("/api/v1/bank/unmatched/").status_code == 403
    path = f"/api/v1/agency/cases/{tenant_a.case.pk}/payments/"
    body = {"amount": "10.00", "received_on": "2026-01-02", "method": "card"}
    assert client.post(path, body, format="json").status_code == 403
    assert BankFile.objects.count() == 0


def test_an_agent_uploads_in_the_portal_and_follows_the_file(client, tenant_a, agent):
    case = debt_case(tenant_a.creditor)
    client.force_login(agent)
    data = sample("bank_export.csv", AMOUNT_A="100,00", PID_A=case.payment_id)
    response = client.post(reverse("bank:files"), {"file": SimpleUploadedFile("x.csv", data)})
    bank_file = BankFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("bank:file_detail", args=[bank_file.public_id])
    assert bank_file.status == "queued" and bank_file.source == "portal"
    again = client.post(
        reverse("bank:files"), {"file": SimpleUploadedFile("x.csv", data)}, follow=True
    )
    assert "uploaded before" in again.content.decode() or "før" in again.content.decode()
    assert BankFile.objects.count() == 1
    from integrations.bank.services import bank_file_process

    bank_file_process(file_id=bank_file.pk)
    page = client.get(reverse("bank:files")).content.decode()
    assert "x.csv" in page
    detail = client.get(reverse("bank:file_detail", args=[bank_file.public_id])).content.decode()
    assert "CSV-3" in detail  # the rejected line, with its reason


def test_an_agent_resolves_unmatched_payments_in_the_portal(client, tenant_a, tenant_b, agent):
    item = unmatched_item("500.00")
    case_a, case_b = debt_case(tenant_a.creditor), debt_case(tenant_b.creditor)
    client.force_login(agent)
    listing = client.get(reverse("bank:unmatched")).content.decode()
    assert "Ukendt Betaler" in listing
    url = reverse("bank:unmatched_detail", args=[item.pk])
    assert client.get(url).status_code == 200
    bad = {"action": "book", "case_0": case_a.number, "amount_0": "100,00"}
    client.post(url, bad)
    item.refresh_from_db()
    assert item.status == UnmatchedStatus.OPEN  # the shares did not add up
    split = {
        "action": "book",
        "case_0": case_a.number,
        "amount_0": "200,00",
        "case_1": case_b.number,
        "amount_1": "300.00",
    }
    assert client.post(url, split).status_code == 302
    item.refresh_from_db()
    assert item.status == UnmatchedStatus.BOOKED
    with creditor_scope(case_b.creditor_id):
        assert Payment.objects.get(case=case_b).amount == Decimal("300.00")


def test_an_agent_uses_the_money_tools_on_a_case_page(client, tenant_a, agent):
    case = debt_case(tenant_a.creditor, "300.00")
    other = debt_case(tenant_a.creditor)
    client.force_login(agent)
    url = reverse("bank:case_money", args=[case.pk])
    assert client.get(url).status_code == 200
    assert (
        reverse("bank:case_money", args=[case.pk])
        in client.get(reverse("case_detail", args=[case.pk])).content.decode()
    )
    client.post(
        url,
        {"action": "register", "amount": "1.000,00", "received_on": "2026-01-05", "method": "cash"},
    )  # cash is not a method: refused with a message
    client.post(
        url,
        {"action": "register", "amount": "1.000,00", "received_on": "", "method": "card"},
    )
    with creditor_scope(case.creditor_id):
        assert not Payment.objects.filter(case=case).exists()
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    client.post(
        url, {"action": "register", "amount": "1.000,00", "received_on": today, "method": "card"}
    )
    with creditor_scope(case.creditor_id):
        payment = Payment.objects.get(case=case)
    assert "balance-credit" in client.get(url).content.decode()
    client.post(url, {"action": "refund", "reason": "Overbetalt"})
    refund = Refund.objects.get()
    assert refund.case_id == case.pk and refund.amount > 0
    # Reverse is refused now (the credit went back); a new payment can be moved.
    client.post(url, {"action": "reverse", "payment": payment.pk, "reason": "x"})
    with creditor_scope(case.creditor_id):
        assert Payment.objects.get(pk=payment.pk).reversed_at is None
    client.post(url, {"action": "register", "amount": "50", "received_on": today, "method": "card"})
    with creditor_scope(case.creditor_id):
        second = Payment.objects.filter(case=case).exclude(pk=payment.pk).get()
    client.post(
        url,
        {"action": "move", "payment": second.pk, "to_case": other.number, "reason": "Forkert sag"},
    )
    with creditor_scope(case.creditor_id):
        assert Payment.objects.get(pk=second.pk).reversed_at is not None
        assert Payment.objects.get(case=other, reversed_at__isnull=True).amount == Decimal("50.00")


def test_the_api_for_agents(tenant_a, agent):
    client = APIClient()
    client.force_login(agent)
    case = debt_case(tenant_a.creditor, "300.00")
    data = sample(
        "danske_camt054_v02.xml",
        TOTAL="3.00",
        AMOUNT_A="1.00",
        AMOUNT_B="2.00",
        PID_A="000000000000000",
        CASE_B="1",
    )
    response = client.post("/api/v1/bank-files/", {"file": SimpleUploadedFile("d.xml", data)})
    assert response.status_code == 202, response.content
    assert response.json()["format"] == "camt054"
    again = client.post("/api/v1/bank-files/", {"file": SimpleUploadedFile("d.xml", data)})
    assert again.status_code == 409
    raw = client.post("/api/v1/bank-files/", b"<x/>", content_type="application/xml")
    assert raw.status_code == 400
    from integrations.bank.services import bank_file_process

    bank_file_process(file_id=BankFile.objects.get().pk)
    public_id = response.json()["id"]
    detail = client.get(f"/api/v1/bank-files/{public_id}/").json()
    assert detail["unmatched"] == 2 and len(detail["entries_not_booked"]) == 2
    rows = client.get("/api/v1/bank/unmatched/").json()["results"]
    assert len(rows) == 2
    one, two = sorted(rows, key=lambda r: Decimal(r["amount"]))
    booked = client.post(
        f"/api/v1/bank/unmatched/{one['id']}/book/",
        {"shares": [{"case": case.number, "amount": "1.00"}]},
        format="json",
    )
    assert booked.status_code == 200 and booked.json()["status"] == "booked"
    refunded = client.post(
        f"/api/v1/bank/unmatched/{two['id']}/refund/", {"reason": "Ukendt"}, format="json"
    )
    assert refunded.json()["status"] == "refund"
    # The money tools.
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    made = client.post(
        f"/api/v1/agency/cases/{case.pk}/payments/",
        {"amount": "1000.00", "received_on": today, "method": "card"},
        format="json",
    )
    assert made.status_code == 201, made.content
    refund = client.post(
        f"/api/v1/agency/cases/{case.pk}/refund-credit/", {"reason": "Overbetalt"}, format="json"
    )
    assert refund.status_code == 201 and Decimal(refund.json()["amount"]) > 0
    payment_id = client.post(
        f"/api/v1/agency/cases/{case.pk}/payments/",
        {"amount": "5.00", "received_on": today, "method": "card"},
        format="json",
    ).json()["id"]
    other = debt_case(tenant_a.creditor)
    moved = client.post(
        f"/api/v1/agency/payments/{payment_id}/move/",
        {"case": other.number, "reason": "Forkert"},
        format="json",
    )
    assert moved.status_code == 201 and moved.json()["case"] == other.number
    reversed_ = client.post(
        f"/api/v1/agency/payments/{moved.json()['id']}/reverse/",
        {"reason": "Afvist"},
        format="json",
    )
    assert reversed_.json()["reversed"] is True
    refused = client.post(
        f"/api/v1/agency/payments/{payment_id}/reverse/", {"reason": ""}, format="json"
    )
    assert refused.status_code == 400
