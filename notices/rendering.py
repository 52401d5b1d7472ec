"""Letters to PDF: one renderer per letter family, each ``generate(notice) -> (filename,
mimetype, bytes)`` as pretix's invoice renderers are.

A renderer builds the context (``notices.context``), renders
``templates/notices/<language>/<kind>.html`` in the notice's language, and lays it out with
WeasyPrint. The stylesheet, the font configuration and the image cache are made once per
process and shared by every letter: they are the costly part of a render after the layout.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from .context import notice_context
from .kinds import KINDS
from .models import Notice, NoticeKind

PDF = "application/pdf"
LETTER_CSS = Path(settings.BASE_DIR) / "templates" / "notices" / "letter.css"
LANGUAGES = ("da", "en")


@lru_cache(maxsize=1)
def font_config() -> FontConfiguration:
    return FontConfiguration()


@lru_cache(maxsize=1)
def letter_stylesheet() -> CSS:
    """The letter's CSS, parsed once per process."""
    return CSS(filename=str(LETTER_CSS), font_config=font_config())


# WeasyPrint's image cache, shared across documents (logos and QR codes decode once).
_IMAGE_CACHE: dict = {}


def html_to_pdf(html: str) -> bytes:
    """Lay out one letter's HTML with the shared stylesheet: the raw WeasyPrint step."""
    if len(_IMAGE_CACHE) > 500:
        _IMAGE_CACHE.clear()  # QR codes differ per letter: keep the cache bounded
    document = HTML(string=html, base_url=str(settings.BASE_DIR))
    return document.write_pdf(
        stylesheets=[letter_stylesheet()], font_config=font_config(), cache=_IMAGE_CACHE
    )


def letter_language(notice: Notice) -> str:
    return notice.language if notice.language in LANGUAGES else LANGUAGES[0]


class LetterRenderer:
    """Base of the letter families: context, template and layout."""

    kinds: tuple[str, ...] = ()

    def template_name(self, notice: Notice) -> str:
        return f"notices/{letter_language(notice)}/{notice.kind}.html"

    def filename(self, notice: Notice) -> str:
        return f"{notice.case.number}-{notice.kind}-{notice.sequence}.pdf"

    def context(self, notice: Notice, *, preview: bool) -> dict:
        return notice_context(notice, preview=preview)

    def html(self, notice: Notice, *, preview: bool = False) -> str:
        with translation.override(letter_language(notice)):
            context = self.context(notice, preview=preview)
            return render_to_string(self.template_name(notice), context)

    def generate(self, notice: Notice, *, preview: bool = False) -> tuple[str, str, bytes]:
        return self.filename(notice), PDF, html_to_pdf(self.html(notice, preview=preview))


class DemandRenderer(LetterRenderer):
    """Letters asking for payment by a date: reminders, the warning, a missed instalment."""

    kinds = (
        NoticeKind.REMINDER,
        NoticeKind.WARNING,
        NoticeKind.MISSED_INSTALMENT,
        NoticeKind.CREDIT_BUREAU_WARNING,
    )


class CollectionLetterRenderer(LetterRenderer):
    """The first collection letter with its voluntary settlement to sign (two parts)."""

    kinds = (NoticeKind.COLLECTION_LETTER,)


class PlanRenderer(LetterRenderer):
    """The instalment plan confirmation with its schedule."""

    kinds = (NoticeKind.PLAN_CONFIRMATION,)


class InformationRenderer(LetterRenderer):
    """Letters that ask for nothing: receipt, dispute acknowledgement, case closed."""

    kinds = (NoticeKind.RECEIPT, NoticeKind.DISPUTE_ACK, NoticeKind.CLOSED)


RENDERERS: dict[str, LetterRenderer] = {
    kind: renderer
    for renderer in (
        DemandRenderer(),
        CollectionLetterRenderer(),
        PlanRenderer(),
        InformationRenderer(),
    )
    for kind in renderer.kinds
}


def renderer_for(notice: Notice) -> LetterRenderer:
    """The family's renderer; a declared kind of no family is laid out as a plain letter."""
    if notice.kind in RENDERERS:
        return RENDERERS[notice.kind]
    if notice.kind in KINDS:
        return LetterRenderer()
    raise ValueError(f"No renderer for notice kind {notice.kind!r}.")
