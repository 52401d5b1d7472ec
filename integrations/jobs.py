"""A job that works through a file or a list in chunks and always ends: the shared base of the
invoice import, and of the bank files and exports to come.

A job is a row (:class:`Job`, abstract): ``queued`` -> ``running`` -> ``finished`` or
``failed`` with a reason (``error``) a creditor can read, a count of runs (``attempts``), a
sign of life (``heartbeat_at``) and a resume point (``units_done``). A :class:`JobRunner`
subclass says what one chunk is and how it is filed; the runner gives every job the same
guarantees:

* one worker at a time works a job (a PostgreSQL advisory lock per job, held for the run);
* each chunk and the job's progress commit in one transaction, so a worker that dies mid-chunk
  leaves the job at the last whole chunk, and the next run resumes from there;
* a dropped database connection is not the job's fault: the run reconnects and resumes, a few
  times, then leaves it to the sweep; an error of the job's input (``input_errors``) fails it
  with that error as the reason; any other error fails it with a reason that says what was
  kept, and the error goes to the log;
* the stale sweep (beat) queues again a job queued or running with no sign of life for a while
  (the broker was down, or its worker died), and fails one that has been started
  ``max_attempts`` times, so a job that kills its worker is not tried for ever.

The invoice import (``integrations.imports.services.ImportRunner``) and the bank files
(``integrations.bank.services.BankRunner``, the agency's records: no tenant) are built on it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, TypeVar

import psycopg
from django.db import InterfaceError, OperationalError, connection, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from collections_portal.tenancy import TenantModel, agency_scope, creditor_scope

logger = logging.getLogger(__name__)

CONNECTION_ERRORS = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


ENDED = (JobStatus.FINISHED, JobStatus.FAILED)
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobFields(models.Model):
    """The fields every job row has (abstract: each kind of job has its own table). A job of
    the agency's own records (a bank file) uses this directly; a creditor's job uses
    :class:`Job`."""

    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    units_total = models.PositiveIntegerField(_("units"), null=True, blank=True)
    units_done = models.PositiveIntegerField(_("units done"), default=0)
    attempts = models.PositiveSmallIntegerField(_("runs"), default=0)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        abstract = True


class Job(TenantModel, JobFields):
    """A creditor's job: the runner works it in the creditor's scope."""

    class Meta:
        abstract = True


J = TypeVar("J", bound=JobFields)


class JobRunner(Generic[J]):
    """Runs jobs of one model. A subclass sets the class attributes and implements
    :meth:`chunks`, :meth:`file_chunk` and :meth:`enqueue`; the other hooks are optional."""

    model: ClassVar[type[JobFields]]
    #: First key of the two-key advisory lock (one namespace per kind of job).
    advisory_namespace: ClassVar[int]
    #: Minutes without a sign of life before the sweep queues a job again.
    stale_minutes: ClassVar[int] = 10
    max_attempts: ClassVar[int] = 5
    reconnects: ClassVar[int] = 3
    #: Errors of the job's input: the job fails with the error's text as its reason.
    input_errors: ClassVar[tuple[type[Exception], ...]] = ()
    #: After failing a job on an unexpected error, raise the error again (the task then shows
    #: as failed in the worker's monitoring too).
    reraise: ClassVar[bool] = False

    # --- What a kind of job says ---------------------------------------------------------

    def prepare(self, job: J) -> int | None:
        """Before the first chunk of the first run: the job's size, if it can be known."""
        return None

    def chunks(self, job: J, start: int) -> Iterator[tuple[int, Any]]:
        """The chunks from the resume point ``start`` on: (units in the chunk, its payload)."""
        raise NotImplementedError

    def file_chunk(self, job: J, start: int, size: int, payload: Any) -> dict:
        """File one chunk, inside the chunk's transaction; returns more updates of the job's
        row to commit with it (counters as ``F`` expressions)."""
        raise NotImplementedError

    def ended(self, job: J) -> None:
        """The job has just finished or failed (inside that transaction): a webhook, say."""

    def enqueue(self, *, creditor_id: int | None, job_id: int) -> bool:
        """Send the job to the workers; False when the broker cannot be reached
        (``creditor_id`` is None for a job of the agency's own records)."""
        raise NotImplementedError

    def stopped_reason(self, job: J) -> str:
        return gettext(
            "The job stopped on an unexpected error after %(done)s of %(total)s. What was done "
            "before is kept; the error has been logged for the agency."
        ) % job_progress(job)

    def interrupted_reason(self, job: J) -> str:
        return gettext(
            "The job was interrupted %(count)s times (the worker or the database failed) and "
            "has been stopped after %(done)s of %(total)s. What was done before is kept."
        ) % {"count": job.attempts, **job_progress(job)}

    # --- What every job gets -------------------------------------------------------------

    def run(self, *, job_id: int) -> J:
        """Process a job and see that it ends, finished or failed with a reason."""
        for attempt in range(self.reconnects + 1):
            try:
                return self.process(job_id=job_id)
            except CONNECTION_ERRORS:
                # Inside the caller's transaction (a task run eagerly) nothing can be resumed.
                if connection.in_atomic_block or attempt == self.reconnects:
                    raise
                logger.warning("job %s lost its database connection; resuming", job_id,
                               exc_info=True)  # fmt: skip
                _drop_connection()
            except self.input_errors as exc:
                return self.fail(job_id=job_id, error=str(exc))
            except Exception:
                logger.exception("job %s stopped on an unexpected error", job_id)
                job = self.model.objects.get(pk=job_id)
                failed = self.fail(job_id=job_id, error=self.stopped_reason(job))
                if self.reraise:
                    raise
                return failed
        raise AssertionError("unreachable")  # pragma: no cover

    def process(self, *, job_id: int) -> J:
        """Process a job from where it stands; a job that has ended is returned as it is, and
        one another worker is running is left to it."""
        key = [self.advisory_namespace, job_id % 2**31]
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
            if not cursor.fetchone()[0]:
                logger.info("job %s is being processed by another worker", job_id)
                return self.model.objects.get(pk=job_id)
        try:
            return self._process(job_id)
        finally:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
            except CONNECTION_ERRORS:
                pass  # the connection is gone, and the session's lock with it

    def _process(self, job_id: int) -> J:
        job = self.model.objects.get(pk=job_id)
        if job.status in ENDED:
            return job
        if job.attempts >= self.max_attempts:
            # Redelivered by the broker (its worker died) as often as the sweep would queue it:
            # a job that kills its worker is not tried for ever.
            return self.fail(job_id=job_id, error=self.interrupted_reason(job))
        now = timezone.now()
        self.model.objects.filter(pk=job_id).update(
            status=JobStatus.RUNNING,
            attempts=F("attempts") + 1,
            heartbeat_at=now,
            started_at=Coalesce("started_at", now),
        )
        if job.units_total is None:
            total = self.prepare(job)
            if total is not None:
                self.model.objects.filter(pk=job_id).update(units_total=total)
        job.refresh_from_db()
        start = job.units_done
        for size, payload in self.chunks(job, start):
            self._commit_chunk(job, start, size, payload)
            start += size
        return self.finish(job_id=job_id)

    def _commit_chunk(self, job: J, start: int, size: int, payload: Any) -> None:
        with transaction.atomic():
            done = self.model.objects.select_for_update().values_list("units_done", flat=True)
            if done.get(pk=job.pk) != start:  # pragma: no cover - the advisory lock
                raise RuntimeError(f"job {job.pk} moved under us")
            updates = self.file_chunk(job, start, size, payload) or {}
            self.model.objects.filter(pk=job.pk).update(
                units_done=F("units_done") + size, heartbeat_at=timezone.now(), **updates
            )

    def finish(self, *, job_id: int) -> J:
        """Every unit is done: the one place a job ends well."""
        return self._end(job_id, JobStatus.FINISHED, "")

    def fail(self, *, job_id: int, error: str) -> J:
        """The job cannot go on: say why and stop. A job that has ended stays as it ended."""
        return self._end(job_id, JobStatus.FAILED, error)

    def _end(self, job_id: int, status: str, error: str) -> J:
        with transaction.atomic():
            job = self.model.objects.select_for_update().get(pk=job_id)
            if job.status in ENDED:
                return job
            job.status = status
            job.error = error
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "error", "finished_at"])
            self.ended(job)
        return job

    def requeue_stale(self, *, now: datetime | None = None) -> int:
        """Beat's sweep: queue again every job queued or running with no sign of life for
        ``stale_minutes``; fail one started ``max_attempts`` times. Returns how many were
        queued."""
        now = now or timezone.now()
        before = now - timedelta(minutes=self.stale_minutes)
        stale_q = Q(status__in=UNFINISHED) & (
            Q(heartbeat_at__lt=before) | Q(heartbeat_at__isnull=True, created_at__lt=before)
        )
        label = self.model._meta.verbose_name_plural
        tenant = issubclass(self.model, TenantModel)
        if tenant:
            with agency_scope(reason=f"the stale-job sweep looks at every creditor's {label}"):
                stale = list(self.model.objects.filter(stale_q).values_list("pk", "creditor_id"))
        else:  # the agency's own records: no tenant, no scope
            stale = [
                (pk, None) for pk in self.model.objects.filter(stale_q).values_list("pk", flat=True)
            ]
        queued = 0
        for job_id, creditor_id in stale:
            with creditor_scope(creditor_id) if creditor_id is not None else nullcontext():
                job = self.model.objects.get(pk=job_id)
                if job.attempts >= self.max_attempts:
                    self.fail(job_id=job_id, error=self.interrupted_reason(job))
                    continue
                # Claimed by moving its sign of life: a second sweep (or the job itself, come
                # back) in the meantime leaves it alone.
                claimed = self.model.objects.filter(stale_q, pk=job_id).update(heartbeat_at=now)
            if claimed and self.enqueue(creditor_id=creditor_id, job_id=job_id):
                queued += 1
        if stale:
            logger.info("stale-job sweep: %s stale %s, %s queued again", len(stale), label, queued)
        return queued


def job_progress(job: JobFields) -> dict:
    """Done and total units, for a reason a creditor reads (``?`` while the size is unknown)."""
    total = job.units_total if job.units_total is not None else "?"
    return {"done": job.units_done, "total": total}


def _drop_connection() -> None:
    try:
        connection.close()
    except Exception:  # a connection that is gone may fail to close: it is gone anyway
        logger.debug("closing a broken connection failed", exc_info=True)
