"""Notification e-mails about a case's events (issue 15, items 5 and 6): who wants which
event, at once or in the daily digest, in their own language.

- ``notify_event`` (the task ``cases.notify_event``, queued on commit by
  ``cases.timeline.event_record`` for ``NOTIFIED_CODES``) mails everyone who chose *e-mail at
  once* for the event's kind. Each e-mail is a ``NotificationEmail`` row committed before it is
  sent, unique per event and address: a task run twice (or on two workers) mails nobody twice.
- ``digest_send`` / ``digests_send`` (beat's daily ``cases.send_notification_digests``) mail
  each person one e-mail of the events since their last digest, for the kinds they chose *in a
  daily digest*. The person's cursor moves in the same transaction that reads the events, so a
  second run finds nothing new and sends nothing.

Who hears of what: a creditor's users (any role: they all read the case) of the agency's
messages, closings and disputes on their creditor's cases; agency staff following a case (it
is assigned to or held by them, or they wrote on it) of the creditor's messages, and the
agency inbox ``AGENCY_MESSAGES_EMAIL`` of every one. Nobody is told of what they did themselves.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from collections_portal.celery import CreditorTask
from collections_portal.tenancy import agency_scope
from creditors.agency import AgencyRole
from creditors.models import Membership

from .models import (
    CaseEvent,
    CaseMessage,
    MessageSide,
    NotificationEmail,
    NotificationSettings,
    NotifyKind,
    NotifyMode,
    WorkItem,
)
from .timeline import event_title

logger = logging.getLogger(__name__)

# The kind of each notified timeline code, and which side hears of it.
KIND_OF_CODE: dict[str, str] = {
    "case.message_from_agency": NotifyKind.MESSAGE,
    "case.message_from_creditor": NotifyKind.MESSAGE,
    "case.closed": NotifyKind.CASE_CLOSED,
    "case.dispute_opened": NotifyKind.DISPUTE_OPENED,
}
CREDITOR_CODES = ("case.message_from_agency", "case.closed", "case.dispute_opened")
AGENCY_CODES = ("case.message_from_creditor",)
# A person's first digest reaches back this far.
FIRST_DIGEST_SPAN = timedelta(days=1)


@dataclass(frozen=True)
class Recipient:
    address: str
    language: str
    user: Any = None  # the user, or None for an inbox address


def settings_of(user) -> NotificationSettings:
    """The user's choices; the defaults (unsaved) for a user who never changed them."""
    try:
        return user.notification_settings
    except NotificationSettings.DoesNotExist:
        return NotificationSettings(user=user, language=settings.LANGUAGE_CODE)


def _is_agency_staff_q() -> Q:
    return Q(is_superuser=True) | Q(groups__name__in=AgencyRole.values)


def creditor_users(creditor_id: int):
    """The active users of a creditor (any role) who have an e-mail address."""
    user_ids = Membership.objects.filter(creditor_id=creditor_id).values("user_id")
    return (
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .select_related("notification_settings")
    )


def case_followers(case_id: int):
    """Agency staff following a case: its work items' assignee or lease holder, and the staff
    who wrote a message on it. Active, with an e-mail address."""
    items = WorkItem.objects.filter(case_id=case_id)
    ids = set(items.exclude(assignee=None).values_list("assignee_id", flat=True))
    ids |= set(items.exclude(leased_by=None).values_list("leased_by_id", flat=True))
    ids |= set(
        CaseMessage.objects.filter(case_id=case_id, side=MessageSide.AGENCY).values_list(
            "author_id", flat=True
        )
    )
    return (
        get_user_model()
        .objects.filter(_is_agency_staff_q(), pk__in=ids, is_active=True)
        .exclude(email="")
        .distinct()
        .select_related("notification_settings")
    )


def _people_for(event: CaseEvent):
    if event.code in AGENCY_CODES:
        return case_followers(event.case_id)
    return creditor_users(event.creditor_id)


def recipients_now(event: CaseEvent) -> list[Recipient]:
    """Who gets an e-mail at once about ``event``."""
    kind = KIND_OF_CODE.get(event.code)
    if kind is None:
        return []
    found: dict[str, Recipient] = {}
    for user in _people_for(event):
        if user.pk == event.actor_id:
            continue
        choice = settings_of(user)
        if choice.mode(kind) == NotifyMode.IMMEDIATE:
            found.setdefault(user.email.lower(), Recipient(user.email, choice.language, user))
    if event.code in AGENCY_CODES and settings.AGENCY_MESSAGES_EMAIL:
        inbox = settings.AGENCY_MESSAGES_EMAIL
        found.setdefault(inbox.lower(), Recipient(inbox, settings.LANGUAGE_CODE))
    return list(found.values())


def case_url(case_id: int) -> str:
    return settings.PORTAL_URL + reverse("case_detail", args=[case_id])


def _event_body(event: CaseEvent) -> str:
    message_id = (event.data or {}).get("message_id")
    message = CaseMessage.objects.filter(pk=message_id).first() if message_id else None
    return message.body if message else event.message


def render_event_mail(event: CaseEvent, language: str) -> tuple[str, str]:
    """The subject and text of the e-mail about one event, in ``language``."""
    with translation.override(language):
        context = {
            "event": event,
            "title": event_title(event.code),
            "case": event.case,
            "body": _event_body(event),
            "author": (event.data or {}).get("author_name") or event.actor_label,
            "url": case_url(event.case_id),
        }
        subject = render_to_string("cases/email/event_subject.txt", context).strip()
        text = render_to_string("cases/email/event.txt", context)
    return " ".join(subject.split()), text


def notify_event(*, event_id: int) -> dict:
    """E-mail everyone who wants to hear of this event at once; each address once, ever.
    Runs in the event's creditor scope (the task's ``CreditorTask``)."""
    event = CaseEvent.objects.select_related("case", "case__creditor").filter(pk=event_id).first()
    if event is None:
        return {"sent": 0, "skipped": 0}
    sent = skipped = 0
    for recipient in recipients_now(event):
        try:
            with transaction.atomic():
                record = NotificationEmail.objects.create(
                    creditor_id=event.creditor_id,
                    event=event,
                    user=recipient.user,
                    address=recipient.address,
                )
        except IntegrityError:  # recorded before, by an earlier run: never a second e-mail
            skipped += 1
            continue
        subject, text = render_event_mail(event, recipient.language)
        try:
            send_mail(subject, text, None, [recipient.address], fail_silently=False)
        except Exception as exc:
            logger.warning("notification %s to %s failed: %s", event.pk, recipient.address, exc)
            NotificationEmail.objects.filter(pk=record.pk).update(
                status=NotificationEmail.Status.FAILED, error=str(exc)[:1000]
            )
            continue
        NotificationEmail.objects.filter(pk=record.pk).update(status=NotificationEmail.Status.SENT)
        sent += 1
    return {"sent": sent, "skipped": skipped}


# --- The daily digest ---------------------------------------------------------------------


def _digest_events(user, choice: NotificationSettings, since: datetime, until: datetime):
    """The events of the kinds the user wants in the digest, in (since, until]."""
    kinds = {kind for kind in NotifyKind.values if choice.mode(kind) == NotifyMode.DIGEST}
    if not kinds:
        return []
    window = CaseEvent.objects.filter(occurred_at__gt=since, occurred_at__lte=until).exclude(
        actor_id=user.pk
    )
    from creditors.selectors import user_is_agency_staff

    if user_is_agency_staff(user):
        codes = [c for c in AGENCY_CODES if KIND_OF_CODE[c] in kinds]
        followed = set(
            WorkItem.objects.filter(Q(assignee=user) | Q(leased_by=user)).values_list(
                "case_id", flat=True
            )
        ) | set(CaseMessage.objects.filter(author=user).values_list("case_id", flat=True))
        window = window.filter(code__in=codes, case_id__in=followed)
    else:
        codes = [c for c in CREDITOR_CODES if KIND_OF_CODE[c] in kinds]
        creditor_ids = Membership.objects.filter(user=user).values("creditor_id")
        window = window.filter(code__in=codes, creditor_id__in=creditor_ids)
    return list(window.select_related("case", "case__creditor").order_by("occurred_at", "pk"))


def digest_send(*, user, now: datetime | None = None) -> int:
    """One digest e-mail to ``user`` of what happened since their last digest; returns how
    many events it named (0: no e-mail). Taken once: the cursor moves before the e-mail goes."""
    now = now or timezone.now()
    # The digest reads every creditor the person belongs to (or the cases an agent follows).
    with agency_scope(reason="a person's daily digest spans their creditors"):
        with transaction.atomic():
            choice, _created = NotificationSettings.objects.select_for_update().get_or_create(
                user=user, defaults={"language": settings.LANGUAGE_CODE}
            )
            since = choice.digest_until or (now - FIRST_DIGEST_SPAN)
            if since >= now:
                return 0
            events = _digest_events(user, choice, since, now)
            choice.digest_until = now
            choice.save(update_fields=["digest_until", "updated_at"])
        if not events or not user.email:
            return 0
        with translation.override(choice.language):
            rows = [
                {
                    "event": event,
                    "title": event_title(event.code),
                    "url": case_url(event.case_id),
                    "text": _event_body(event),
                }
                for event in events
            ]
            context = {"rows": rows, "since": since, "until": now, "user": user}
            subject = " ".join(render_to_string("cases/email/digest_subject.txt", context).split())
            text = render_to_string("cases/email/digest.txt", context)
    try:
        send_mail(subject, text, None, [user.email], fail_silently=False)
    except Exception as exc:
        logger.warning("digest to %s failed: %s", user.email, exc)
        return 0
    return len(events)


def digest_recipients():
    """Active users with an e-mail address who belong to a creditor or to the agency."""
    has_membership = Q(pk__in=Membership.objects.values("user_id"))
    return (
        get_user_model()
        .objects.filter(has_membership | _is_agency_staff_q(), is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def digests_send(*, now: datetime | None = None) -> dict:
    """Beat's daily run: every person's digest (most find nothing and get no e-mail)."""
    now = now or timezone.now()
    mailed = events = 0
    for user in digest_recipients():
        count = digest_send(user=user, now=now)
        events += count
        mailed += 1 if count else 0
    return {"mailed": mailed, "events": events}


@shared_task(name="cases.notify_event", base=CreditorTask, acks_late=True)
def notify_event_task(*, event_id: int, creditor_id: int) -> dict:
    """E-mail at once those who asked to hear of this timeline event (each address once).
    Declared here, not in ``cases.tasks``, so the timeline queues it without importing the
    services (``cases.tasks`` re-exports it for Celery's autodiscovery)."""
    return notify_event(event_id=event_id)
