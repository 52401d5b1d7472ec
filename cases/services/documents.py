"""Notes and documents on a case: what people add to the file besides the money and steps."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import Case, CaseDocument, CaseEvent
from cases.timeline import actor_fields, event_record

from .document_types import document_type_check
from .locking import lock_case

NOTE_MAX_LENGTH = 10_000


@transaction.atomic
def case_note_add(
    *, case: Case, text: str, actor: AbstractBaseUser | str | None = None
) -> CaseEvent:
    """Write a note on the case's timeline (``case.note``); the state does not change."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("A note needs some text.")})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"text": _("A note is at most %(max)d characters.") % {"max": NOTE_MAX_LENGTH}}
        )
    case = lock_case(case)
    return event_record(
        case=case, code="case.note", actor=actor, from_state=case.state, message=text
    )


@transaction.atomic
def case_document_add(
    *,
    case: Case,
    file: UploadedFile | File,
    description: str = "",
    actor: AbstractBaseUser | str | None = None,
) -> CaseDocument:
    """Store an uploaded file on the case (Django's default storage) and note it on the timeline.

    Refuses an empty file, one above ``CASE_DOCUMENT_MAX_BYTES`` and one whose content is not
    an accepted kind (``document_types``), naming the field ``file``. The stored content type is
    the one the content shows, not the one the uploader's browser claimed.
    """
    if not file.size:
        raise ValidationError({"file": _("The file is empty.")})
    if file.size > settings.CASE_DOCUMENT_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(max)d bytes.")
                % {"max": settings.CASE_DOCUMENT_MAX_BYTES}
            }
        )
    filename = (file.name or "document").rsplit("/", 1)[-1][-200:]
    content_type = document_type_check(file, filename)
    case = lock_case(case)
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    who = actor_fields(actor)
    document = CaseDocument(
        creditor_id=case.creditor_id,
        case=case,
        filename=filename,
        content_type=content_type,
        size=file.size,
        sha256=digest.hexdigest(),
        description=description.strip(),
        uploaded_by=who["actor"],
        uploaded_by_label=who["actor_label"],
    )
    document.full_clean(exclude=["case", "creditor", "file", "uploaded_by"])
    # Saved after commit would lose the file on a crash; saved before, a rollback leaves an
    # orphan file (never referenced, harmless) rather than a record without its file.
    document.file.save(document.filename, file, save=False)
    document.save()
    event_record(
        case=case,
        code="case.document_added",
        actor=actor,
        from_state=case.state,
        message=document.filename,
        data={"document": document.pk, "sha256": document.sha256},
    )
    return document
