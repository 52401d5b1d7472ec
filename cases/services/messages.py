"""Messages on a case between the creditor's users and the agency's staff (issue 15, item 1).

``case_message_post`` writes a message and its timeline event in one transaction; the event
queues the e-mails to whoever asked for them (``cases.timeline.NOTIFIED_CODES``). Who may write
is the caller's check (``cases.views_actions.user_can_act``): a viewer reads only.
``case_messages_mark_read`` marks the other side's messages read for the reader's side.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    Case,
    CaseMessage,
    MessageSide,
    NotificationSettings,
    NotifyKind,
    NotifyMode,
)
from cases.timeline import event_record
from creditors.selectors import user_is_agency_staff

MESSAGE_MAX_CHARS = 5000
# How much of a message the timeline row repeats (the whole message is on the thread).
TIMELINE_EXCERPT_CHARS = 300

EVENT_FOR_SIDE: dict[str, str] = {
    MessageSide.CREDITOR: "case.message_from_creditor",
    MessageSide.AGENCY: "case.message_from_agency",
}


def side_of(user: AbstractBaseUser) -> str:
    """Agency staff write and read for the agency; everyone else for the creditor."""
    return MessageSide.AGENCY if user_is_agency_staff(user) else MessageSide.CREDITOR


def author_name_of(user: AbstractBaseUser) -> str:
    full = user.get_full_name().strip() if hasattr(user, "get_full_name") else ""
    return full or user.get_username()


def case_message_post(*, case: Case, author: AbstractBaseUser | str, body: str) -> CaseMessage:
    """Write a message on ``case`` from the author's side; it is on the timeline with the
    author's name, and already read by the author's own side. ``author`` is a user, or the
    name of a REST client acting for the creditor (``API key ink_...``)."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    if len(body) > MESSAGE_MAX_CHARS:
        raise ValidationError(
            {"body": _("A message is at most %(n)s characters.") % {"n": MESSAGE_MAX_CHARS}}
        )
    side: str
    user: Any  # the AUTH_USER_MODEL instance, or None for a REST client
    if isinstance(author, str):  # a REST client: the creditor's side, no person
        side, name, user = MessageSide.CREDITOR, author, None
    else:
        side, name, user = side_of(author), author_name_of(author), author
    now = timezone.now()
    with transaction.atomic():
        message = CaseMessage.objects.create(
            creditor_id=case.creditor_id,
            case=case,
            side=side,
            author=user,
            author_name=name,
            body=body,
            read_by_creditor_at=now if side == MessageSide.CREDITOR else None,
            read_by_agency_at=now if side == MessageSide.AGENCY else None,
        )
        excerpt = (
            body if len(body) <= TIMELINE_EXCERPT_CHARS else body[:TIMELINE_EXCERPT_CHARS] + "…"
        )
        event_record(
            case=case,
            code=EVENT_FOR_SIDE[side],
            actor=author,
            message=f"{name}: {excerpt}",
            data={"message_id": message.pk, "author_name": name},
        )
    return message


def case_messages_mark_read(*, case: Case, reader: AbstractBaseUser) -> int:
    """Mark the other side's unread messages on ``case`` read by the reader's side; returns
    how many were unread. Each side's read mark is written once."""
    if side_of(reader) == MessageSide.AGENCY:
        unread = case.messages.filter(side=MessageSide.CREDITOR, read_by_agency_at__isnull=True)
        return unread.update(read_by_agency_at=timezone.now())
    unread = case.messages.filter(side=MessageSide.AGENCY, read_by_creditor_at__isnull=True)
    return unread.update(read_by_creditor_at=timezone.now())


def notification_settings_save(
    *, user: AbstractBaseUser, language: str, modes: dict[str, str]
) -> NotificationSettings:
    """Save a person's own notification choices: for each kind, at once, digest or none."""
    errors = {}
    if language not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose Danish or English.")
    for kind, mode in modes.items():
        if kind not in NotifyKind.values:
            errors[kind] = _("Unknown kind of event.")
        elif mode not in NotifyMode.values:
            errors[kind] = _("Choose at once, in a daily digest or no e-mail.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        choice, _created = NotificationSettings.objects.select_for_update().get_or_create(
            user=cast(Any, user), defaults={"language": language}
        )
        choice.language = language
        for kind, mode in modes.items():
            setattr(choice, kind, mode)
        choice.save()
    return choice
