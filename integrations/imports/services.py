"""Import jobs: an upload of invoices becomes cases, chunk by chunk, row by row accountable.

* :func:`import_job_create` stores the upload and queues the job (after commit; with the
  broker down the job stays queued and the stale-job sweep queues it later).
* :class:`ImportRunner` is the import on the shared job runner (``integrations/jobs.py``, which
  gives the one-worker lock, the resume after a dropped connection, the failure with a reason
  and the stale-job sweep): it reads the stored file a chunk at a time (never whole),
  validates every row and files the valid ones. Each chunk commits its cases, its rejected
  rows and the job's progress together, so a worker that dies carries on from the last whole
  chunk: nothing is filed twice, nothing is skipped. Every job's end emits the
  ``import.finished`` webhook.
* :func:`import_job_run` (the Celery task's body), :func:`import_job_process`,
  :func:`import_jobs_requeue_stale` (beat), :func:`import_job_finish` and
  :func:`import_job_fail` are thin calls of the runner.

A bad row never costs a good one: rows are validated one by one and a rejected row is
recorded with its line, field and reason; a chunk that meets an unexpected database error is
retried in halves down to single rows, so only the row at fault is rejected. An invoice number
the creditor already handed over (a re-upload, or a retry) is rejected as a duplicate, never
filed again: the unique constraint on (creditor, invoice number) is the last word on that.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any

import psycopg
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.services.bulk import BulkCase, BulkClaim, cases_bulk_create
from cases.services.filing import invoice_numbers_handed_over
from collections_portal.celery import enqueue, enqueue_on_commit
from creditors.models import ApiKey, Creditor
from debtors.models import ContactKind, DebtorKind
from debtors.services import contact_points_bulk_add, debtor_bulk_ids
from integrations.jobs import CONNECTION_ERRORS, JobRunner, job_progress

from .models import ColumnMapping, ImportChunk, ImportJob, ImportStatus
from .reading import (
    COLUMNS,
    FileError,
    count_rows,
    header_columns,
    iter_rows,
    missing_columns,
)
from .validation import REJECTED_INVOICE_NUMBER_LENGTH, Invoice, Rejection, Validator

logger = logging.getLogger(__name__)

# Runs a job may start (queued again by the sweep after a crash) before it is failed: a job
# that kills its worker every time must not be tried for ever.
MAX_ATTEMPTS = 5


@dataclass
class ChunkResult:
    accepted: int = 0
    cases_created: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    def __iadd__(self, other: ChunkResult) -> ChunkResult:
        self.accepted += other.accepted
        self.cases_created += other.cases_created
        self.rejections.extend(other.rejections)
        return self


def import_job_create(
    *,
    creditor: Creditor,
    upload: File,
    fmt: str,
    original_name: str = "",
    api_key: ApiKey | None = None,
    user=None,
    column_mapping: dict[str, str] | None = None,
) -> ImportJob:
    """Store the upload and queue its processing once the transaction commits.
    ``column_mapping`` (our column -> the file's header) is how the worker reads a CSV or XLSX
    file with headers of its own."""
    digest = hashlib.sha256()
    for piece in upload.chunks():
        digest.update(piece)
    upload.seek(0)
    job = ImportJob(
        creditor=creditor,
        format=fmt,
        original_name=original_name[:255],
        file_sha256=digest.hexdigest(),
        group_per_debtor=creditor.policy_group_invoices_per_debtor,
        api_key=api_key,
        created_by=user if user is not None and getattr(user, "pk", None) else None,
        heartbeat_at=timezone.now(),
        column_mapping=dict(column_mapping or {}),
    )
    job.file.save(f"{job.public_id}.{fmt}", upload, save=False)
    job.save()
    # Queued once the upload commits; a broker that is down leaves the job queued for the
    # stale-job sweep, and never turns the committed upload into an error.
    from .tasks import process_import

    enqueue_on_commit(process_import, creditor_id=creditor.pk, job_id=job.pk)
    return job


def headers_key(headers: list[str]) -> str:
    """One set of headers (normalised, in order) as the key its remembered mapping is under."""
    text = "\x1f".join(h.strip().lower() for h in headers)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def column_mapping_for(*, headers: list[str]) -> dict[str, str] | None:
    """The mapping the creditor (the active scope's) chose for files with these headers."""
    found = ColumnMapping.objects.filter(headers_key=headers_key(headers)).first()
    return dict(found.mapping) if found is not None else None


def column_mapping_check(*, headers: list[str], mapping: dict[str, str]) -> list[str]:
    """Our required columns the file still lacks when read with ``mapping`` (empty: it reads)."""
    known = {h.strip().lower() for h in headers}
    clean = {c: h for c, h in mapping.items() if c in COLUMNS and h and h.strip().lower() in known}
    return missing_columns(header_columns(headers, clean))


def column_mapping_remember(
    *, creditor: Creditor, headers: list[str], mapping: dict[str, str], user=None
) -> ColumnMapping:
    """Keep the creditor's mapping for files with these headers (one per set of headers)."""
    clean = {c: h for c, h in mapping.items() if c in COLUMNS and h}
    found, _created = ColumnMapping.objects.update_or_create(
        creditor=creditor,
        headers_key=headers_key(headers),
        defaults={
            "headers": list(headers),
            "mapping": clean,
            "updated_by": user if getattr(user, "pk", None) else None,
        },
    )
    return found


# Where the portal keeps an upload until its columns are mapped (views_portal.py), one folder per
# creditor; an upload left unmapped for a day is deleted by the stale-job sweep.
STAGED_FOLDER = "imports/pending"
STAGED_KEEP = timedelta(days=1)


def staged_uploads_delete_old(*, now: datetime | None = None) -> int:
    """Delete uploads left waiting for a column mapping longer than ``STAGED_KEEP`` (they may
    hold CPR numbers: nothing is kept that no job will read). Returns how many."""
    now = now or timezone.now()
    deleted = 0
    try:
        folders, _files = default_storage.listdir(STAGED_FOLDER)
    except FileNotFoundError:
        return 0
    for folder in folders:
        _subfolders, files = default_storage.listdir(f"{STAGED_FOLDER}/{folder}")
        for name in files:
            path = f"{STAGED_FOLDER}/{folder}/{name}"
            if now - default_storage.get_modified_time(path) > STAGED_KEEP:
                default_storage.delete(path)
                deleted += 1
    return deleted


def import_job_enqueue(*, creditor_id: int, job_id: int) -> bool:
    """Send the job to the workers; False (logged) when the broker cannot be reached."""
    return ImportRunner().enqueue(creditor_id=creditor_id, job_id=job_id)


class ImportRunner(JobRunner[ImportJob]):
    """The invoice import on the shared job runner: a unit is a row of the file, a chunk
    ``chunk_rows`` rows, validated one chunk ahead and filed with its rejections."""

    model = ImportJob
    advisory_namespace = 7_100_001
    max_attempts = MAX_ATTEMPTS
    reconnects = 3
    # The file changed under the job since it was checked, or is broken: the job fails with
    # the reader's reason.
    input_errors = (FileError,)

    def __init__(self, *, chunk_rows: int | None = None) -> None:
        self.chunk_rows = chunk_rows or settings.IMPORT_CHUNK_ROWS

    @property
    def stale_minutes(self) -> int:  # type: ignore[override]  # a setting, read when used
        return settings.IMPORT_STALE_MINUTES

    def prepare(self, job: ImportJob) -> int:
        # A first pass over the file, keeping nothing: a file broken at its end fails whole,
        # before anything is filed, and the job can show its size from the start.
        with job.file.open("rb") as handle:
            return count_rows(handle, job.format, job.column_mapping)

    def chunks(self, job: ImportJob, start: int) -> Iterator[tuple[int, Any]]:
        validator = Validator(currency=job.creditor.currency)
        self._seen: dict[str, int] = {}  # invoice number -> line, for duplicates in the file
        chunk_rows = self.chunk_rows
        with job.file.open("rb") as handle:
            rows = iter_rows(handle, job.format, job.column_mapping)
            for _committed in islice(rows, start):  # read past the chunks already filed
                pass

            def next_chunk() -> tuple[int, tuple[list[Invoice], list[Rejection]]] | None:
                batch = list(islice(rows, chunk_rows))
                return (len(batch), _validate(batch, validator)) if batch else None

            # Reading and validating is Python; writing is mostly PostgreSQL's work, waited for
            # with the GIL released. So one thread reads and validates the next chunk while
            # the runner files the current (only that thread touches the file).
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-validate") as ahead:
                pending = ahead.submit(next_chunk)
                while (ready := pending.result()) is not None:
                    pending = ahead.submit(next_chunk)
                    yield ready

    def file_chunk(self, job: ImportJob, start: int, size: int, payload: Any) -> dict:
        """File one chunk's cases and rejected rows; the runner commits them with the job's
        progress."""
        invoices, rejections = payload
        # Foreign keys are checked as each statement ends, not at commit: an error is then
        # raised inside the savepoint of the rows at fault, and only they fail.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        result = _file_chunk(job=job, invoices=invoices, rejections=rejections, seen=self._seen)
        rejected_lines = {r.line for r in result.rejections}
        duplicates = {r.line for r in result.rejections if r.code == "duplicate"}
        _save_rejections(job=job, rejections=result.rejections)
        return {
            "rows_accepted": F("rows_accepted") + result.accepted,
            "rows_rejected": F("rows_rejected") + len(rejected_lines),
            "rows_duplicate": F("rows_duplicate") + len(duplicates),
            "cases_created": F("cases_created") + result.cases_created,
        }

    def ended(self, job: ImportJob) -> None:
        # The one place a job ends, finished or failed: the ``import.finished`` webhook.
        _emit_finished(job)
        if job.status == ImportStatus.FINISHED:
            logger.info(
                "import job %s finished: %s rows, %s accepted, %s rejected, %s cases",
                job.public_id,
                job.units_total,
                job.rows_accepted,
                job.rows_rejected,
                job.cases_created,
            )

    def enqueue(self, *, creditor_id: int, job_id: int) -> bool:
        from .tasks import process_import

        return enqueue(process_import, creditor_id=creditor_id, job_id=job_id)

    def stopped_reason(self, job: ImportJob) -> str:
        return _(
            "The import stopped on an unexpected error after %(done)s of %(total)s rows. The "
            "rows before were filed and are kept; the error has been logged for the agency. "
            "Upload the remaining rows again, or ask the agency."
        ) % job_progress(job)

    def interrupted_reason(self, job: ImportJob) -> str:
        return _(
            "The import was interrupted %(count)s times (the worker or the database failed) "
            "and has been stopped after %(done)s of %(total)s rows. The rows before were filed "
            "and are kept; upload the remaining rows again."
        ) % {"count": job.attempts, **job_progress(job)}


# The tasks' and the tests' entry points: each a thin call of the runner.


def import_job_run(*, job_id: int, chunk_rows: int | None = None) -> ImportJob:
    """Process a job and see that it ends, finished or failed with a reason (the runner
    reconnects and resumes after a dropped database connection)."""
    return ImportRunner(chunk_rows=chunk_rows).run(job_id=job_id)


def import_job_process(*, job_id: int, chunk_rows: int | None = None) -> ImportJob:
    """Process a job from where it stands, in the creditor's scope; a job that has ended is
    returned as it is. A file that cannot be read fails the job with the reader's reason."""
    runner = ImportRunner(chunk_rows=chunk_rows)
    try:
        return runner.process(job_id=job_id)
    except FileError as exc:
        return runner.fail(job_id=job_id, error=str(exc))


def import_jobs_requeue_stale(*, now: datetime | None = None) -> int:
    """Beat's sweep (see :meth:`JobRunner.requeue_stale`)."""
    return ImportRunner().requeue_stale(now=now)


def import_job_finish(*, job_id: int) -> ImportJob:
    """The job has processed every row: the one place a job ends well."""
    return ImportRunner().finish(job_id=job_id)


def import_job_fail(*, job_id: int, error: str) -> ImportJob:
    """The job cannot go on: say why and stop. A job that has ended stays as it ended."""
    return ImportRunner().fail(job_id=job_id, error=error)


def _emit_finished(job: ImportJob) -> None:
    """The ``import.finished`` webhook, finished or failed: recorded in the caller's
    transaction, sent once it commits."""
    from django.urls import reverse

    from integrations.webhooks.events import emit_import_finished

    emit_import_finished(
        creditor_id=job.creditor_id,
        data=lambda: {
            "import": {
                "id": str(job.public_id),
                "status": job.status,
                "rows": job.units_total,
                "accepted": job.rows_accepted,
                "rejected": job.rows_rejected,
                "duplicates": job.rows_duplicate,
                "cases_created": job.cases_created,
                "error": job.error or None,
                "finished_at": job.finished_at.isoformat() if job.finished_at else None,
                "rejections_url": reverse(
                    "import-rejections-csv", kwargs={"public_id": job.public_id}
                ),
            }
        },
    )


# --- One chunk --------------------------------------------------------------------------


def _validate(rows: list, validator: Validator) -> tuple[list[Invoice], list[Rejection]]:
    """Each row checked on its own (no database): the valid invoices and the rejections."""
    invoices: list[Invoice] = []
    rejections: list[Rejection] = []
    for line, values in rows:
        try:
            checked = validator.validate(line, values)
        except Exception:  # a row no check foresaw (nesting, odd types): that row only
            logger.exception("import row on line %s could not be validated", line)
            checked = [Rejection(line, "", "invalid", _("The row could not be read."))]
        if isinstance(checked, list):
            rejections.extend(checked)
        else:
            invoices.append(checked)
    return invoices, rejections


def _file_chunk(
    *,
    job: ImportJob,
    invoices: list[Invoice],
    rejections: list[Rejection],
    seen: dict[str, int],
) -> ChunkResult:
    result = ChunkResult(rejections=list(rejections))
    fresh: list[Invoice] = []
    for invoice in invoices:
        first = seen.get(invoice.invoice_number)
        if first is not None:
            result.rejections.append(
                Rejection(
                    invoice.line,
                    "invoice_number",
                    "duplicate",
                    _("Invoice %(number)s is in this file twice (first on line %(line)s).")
                    % {"number": invoice.invoice_number, "line": first},
                    invoice.invoice_number,
                )
            )
            continue
        seen[invoice.invoice_number] = invoice.line
        fresh.append(invoice)
    if fresh:
        result += _write_with_fallback(job=job, invoices=fresh)
    return result


def _write_with_fallback(*, job: ImportJob, invoices: list[Invoice]) -> ChunkResult:
    """Write the invoices; on a database error retry each half, down to the row at fault."""
    try:
        with transaction.atomic():
            return _write(job=job, invoices=invoices)
    except CONNECTION_ERRORS:
        raise  # the connection, not a row: the run resumes from the last committed chunk
    except Exception as exc:  # a row's database error (COPY raises psycopg's own), or one
        # no validation foresaw (text PostgreSQL cannot take): found by halves, that row only
        if len(invoices) == 1:
            invoice = invoices[0]
            logger.warning("import job %s line %s: %r", job.pk, invoice.line, exc)
            if isinstance(exc, DatabaseError | psycopg.DatabaseError):
                reason = _("The row could not be stored: %(error)s") % {
                    "error": (str(exc).splitlines() or [""])[0]
                }
            else:
                reason = _("The row could not be stored.")
            return ChunkResult(
                rejections=[Rejection(invoice.line, "", "database", reason, invoice.invoice_number)]
            )
        middle = len(invoices) // 2
        result = _write_with_fallback(job=job, invoices=invoices[:middle])
        result += _write_with_fallback(job=job, invoices=invoices[middle:])
        return result


def _write(*, job: ImportJob, invoices: list[Invoice]) -> ChunkResult:
    creditor_id = job.creditor_id
    result = ChunkResult()
    handed_over = invoice_numbers_handed_over(
        creditor_id=creditor_id, numbers=[i.invoice_number for i in invoices]
    )
    if handed_over:
        fresh = []
        for invoice in invoices:
            if invoice.invoice_number in handed_over:
                result.rejections.append(
                    Rejection(
                        invoice.line,
                        "invoice_number",
                        "duplicate",
                        _("Invoice %(number)s has already been handed over.")
                        % {"number": invoice.invoice_number},
                        invoice.invoice_number,
                    )
                )
            else:
                fresh.append(invoice)
        invoices = fresh
    if not invoices:
        return result

    debtor_ids, new_debtors = debtor_bulk_ids(
        creditor_id=creditor_id,
        debtors=[
            {
                "kind": i.kind,
                "name": i.name,
                "national_id": i.national_id,
                "address_line": i.address_line,
                "postal_code": i.postal_code,
                "city": i.city,
                "country": i.country,
                "language": i.language,
            }
            for i in invoices
        ],
    )
    points = []
    for invoice, debtor_id in zip(invoices, debtor_ids, strict=True):
        if invoice.email:
            points.append((debtor_id, ContactKind.EMAIL.value, invoice.email))
        if invoice.phone:
            points.append((debtor_id, ContactKind.PHONE.value, invoice.phone))
    contact_points_bulk_add(creditor_id=creditor_id, points=points, new_debtors=new_debtors)

    cases, keys = _cases_for(job=job, invoices=invoices, debtor_ids=debtor_ids)
    cases_bulk_create(
        creditor_id=creditor_id,
        currency=job.creditor.currency,
        cases=cases,
        created_by_id=job.created_by_id,
    )
    new = [(case, key) for case, key in zip(cases, keys, strict=True) if case.number is not None]
    if new:
        ImportChunk.objects.create(
            creditor_id=creditor_id,
            job=job,
            first_line=invoices[0].line,
            case_ids=[case.case_id for case, _key in new],
            group_keys=[key for _case, key in new] if job.group_per_debtor else [],
        )
    result.accepted = len(invoices)
    result.cases_created = len(new)
    return result


def _cases_for(
    *, job: ImportJob, invoices: list[Invoice], debtor_ids: list[int]
) -> tuple[list[BulkCase], list[str]]:
    """One case per invoice, or, by the creditor's policy, one per debtor and evidence: a
    debtor's invoices with the same case reference and the same prior reminders/warning
    become one case (invoices with a different history are not merged into one)."""

    def bulk_claim(invoice: Invoice) -> BulkClaim:
        return BulkClaim(
            invoice_number=invoice.invoice_number,
            invoice_date=invoice.invoice_date,
            due_date=invoice.due_date,
            principal=invoice.principal,
            description=invoice.description,
            debtor_is_consumer=invoice.kind == DebtorKind.PERSON,
        )

    def new_case(invoice: Invoice, debtor_id: int) -> BulkCase:
        return BulkCase(
            debtor_id=debtor_id,
            claims=[bulk_claim(invoice)],
            creditor_reference=invoice.reference,
            creditor_reminder_dates=invoice.reminder_dates,
            creditor_warning_sent_on=invoice.warning_sent_on,
        )

    if not job.group_per_debtor:
        return [new_case(i, d) for i, d in zip(invoices, debtor_ids, strict=True)], [""] * len(
            invoices
        )
    groups: dict[str, BulkCase] = {}
    for invoice, debtor_id in zip(invoices, debtor_ids, strict=True):
        key = _group_key(invoice, debtor_id)
        case = groups.get(key)
        if case is None:
            groups[key] = new_case(invoice, debtor_id)
        else:
            case.claims.append(bulk_claim(invoice))
    # A debtor's invoices in an earlier chunk of this upload: join the case made then.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT k, c FROM imports_importchunk, unnest(group_keys, case_ids) AS t(k, c)"
            " WHERE job_id = %s AND k = ANY(%s)",
            [job.pk, list(groups)],
        )
        earlier = dict(cursor.fetchall())
    for key, case_id in earlier.items():
        groups[key].case_id = case_id
    return list(groups.values()), list(groups)


def _group_key(invoice: Invoice, debtor_id: int) -> str:
    reminders = ",".join(d.isoformat() for d in invoice.reminder_dates)
    warning = invoice.warning_sent_on.isoformat() if invoice.warning_sent_on else ""
    return f"{debtor_id}|{invoice.reference}|{reminders}|{warning}"[:300]


def _save_rejections(*, job: ImportJob, rejections: Iterable[Rejection]) -> None:
    with (
        connection.cursor() as django_cursor,
        django_cursor.cursor.copy(
            "COPY imports_importrejection (creditor_id, job_id, line, field, code, reason,"
            " invoice_number) FROM STDIN"
        ) as copy,
    ):
        for r in rejections:
            copy.write_row(
                (
                    job.creditor_id,
                    job.pk,
                    r.line,
                    r.field,
                    r.code,
                    stored_text(r.reason),
                    stored_text(r.invoice_number)[:REJECTED_INVOICE_NUMBER_LENGTH],
                )
            )


_CPR_LIKE = re.compile(r"(?<![0-9])([0-3][0-9])([01][0-9])([0-9]{2})[- ]?([0-9]{4})(?![0-9])")


def _mask_cpr(match: re.Match) -> str:
    day, month, year = (int(g) for g in match.groups()[:3])
    try:
        date(2000 + year, month, day)
    except ValueError:
        return match.group(0)  # not a date of birth: not a CPR number
    return f"{match.group(1)}{match.group(2)}{match.group(3)}-XXXX"


def stored_text(text: str) -> str:
    """What a rejection keeps of a row's text: a CPR number anywhere in it masked (a CPR
    sent in the wrong column, or as a CVR, is echoed by no stored reason), and a lone
    surrogate (which PostgreSQL cannot store) replaced."""
    if not text:
        return ""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return _CPR_LIKE.sub(_mask_cpr, text)
