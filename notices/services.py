"""Notices: rendering a notice to its stored PDF, and previews that store nothing.

``notice_render`` writes a notice's PDF once: a notice that has its PDF is returned as it is
(never rendered again, so the letter a debtor got is the letter on file), otherwise the
renderer of its family lays it out, the bytes go to Django's storage with their SHA-256, and
the notice is marked rendered by a compare-and-set on the row (``pdf`` still empty). No row
lock is held during the layout: two workers given the same notice at once both lay it out,
the first to store wins, and the other deletes its file and returns the stored letter.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Case as DbCase
from django.db.models import F, Value, When
from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from cases.models import Case
from cases.timeline import event_record
from collections_portal.texts import Text

from .context import NoticeNotApplicable
from .kinds import kind_for
from .models import Notice, NoticeStatus
from .rendering import letter_language, renderer_for

logger = logging.getLogger(__name__)

__all__ = [
    "NoticeNotApplicable",
    "notice_mark_render_failed",
    "notice_preview",
    "notice_render",
]


def _with_case(notices=None):
    """Notices with the case, creditor and debtor a letter reads."""
    return (notices if notices is not None else Notice.objects).select_related(
        "case__creditor", "case__debtor"
    )


def _locked(notice: Notice) -> Notice:
    return _with_case(Notice.objects.select_for_update(of=("self",))).get(pk=notice.pk)


def notice_render(*, notice: Notice) -> Notice:
    """Render the notice to PDF and store it, once. Runs in the creditor's scope."""
    notice = _with_case().get(pk=notice.pk)
    if notice.pdf:
        return notice  # stored already: the letter on file is never rewritten
    filename, _mimetype, data = renderer_for(notice).generate(notice)
    return _store_once(notice, filename, data)


def _store_once(notice: Notice, filename: str, data: bytes) -> Notice:
    """Store the rendered bytes and mark the notice rendered, unless another render stored
    its letter first (then this file is deleted and the stored notice returned)."""
    notice.pdf.save(filename, ContentFile(data), save=False)
    sha256 = hashlib.sha256(data).hexdigest()
    rendered_at = timezone.now()
    stored = Notice.objects.filter(pk=notice.pk, pdf="").update(
        pdf=notice.pdf.name,
        pdf_sha256=sha256,
        rendered_at=rendered_at,
        status=DbCase(
            When(
                status__in=[NoticeStatus.PENDING, NoticeStatus.FAILED],
                then=Value(NoticeStatus.RENDERED),
            ),
            default=F("status"),
        ),
    )
    if not stored:
        notice.pdf.storage.delete(notice.pdf.name)
        logger.info("notice %s was stored by another render; this one is discarded", notice.pk)
        return _with_case().get(pk=notice.pk)
    notice.pdf_sha256 = sha256
    notice.rendered_at = rendered_at
    if notice.status in (NoticeStatus.PENDING, NoticeStatus.FAILED):
        notice.status = NoticeStatus.RENDERED
    logger.info(
        "notice %s (%s %s, case %s) rendered: %d bytes, sha256 %s",
        notice.pk,
        notice.kind,
        notice.sequence,
        notice.case.reference,
        len(data),
        notice.pdf_sha256,
    )
    return notice


@transaction.atomic
def notice_mark_render_failed(*, notice: Notice, error: str) -> Notice:
    """A render that cannot succeed by trying again: mark it, and say so on the timeline."""
    notice = _locked(notice)
    if notice.pdf:
        return notice
    notice.status = NoticeStatus.FAILED
    notice.save(update_fields=["status"])
    event_record(
        case=notice.case,
        code="notice.render_failed",
        actor="letters",
        from_state=notice.case.state,
        message=Text(
            N_("%(notice)s could not be rendered: %(error)s"),
            notice=notice.text(),
            error=str(error),
        ),
        data={"notice": notice.pk},
    )
    return notice


def preview_notice_for(*, case: Case, kind: str, language: str | None = None) -> Notice:
    """An unsaved notice of ``kind`` as the next one of its kind on the case would be, today."""
    spec = kind_for(kind)
    today = timezone.localdate()
    sequence = Notice.objects.filter(case=case, kind=kind).count() + 1
    return Notice(
        creditor_id=case.creditor_id,
        case=case,
        kind=kind,
        sequence=sequence,
        dated=today,
        deadline=spec.deadline(case, today) if spec.deadline else None,
        language=language or case.debtor.language,
    )


def notice_preview(*, case: Case, kind: str, language: str | None = None) -> bytes:
    """The PDF a notice of ``kind`` would be today, from the current figures, watermarked
    PREVIEW. Stores nothing and creates no notice. Raises ``NoticeNotApplicable`` when the
    kind has nothing to say on this case."""
    notice = preview_notice_for(case=case, kind=kind, language=language)
    notice.language = letter_language(notice)
    _filename, _mimetype, data = renderer_for(notice).generate(notice, preview=True)
    return data
