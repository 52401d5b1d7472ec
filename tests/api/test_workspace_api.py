"""The workspace's REST API (/api/v1/agency/work-items/ and the agent's case actions): agency
staff only, the page's own services (the same lease), the Idempotency-Key rules, errors naming
the field, and an agent reaching only the creditors it may act for."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import (
    CaseEvent,
    ContactLog,
    Dispute,
    InstalmentPlan,
    PromiseToPay,
    WorkItem,
    WorkItemReason,
    WorkItemStatus,
)
from cases.services import lifecycle, workspace
from collections_portal.tenancy import agency_scope
from creditors.models import Role
from tests.cases.helpers import claim, file_case
from tests.factories import MembershipFactory, UserFactory, agency_user

from .conftest import key_client

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/agency/work-items/"
NEXT = "/api/v1/agency/work-items/next/"


def case_path(case, action: str) -> str:
    return f"/api/v1/agency/cases/{case.pk}/{action}/"


def item_path(item, action: str = "") -> str:
    return f"{ITEMS}{item.pk}/" + (f"{action}/" if action else "")


def agent_client(agent) -> APIClient:
    client = APIClient()
    client.force_login(agent)
    return client


def raise_item(case, reason=WorkItemReason.NEW_IN_COLLECTION, **kwargs) -> WorkItem:
    with agency_scope(reason="test: raise a work item"):
        return workspace.work_item_raise(case=case, reason=reason, **kwargs)


def fresh(item: WorkItem) -> WorkItem:
    with agency_scope(reason="test: read the item back"):
        return WorkItem.objects.get(pk=item.pk)


def field_names(response) -> list[str]:
    body = response.json()
    assert set(body) == {"error"}, body
    return [f["field"] for f in body["error"]["fields"]]


@pytest.fixture
def cases(tenant_a, tenant_b):
    past = timezone.localdate() - timedelta(days=40)
    return (
        file_case(tenant_a.creditor, claim("WA-1", "4000.00", past)),
        file_case(tenant_a.creditor, claim("WA-2", "900.00", past)),
        file_case(tenant_b.creditor, claim("WB-1", "2000.00", past)),
    )


@pytest.fixture
def items(cases):
    return [raise_item(case) for case in cases]


@pytest.fixture
def agent(db):
    return agency_user(username="agent-api-anna", first_name="Anna", last_name="Agent")


@pytest.fixture
def api(agent) -> APIClient:
    return agent_client(agent)


# --- Who may call it -------------------------------------------------------------------------


CONTACT = {"channel": "phone", "direction": "outbound", "outcome": "reached"}


def every_call(cases, items) -> list[tuple[str, str, dict]]:
    case, item = cases[0], items[0]
    later = (timezone.now() + timedelta(days=1)).isoformat()
    return [
        ("get", ITEMS, {}),
        ("get", item_path(item), {}),
        ("post", NEXT, {}),
        ("post", item_path(item, "release"), {}),
        ("post", item_path(item, "close"), {"outcome": "x"}),
        ("post", case_path(case, "contacts"), CONTACT),
        ("post", case_path(case, "promises"), {"amount": "10.00", "pay_by": "2099-01-01"}),
        ("post", case_path(case, "plans"), {"first_due": "2099-01-01", "count": 2}),
        ("post", case_path(case, "dispute-decision"), {"outcome": "rejected", "note": "x"}),
        ("post", case_path(case, "callbacks"), {"at": later}),
    ]


def test_a_creditors_api_key_is_refused_everywhere(tenant_a, cases, items):
    client = key_client(tenant_a.creditor)  # its own creditor's items and case: still refused
    for method, path, body in every_call(cases, items):
        response = getattr(client, method)(path, body, format="json")
        assert response.status_code == 403, (method, path)
        assert response.json()["error"]["status"] == 403
    with agency_scope(reason="test: nothing changed"):
        assert not ContactLog.objects.exists() and not PromiseToPay.objects.exists()
        assert not WorkItem.objects.filter(leased_by__isnull=False).exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER, Role.OWNER])
def test_a_creditors_users_are_refused_everywhere(tenant_a, cases, items, role):
    user = UserFactory(username=f"ws-api-{role}")
    MembershipFactory(user=user, creditor=tenant_a.creditor, role=role)
    client = agent_client(user)
    for method, path, body in every_call(cases, items):
        assert getattr(client, method)(path, body, format="json").status_code == 403, path


def test_without_signing_in_it_is_401_or_403(cases, items):
    client = APIClient()
    for method, path, body in every_call(cases, items):
        assert getattr(client, method)(path, body, format="json").status_code in (401, 403)


# --- The queue -------------------------------------------------------------------------------


def test_the_list_shows_open_items_in_queue_order_with_their_factors(api, items):
    rows = api.get(ITEMS).json()["results"]
    assert {r["id"] for r in rows} == {i.pk for i in items}
    keys = [(-r["priority"], r["due_at"], r["id"]) for r in rows]
    assert keys == sorted(keys)
    first = rows[0]
    assert first["status"] == "open" and first["reason"] == "new_in_collection"
    assert set(first["factors"]) >= {"balance", "days_past_due", "last_contact"}
    assert first["case_reference"]


def test_the_list_filters_by_reason_creditor_status_and_assignee(
    api, agent, tenant_b, cases, items
):
    later = timezone.now() + timedelta(days=2)
    with agency_scope(reason="test: a callback and a closed item"):
        callback = workspace.callback_set(case=cases[1], user=agent, at=later)
        workspace.work_item_done(item=items[0], user=agent, outcome="done")

    def ids(query: str) -> set[int]:
        response = api.get(ITEMS + query)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids("?reason=callback") == {callback.pk}
    assert ids(f"?creditor={tenant_b.creditor.pk}") == {items[2].pk}
    assert ids("?status=done") == {items[0].pk}
    assert ids("?assignee=me") == {callback.pk}
    assert ids(f"?assignee={agent.pk}") == {callback.pk}
    assert ids("?assignee=none") == {items[1].pk, items[2].pk}


@pytest.mark.parametrize(
    ("query", "field"),
    [("?reason=bogus", "reason"), ("?status=gone", "status"), ("?creditor=x", "creditor"),
     ("?assignee=someone", "assignee")],
)  # fmt: skip
def test_a_bad_filter_is_400_naming_it(api, items, query, field):
    response = api.get(ITEMS + query)
    assert response.status_code == 400
    assert field_names(response) == [field]


def test_next_leases_one_item_to_one_agent(api, agent, items):
    first = api.post(NEXT, {}, format="json")
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["leased_by"] == agent.pk and body["leased_until"]
    top = max(items, key=lambda i: (i.priority, -i.pk))
    assert body["id"] == fresh(top).pk
    # Pressing again returns the agent's own lease: no hoarding.
    assert api.post(NEXT, {}, format="json").json()["id"] == body["id"]
    # Another agent gets another item; the page and the API share the lease.
    other = agent_client(agency_user(username="agent-api-bo"))
    assert other.post(NEXT, {}, format="json").json()["id"] != body["id"]
    with agency_scope(reason="test: the page's service sees the API's lease"):
        assert workspace.work_next(user=agent).pk == body["id"]


def test_next_on_an_empty_queue_is_204(api):
    response = api.post(NEXT, {}, format="json")
    assert response.status_code == 204 and response.content == b""


def test_release_then_next_with_skip_gives_the_following_item(api, agent, items):
    taken = api.post(NEXT, {}, format="json").json()
    released = api.post(f"{ITEMS}{taken['id']}/release/", {}, format="json")
    assert released.status_code == 200
    assert released.json()["leased_by"] is None and released.json()["leased_until"] is None
    following = api.post(NEXT, {"skip": taken["id"]}, format="json").json()
    assert following["id"] != taken["id"] and following["leased_by"] == agent.pk


def test_only_the_holder_releases(api, items):
    taken = api.post(NEXT, {}, format="json").json()
    other = agent_client(agency_user(username="agent-api-cy"))
    response = other.post(f"{ITEMS}{taken['id']}/release/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "refused"
    assert fresh(WorkItem(pk=taken["id"])).leased_by_id is not None


def test_close_closes_once_and_not_under_another_agents_lease(api, agent, items):
    taken = api.post(NEXT, {}, format="json").json()
    other = agent_client(agency_user(username="agent-api-dan"))
    refused = other.post(f"{ITEMS}{taken['id']}/close/", {"outcome": "mine"}, format="json")
    assert refused.status_code == 409
    closed = api.post(f"{ITEMS}{taken['id']}/close/", {"outcome": "Called"}, format="json")
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert body["status"] == "done" and body["closed_by"] == agent.pk
    assert body["outcome"] == "Called" and body["leased_by"] is None
    again = api.post(f"{ITEMS}{taken['id']}/close/", {}, format="json")
    assert again.status_code == 409
    with agency_scope(reason="test: the timeline"):
        assert CaseEvent.objects.filter(code="work.item_closed", actor=agent).count() == 1


# --- The agent's actions ---------------------------------------------------------------------


def test_a_contact_is_logged_on_the_timeline(api, agent, cases, items):
    response = api.post(
        case_path(cases[0], "contacts"),
        {"channel": "phone", "direction": "outbound", "outcome": "reached", "note": "Will pay"},
        format="json",
    )
    assert response.status_code == 201, response.content
    with agency_scope(reason="test: what the contact did"):
        entry = ContactLog.objects.get(pk=response.json()["id"])
        assert (entry.case_id, entry.user, entry.note) == (cases[0].pk, agent, "Will pay")
        assert CaseEvent.objects.filter(case=cases[0], code="case.contact_logged").exists()
        # Reaching the debtor settles "new in collection, no contact yet".
        assert WorkItem.objects.get(pk=items[0].pk).status == WorkItemStatus.DONE


def test_a_contact_with_a_bad_channel_is_400_naming_it(api, cases):
    response = api.post(
        case_path(cases[0], "contacts"),
        {"channel": "pigeon", "direction": "outbound", "outcome": "reached"},
        format="json",
    )
    assert response.status_code == 400 and field_names(response) == ["channel"]


def test_a_promise_to_pay_is_recorded(api, cases):
    pay_by = timezone.localdate() + timedelta(days=10)
    response = api.post(
        case_path(cases[0], "promises"),
        {"amount": "1500.00", "pay_by": pay_by.isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "1500.00"
    with agency_scope(reason="test: the promise"):
        promise = PromiseToPay.objects.get(case=cases[0])
        assert (promise.amount, promise.pay_by) == (Decimal("1500.00"), pay_by)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "1500.00", "pay_by": "2020-01-01"}, "pay_by"),  # the service: in the past
        ({"amount": "-5.00", "pay_by": "2099-01-01"}, "amount"),
        ({"amount": "1500.00"}, "pay_by"),
    ],
)
def test_a_bad_promise_is_400_naming_the_field(api, cases, body, field):
    response = api.post(case_path(cases[0], "promises"), body, format="json")
    assert response.status_code == 400 and field_names(response) == [field]


def test_a_plan_is_proposed_over_the_balance(api, cases):
    first_due = timezone.localdate() + timedelta(days=14)
    response = api.post(
        case_path(cases[0], "plans"), {"first_due": first_due.isoformat(), "count": 4},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "proposed" and len(body["instalments"]) == 4
    assert body["instalments"][0]["due_date"] == first_due.isoformat()
    with agency_scope(reason="test: the plan"):
        plan = InstalmentPlan.objects.get(case=cases[0])
        total = sum(i.amount for i in plan.instalments.all())
        assert total >= Decimal("4000.00")
    # A second plan while one is proposed: refused by the service (409).
    again = api.post(
        case_path(cases[0], "plans"), {"first_due": first_due.isoformat(), "count": 2},
        format="json",
    )  # fmt: skip
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_due": "2099-01-01", "count": 2, "amount": "100.00"}, "count"),
        ({"first_due": "2099-01-01"}, "count"),
        ({"first_due": "2020-01-01", "count": 2}, "first_due"),  # the service: in the past
        ({"first_due": "2099-01-01", "amount": "999999.00"}, "amount"),  # over the balance
        ({"first_due": "2099-01-01", "count": 0}, "count"),
    ],
)
def test_a_bad_plan_is_400_naming_the_field(api, cases, body, field):
    response = api.post(case_path(cases[0], "plans"), body, format="json")
    assert response.status_code == 400 and field_names(response) == [field]


def test_a_dispute_is_decided_and_its_item_closed(api, agent, cases):
    with agency_scope(reason="test: a dispute"):
        dispute = lifecycle.dispute_open(case=cases[0], reason="Never ordered")
        assert WorkItem.objects.filter(
            case=cases[0], reason=WorkItemReason.DISPUTE_DECISION, status=WorkItemStatus.OPEN
        ).exists()
    response = api.post(
        case_path(cases[0], "dispute-decision"),
        {"outcome": "rejected", "note": "The order is signed."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "rejected" and response.json()["id"] == dispute.pk
    with agency_scope(reason="test: the decision"):
        dispute = Dispute.objects.get(pk=dispute.pk)
        assert dispute.resolved_by == agent and dispute.resolved_at is not None
        assert not WorkItem.objects.filter(
            case=cases[0], reason=WorkItemReason.DISPUTE_DECISION, status=WorkItemStatus.OPEN
        ).exists()
    # Nothing left to decide.
    again = api.post(
        case_path(cases[0], "dispute-decision"), {"outcome": "rejected", "note": "x"},
        format="json",
    )  # fmt: skip
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "maybe", "note": "x"}, "outcome"),
        ({"outcome": "upheld", "note": "   "}, "note"),  # the service: an answer in substance
        ({"outcome": "upheld", "note": "x", "dispute": 999999}, "dispute"),
    ],
)
def test_a_bad_decision_is_400_naming_the_field(api, cases, body, field):
    with agency_scope(reason="test: a dispute"):
        lifecycle.dispute_open(case=cases[0], reason="Wrong amount")
    response = api.post(case_path(cases[0], "dispute-decision"), body, format="json")
    assert response.status_code == 400 and field_names(response) == [field]


def test_a_callback_is_a_work_item_for_the_agent(api, agent, cases):
    at = timezone.now() + timedelta(days=1)
    response = api.post(
        case_path(cases[1], "callbacks"), {"at": at.isoformat(), "note": "After 16"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reason"] == "callback" and body["assignee"] == agent.pk
    past = api.post(
        case_path(cases[1], "callbacks"),
        {"at": (timezone.now() - timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert past.status_code == 400 and field_names(past) == ["at"]


# --- Idempotency -----------------------------------------------------------------------------


def test_next_with_the_same_key_replays_and_another_body_is_422(api, items):
    first = api.post(NEXT, {}, format="json", HTTP_IDEMPOTENCY_KEY="next-1")
    assert first.status_code == 200
    api.post(f"{ITEMS}{first.json()['id']}/release/", {}, format="json")
    replay = api.post(NEXT, {}, format="json", HTTP_IDEMPOTENCY_KEY="next-1")
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    # The replay leased nothing again: the released item is free.
    assert fresh(WorkItem(pk=first.json()["id"])).leased_by_id is None
    other = api.post(
        NEXT, {"skip": first.json()["id"]}, format="json", HTTP_IDEMPOTENCY_KEY="next-1"
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_a_contact_retried_with_its_key_is_logged_once(api, cases):
    body = {"channel": "sms", "direction": "outbound", "outcome": "no_answer"}
    path = case_path(cases[0], "contacts")
    first = api.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="contact-1")
    again = api.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="contact-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    with agency_scope(reason="test: one contact"):
        assert ContactLog.objects.filter(case=cases[0]).count() == 1
    changed = api.post(
        path, {**body, "note": "other"}, format="json", HTTP_IDEMPOTENCY_KEY="contact-1"
    )
    assert changed.status_code == 422


def test_a_refused_request_is_not_remembered(api, cases):
    path = case_path(cases[0], "promises")
    bad = api.post(path, {"amount": "10.00", "pay_by": "2020-01-01"}, format="json",
                   HTTP_IDEMPOTENCY_KEY="promise-1")  # fmt: skip
    assert bad.status_code == 400
    good = api.post(path, {"amount": "10.00", "pay_by": "2099-01-01"}, format="json",
                    HTTP_IDEMPOTENCY_KEY="promise-1")  # fmt: skip
    assert good.status_code == 201


# --- Which creditors an agent reaches --------------------------------------------------------


def test_an_agent_reaches_only_the_creditors_it_may_act_for(api, tenant_b, cases, items):
    """Agency staff act for the agency's active creditors: a creditor taken off (inactive) is
    out of reach, its items and cases 404 and never handed out by "next"."""
    tenant_b.creditor.is_active = False
    tenant_b.creditor.save(update_fields=["is_active"])
    b_item, b_case = items[2], cases[2]
    assert api.get(item_path(b_item)).status_code == 404
    assert api.post(item_path(b_item, "close"), {}, format="json").status_code == 404
    assert api.post(item_path(b_item, "release"), {}, format="json").status_code == 404
    contact = {"channel": "phone", "direction": "outbound", "outcome": "reached"}
    assert api.post(case_path(b_case, "contacts"), contact, format="json").status_code == 404
    for _method, path, body in every_call([b_case], [b_item])[5:]:
        assert api.post(path, body, format="json").status_code == 404, path
    listed = {r["id"] for r in api.get(ITEMS).json()["results"]}
    assert b_item.pk not in listed and listed == {items[0].pk, items[1].pk}
    creditor_filter = api.post(NEXT, {"creditor": tenant_b.creditor.pk}, format="json")
    assert creditor_filter.status_code == 400 and field_names(creditor_filter) == ["creditor"]
    taken = {api.post(NEXT, {}, format="json").json()["id"]}
    for _ in range(3):
        response = api.post(NEXT, {"skip": next(iter(taken))}, format="json")
        if response.status_code == 204:
            break
        taken.add(response.json()["id"])
        api.post(f"{ITEMS}{response.json()['id']}/close/", {}, format="json")
    assert b_item.pk not in taken
    assert fresh(b_item).leased_by_id is None


def test_next_for_one_creditor_leases_only_its_items(api, tenant_b, items):
    body = api.post(NEXT, {"creditor": tenant_b.creditor.pk}, format="json").json()
    assert body["id"] == items[2].pk and body["creditor"] == tenant_b.creditor.pk
