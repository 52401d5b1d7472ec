"""The creditor portal's "Upload invoices" pages (issue 15, item 4): upload a CSV or XLSX file
into the same import as ``POST /api/v1/imports/``, map the columns of a file with headers of its
own (remembered per creditor), follow the job's progress (htmx polls a small partial while it is
queued or running), read and download its rejected rows, and the history of the creditor's
uploads. Template files to download, CSV and XLSX, with Danish headings.

Who may upload is decided here: a creditor's owner, administrator or member, and agency staff
working for the creditor they switched to; a viewer reads the history and the jobs, and a forged
POST is 403. Jobs are looked up in the active scope, so another creditor's job is 404.
"""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from collections_portal.decorators import tenant_view
from creditors.selectors import membership_for, user_is_agency_staff

from .models import ImportJob, ImportRejection, ImportStatus
from .reading import (
    COLUMNS,
    DANISH_HEADINGS,
    REQUIRED_COLUMNS,
    FileError,
    header_columns,
    missing_columns,
    raw_header,
)
from .samples import template_csv, template_xlsx
from .services import (
    STAGED_FOLDER,
    column_mapping_check,
    column_mapping_for,
    column_mapping_remember,
    import_job_create,
)
from .views import XLSX_TYPE, rejections_csv_response

REJECTIONS_PER_PAGE = 50
HISTORY_PER_PAGE = 25
# Uploads waiting for their columns to be mapped, kept in the session (the newest few).
STAGED_KEY = "import_staged"
STAGED_MAX = 5

FIELD_LABELS = {
    "debtor_name": gettext_lazy("Debtor's name"),
    "debtor_national_id": gettext_lazy("CPR or CVR number"),
    "debtor_kind": gettext_lazy("Person or company"),
    "debtor_address": gettext_lazy("Address"),
    "debtor_postal_code": gettext_lazy("Postal code"),
    "debtor_city": gettext_lazy("City"),
    "debtor_country": gettext_lazy("Country"),
    "debtor_email": gettext_lazy("E-mail"),
    "debtor_phone": gettext_lazy("Phone"),
    "debtor_language": gettext_lazy("Language"),
    "invoice_number": gettext_lazy("Invoice number"),
    "invoice_date": gettext_lazy("Invoice date"),
    "due_date": gettext_lazy("Due date"),
    "amount": gettext_lazy("Amount"),
    "currency": gettext_lazy("Currency"),
    "description": gettext_lazy("Description"),
    "reference": gettext_lazy("Your reference"),
    "reminder_dates": gettext_lazy("Reminders already sent"),
    "warning_sent_on": gettext_lazy("Collection warning sent"),
}


def user_can_upload(request) -> bool:
    """Owners, administrators and members of the request's creditor, and agency staff working
    for it (as the API's upload allows them); viewers only read."""
    creditor = getattr(request, "creditor", None)
    if creditor is None:
        return False
    if user_is_agency_staff(request.user):
        return True
    membership = membership_for(request.user, creditor)
    return membership is not None and membership.can_edit


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        help_text=gettext_lazy(
            "Drop the file here or choose it. The first line (or the sheet's first row) names "
            "the columns; semicolons or commas, Danish or English dates and amounts."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = (upload.name or "").lower().rsplit(".", 1)[-1]
        if extension not in ("csv", "txt", "xlsx"):
            raise forms.ValidationError(_("Choose a CSV file (.csv) or an Excel workbook (.xlsx)."))
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        upload.import_format = "xlsx" if extension == "xlsx" else "csv"
        return upload


class MappingForm(forms.Form):
    """Each of our columns -> one of the file's headers (required columns must be chosen)."""

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        guessed: dict[str, str] = {}
        for column, header in zip(header_columns(headers), headers, strict=True):
            guessed.setdefault(column, header)
        choices = [("", _("(not in the file)"))] + [(h, h) for h in headers if h]
        for column in COLUMNS:
            self.fields[column] = forms.ChoiceField(
                label=FIELD_LABELS[column],
                choices=choices,
                required=column in REQUIRED_COLUMNS,
                initial=guessed.get(column, ""),
                help_text=DANISH_HEADINGS[column],
            )

    def clean(self):
        cleaned = super().clean()
        used: dict[str, str] = {}
        for column in COLUMNS:
            header = cleaned.get(column)
            if not header:
                continue
            if header in used:
                self.add_error(
                    column,
                    _("The column “%(header)s” is already chosen for %(field)s.")
                    % {"header": header, "field": FIELD_LABELS[used[header]]},
                )
            else:
                used[header] = column
        return cleaned

    def mapping(self) -> dict[str, str]:
        return {c: self.cleaned_data[c] for c in COLUMNS if self.cleaned_data.get(c)}


def _history(request):
    jobs = ImportJob.objects.select_related("created_by", "api_key").order_by("-created_at", "-pk")
    return Paginator(jobs, HISTORY_PER_PAGE).get_page(request.GET.get("page"))


def _page(request, form, status=200):
    return render(
        request,
        "imports/upload.html",
        {"form": form, "page": _history(request), "can_upload": user_can_upload(request)},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@tenant_view
def import_upload(request):
    if request.creditor is None:  # agency staff across creditors: upload for one of them
        if request.method == "POST":
            raise PermissionDenied
        return render(request, "imports/choose_creditor.html")
    if request.method != "POST":
        return _page(request, UploadForm())
    if not user_can_upload(request):
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    upload = form.cleaned_data["file"]
    fmt = upload.import_format
    try:
        headers = raw_header(upload, fmt)
    except FileError as exc:
        form.add_error("file", str(exc))
        return _page(request, form, status=400)
    finally:
        upload.seek(0)
    mapping: dict[str, str] = {}
    if missing_columns(header_columns(headers)):
        remembered = column_mapping_for(headers=headers)
        if remembered is None or column_mapping_check(headers=headers, mapping=remembered):
            token = _stage(request, upload, fmt, headers)
            return redirect("imports:map", token=token)
        mapping = remembered
    with transaction.atomic():
        job = import_job_create(
            creditor=request.creditor,
            upload=upload,
            fmt=fmt,
            original_name=upload.name or "",
            user=request.user,
            column_mapping=mapping,
        )
    return redirect("imports:detail", job_id=job.public_id)


def _stage(request, upload, fmt: str, headers: list[str]) -> str:
    """Keep an upload until its columns are mapped: stored under the creditor's folder (never
    served), named in the session by a random token; one left for a day is deleted by the
    stale-job sweep (``staged_uploads_delete_old``)."""
    token = secrets.token_urlsafe(16)
    path = default_storage.save(f"{STAGED_FOLDER}/{request.creditor.pk}/{token}.{fmt}", upload)
    staged = dict(request.session.get(STAGED_KEY, {}))
    while len(staged) >= STAGED_MAX:  # the oldest upload left unmapped goes
        oldest = next(iter(staged))
        default_storage.delete(staged.pop(oldest)["path"])
    staged[token] = {
        "creditor": request.creditor.pk,
        "path": path,
        "fmt": fmt,
        "name": (upload.name or "")[:255],
        "headers": headers,
    }
    request.session[STAGED_KEY] = staged
    return token


@require_http_methods(["GET", "HEAD", "POST"])
@tenant_view
def import_map(request, token: str):
    if not user_can_upload(request):
        raise PermissionDenied
    staged = request.session.get(STAGED_KEY, {}).get(token)
    if staged is None or staged["creditor"] != request.creditor.pk:
        raise Http404
    headers = staged["headers"]
    form = MappingForm(request.POST or None, headers=headers)
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        with transaction.atomic():
            column_mapping_remember(
                creditor=request.creditor, headers=headers, mapping=mapping, user=request.user
            )
            with default_storage.open(staged["path"], "rb") as handle:
                job = import_job_create(
                    creditor=request.creditor,
                    upload=File(handle),
                    fmt=staged["fmt"],
                    original_name=staged["name"],
                    user=request.user,
                    column_mapping=mapping,
                )
        default_storage.delete(staged["path"])
        remaining = dict(request.session.get(STAGED_KEY, {}))
        remaining.pop(token, None)
        request.session[STAGED_KEY] = remaining
        return redirect("imports:detail", job_id=job.public_id)
    missing = missing_columns(header_columns(headers))
    return render(
        request,
        "imports/map.html",
        {
            "form": form,
            "file_name": staged["name"],
            "headers": headers,
            "missing": [FIELD_LABELS[c] for c in missing],
        },
        status=400 if form.is_bound else 200,
    )


def _job_context(request, job: ImportJob) -> dict:
    rejections = ImportRejection.objects.filter(job=job).order_by("line", "pk")
    page = Paginator(rejections, REJECTIONS_PER_PAGE).get_page(request.GET.get("page"))
    total = job.units_total or 0
    return {
        "job": job,
        "running": job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        "percent": round(100 * job.units_done / total) if total else 0,
        "page": page,
    }


@require_safe
@tenant_view
def import_detail(request, job_id):
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), public_id=job_id)
    return render(request, "imports/detail.html", _job_context(request, job))


@require_safe
@tenant_view
def import_progress(request, job_id):
    """The part of the job's page that changes: polled by htmx while the job runs."""
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), public_id=job_id)
    return render(request, "imports/_progress.html", _job_context(request, job))


@require_safe
@tenant_view
def import_rejections_csv(request, job_id):
    job = get_object_or_404(ImportJob.objects.all(), public_id=job_id)
    return rejections_csv_response(job)


@require_safe
@tenant_view
def import_template(request, fmt: str):
    if fmt == "csv":
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(template_xlsx(), content_type=XLSX_TYPE)
    else:  # pragma: no cover - the URLconf names both
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="fakturaer-skabelon.{fmt}"'
    return response
