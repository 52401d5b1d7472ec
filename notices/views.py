"""Letters in the browser: a notice's stored PDF, and a preview of a letter not yet sent.

Both run in the request's tenant scope: another creditor's notice or case is a 404. Viewers
may look (reading a letter changes nothing). The preview is rendered by a worker while the
request waits (a web process never lays out a PDF itself) and is stored nowhere.
"""

from __future__ import annotations

import base64

from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.selectors import case_list
from collections_portal.decorators import tenant_view

from .models import Notice, NoticeKind
from .rendering import LANGUAGES, PDF
from .tasks import preview_notice


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
    result = preview_notice.delay(case.pk, kind, language, creditor_id=case.creditor_id)
    try:
        answer = result.get(timeout=settings.NOTICES_PREVIEW_TIMEOUT)
    except CeleryTimeout:
        return HttpResponse(
            _("The letter service did not answer in time; try again shortly."), status=503
        )
    finally:
        result.forget()
    if "error" in answer:
        messages.error(request, answer["error"])
        return redirect("case_detail", case_id=case.pk)
    return _pdf_response(
        base64.b64decode(answer["pdf"]), f"preview-{case.number}-{kind}-{language}.pdf"
    )
