"""The workspace's pages: agency staff only (creditor users get 403 on every one, even for
their own creditor's items), the queue explains the ranking, and the actions go through."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from cases.models import (
    CaseEvent,
    ContactLog,
    PromiseToPay,
    WorkItem,
    WorkItemReason,
    WorkItemStatus,
    WorkScoreWeights,
)
from cases.services import workspace
from collections_portal.tenancy import agency_scope, creditor_scope
from creditors.agency import AgencyRole
from creditors.models import Role
from tests.factories import MembershipFactory, UserFactory, agency_user

from .helpers import claim, file_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(tenant_a):
    case = file_case(tenant_a.creditor, claim("V-1", "2500.00", date.today() - timedelta(days=40)))
    with creditor_scope(tenant_a.creditor):
        return workspace.work_item_raise(case=case, reason=WorkItemReason.NEW_IN_COLLECTION)


def work_routes(item) -> list[str]:
    resolver = get_resolver().namespace_dict["work"][1]
    paths = []
    for entry in resolver.url_patterns:
        assert isinstance(entry, URLPattern)
        kwargs = {}
        if "item_id" in entry.pattern.converters:
            kwargs["item_id"] = item.pk
        for name, value in (("plan_id", 1), ("approval_id", 1), ("decision", "approve")):
            if name in entry.pattern.converters:
                kwargs[name] = value
        if "action" in entry.pattern.converters:
            for action in ("contact", "promise", "close", "skip"):
                paths.append(reverse(f"work:{entry.name}", kwargs={**kwargs, "action": action}))
            continue
        paths.append(reverse(f"work:{entry.name}", kwargs=kwargs))
    return paths


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER, Role.ADMIN, Role.OWNER])
def test_creditor_users_are_refused_every_workspace_page(client, tenant_a, item, role):
    user = UserFactory(username=f"work-page-{role}")
    MembershipFactory(user=user, creditor=tenant_a.creditor, role=role)
    client.force_login(user)
    paths = work_routes(item)  # the creditor's own item: still refused
    assert len(paths) >= 7
    for path in paths:
        assert client.get(path).status_code in (403, 405), path
        assert client.post(path).status_code in (403, 405), path
    with creditor_scope(tenant_a.creditor):
        item.refresh_from_db()
        assert item.leased_by is None and item.status == WorkItemStatus.OPEN
        assert not ContactLog.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, item):
    response = client.get(reverse("work:queue"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [AgencyRole.AGENT, AgencyRole.SUPERVISOR])
def test_agency_staff_see_the_queue_with_why_each_item_ranks(client, item, role):
    client.force_login(agency_user(role))
    page = client.get(reverse("work:queue"), HTTP_ACCEPT_LANGUAGE="da")
    assert page.status_code == 200
    html = page.content.decode()
    assert item.case.reference in html
    assert "Ny i inkasso, ingen kontakt endnu" in html
    assert "Saldo: " in html  # the factor behind the ranking
    reason_filtered = client.get(reverse("work:queue"), {"reason": "callback"})
    assert item.case.reference not in reason_filtered.content.decode()
    stage_filtered = client.get(reverse("work:queue"), {"stage": item.case.state})
    assert item.case.reference in stage_filtered.content.decode()


def test_next_contact_promise_and_save_and_next(client, tenant_a, item):
    second_case = file_case(tenant_a.creditor, claim("V-2", "10.00", date.today()))
    with creditor_scope(tenant_a.creditor):
        second = workspace.work_item_raise(case=second_case, reason=WorkItemReason.CALLBACK)
    agent = agency_user(first_name="Kim", last_name="Holm")
    client.force_login(agent)
    response = client.post(reverse("work:next"))
    assert response["Location"] == reverse("work:item", kwargs={"item_id": item.pk})
    assert client.get(response["Location"]).status_code == 200
    client.post(
        reverse("work:action", kwargs={"item_id": item.pk, "action": "contact"}),
        {"channel": "phone", "direction": "outbound", "outcome": "reached", "note": "OK"},
    )
    pay_by = timezone.localdate() + timedelta(days=7)
    response = client.post(
        reverse("work:action", kwargs={"item_id": item.pk, "action": "promise"}),
        {"amount": "1.250,00", "pay_by": pay_by.isoformat(), "save_next": "1"},
    )
    assert response["Location"] == reverse("work:item", kwargs={"item_id": second.pk})
    with agency_scope(reason="test"):
        promise = PromiseToPay.objects.get(case=item.case)
        assert (promise.amount, promise.pay_by) == (Decimal("1250.00"), pay_by)
        item.refresh_from_db()
        assert item.status == WorkItemStatus.DONE and item.leased_by is None
        codes = set(CaseEvent.objects.filter(case=item.case).values_list("code", flat=True))
        assert {"case.contact_logged", "case.promise_recorded"} <= codes
        assert WorkItem.objects.get(pk=second.pk).leased_by == agent


def test_a_bad_amount_is_refused_with_a_message(client, item):
    client.force_login(agency_user())
    response = client.post(
        reverse("work:action", kwargs={"item_id": item.pk, "action": "promise"}),
        {"amount": "abc", "pay_by": "2099-01-01"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="da",
    )
    assert response.status_code == 200
    with agency_scope(reason="test"):
        assert not PromiseToPay.objects.exists()


def test_only_supervisors_set_the_weights(client, item):
    client.force_login(agency_user(AgencyRole.AGENT))
    assert client.get(reverse("work:weights")).status_code == 403
    client.force_login(agency_user(AgencyRole.SUPERVISOR))
    values = dict.fromkeys(WorkScoreWeights.FIELDS, "0") | {"balance": "77"}
    response = client.post(reverse("work:weights"), values)
    assert response.status_code == 302
    weights = WorkScoreWeights.current()
    assert (weights.balance, weights.stage) == (77, 0)


def test_items_with_plain_facts_open_in_the_queue_and_on_their_page(client, tenant_a):
    """A credit-bureau decision and a reconciliation difference keep plain facts (no points):
    the queue and the item's page show them in words and the page's notation, never as raw
    keys or codes (they once made both pages fail)."""
    from cases.services.work_items import work_item_open

    case = file_case(tenant_a.creditor, claim("V-9", "900.00", date.today() - timedelta(days=90)))
    with creditor_scope(tenant_a.creditor):
        bureau = work_item_open(
            case=case,
            reason=WorkItemReason.CREDIT_BUREAU_DECISION,
            due_at=timezone.now(),
            priority=31,
            factors={
                "bureau": "rki",
                "amount": "12345.50",
                "priority_from_amount": 12,
                "priority_from_data_age": 19,
                "warned_on": "2026-10-01",
                "eligible_from": "2026-10-15",
                "data_expires_on": "2031-08-01",
                "verdict": "The claim 12,345.50 DKK may be registered",
            },
        )
        refused = work_item_open(
            case=case,
            reason=WorkItemReason.CREDIT_BUREAU_SUBMISSION_FAILED,
            due_at=timezone.now(),
            priority=100,
            factors={"action": "delete", "submission": 7},
        )
    client.force_login(agency_user(AgencyRole.AGENT, username="facts-agent"))
    queue = client.get(reverse("work:queue"))
    assert queue.status_code == 200
    assert "Prioritet fra beløbet: 12" in queue.content.decode()
    page = client.get(reverse("work:item", kwargs={"item_id": bureau.pk})).content.decode()
    assert "Beløb: 12.345,50" in page
    assert "Kan registreres fra: 15.10.2026" in page
    assert "Prioritet fra oplysningernes alder: 19" in page
    assert "priority_from" not in page and "data_expires_on" not in page
    page = client.get(reverse("work:item", kwargs={"item_id": refused.pk})).content.decode()
    assert "Afvist anmodning: " in page and "submission" not in page
