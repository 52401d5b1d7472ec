"""The case list (issue 15, item 2): search, filters, sort, keyset pages, htmx, exports, and
the CPR/CVR look-up; every role, and never another creditor's case."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases import case_list as case_list_module
from collections_portal.tenancy import creditor_scope
from creditors.agency import AgencyRole
from creditors.models import Role
from debtors.models import ContactKind, NationalIdLookup
from tests.factories import ContactPointFactory, MembershipFactory, UserFactory, agency_user

from .helpers import at
from .portfolio import TODAY, make_portfolio

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant_a, tenant_b):
    a = make_portfolio(tenant_a.creditor, "A")
    b = make_portfolio(tenant_b.creditor, "B")
    with at(TODAY, 12):
        yield a, b


def member(tenant, role=Role.MEMBER):
    user = UserFactory()
    MembershipFactory(user=user, creditor=tenant.creditor, role=role)
    return user


def listed(client, **params) -> list[str]:
    response = client.get(reverse("case_list"), params)
    assert response.status_code == 200
    return [row["case"].reference for row in response.context["rows"]]


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.MEMBER, Role.VIEWER])
def test_every_role_lists_its_creditors_cases_only(client, tenant_a, tenant_b, world, role):
    a, b = world
    client.force_login(member(tenant_a, role))
    response = client.get(reverse("case_list"))
    body = response.content.decode()
    refs = [row["case"].reference for row in response.context["rows"]]
    assert set(refs) == {c.reference for c in a.all} | {tenant_a.case.reference}
    for case in b.all:
        assert case.reference not in body
    assert tenant_b.creditor.name not in body
    row = body[body.index(f'data-case="{a.paid_part.reference}"') :]
    assert "1.500,50" in row[:3000]  # the original principal, with separators
    assert "1.100,50" in row[:3000]  # the balance after 400,00 paid


def test_the_columns_say_stage_flags_and_next_step(client, tenant_a, world):
    a, _b = world
    client.force_login(tenant_a.user)
    body = client.get(reverse("case_list")).content.decode()
    paused = body[body.index(f'data-case="{a.paused.reference}"') :][:3000]
    assert "sat i bero til 26.11.2026" in paused.lower()
    assert "Genoptages efter pausen" in paused
    disputed = body[body.index(f'data-case="{a.disputed.reference}"') :][:3000]
    assert "bestridt" in disputed
    assert "Venter på svar på indsigelsen" in disputed


@pytest.mark.parametrize(
    ("query", "which"),
    [
        ("A-REF-1", "paid_part"),  # the creditor's reference
        ("a-2001", "disputed"),  # an invoice number, any case
        ("Vinterberg", "paused"),  # part of the debtor's name (one no generated name has)
        ("byg aps", "company"),
    ],
)
def test_search_by_reference_invoice_and_name(client, tenant_a, world, query, which):
    a, _b = world
    client.force_login(tenant_a.user)
    assert listed(client, q=query) == [getattr(a, which).reference]


def test_search_by_case_number_and_payment_id(client, tenant_a, world):
    a, b = world
    client.force_login(tenant_a.user)
    assert listed(client, q=a.company.reference) == [a.company.reference]
    assert listed(client, q=a.company.payment_id) == [a.company.reference]
    assert listed(client, q=f"+71<{a.company.payment_id}<") == [a.company.reference]
    # Another creditor's case number finds nothing.
    assert listed(client, q=b.company.reference) == []


def test_search_by_email_and_phone(client, tenant_a, world):
    a, _b = world
    ContactPointFactory(
        creditor=tenant_a.creditor, debtor=a.disputed.debtor, value="jensen@example.com"
    )
    ContactPointFactory(
        creditor=tenant_a.creditor,
        debtor=a.paused.debtor,
        kind=ContactKind.PHONE,
        value="+4532123456",
    )
    client.force_login(tenant_a.user)
    assert listed(client, q="Jensen@Example.com") == [a.disputed.reference]
    assert listed(client, q="32 12 34 56") == [a.paused.reference]


def test_a_cpr_number_in_the_search_box_is_not_looked_up(client, tenant_a, world):
    a, _b = world
    client.force_login(tenant_a.user)
    cpr = a.paused.debtor.national_id
    response = client.get(reverse("case_list"), {"q": cpr})
    assert response.context["rows"] == []
    assert 'id="national-id-hint"' in response.content.decode()
    with creditor_scope(tenant_a.creditor):
        assert NationalIdLookup.objects.count() == 0


def test_the_cpr_look_up_is_recorded_and_opens_the_debtors_cases(client, tenant_a, world):
    a, _b = world
    client.force_login(tenant_a.user)
    debtor = a.paused.debtor
    response = client.post(
        reverse("case_lookup"),
        {"national_id": debtor.national_id, "reason": "the debtor phoned"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/cases/?debtor={debtor.pk}"
    assert listed(client, debtor=debtor.pk) == [a.paused.reference]
    with creditor_scope(tenant_a.creditor):
        lookup = NationalIdLookup.objects.get()
    assert lookup.user == tenant_a.user and lookup.found == debtor
    assert lookup.reason == "the debtor phoned"


def test_the_cpr_look_up_never_finds_another_creditors_debtor(client, tenant_a, world):
    _a, b = world
    client.force_login(tenant_a.user)
    response = client.post(
        reverse("case_lookup"),
        {"national_id": b.paused.debtor.national_id, "reason": "testing"},
        follow=True,
    )
    assert "Ingen skyldner hos denne kreditor har det nummer." in response.content.decode()
    assert b.paused.reference not in response.content.decode()


def test_a_viewer_may_not_look_up_a_cpr_number(client, tenant_a, world):
    a, _b = world
    client.force_login(member(tenant_a, Role.VIEWER))
    assert 'id="national-id-lookup"' not in client.get(reverse("case_list")).content.decode()
    response = client.post(
        reverse("case_lookup"),
        {"national_id": a.paused.debtor.national_id, "reason": "curious"},
    )
    assert response.status_code == 403
    with creditor_scope(tenant_a.creditor):
        assert NationalIdLookup.objects.count() == 0


def test_filters(client, tenant_a, world):
    a, _b = world
    client.force_login(tenant_a.user)
    assert listed(client, flag="disputed") == [a.disputed.reference]
    assert listed(client, flag="paused") == [a.paused.reference]
    assert listed(client, aging="365+") == [a.paused.reference]
    assert listed(client, aging="91-180") == [a.paid_part.reference]
    assert set(listed(client, balance_min="1000", balance_max="2000")) == {
        a.paid_part.reference,
        a.disputed.reference,
        a.paused.reference,
    }
    assert listed(client, paid_from=TODAY.isoformat()) == [a.paid_part.reference]
    due = (TODAY - timedelta(days=15)).isoformat()
    assert listed(client, due_from=due) == [a.disputed.reference]
    filed = (TODAY - timedelta(days=30)).isoformat()
    assert len(listed(client, handed_from=filed, handed_to=filed)) == 4
    assert len(listed(client, stage="new")) == 5
    assert listed(client, stage="closed") == []
    # A value that does not validate is left out, not an error, and the page says so.
    assert len(listed(client, balance_min="lots", stage="nonsense")) == 5
    body = client.get(reverse("case_list"), {"balance_min": "lots"}).content.decode()
    assert "Saldo fra: Indtast et tal. (udeladt)" in body


def test_sort_and_keyset_pages(client, tenant_a, world, monkeypatch):
    a, _b = world
    monkeypatch.setattr(case_list_module, "PAGE_SIZE", 2)
    client.force_login(tenant_a.user)
    seen = []
    params = {"sort": "-balance", "stage": "open"}
    response = client.get(reverse("case_list"), params)
    while True:
        seen += [row["case"].reference for row in response.context["rows"]]
        next_url = response.context["next_url"]
        if not next_url:
            break
        assert "sort=-balance" in next_url and "stage=open" in next_url
        response = client.get(reverse("case_list") + next_url)
    expected = [a.company, a.disputed, a.paused, a.paid_part]
    assert seen[:4] == [c.reference for c in expected]
    assert len(seen) == 5 and len(set(seen)) == 5


def test_a_broken_cursor_is_the_first_page(client, tenant_a, world):
    client.force_login(tenant_a.user)
    response = client.get(reverse("case_list"), {"cursor": "garbage!!"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 5


def test_the_list_costs_a_fixed_number_of_queries(
    client, tenant_a, world, django_assert_max_num_queries
):
    client.force_login(tenant_a.user)
    client.get(reverse("case_list"))
    with django_assert_max_num_queries(12):
        client.get(reverse("case_list"), {"sort": "due", "flag": "paused"})


def test_htmx_gets_the_results_only(client, tenant_a, world):
    client.force_login(tenant_a.user)
    response = client.get(
        reverse("case_list"),
        {"flag": "disputed"},
        headers={"HX-Request": "true", "HX-Target": "case-results"},
    )
    body = response.content.decode()
    assert "<html" not in body and 'id="case-table"' in body
    assert "export.csv?flag=disputed" in body


def test_csv_export_of_the_filtered_list(client, tenant_a, world):
    a, _b = world
    client.force_login(tenant_a.user)
    response = client.get(reverse("case_export_csv"), {"stage": "open", "sort": "-balance"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Sagsnummer"
    assert [r[0] for r in rows[1:5]] == [
        a.company.reference,
        a.disputed.reference,
        a.paused.reference,
        a.paid_part.reference,
    ]
    assert rows[1][8] == "250000,00"
    assert all(tenant_a.creditor.name == r[3] for r in rows[1:])


def test_csv_export_neutralises_formulas(client, tenant_a, world):
    a, _b = world
    from debtors.models import Debtor

    with creditor_scope(tenant_a.creditor):
        Debtor.objects.filter(pk=a.company.debtor_id).update(name="=HYPERLINK(1)")
    client.force_login(tenant_a.user)
    response = client.get(reverse("case_export_csv"), {"q": a.company.reference})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


def test_xlsx_export_of_the_filtered_list(client, tenant_a, tenant_b, world):
    a, b = world
    client.force_login(member(tenant_a, Role.VIEWER))  # exporting is reading
    response = client.get(reverse("case_export_xlsx"), {"flag": "disputed"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Sagsnummer"
    assert [r[0] for r in rows[1:]] == [a.disputed.number]
    assert float(rows[1][7]) == 2000.0
    assert b.disputed.number not in [r[0] for r in rows[1:]]


def test_agency_staff_list_every_creditor_and_narrow_to_one(client, tenant_a, tenant_b, world):
    a, b = world
    client.force_login(agency_user(AgencyRole.AGENT))
    assert len(listed(client)) == 10
    assert set(listed(client, creditor=tenant_b.creditor.pk)) == {c.reference for c in b.all} | {
        tenant_b.case.reference
    }
    # Across creditors a CPR look-up needs a creditor first, and the page says so.
    body = client.get(reverse("case_list"), {"q": a.paused.debtor.national_id}).content.decode()
    assert "vælg en kreditor øverst" in body
    response = client.post(
        reverse("case_lookup"), {"national_id": a.paused.debtor.national_id, "reason": "x"}
    )
    assert response.status_code == 302
    with creditor_scope(tenant_a.creditor):
        assert NationalIdLookup.objects.count() == 0
