"""/api/v1/imports/: upload invoices (JSON, CSV or XLSX), follow the job, fetch the rejected rows.

The upload is streamed to a temporary file (never held in memory, never parsed in the
request) and answered at once with 202 and the job; a Celery task does the work.
"""

from __future__ import annotations

import csv
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models.expressions import RawSQL
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response

from cases.models import Case
from collections_portal.spreadsheets import spreadsheet_safe
from creditors.models import Creditor
from integrations.api.authentication import ApiClient
from integrations.api.pagination import ApiCursorPagination
from integrations.api.permissions import CREDITOR_DATA_PERMISSIONS
from integrations.api.scoping import ScopedAPIView, ScopedViewMixin, request_creditor_id

from .models import ImportJob, ImportRejection
from .reading import COLUMNS, FileError, check_columns, csv_header, header_columns, raw_header
from .serializers import ImportedCaseSerializer, ImportJobSerializer, ImportRejectionSerializer
from .services import import_job_create

_PIECE = 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An XLSX workbook is a ZIP archive: its first bytes say so.
_ZIP_MAGIC = b"PK\x03\x04"


class RawUploadParser(BaseParser):
    """Declares the raw bodies the upload takes (for content negotiation and the schema);
    the view streams the body itself, so nothing is parsed here."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return {}


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The upload is too large."
    default_code = "too_large"


class UnsupportedUpload(APIException):
    status_code = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    default_code = "unsupported_media_type"


class ImportRowSchema(serializers.Serializer):
    """One invoice of an upload (a CSV file has the same columns in its header)."""

    debtor_name = serializers.CharField()
    debtor_national_id = serializers.CharField(required=False, help_text="CPR or CVR number")
    debtor_kind = serializers.ChoiceField(choices=["person", "company"], required=False)
    debtor_address = serializers.CharField()
    debtor_postal_code = serializers.CharField()
    debtor_city = serializers.CharField()
    debtor_country = serializers.CharField(required=False, help_text="Two letters; DK")
    debtor_email = serializers.CharField(required=False)
    debtor_phone = serializers.CharField(required=False)
    debtor_language = serializers.ChoiceField(choices=["da", "en"], required=False)
    invoice_number = serializers.CharField()
    invoice_date = serializers.CharField(help_text="2026-03-31, 31-03-2026 or 31.03.2026")
    due_date = serializers.CharField()
    amount = serializers.CharField(help_text="1234.50 or 1.234,50")
    currency = serializers.CharField(required=False)
    description = serializers.CharField(required=False)
    reference = serializers.CharField(required=False, help_text="The creditor's case reference")
    reminder_dates = serializers.CharField(
        required=False, help_text="Reminders the creditor already sent: 01-02-2026|11-02-2026"
    )
    warning_sent_on = serializers.CharField(
        required=False, help_text="The creditor's own collection warning, if sent"
    )


class ImportListCreateView(ScopedAPIView):
    """List the creditor's import jobs, or upload invoices as a new one. Uploading files cases:
    the roles that may act on cases only (a viewer reads)."""

    permission_classes = CREDITOR_DATA_PERMISSIONS
    parser_classes = [MultiPartParser, RawUploadParser]
    pagination_class = ApiCursorPagination

    @extend_schema(responses=ImportJobSerializer(many=True))
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(ImportJob.objects.all(), request, view=self)
        data = ImportJobSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request={
            "application/json": ImportRowSchema(many=True),
            "text/csv": OpenApiTypes.STR,
            XLSX_TYPE: OpenApiTypes.BINARY,
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            },
        },
        responses={
            202: ImportJobSerializer,
            400: OpenApiResponse(description="Empty upload or missing columns"),
            413: OpenApiResponse(description="Upload too large"),
            415: OpenApiResponse(description="Neither JSON, CSV nor XLSX"),
        },
        examples=[
            OpenApiExample(
                "CSV",
                media_type="text/csv",
                value=(
                    "debtor_name;debtor_national_id;debtor_address;debtor_postal_code;"
                    "debtor_city;invoice_number;invoice_date;due_date;amount\n"
                    "Jens Hansen;0101901234;Vejen 1;8000;Aarhus C;F-1001;01-03-2026;"
                    "15-03-2026;1.234,50\n"
                ),
            )
        ],
        description=(
            "Upload up to (at least) 100,000 invoices as JSON (a list of rows), CSV (UTF-8, "
            "with or without BOM, separated by semicolons or commas) or XLSX (the first sheet; "
            f"`{XLSX_TYPE}`, or a form's file named .xlsx). Columns: "
            + ", ".join(COLUMNS)
            + ". Answers at once with 202 and the import job; follow its `links.self`."
        ),
    )
    def post(self, request):
        creditor_id = request_creditor_id(request)
        if creditor_id is None:
            raise ValidationError({"creditor": _("Choose the creditor to import for.")})
        creditor = Creditor.objects.get(pk=creditor_id)
        upload, fmt, name = _receive(request)
        with upload, transaction.atomic():
            job = import_job_create(
                creditor=creditor,
                upload=upload,
                fmt=fmt,
                original_name=name,
                api_key=request.user.key if isinstance(request.user, ApiClient) else None,
                user=None if isinstance(request.user, ApiClient) else request.user,
            )
        body = ImportJobSerializer(job, context={"request": request}).data
        return Response(
            body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["links"]["self"]}
        )


def _receive(request) -> tuple[File, str, str]:
    """The uploaded file (spooled to disk), its format and its name; checks what is cheap."""
    content_type = (request.content_type or "").split(";")[0].strip().lower()
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if content_type == "multipart/form-data":
        uploaded = request.FILES.get("file")
        if uploaded is None:
            raise ValidationError({"file": _("Send the invoices in the form field 'file'.")})
        if uploaded.size > limit:
            raise PayloadTooLarge()
        name = uploaded.name or ""
        head = uploaded.read(_PIECE)
        uploaded.seek(0)
        fmt = _format_of(name.lower().rsplit(".", 1)[-1], head)
        upload: File = uploaded
    else:
        if "json" in content_type:
            fmt = "json"
        elif "csv" in content_type or content_type == "text/plain":
            fmt = "csv"
        elif content_type == XLSX_TYPE:
            fmt = "xlsx"
        else:
            raise UnsupportedUpload(
                _("Send JSON (application/json), CSV (text/csv) or XLSX, or a file in a form.")
            )
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller's with
        size = 0
        stream = request.stream
        while stream is not None:
            piece = stream.read(_PIECE)
            if not piece:
                break
            size += len(piece)
            if size > limit:
                spool.close()
                raise PayloadTooLarge()
            spool.write(piece)
        spool.seek(0)
        head = spool.read(_PIECE)
        spool.seek(0)
        upload = File(spool)
        name = ""
    if not head.strip():
        raise ValidationError({"file": _("The upload is empty.")})
    if fmt == "csv":
        try:
            check_columns(csv_header(head))
        except FileError as exc:
            raise ValidationError({"file": str(exc)}) from exc
    elif fmt == "xlsx":
        try:
            check_columns(header_columns(raw_header(upload, "xlsx")))
        except FileError as exc:
            raise ValidationError({"file": str(exc)}) from exc
        finally:
            upload.seek(0)
    elif head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"[", b"{"):
        raise ValidationError({"file": _("The upload is not JSON: it must start with [ or {.")})
    return upload, fmt, name


def _format_of(extension: str, head: bytes) -> str:
    if extension in ("json", "csv", "xlsx"):
        return extension
    if head.startswith(_ZIP_MAGIC):
        return "xlsx"
    return "json" if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{") else "csv"


class ImportDetailView(ScopedViewMixin, RetrieveAPIView):
    """One import job's progress; another creditor's job is 404."""

    permission_classes = CREDITOR_DATA_PERMISSIONS

    serializer_class = ImportJobSerializer
    lookup_field = "public_id"

    def get_queryset(self):
        return ImportJob.objects.all()


class RejectionPagination(ApiCursorPagination):
    ordering = ("line", "pk")


class ImportRejectionsView(ScopedViewMixin, ListAPIView):
    """Every rejected row of a job: line, field, reason (paginated)."""

    permission_classes = CREDITOR_DATA_PERMISSIONS

    serializer_class = ImportRejectionSerializer
    pagination_class = RejectionPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator, no scope
            return ImportRejection.objects.none()
        job = get_object_or_404(ImportJob.objects.all(), public_id=self.kwargs["public_id"])
        return ImportRejection.objects.filter(job=job)


class ImportCasesView(ScopedViewMixin, ListAPIView):
    """The cases a job created (paginated)."""

    permission_classes = CREDITOR_DATA_PERMISSIONS

    serializer_class = ImportedCaseSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator, no scope
            return Case.objects.none()
        job = get_object_or_404(ImportJob.objects.all(), public_id=self.kwargs["public_id"])
        return Case.objects.filter(
            pk__in=RawSQL(
                "SELECT unnest(case_ids) FROM imports_importchunk WHERE job_id = %s", [job.pk]
            )
        )


class _Echo:
    def write(self, value):
        return value


class ImportRejectionsCsvView(ScopedAPIView):
    """The rejected rows as a CSV file (semicolon-separated, with a BOM for spreadsheets)."""

    permission_classes = CREDITOR_DATA_PERMISSIONS

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, public_id):
        job = get_object_or_404(ImportJob.objects.all(), public_id=public_id)
        return rejections_csv_response(job)


def rejections_csv_response(job: ImportJob) -> HttpResponse:
    """A job's rejected rows as a CSV download (the API's and the portal's): semicolons, a BOM,
    every cell a spreadsheet would run as a formula quoted; a CPR number was masked when the
    rejection was stored."""
    rows = (
        ImportRejection.objects.filter(job=job)
        .order_by("line", "pk")
        .values_list("line", "field", "code", "reason", "invoice_number")
    )
    writer = csv.writer(_Echo(), delimiter=";")
    # Read inside the view (the creditor's scope), not in a generator after it returned.
    body = ["\ufeff" + writer.writerow(["line", "field", "code", "reason", "invoice_number"])]
    body.extend(
        writer.writerow([spreadsheet_safe(cell) for cell in row])
        for row in rows.iterator(chunk_size=2000)
    )
    response = HttpResponse("".join(body), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejections-{job.public_id}.csv"'
    return response
