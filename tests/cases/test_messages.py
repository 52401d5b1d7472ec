"""Messages on a case between the creditor and the agency (issue 15, items 1, 5, 6): the
service, who may write, the thread on the case page and the work screen, the timeline in both
languages, the e-mails (once, in the recipient's language, by their choice), the daily digest
(once) and unread -> read."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from cases import notifications
from cases.models import (
    CaseEvent,
    CaseMessage,
    MessageSide,
    NotificationEmail,
    NotificationSettings,
    WorkItem,
    WorkItemReason,
)
from cases.services import lifecycle
from cases.services.messages import case_message_post, notification_settings_save
from cases.services.work_items import work_item_open
from cases.timeline import event_title
from collections_portal.tenancy import agency_scope, creditor_scope
from creditors.agency import AgencyRole
from creditors.models import Role
from tests.factories import MembershipFactory, UserFactory, agency_user
from tests.faults import broker_unreachable

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def user_with(role, tenant, **kwargs):
    user = UserFactory(**kwargs)
    MembershipFactory(user=user, creditor=tenant.creditor, role=role)
    return user


def url(case):
    return reverse("case_messages", args=[case.pk])


def run_notifications(event_code, case):
    """What the worker does for each notified event of ``case`` with ``event_code``."""
    with creditor_scope(case.creditor_id):
        for event in CaseEvent.objects.filter(case=case, code=event_code):
            notifications.notify_event(event_id=event.pk)


@pytest.fixture
def agent(db):
    return agency_user(
        AgencyRole.AGENT, username="agent-anna", first_name="Anna", last_name="Agent"
    )


# --- The service ---------------------------------------------------------------------------


def test_a_member_writes_and_the_message_is_on_the_timeline_with_the_authors_name(tenant_a):
    with creditor_scope(tenant_a.creditor):
        message = case_message_post(case=tenant_a.case, author=tenant_a.user, body="  Hvornår?  ")
        assert message.side == MessageSide.CREDITOR and message.body == "Hvornår?"
        assert message.read_by_creditor_at is not None and message.read_by_agency_at is None
        [event] = CaseEvent.objects.filter(case=tenant_a.case, code="case.message_from_creditor")
    assert event.actor == tenant_a.user
    assert event.message == f"{tenant_a.user.get_full_name()}: Hvornår?"
    assert event.data["message_id"] == message.pk


def test_the_agencys_message_is_from_the_agency(tenant_a, agent):
    with creditor_scope(tenant_a.creditor):
        message = case_message_post(case=tenant_a.case, author=agent, body="Vi ringer i dag.")
        assert message.side == MessageSide.AGENCY and message.author_name == "Anna Agent"
        assert CaseEvent.objects.filter(code="case.message_from_agency").count() == 1


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_an_empty_or_too_long_message_is_refused_naming_the_field(tenant_a, body):
    with creditor_scope(tenant_a.creditor), pytest.raises(ValidationError) as refused:
        case_message_post(case=tenant_a.case, author=tenant_a.user, body=body)
    assert "body" in refused.value.message_dict
    with creditor_scope(tenant_a.creditor):
        assert not CaseMessage.objects.exists()


@pytest.mark.parametrize(
    ("language", "creditor_title", "agency_title"),
    [
        ("da", "Besked fra kreditor", "Besked fra inkassobureauet"),
        ("en", "Message from the creditor", "Message from the agency"),
    ],
)
def test_the_timeline_titles_in_both_languages(language, creditor_title, agency_title):
    with translation.override(language):
        assert event_title("case.message_from_creditor") == creditor_title
        assert event_title("case.message_from_agency") == agency_title


def test_the_case_page_timeline_names_the_message_in_english(client, tenant_a):
    with creditor_scope(tenant_a.creditor):
        case_message_post(case=tenant_a.case, author=tenant_a.user, body="Status?")
    client.force_login(tenant_a.user)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("case_detail", args=[tenant_a.case.pk])).content.decode()
    assert "Message from the creditor" in body and "Status?" in body


# --- Who may write -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.MEMBER])
def test_owners_admins_and_members_write_from_the_case_page(client, tenant_a, role):
    client.force_login(user_with(role, tenant_a))
    response = client.post(url(tenant_a.case), {"message-body": "Hej", "page": "case"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="case-messages"' in body and "Hej" in body
    assert 'id="case-timeline" hx-swap-oob="true"' in body  # the timeline follows
    with creditor_scope(tenant_a.creditor):
        assert CaseMessage.objects.get().side == MessageSide.CREDITOR


def test_a_viewer_reads_the_thread_but_a_forged_post_is_403(client, tenant_a, agent):
    with creditor_scope(tenant_a.creditor):
        case_message_post(case=tenant_a.case, author=agent, body="Til orientering")
    client.force_login(user_with(Role.VIEWER, tenant_a))
    page = client.get(reverse("case_detail", args=[tenant_a.case.pk])).content.decode()
    assert "Til orientering" in page and 'id="message-form"' not in page
    assert client.post(url(tenant_a.case), {"message-body": "x"}, **HTMX).status_code == 403
    with creditor_scope(tenant_a.creditor):
        assert CaseMessage.objects.count() == 1


def test_another_creditors_case_is_404(client, tenant_a, tenant_b):
    client.force_login(tenant_a.user)
    assert client.get(url(tenant_b.case)).status_code == 404
    assert client.post(url(tenant_b.case), {"message-body": "x"}, **HTMX).status_code == 404
    with agency_scope(reason="test"):
        assert not CaseMessage.objects.exists()


def test_a_refused_message_is_named_next_to_the_field(client, tenant_a):
    client.force_login(tenant_a.user)
    body = client.post(url(tenant_a.case), {"message-body": ""}, **HTMX).content.decode()
    assert "field-error" in body and "id_message-body_error" in body


def test_without_htmx_the_post_returns_to_the_page(client, tenant_a):
    client.force_login(tenant_a.user)
    response = client.post(url(tenant_a.case), {"message-body": "Hej"})
    assert response.status_code == 302
    assert response.url == reverse("case_detail", args=[tenant_a.case.pk])


def test_the_agent_answers_from_the_work_screen(client, tenant_a, agent):
    with creditor_scope(tenant_a.creditor):
        case_message_post(case=tenant_a.case, author=tenant_a.user, body="Hvad sker der?")
        item = work_item_open(
            case=tenant_a.case, reason=WorkItemReason.NEW_IN_COLLECTION, due_at=timezone.now()
        )
    client.force_login(agent)
    screen = client.get(reverse("work:item", args=[item.pk])).content.decode()
    assert "Hvad sker der?" in screen and 'name="page" value="work"' in screen
    response = client.post(
        url(tenant_a.case),
        {
            "message-body": "Vi har ringet.",
            "page": "work",
            "return_to": f"/workspace/items/{item.pk}/",
        },
    )
    assert response.status_code == 302 and response.url == f"/workspace/items/{item.pk}/"
    with creditor_scope(tenant_a.creditor):
        assert CaseMessage.objects.filter(side=MessageSide.AGENCY).count() == 1


def test_a_foreign_return_address_is_not_followed(client, tenant_a):
    client.force_login(tenant_a.user)
    response = client.post(
        url(tenant_a.case), {"message-body": "Hej", "return_to": "https://evil.example/"}
    )
    assert response.url == reverse("case_detail", args=[tenant_a.case.pk])


# --- Unread -> read ----------------------------------------------------------------------


def test_unread_agency_messages_become_read_when_the_creditor_opens_the_case(
    client, tenant_a, agent
):
    with creditor_scope(tenant_a.creditor):
        message = case_message_post(case=tenant_a.case, author=agent, body="Nyt fra os")
    client.force_login(tenant_a.user)
    home = client.get(reverse("home")).content.decode()
    assert 'id="unread-messages"' in home and "Nyt fra os" in home
    page = client.get(reverse("case_detail", args=[tenant_a.case.pk])).content.decode()
    assert "message-new" in page  # shown as new this once
    with creditor_scope(tenant_a.creditor):
        message.refresh_from_db()
    assert message.read_by_creditor_at is not None and message.read_by_agency_at is not None
    again = client.get(reverse("case_detail", args=[tenant_a.case.pk])).content.decode()
    assert "message-new" not in again
    assert 'id="unread-messages"' not in client.get(reverse("home")).content.decode()


def test_the_agency_reads_the_creditors_messages_on_its_side(client, tenant_a, agent):
    with creditor_scope(tenant_a.creditor):
        message = case_message_post(case=tenant_a.case, author=tenant_a.user, body="Spørgsmål")
    client.force_login(agent)
    assert "Spørgsmål" in client.get(reverse("home")).content.decode()  # needs attention
    client.get(url(tenant_a.case))
    with creditor_scope(tenant_a.creditor):
        message.refresh_from_db()
    assert message.read_by_agency_at is not None


# --- E-mail at once ------------------------------------------------------------------------


def test_the_message_is_queued_on_commit_as_a_named_task(
    tenant_a, django_capture_on_commit_callbacks
):
    with creditor_scope(tenant_a.creditor), django_capture_on_commit_callbacks() as hooks:
        message = case_message_post(case=tenant_a.case, author=tenant_a.user, body="Hej")
    [hook] = [h for h in hooks if getattr(h, "task", None) is not None]
    assert hook.__qualname__ == "enqueue_on_commit[cases.notify_event]"
    with creditor_scope(tenant_a.creditor):
        event = CaseEvent.objects.get(code="case.message_from_creditor")
    assert hook.kwargs == {"event_id": event.pk, "creditor_id": tenant_a.creditor.pk}
    assert message.pk == event.data["message_id"]


def test_the_agencys_message_mails_the_creditors_users_once_in_their_language(tenant_a, agent):
    english = user_with(Role.VIEWER, tenant_a, username="viewer-en")
    notification_settings_save(user=english, language="en", modes={"message": "immediate"})
    quiet = user_with(Role.ADMIN, tenant_a, username="admin-quiet")
    notification_settings_save(user=quiet, language="da", modes={"message": "off"})
    UserFactory(username="outsider")  # no membership: never told
    with creditor_scope(tenant_a.creditor):
        case_message_post(case=tenant_a.case, author=agent, body="Skyldner har betalt en del.")
    run_notifications("case.message_from_agency", tenant_a.case)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {tenant_a.user.email, english.email}
    danish, in_english = by_address[tenant_a.user.email], by_address[english.email]
    assert "Besked fra inkassobureauet" in danish.subject
    assert "Skyldner har betalt en del." in danish.body and "Anna Agent" in danish.body
    assert "Message from the agency" in in_english.subject and "Open the case" in in_english.body
    assert f"/cases/{tenant_a.case.pk}/" in in_english.body
    # The task again (a retry, a second worker): nobody gets it twice.
    run_notifications("case.message_from_agency", tenant_a.case)
    assert len(mail.outbox) == 2
    with creditor_scope(tenant_a.creditor):
        assert NotificationEmail.objects.filter(status="sent").count() == 2


@override_settings(AGENCY_MESSAGES_EMAIL="inkasso@agency.example")
def test_the_creditors_message_mails_the_following_agent_and_the_agency_inbox(tenant_a, agent):
    other_agent = agency_user(AgencyRole.AGENT, username="agent-bo")  # not on this case
    with creditor_scope(tenant_a.creditor):
        item = work_item_open(
            case=tenant_a.case, reason=WorkItemReason.NEW_IN_COLLECTION, due_at=timezone.now()
        )
        WorkItem.objects.filter(pk=item.pk).update(assignee=agent)
        case_message_post(case=tenant_a.case, author=tenant_a.user, body="Ring venligst.")
    run_notifications("case.message_from_creditor", tenant_a.case)
    addresses = sorted(m.to[0] for m in mail.outbox)
    assert addresses == sorted([agent.email, "inkasso@agency.example"])
    assert other_agent.email not in addresses and tenant_a.user.email not in addresses


def test_nobody_is_mailed_of_what_they_wrote_themselves(tenant_a, agent):
    with creditor_scope(tenant_a.creditor):
        case_message_post(case=tenant_a.case, author=agent, body="Første")
        case_message_post(case=tenant_a.case, author=tenant_a.user, body="Svar")  # agent follows
        case_message_post(case=tenant_a.case, author=agent, body="Tak")
    mail.outbox.clear()
    run_notifications("case.message_from_creditor", tenant_a.case)
    assert [m.to[0] for m in mail.outbox] == [agent.email]


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_does_not_fail_the_commit(client, tenant_a):
    client.force_login(tenant_a.user)
    with broker_unreachable():
        response = client.post(url(tenant_a.case), {"message-body": "Hej"}, **HTMX)
    assert response.status_code == 200
    with creditor_scope(tenant_a.creditor):
        assert CaseMessage.objects.count() == 1


def test_a_closed_case_and_a_dispute_mail_by_the_preferences(tenant_a, agent):
    eager = user_with(Role.OWNER, tenant_a, username="owner-eager")
    notification_settings_save(
        user=eager, language="da", modes={"case_closed": "immediate", "dispute_opened": "off"}
    )
    notification_settings_save(
        user=tenant_a.user,
        language="en",
        modes={"case_closed": "digest", "dispute_opened": "immediate"},
    )
    with creditor_scope(tenant_a.creditor), transaction.atomic():
        lifecycle.dispute_open(case=tenant_a.case, reason="Ikke bestilt", actor=agent)
    run_notifications("case.dispute_opened", tenant_a.case)
    assert [(m.to[0], "Dispute opened" in m.subject) for m in mail.outbox] == [
        (tenant_a.user.email, True)
    ]


# --- Preferences page ------------------------------------------------------------------


def test_the_settings_page_saves_the_users_own_choices(client, tenant_a):
    viewer = user_with(Role.VIEWER, tenant_a)
    client.force_login(viewer)
    page = client.get(reverse("notification_settings"))
    assert page.status_code == 200 and 'id="notification-settings"' in page.content.decode()
    response = client.post(
        reverse("notification_settings"),
        {
            "message": "digest",
            "case_closed": "off",
            "dispute_opened": "immediate",
            "language": "en",
        },
    )
    assert response.status_code == 302
    choice = NotificationSettings.objects.get(user=viewer)
    assert (choice.message, choice.case_closed, choice.dispute_opened, choice.language) == (
        "digest", "off", "immediate", "en",
    )  # fmt: skip


def test_a_bad_choice_is_named(client, tenant_a):
    client.force_login(tenant_a.user)
    response = client.post(
        reverse("notification_settings"),
        {"message": "sometimes", "case_closed": "off", "dispute_opened": "off", "language": "da"},
    )
    assert response.status_code == 200 and "field-error" in response.content.decode()
    assert not NotificationSettings.objects.filter(user=tenant_a.user).exists()


def test_the_settings_page_needs_a_signed_in_user(client):
    response = client.get(reverse("notification_settings"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


# --- The daily digest --------------------------------------------------------------------


def test_the_digest_sends_one_email_of_what_happened_once(tenant_a, tenant_b, agent):
    notification_settings_save(user=tenant_a.user, language="en", modes={"message": "digest"})
    now = timezone.now()
    with creditor_scope(tenant_a.creditor):
        case_message_post(case=tenant_a.case, author=agent, body="Første besked")
        case_message_post(case=tenant_a.case, author=agent, body="Anden besked")
    with creditor_scope(tenant_b.creditor):
        case_message_post(case=tenant_b.case, author=agent, body="Til en anden kreditor")
    later = now + timedelta(minutes=5)
    assert notifications.digest_send(user=tenant_a.user, now=later) == 2
    [digest] = mail.outbox
    assert digest.to == [tenant_a.user.email]
    assert "Daily digest: 2 events" in digest.subject
    assert "Første besked" in digest.body and "Anden besked" in digest.body
    assert "Til en anden kreditor" not in digest.body
    # Run again (beat twice, or a retry): nothing new, no second e-mail.
    assert notifications.digest_send(user=tenant_a.user, now=later) == 0
    assert notifications.digests_send(now=later + timedelta(minutes=1))["mailed"] == 0
    assert len(mail.outbox) == 1


def test_the_daily_run_mails_only_those_who_chose_the_digest(tenant_a, agent):
    notification_settings_save(user=tenant_a.user, language="da", modes={"message": "immediate"})
    digest_user = user_with(Role.MEMBER, tenant_a, username="digest-dora")
    notification_settings_save(user=digest_user, language="da", modes={"message": "digest"})
    with creditor_scope(tenant_a.creditor):
        case_message_post(case=tenant_a.case, author=agent, body="Hej")
    report = notifications.digests_send(now=timezone.now() + timedelta(minutes=1))
    assert report == {"mailed": 1, "events": 1}
    [digest] = mail.outbox
    assert digest.to == [digest_user.email] and "Daglig oversigt" in digest.subject


def test_the_digest_is_in_beats_one_schedule(settings):
    from collections_portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["notification-digests"]
    assert entry["task"] == "cases.send_notification_digests"
    app.loader.import_default_modules()
    assert "cases.send_notification_digests" in app.tasks and "cases.notify_event" in app.tasks
