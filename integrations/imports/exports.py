"""Large case-list exports as background jobs on the shared job runner (``integrations/jobs.py``):
bulk out, beside the bulk import.

The case list answers a small export at once; one of more than ``CASE_EXPORT_BACKGROUND_ROWS``
cases of one creditor becomes a :class:`CaseExport` job (the list's filters, the page's
language) written by the task ``exports.write_case_export`` in the creditor's scope:
the cases are read a chunk at a time by their ids (in the list's order), each chunk's progress
committed, and the finished file stored under the creditor's folder in ``MEDIA_ROOT``, which is
never served: it is downloaded through a view that looks the job up in the tenant's scope.

A file cannot be resumed half written, so an export interrupted after its first chunk (its
worker died) fails with a reason that says to start it again; the stale sweep queues again an
export that never started (the broker was down).
"""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.files import File
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.case_export import csv_cell, export_header, export_row, filters_from_json
from cases.case_list import filtered_cases, ordered
from collections_portal.celery import enqueue, enqueue_on_commit
from collections_portal.spreadsheets import spreadsheet_safe
from creditors.models import Creditor
from integrations.jobs import UNFINISHED, JobRunner

from .models import CaseExport

logger = logging.getLogger(__name__)

CHUNK_CASES = 2000


class ExportInterrupted(Exception):
    """The export stopped part way (its worker died): the file must be written again."""


def case_export_create(
    *, creditor: Creditor, fmt: str, filters: dict, query: str = "", user=None
) -> CaseExport:
    """Record the export (the list's filters as ``cases.case_export.filters_to_json`` gives
    them; ``query``, the list's query string, leads back to it) and queue it once the
    transaction commits. The same user's unfinished export of the same list in the same format
    (a page reloaded, a link clicked twice) is returned instead of a second one."""
    user = user if getattr(user, "pk", None) else None
    running = CaseExport.objects.filter(
        creditor=creditor, format=fmt, filters=filters, created_by=user, status__in=UNFINISHED
    ).first()
    if running is not None:
        return running
    job = CaseExport.objects.create(
        creditor=creditor,
        format=fmt,
        filters=filters,
        query=query,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        created_by=user,
        heartbeat_at=timezone.now(),
    )
    from .tasks import write_case_export

    enqueue_on_commit(write_case_export, creditor_id=creditor.pk, job_id=job.pk)
    return job


class CaseExportRunner(JobRunner[CaseExport]):
    """A unit is a case; a chunk ``CHUNK_CASES`` cases written to a temporary file, which the
    last (empty) chunk stores as the job's file."""

    model = CaseExport
    advisory_namespace = 7_100_003
    input_errors = (ExportInterrupted,)

    def __init__(self, *, chunk_cases: int = CHUNK_CASES) -> None:
        self.chunk_cases = chunk_cases
        self._ids: list[int] | None = None

    @property
    def stale_minutes(self) -> int:  # type: ignore[override]  # a setting, read when used
        return settings.IMPORT_STALE_MINUTES

    def _cases(self, job: CaseExport):
        filters = filters_from_json(job.filters)
        return ordered(filtered_cases(filters, timezone.localdate()), filters.sort)

    def prepare(self, job: CaseExport) -> int:
        self._ids = list(self._cases(job).values_list("pk", flat=True))
        return len(self._ids)

    def chunks(self, job: CaseExport, start: int) -> Iterator[tuple[int, Any]]:
        if start:
            raise ExportInterrupted(
                _("The export was interrupted. Start it again from the case list.")
            )
        with translation.override(job.language):
            cases = self._cases(job)
            ids = self._ids if self._ids is not None else list(cases.values_list("pk", flat=True))
            today = timezone.localdate()
            with tempfile.TemporaryFile() as handle:
                if job.format == "xlsx":
                    from openpyxl import Workbook

                    workbook = Workbook(write_only=True)
                    sheet = workbook.create_sheet(_("Cases"))
                    sheet.append(export_header())

                    def write(row: list) -> None:
                        sheet.append([spreadsheet_safe(v) if isinstance(v, str) else v
                                      for v in row])  # fmt: skip
                else:
                    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
                    writer = csv.writer(text, delimiter=";")
                    text.write("\ufeff")
                    writer.writerow(export_header())

                    def write(row: list) -> None:
                        writer.writerow([csv_cell(v) for v in row])

                for first in range(0, len(ids), self.chunk_cases):
                    batch = ids[first : first + self.chunk_cases]
                    found = {case.pk: case for case in cases.filter(pk__in=batch)}
                    for pk in batch:
                        if pk in found:  # a case gone since the count is left out
                            write(export_row(found[pk], today))
                    yield len(batch), None
                if job.format == "xlsx":
                    workbook.save(handle)
                else:
                    text.flush()
                    text.detach()  # the temporary file stays open for the last chunk
                handle.seek(0)
                yield 0, handle

    def file_chunk(self, job: CaseExport, start: int, size: int, payload: Any) -> dict:
        if payload is None:
            return {}
        job.file.save(f"{job.public_id}.{job.format}", File(payload), save=False)
        return {"file": job.file.name}

    def enqueue(self, *, creditor_id: int | None, job_id: int) -> bool:
        from .tasks import write_case_export

        return enqueue(write_case_export, creditor_id=creditor_id, job_id=job_id)

    def stopped_reason(self, job: CaseExport) -> str:
        return _(
            "The export stopped on an unexpected error after %(done)s of %(total)s cases; the "
            "error has been logged for the agency. Start it again from the case list."
        ) % {"done": job.units_done, "total": job.units_total or "?"}


def case_export_run(*, job_id: int, chunk_cases: int = CHUNK_CASES) -> CaseExport:
    """Write an export and see that it ends, finished or failed with a reason."""
    return CaseExportRunner(chunk_cases=chunk_cases).run(job_id=job_id)


def case_exports_requeue_stale() -> int:
    """Beat's sweep (see :meth:`JobRunner.requeue_stale`)."""
    return CaseExportRunner().requeue_stale()


def export_filename(job: CaseExport) -> str:
    return f"sager-{timezone.localtime(job.created_at).date().isoformat()}.{job.format}"
