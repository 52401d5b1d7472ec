"""The work screen's further actions (issue 16): disputes opened and decided with a letter,
the legal track from the betalingspåkrav's review to the udlæg, monitoring, closing with a
reason, contact details and SMS consent (audited on the timeline), SMS from a template (once,
refused without consent or gateway), teams and the queue's team tab. Creditor users get 403 on
every one; agency staff act."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    CaseEvent,
    CaseState,
    ClosedReason,
    Dispute,
    EntryKind,
    LedgerEntry,
    LegalStep,
    LegalStepKind,
    Team,
    WorkItem,
    WorkItemReason,
)
from cases.services import work_actions, workspace
from cases.services.lifecycle import dispute_open
from cases.views_work_actions import ACTIONS
from collections_portal.tenancy import agency_scope, creditor_scope
from creditors.agency import AgencyRole
from creditors.models import Role
from debtors.models import ContactKind, ContactPoint, NationalIdReveal
from notices.models import Notice, NoticeKind
from notices.rendering import renderer_for
from tests.delivery.servers import RunningSmsGateway
from tests.factories import ContactPointFactory, MembershipFactory, UserFactory, agency_user

from .helpers import at, claim, file_case
from .test_legal import FILED, case_in_collection

pytestmark = pytest.mark.django_db


def act(client, item, action, data=None, **extra):
    return client.post(
        reverse("work:action", kwargs={"item_id": item.pk, "action": action}),
        data or {},
        **extra,
    )


def events(case, code):
    with agency_scope(reason="test: the timeline"):
        return list(CaseEvent.objects.filter(case=case, code=code).order_by("pk"))


def kinds(case):
    with agency_scope(reason="test: the letters"):
        return list(Notice.objects.filter(case=case).order_by("pk").values_list("kind", flat=True))


@pytest.fixture
def item(tenant_a):
    case = file_case(tenant_a.creditor, claim("W-1", "2500.00", date.today() - timedelta(days=40)))
    with creditor_scope(tenant_a.creditor):
        return workspace.work_item_raise(case=case, reason=WorkItemReason.NEW_IN_COLLECTION)


@pytest.fixture
def agent():
    return agency_user(username="agent-kim", first_name="Kim", last_name="Holm")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER, Role.OWNER])
def test_creditor_users_are_refused_every_new_action_and_page(client, tenant_a, item, role):
    user = UserFactory(username=f"wa-{role}")
    MembershipFactory(user=user, creditor=tenant_a.creditor, role=role)
    client.force_login(user)
    for action in sorted(ACTIONS):
        assert act(client, item, action, {"reason": "paid", "note": "x"}).status_code == 403
    for path in (
        reverse("work:payment_claim", kwargs={"item_id": item.pk}),
        reverse("work:teams"),
    ):
        assert client.get(path).status_code == 403
        assert client.post(path, {"do": "create", "name": "T"}).status_code in (403, 405)
    with agency_scope(reason="test"):
        assert not Dispute.objects.exists() and not Team.objects.exists()
        item.case.refresh_from_db()
        assert item.case.state != CaseState.CLOSED


# --- Disputes ----------------------------------------------------------------------------


def test_an_agent_opens_a_dispute_with_category_and_reason(client, item, agent):
    client.force_login(agent)
    response = act(
        client,
        item,
        "dispute-open",
        {"category": "not_delivered", "reason": "Pakken kom aldrig", "statement": "Ring mig"},
    )
    assert response.status_code == 302
    with agency_scope(reason="test"):
        dispute = Dispute.objects.get(case=item.case)
        # The category heads the reason in the debtor's language (the letter quotes it).
        assert dispute.reason == "Vare eller ydelse ikke leveret: Pakken kom aldrig"
        assert dispute.debtor_statement == "Ring mig"
        assert WorkItem.objects.filter(
            case=item.case, reason=WorkItemReason.DISPUTE_DECISION, status="open"
        ).exists()
    assert kinds(item.case) == [NoticeKind.DISPUTE_ACK]
    assert events(item.case, "case.dispute_opened")[0].actor == agent


def test_a_dispute_needs_a_category_and_a_reason(client, item, agent):
    client.force_login(agent)
    act(client, item, "dispute-open", {"category": "nonsense", "reason": "x"})
    act(client, item, "dispute-open", {"category": "paid", "reason": "  "})
    with agency_scope(reason="test"):
        assert not Dispute.objects.exists()


@pytest.fixture
def disputed(tenant_a, item):
    with creditor_scope(tenant_a.creditor):
        dispute = dispute_open(case=item.case, reason="Forkert beløb")
    return item, dispute


def test_a_rejected_dispute_resumes_the_case_with_a_letter(client, disputed, agent):
    item, dispute = disputed
    client.force_login(agent)
    response = act(
        client,
        item,
        "dispute-decide",
        {"dispute": dispute.pk, "outcome": "rejected", "note": "Fakturaen er korrekt."},
    )
    assert response.status_code == 302
    with agency_scope(reason="test"):
        dispute.refresh_from_db()
        case = item.case
        case.refresh_from_db()
        assert (dispute.outcome, dispute.resolved_by) == ("rejected", agent)
        assert case.state != CaseState.CLOSED and case.next_action_at is not None
        letter = Notice.objects.get(case=case, kind=NoticeKind.DISPUTE_ANSWER)
        html = renderer_for(letter).html(letter)
    assert "Vi kan ikke give dig medhold" in html and "Fakturaen er korrekt." in html
    assert kinds(case) == [NoticeKind.DISPUTE_ACK, NoticeKind.DISPUTE_ANSWER]
    again = act(
        client,
        item,
        "dispute-decide",
        {"dispute": dispute.pk, "outcome": "upheld", "remedy": "withdraw", "note": "Nej."},
        follow=True,
    )
    assert "Indsigelsen er allerede afgjort." in again.content.decode()  # the page is Danish
    assert kinds(case) == [NoticeKind.DISPUTE_ACK, NoticeKind.DISPUTE_ANSWER]


def test_an_upheld_dispute_withdraws_the_claim_with_a_letter(client, disputed, agent):
    item, dispute = disputed
    client.force_login(agent)
    act(
        client,
        item,
        "dispute-decide",
        {"dispute": dispute.pk, "outcome": "upheld", "remedy": "withdraw", "note": "Ja."},
    )
    with agency_scope(reason="test"):
        case = item.case
        case.refresh_from_db()
        assert (case.state, case.closed_reason) == (CaseState.CLOSED, ClosedReason.WITHDRAWN)
        letter = Notice.objects.get(case=case, kind=NoticeKind.DISPUTE_ANSWER)
        html = renderer_for(letter).html(letter)
    assert "Vi giver dig medhold" in html and "trukket kravet tilbage" in html
    assert kinds(case)[-2:] == [NoticeKind.DISPUTE_ANSWER, NoticeKind.CLOSED]


def test_an_upheld_dispute_can_write_the_claim_down_and_go_on(client, disputed, agent):
    item, dispute = disputed
    client.force_login(agent)
    act(
        client,
        item,
        "dispute-decide",
        {
            "dispute": dispute.pk,
            "outcome": "upheld",
            "remedy": "write_down",
            "amount": "500,00",
            "note": "Rabatten manglede.",
        },
    )
    with agency_scope(reason="test"):
        case = item.case
        case.refresh_from_db()
        assert case.state != CaseState.CLOSED
        written = LedgerEntry.objects.filter(case=case, kind=EntryKind.WRITE_OFF)
        assert [e.amount for e in written] == [Decimal("-500.00")]
        letter = Notice.objects.get(case=case, kind=NoticeKind.DISPUTE_ANSWER)
        html = renderer_for(letter).html(letter)
    assert "nedskrevet med 500,00" in html
    assert events(case, "case.dispute_resolved")[0].data["remedy"] == "write_down"


def test_an_upheld_write_down_needs_an_amount_within_the_principal(client, disputed, agent):
    item, dispute = disputed
    client.force_login(agent)
    for amount in ("", "99999,00"):
        act(
            client,
            item,
            "dispute-decide",
            {"dispute": dispute.pk, "outcome": "upheld", "remedy": "write_down",
             "amount": amount, "note": "x"},
        )  # fmt: skip
    with agency_scope(reason="test"):
        dispute.refresh_from_db()
        assert dispute.resolved_at is None  # the whole decision rolled back
        assert not Notice.objects.filter(kind=NoticeKind.DISPUTE_ANSWER).exists()


# --- The legal track ----------------------------------------------------------------------


@pytest.fixture
def legal_item(tenant_a):
    case = case_in_collection(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor):
        return WorkItem.objects.get(case=case, reason=WorkItemReason.NEW_IN_COLLECTION)


def test_the_payment_claim_is_filled_from_the_case_for_review(client, tenant_a, legal_item, agent):
    client.force_login(agent)
    url = reverse("work:payment_claim", kwargs={"item_id": legal_item.pk})
    with at(FILED):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    case, debtor = legal_item.case, legal_item.case.debtor
    assert tenant_a.creditor.cvr in html and debtor.name in html
    assert debtor.masked_national_id in html and "5.000,00" in html
    assert "750,00" in html  # the court fee (retsafgiftsloven), from the profile
    assert "L-1" in html and 'id="action-legal-payment-claim"' in html
    with agency_scope(reason="test"):
        assert not NationalIdReveal.objects.exists()
    with at(FILED):
        printable = client.get(url, {"print": "1"}).content.decode()
    with agency_scope(reason="test"):
        reveal = NationalIdReveal.objects.get(debtor=debtor)
    assert reveal.user == agent and debtor.national_id[:6] in printable
    assert 'id="action-legal-payment-claim"' not in printable
    assert case.reference in printable


def test_a_case_whose_warning_has_not_expired_cannot_be_filed(client, tenant_a, agent):
    case = file_case(tenant_a.creditor, claim("L-9", "900.00", date.today()))
    with creditor_scope(tenant_a.creditor):
        item = workspace.work_item_raise(case=case, reason=WorkItemReason.CALLBACK)
    client.force_login(agent)
    html = client.get(reverse("work:payment_claim", kwargs={"item_id": item.pk})).content.decode()
    assert 'id="payment-claim-refusals"' in html
    assert 'id="action-legal-payment-claim"' not in html


def test_an_agent_files_then_takes_each_later_step(client, legal_item, agent):
    client.force_login(agent)
    page = reverse("work:item", kwargs={"item_id": legal_item.pk})
    with at(FILED):
        assert act(client, legal_item, "legal-payment_claim", {"court": ""}).status_code == 302
        with agency_scope(reason="test"):
            assert not LegalStep.objects.exists()  # the court is named
        act(client, legal_item, "legal-payment_claim", {"court": "Retten i Glostrup"})
        act(client, legal_item, "legal-payment_claim", {"court": "Retten i Glostrup"})  # again
        html = client.get(page).content.decode()
        assert 'id="action-legal-endorsed"' in html and 'id="action-legal-enforcement"' not in html
        act(client, legal_item, "legal-enforcement")  # not open yet: refused
        act(client, legal_item, "legal-endorsed", {"court_reference": "BS-1/2025"})
        html = client.get(page).content.decode()
        assert 'id="action-legal-enforcement"' in html and 'id="action-legal-endorsed"' not in html
        act(client, legal_item, "legal-enforcement", {"court_reference": "FS-2/2025"})
        act(client, legal_item, "legal-attachment", {"outcome": "nothing_found"})
    with agency_scope(reason="test"):
        steps = list(LegalStep.objects.filter(case=legal_item.case).order_by("pk"))
        assert [s.kind for s in steps] == [
            LegalStepKind.PAYMENT_CLAIM_FILED,
            LegalStepKind.PAYMENT_CLAIM_ENDORSED,
            LegalStepKind.ENFORCEMENT_REQUESTED,
            LegalStepKind.ATTACHMENT_RESULT,
        ]
        assert "Retten i Glostrup" in steps[0].note and steps[0].created_by == agent
        case = legal_item.case
        case.refresh_from_db()
        assert case.state == CaseState.MONITORING  # nothing found
        fees = LedgerEntry.objects.filter(case=case, kind=EntryKind.COURT_FEE)
        assert sorted(e.amount for e in fees) == [Decimal("750.00"), Decimal("750.00")]


def test_an_objection_is_recorded_with_what_was_objected(client, legal_item, agent):
    client.force_login(agent)
    with at(FILED):
        act(client, legal_item, "legal-payment_claim", {"court": "Retten i Odense"})
        act(client, legal_item, "legal-objected", {"note": "Skyldner bestrider kravet"})
        html = client.get(reverse("work:item", kwargs={"item_id": legal_item.pk})).content
    assert b'id="action-legal-objected"' not in html
    assert events(legal_item.case, "case.payment_claim_objected")


# --- Monitoring, closing, contact details ----------------------------------------------------


def test_monitoring_from_collection_only(client, tenant_a, legal_item, item, agent):
    client.force_login(agent)
    with at(FILED):
        act(client, legal_item, "monitor", {"note": "Arbejdsløs"})
    act(client, item, "monitor")  # a new case, not in collection: refused
    with agency_scope(reason="test"):
        legal_item.case.refresh_from_db()
        item.case.refresh_from_db()
        assert legal_item.case.state == CaseState.MONITORING
        assert item.case.state == CaseState.NEW
    assert "Kim Holm: Arbejdsløs" in events(legal_item.case, "case.monitoring_started")[0].message


def test_closing_with_a_reason_and_not_as_paid_while_owed(client, item, agent):
    client.force_login(agent)
    response = act(
        client, item, "close-case", {"reason": "paid", "note": "x"}, follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert "is still owed" in response.content.decode()
    act(client, item, "close-case", {"reason": "sold", "note": "Solgt til Y"})
    with agency_scope(reason="test"):
        item.case.refresh_from_db()
        assert (item.case.state, item.case.closed_reason) == (CaseState.CLOSED, "sold")
        item.refresh_from_db()
        assert item.status == "done"  # a closed case leaves the queue
    assert events(item.case, "case.closed")[0].message == "Kim Holm: Solgt til Y"


def test_contact_details_and_consent_are_audited_old_and_new(client, tenant_a, item, agent):
    debtor = item.case.debtor
    old_address = debtor.address_line
    with creditor_scope(tenant_a.creditor):
        ContactPointFactory(creditor=tenant_a.creditor, debtor=debtor, value="old@example.com")
    client.force_login(agent)
    act(
        client,
        item,
        "contact-details",
        {
            "address_line": "Nyvej 1",
            "postal_code": debtor.postal_code,
            "city": debtor.city,
            "email": "new@example.com",
            "mobile": "20 12 34 56",
            "sms_consent": "on",
        },
    )
    with agency_scope(reason="test"):
        debtor.refresh_from_db()
        assert debtor.address_line == "Nyvej 1"
        mobile = ContactPoint.objects.get(debtor=debtor, kind=ContactKind.MOBILE)
        assert (mobile.value, mobile.consent, mobile.consent_source) == (
            "+4520123456",
            True,
            "agent",
        )
        assert ContactPoint.objects.get(debtor=debtor, value="new@example.com").is_primary
    [event] = events(item.case, "debtor.contact_updated")
    assert event.actor == agent and event.message.startswith("Kim Holm: ")
    assert f"{old_address} → Nyvej 1" in event.message
    assert "old@example.com → new@example.com" in event.message
    assert "+4520123456" in event.message
    # Consent withdrawn: audited too; the same details again change nothing.
    same = {"address_line": "Nyvej 1", "postal_code": debtor.postal_code, "city": debtor.city}
    act(client, item, "contact-details", same)
    act(client, item, "contact-details", same)
    assert len(events(item.case, "debtor.contact_updated")) == 2
    with agency_scope(reason="test"):
        assert not ContactPoint.objects.get(debtor=debtor, kind=ContactKind.MOBILE).consent


def test_contact_details_name_the_bad_field(client, item, agent):
    client.force_login(agent)
    response = act(
        client, item, "contact-details",
        {"address_line": "", "postal_code": "2100", "city": "Kbh", "email": "not-an-email"},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    assert not events(item.case, "debtor.contact_updated")


# --- SMS ----------------------------------------------------------------------------------


@pytest.fixture
def sms_gateway(settings):
    with RunningSmsGateway() as gateway:
        settings.SMS_GATEWAY_URL = gateway.url
        settings.SMS_GATEWAY_TOKEN = gateway.token
        settings.SMS_SENDER = "Inkasso"
        settings.SMS_GATEWAY_TIMEOUT = 2
        yield gateway


def consent_mobile(tenant, item, consent=True):
    with creditor_scope(tenant.creditor):
        return ContactPoint.objects.create(
            creditor=tenant.creditor,
            debtor=item.case.debtor,
            kind=ContactKind.MOBILE,
            value="+4520123456",
            consent=consent,
            consent_source="agent" if consent else "",
        )


def test_sms_is_refused_without_consent_or_without_a_gateway(client, tenant_a, item, agent,
                                                             settings):  # fmt: skip
    client.force_login(agent)
    settings.SMS_GATEWAY_URL = ""
    consent_mobile(tenant_a, item)
    page = act(client, item, "sms", {"template": "payment_reminder", "token": "t1"}, follow=True,
               HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert "No SMS gateway is configured" in page.content.decode()
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/v1/messages"
    with agency_scope(reason="test"):
        ContactPoint.objects.filter(kind=ContactKind.MOBILE).update(
            consent=False, consent_source=""
        )
    page = act(client, item, "sms", {"template": "payment_reminder", "token": "t2"}, follow=True,
               HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert "has not consented to SMS" in page.content.decode()
    assert not events(item.case, "case.sms_queued")


def test_an_sms_from_a_template_is_sent_once(client, tenant_a, item, agent, sms_gateway,
                                             django_capture_on_commit_callbacks):  # fmt: skip
    tenant_a.creditor.fik_creditor_number = "85123456"
    tenant_a.creditor.save(update_fields=["fik_creditor_number"])
    consent_mobile(tenant_a, item)
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        act(client, item, "sms", {"template": "payment_reminder", "token": "form-1"})
        act(client, item, "sms", {"template": "payment_reminder", "token": "form-1"})  # again
    assert len(queued) == 1
    [event] = events(item.case, "case.sms_queued")
    text = event.data["text"]
    assert "2.500,00 DKK" in text and item.case.fik_line in text
    assert event.message.startswith("Kim Holm → +4520123456")
    from cases.tasks_sms import send_agent_sms

    for _attempt in range(2):  # a redelivered task sends nothing more
        send_agent_sms(event_id=event.pk, creditor_id=tenant_a.creditor.pk)
    assert len(sms_gateway.sent) == 1
    [sent] = sms_gateway.sent.values()
    assert sent["to"] == "+4520123456" and sent["message"] == text
    assert len(events(item.case, "case.sms_sent")) == 1


def test_the_callback_text_asks_the_debtor_to_call(tenant_a, item):
    with creditor_scope(tenant_a.creditor):
        text = work_actions.sms_text(item.case, "callback_request")
    assert item.case.reference in text and "Ring venligst" in text


# --- Teams --------------------------------------------------------------------------------


def test_a_supervisor_makes_a_team_and_the_queue_shows_the_teams_items(client, tenant_a, item):
    mate = agency_user(username="agent-mia")
    me = agency_user(username="agent-bo")
    stranger = agency_user(username="agent-eva")
    other_case = file_case(tenant_a.creditor, claim("W-2", "10.00", date.today()))
    with creditor_scope(tenant_a.creditor):
        foreign = workspace.work_item_raise(case=other_case, reason=WorkItemReason.CALLBACK)
        WorkItem.objects.filter(pk=item.pk).update(
            leased_by=mate, leased_until=timezone.now() + timedelta(minutes=10)
        )
        WorkItem.objects.filter(pk=foreign.pk).update(assignee=stranger)
    client.force_login(me)
    assert client.post(reverse("work:teams"), {"do": "create", "name": "A"}).status_code == 403
    client.force_login(agency_user(AgencyRole.SUPERVISOR, username="sup"))
    client.post(reverse("work:teams"), {"do": "create", "name": "Hold Nord"})
    team = Team.objects.get(name="Hold Nord")
    for username in ("agent-mia", "agent-bo", "nobody"):
        client.post(reverse("work:teams"), {"do": "add", "team": team.pk, "username": username})
    assert set(team.members.values_list("username", flat=True)) == {"agent-mia", "agent-bo"}
    client.force_login(me)
    html = client.get(
        reverse("work:queue"), {"tab": "team"}, HTTP_ACCEPT_LANGUAGE="da"
    ).content.decode()
    assert item.case.reference in html and other_case.reference not in html
    assert '<a href="?tab=team" aria-current="page">Mit team</a>' in html
    client.force_login(agency_user(AgencyRole.SUPERVISOR, username="sup2"))
    client.post(
        reverse("work:teams"),
        {"do": "remove", "team": team.pk, "member": mate.pk},
    )
    assert set(team.members.values_list("username", flat=True)) == {"agent-bo"}
