"""Letters in the browser: a notice's stored PDF, and a preview of a letter not yet sent.

Both run in the request's tenant scope: another creditor's notice or case is a 404. Viewers
may look (reading a letter changes nothing). The preview is rendered by a worker while the
request waits (a web process never lays out a PDF itself) and is stored nowhere.
"""

from __future__ import annotations

import base64
import logging
from contextlib import suppress

from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.selectors import case_list
from collections_portal.celery import BROKER_ERRORS
from collections_portal.celery import app as celery_app
from collections_portal.decorators import tenant_view

from .models import Notice, NoticeKind
from .rendering import LANGUAGES, PDF
from .tasks import preview_notice

logger = logging.getLogger(__name__)


# A broker or result store that cannot be reached (kombu, Redis, sockets), and Celery's
# "retry limit exceeded" of the result store (a RuntimeError).
LETTER_SERVICE_ERRORS = (*BROKER_ERRORS, RuntimeError)


def _ping_result_store() -> None:
    """Fail at once when the result store (Redis) is down, before subscribing to a result."""
    client = getattr(celery_app.backend, "client", None)
    if client is not None:
        client.ping()


def _unreachable_message() -> str:
    return _(
        "The letter service is unavailable right now, so no preview can be made; "
        "try again in a few minutes."
    )


def _unavailable(message: str) -> HttpResponse:
    response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "60"
    response["Cache-Control"] = "no-store"
    return response


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@tenant_view
def notice_pdf(request, notice_id: int):
    notice = get_object_or_404(Notice.objects.select_related("case"), pk=notice_id)
    if not notice.pdf:
        messages.info(request, _("The letter is still being prepared; try again in a moment."))
        return redirect("case_detail", case_id=notice.case_id)
    with notice.pdf.open("rb") as file:
        data = file.read()
    return _pdf_response(data, f"{notice.case.number}-{notice.kind}-{notice.sequence}.pdf")


@require_GET
@tenant_view
def notice_preview_pdf(request, case_id: int):
    case = get_object_or_404(case_list(), pk=case_id)
    kind = request.GET.get("kind", "")
    language = request.GET.get("language", "") or case.debtor.language
    if kind not in NoticeKind.values or language not in LANGUAGES:
        if kind or request.GET.get("language"):
            messages.error(request, _("Choose a kind of letter and a language to preview."))
        return redirect("case_detail", case_id=case.pk)
    # The preview needs the broker and the result store (Redis): when they cannot be reached
    # the page says so, instead of failing (or waiting ~20 s for the result store's retries).
    try:
        _ping_result_store()
        result = preview_notice.delay(case.pk, kind, language, creditor_id=case.creditor_id)
    except LETTER_SERVICE_ERRORS:
        logger.warning("letter preview: broker or result store unreachable", exc_info=True)
        return _unavailable(_unreachable_message())
    try:
        answer = result.get(timeout=settings.NOTICES_PREVIEW_TIMEOUT)
    except CeleryTimeout:
        return _unavailable(_("The letter service did not answer in time; try again shortly."))
    except LETTER_SERVICE_ERRORS:
        logger.warning("letter preview: the result store went away", exc_info=True)
        return _unavailable(_unreachable_message())
    finally:
        with suppress(*LETTER_SERVICE_ERRORS):
            result.forget()
    if "error" in answer:
        messages.error(request, answer["error"])
        return redirect("case_detail", case_id=case.pk)
    return _pdf_response(
        base64.b64decode(answer["pdf"]), f"preview-{case.number}-{kind}-{language}.pdf"
    )
