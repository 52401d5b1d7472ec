"""Import jobs: an upload of invoices becomes cases, chunk by chunk, row by row accountable.

* :func:`import_job_create` stores the upload and queues the job (after commit).
* :func:`import_job_process` (the Celery task's body) reads the file, validates every row and
  files the valid ones in chunks. Each chunk commits its cases, its rejected rows and the job's
  progress together, so a worker that dies carries on from the last whole chunk: nothing is
  filed twice, nothing is skipped.
* :func:`import_job_finish` is the one place a job ends successfully (the hook for the
  ``import.finished`` webhook); :func:`import_job_fail` the one place it ends in failure.

A bad row never costs a good one: rows are validated one by one and a rejected row is
recorded with its line, field and reason; a chunk that meets an unexpected database error is
retried in halves down to single rows, so only the row at fault is rejected. An invoice number
the creditor already handed over (a re-upload, or a retry) is rejected as a duplicate, never
filed again: the unique constraint on (creditor, invoice number) is the last word on that.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import psycopg
from django.conf import settings
from django.core.files import File
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.services.bulk import BulkCase, BulkClaim, cases_bulk_create
from collections_portal.celery import enqueue_on_commit
from creditors.models import ApiKey, Creditor
from debtors.models import ContactKind, DebtorKind
from debtors.services import contact_points_bulk_add, debtor_bulk_ids

from .models import ImportChunk, ImportJob, ImportStatus
from .rows import FileError, Invoice, Rejection, Validator, read_rows

logger = logging.getLogger(__name__)

# Namespace of the advisory locks that keep one worker per job (the job id is the second key).
_ADVISORY_NAMESPACE = 7_100_001


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
) -> ImportJob:
    """Store the upload and queue its processing once the transaction commits."""
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
    )
    job.file.save(f"{job.public_id}.{fmt}", upload, save=False)
    job.save()
    from .tasks import process_import

    enqueue_on_commit(process_import, creditor_id=creditor.pk, job_id=job.pk)
    return job


def import_job_process(*, job_id: int, chunk_rows: int | None = None) -> ImportJob:
    """Process a job from where it stands; a second call on a finished job does nothing.

    Runs in the creditor's scope (the Celery task enters it). Only one worker at a time works
    a job (a PostgreSQL advisory lock); another that gets the same job returns at once.
    """
    chunk_rows = chunk_rows or settings.IMPORT_CHUNK_ROWS
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_ADVISORY_NAMESPACE, job_id])
        if not cursor.fetchone()[0]:
            logger.info("import job %s is being processed by another worker", job_id)
            return ImportJob.objects.get(pk=job_id)
    try:
        return _process(job_id=job_id, chunk_rows=chunk_rows)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_ADVISORY_NAMESPACE, job_id])


def _process(*, job_id: int, chunk_rows: int) -> ImportJob:
    job = ImportJob.objects.select_related("creditor").get(pk=job_id)
    if job.status in (ImportStatus.FINISHED, ImportStatus.FAILED):
        return job
    with job.file.open("rb") as handle:
        data = handle.read()
    try:
        rows = read_rows(data, job.format)
    except FileError as exc:
        return import_job_fail(job_id=job.pk, error=str(exc))
    del data
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING,
        rows_total=len(rows),
        started_at=job.started_at or timezone.now(),
    )
    job.refresh_from_db()
    validator = Validator(currency=job.creditor.currency)
    seen: dict[str, int] = {}  # invoice number -> line, for duplicates within the file
    starts = list(range(job.rows_done, len(rows), chunk_rows))
    # Validation is Python; writing is mostly PostgreSQL's work, waited for with the GIL
    # released. So one thread validates the next chunk while this one writes the current.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-validate") as ahead:
        checked = [ahead.submit(_validate, rows[s : s + chunk_rows], validator) for s in starts[:1]]
        for index, start in enumerate(starts):
            if index + 1 < len(starts):
                following = starts[index + 1]
                checked.append(
                    ahead.submit(_validate, rows[following : following + chunk_rows], validator)
                )
            invoices, rejections = checked[index].result()
            checked[index] = None  # type: ignore[call-overload] - let the chunk go
            size = min(chunk_rows, len(rows) - start)
            with transaction.atomic():
                # Foreign keys are checked as each statement ends, not at commit: an error is
                # then raised inside the savepoint of the rows at fault, and only they fail.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                done = ImportJob.objects.select_for_update().values_list("rows_done", flat=True)
                if done.get(pk=job.pk) != start:  # pragma: no cover - the advisory lock
                    raise RuntimeError(f"import job {job.pk} moved under us")
                result = _file_chunk(job=job, invoices=invoices, rejections=rejections, seen=seen)
                rejected_lines = {r.line for r in result.rejections}
                duplicates = {r.line for r in result.rejections if r.code == "duplicate"}
                _save_rejections(job=job, rejections=result.rejections)
                ImportJob.objects.filter(pk=job.pk).update(
                    rows_done=F("rows_done") + size,
                    rows_accepted=F("rows_accepted") + result.accepted,
                    rows_rejected=F("rows_rejected") + len(rejected_lines),
                    rows_duplicate=F("rows_duplicate") + len(duplicates),
                    cases_created=F("cases_created") + result.cases_created,
                )
    return import_job_finish(job_id=job.pk)


def import_job_finish(*, job_id: int) -> ImportJob:
    """The job has processed every row: mark it finished. The one place a job ends well, so
    the ``import.finished`` webhook is emitted here (after commit)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status == ImportStatus.FINISHED:
            return job
        job.status = ImportStatus.FINISHED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
        _emit_finished(job)
    logger.info(
        "import job %s finished: %s rows, %s accepted, %s rejected, %s cases",
        job.public_id,
        job.rows_total,
        job.rows_accepted,
        job.rows_rejected,
        job.cases_created,
    )
    return job


def import_job_fail(*, job_id: int, error: str) -> ImportJob:
    """The file cannot be processed at all (not JSON, missing columns): say why and stop."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        job.status = ImportStatus.FAILED
        job.error = error
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        _emit_finished(job)
    return job


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
                "rows": job.rows_total,
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
        checked = validator.validate(line, values)
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
    except (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError):
        raise  # the connection, not a row: let the task fail and resume later
    except (DatabaseError, psycopg.DatabaseError) as exc:  # COPY raises psycopg's own
        if len(invoices) == 1:
            invoice = invoices[0]
            logger.warning("import job %s line %s: %s", job.pk, invoice.line, exc)
            reason = _("The row could not be stored: %(error)s") % {
                "error": str(exc).splitlines()[0]
            }
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
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT invoice_number FROM cases_claim"
            " WHERE creditor_id = %s AND invoice_number = ANY(%s)",
            [creditor_id, [i.invoice_number for i in invoices]],
        )
        handed_over = {row[0] for row in cursor.fetchall()}
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
                (job.creditor_id, job.pk, r.line, r.field, r.code, r.reason, r.invoice_number)
            )
