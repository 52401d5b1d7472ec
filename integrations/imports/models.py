"""Bulk invoice imports: the uploaded file, the job's progress and every rejected row."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from collections_portal.tenancy import TenantModel
from integrations.jobs import Job, JobStatus


def upload_path(job: ImportJob, filename: str) -> str:
    # The creditor's folder and the job's id: never the client's file name on disk.
    return f"imports/{job.creditor_id}/{job.public_id}.{job.format}"


# The import's statuses are every job's (integrations/jobs.py); the name stays for its callers.
ImportStatus = JobStatus


class ImportFormat(models.TextChoices):
    JSON = "json", "JSON"
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class ImportJob(Job):
    """One upload of invoices and its processing by ``imports.process_import`` (the shared job
    runner, :class:`integrations.imports.services.ImportRunner`); a unit is a row.

    ``units_done`` is the resume point: each chunk's cases, rejections and progress commit in
    one transaction, so a worker that dies mid-chunk leaves the job at the last whole chunk and
    the next run carries on from there without doubling anything.
    """

    public_id = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    format = models.CharField(_("format"), max_length=4, choices=ImportFormat.choices)
    file = models.FileField(_("file"), upload_to=upload_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    group_per_debtor = models.BooleanField(
        _("one case per debtor"),
        help_text=_("The creditor's policy when the file was uploaded."),
    )
    rows_accepted = models.PositiveIntegerField(_("rows accepted"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    rows_duplicate = models.PositiveIntegerField(
        _("rows already handed over"),
        default=0,
        help_text=_("Rejected rows whose invoice number the creditor has handed over before."),
    )
    cases_created = models.PositiveIntegerField(_("cases created"), default=0)
    api_key = models.ForeignKey(
        "creditors.ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    column_mapping = models.JSONField(
        _("column mapping"),
        default=dict,
        blank=True,
        help_text=_("Our column -> the file's header, for a file with headers of its own."),
    )

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The stale-job sweep looks only at unfinished jobs.
            models.Index(
                fields=["heartbeat_at"],
                name="import_job_unfinished",
                condition=models.Q(status__in=["queued", "running"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.get_status_display()})"


class ImportRejection(TenantModel):
    """A row of an upload that was not imported: its line, the field and the reason.

    One row may have several (one per field at fault). ``line`` is the line in a CSV file
    (the header is line 1) or the 1-based position in a JSON list.
    """

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField(_("line"))
    field = models.CharField(_("field"), max_length=60, blank=True)
    code = models.CharField(_("code"), max_length=40)
    reason = models.TextField(_("reason"))
    invoice_number = models.CharField(_("invoice number"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        ordering = ["job", "line", "pk"]
        indexes = [models.Index(fields=["job", "line"], name="import_rejection_job_line")]

    def __str__(self) -> str:
        return f"{self.line} {self.field}: {self.reason}"


class ImportChunk(TenantModel):
    """The cases one chunk of a job created: the job's result list, and where a grouped import
    finds the case a debtor's later invoices in the same upload join.

    One row per chunk (arrays of case ids and their group keys), not one per case: a row per
    case would add 100,000 rows with three foreign keys and four indexes to a large upload.
    """

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="chunks")
    first_line = models.PositiveIntegerField(_("first line"))
    case_ids = ArrayField(models.BigIntegerField(), default=list, verbose_name=_("cases"))
    group_keys = ArrayField(
        models.CharField(max_length=300), default=list, blank=True, verbose_name=_("groups")
    )

    class Meta:
        verbose_name = _("import chunk")
        verbose_name_plural = _("import chunks")
        ordering = ["job", "first_line", "pk"]

    def __str__(self) -> str:
        return f"{self.job_id}: {len(self.case_ids)} cases from line {self.first_line}"


class ColumnMapping(TenantModel):
    """How a creditor's files with one set of headers map to our columns, chosen once in the
    portal: the next upload with the same headers is mapped by itself.

    ``headers_key`` is the SHA-256 of the file's headers (normalised, in order), so one set of
    headers has one mapping per creditor.
    """

    headers_key = models.CharField(_("headers key"), max_length=64)
    headers = models.JSONField(_("the file's headers"), default=list)
    mapping = models.JSONField(_("mapping"), default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "headers_key"], name="import_mapping_unique_headers"
            )
        ]

    def __str__(self) -> str:
        return ", ".join(self.headers)[:100]


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


def export_path(job: CaseExport, filename: str) -> str:
    return f"exports/{job.creditor_id}/{job.public_id}.{job.format}"


class CaseExport(Job):
    """A large export of the case list, written by ``exports.write_case_export`` on the shared
    job runner (a unit is a case) and downloaded only through a view in the creditor's scope.

    ``filters`` are the list's filters (``cases.case_export.filters_to_json``), ``query`` its
    query string (the link back to the list), ``language`` the page's language (the headers, the
    stage names and the decimal comma follow it).
    """

    public_id = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    query = models.TextField(_("query string"), blank=True)
    language = models.CharField(_("language"), max_length=10)
    file = models.FileField(_("file"), upload_to=export_path, max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("case export")
        verbose_name_plural = _("case exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.get_status_display()})"
