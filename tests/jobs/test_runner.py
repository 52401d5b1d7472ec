"""The shared job runner (integrations/jobs.py), on a toy job of its own: a list of numbers
summed in chunks. Its table is made inside the test's transaction and goes with it."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models import F
from django.utils import timezone

from collections_portal.tenancy import creditor_scope
from integrations.jobs import Job, JobRunner, JobStatus
from tests.conftest import app_database_url

pytestmark = pytest.mark.django_db


class SumJob(Job):
    numbers = ArrayField(models.IntegerField(), default=list)
    total = models.IntegerField(default=0)

    class Meta:
        app_label = "integrations"
        verbose_name_plural = "sum jobs"


class BadNumber(Exception):
    pass


class SumRunner(JobRunner[SumJob]):
    model = SumJob
    advisory_namespace = 0x53554D4A  # "SUMJ"
    chunk = 2

    def __init__(self, *, break_at: int | None = None, bad_at: int | None = None):
        self.break_at, self.bad_at = break_at, bad_at
        self.starts: list[int] = []
        self.ended_jobs: list[tuple[int, str]] = []
        self.queued: list[int] = []

    input_errors = (BadNumber,)

    def prepare(self, job):
        return len(job.numbers)

    def chunks(self, job, start):
        self.starts.append(start)
        for at in range(start, len(job.numbers), self.chunk):
            yield len(job.numbers[at : at + self.chunk]), (at, job.numbers[at : at + self.chunk])

    def file_chunk(self, job, start, size, payload):
        at, numbers = payload
        if self.break_at is not None and at >= self.break_at:
            raise RuntimeError("the disk is full")
        if self.bad_at is not None and at >= self.bad_at:
            raise BadNumber(f"Line {at + 1}: not a number.")
        return {"total": F("total") + sum(numbers)}

    def ended(self, job):
        self.ended_jobs.append((job.pk, job.status))

    def enqueue(self, *, creditor_id, job_id):
        self.queued.append(job_id)
        return True


@pytest.fixture
def creditor(tenant_a):
    with connection.schema_editor() as editor:
        editor.create_model(SumJob)
    with creditor_scope(tenant_a.creditor):
        yield tenant_a.creditor


def make(creditor, numbers=(1, 2, 3, 4, 5), **fields) -> SumJob:
    return SumJob.objects.create(creditor=creditor, numbers=list(numbers), **fields)


def refreshed(job):
    job.refresh_from_db()
    return job


def test_a_job_runs_through_its_chunks_and_ends_once(creditor):
    runner = SumRunner()
    job = runner.run(job_id=make(creditor).pk)
    assert (job.status, job.total, job.units_done, job.units_total) == ("finished", 15, 5, 5)
    assert job.attempts == 1 and job.started_at and job.finished_at and job.heartbeat_at
    assert runner.ended_jobs == [(job.pk, "finished")]
    runner.run(job_id=job.pk)  # ended: returned as it is
    assert runner.starts == [0] and len(runner.ended_jobs) == 1


def test_a_job_resumes_from_its_last_whole_chunk(creditor):
    """A worker died after two chunks: the next run files only what is left."""
    job = make(creditor, status=JobStatus.RUNNING, units_done=4, units_total=5, total=10,
               attempts=1)  # fmt: skip
    runner = SumRunner()
    job = runner.run(job_id=job.pk)
    assert runner.starts == [4]
    assert (job.status, job.total, job.attempts) == ("finished", 15, 2)


def test_an_input_error_fails_the_job_with_its_reason(creditor):
    runner = SumRunner(bad_at=2)
    job = runner.run(job_id=make(creditor).pk)
    assert job.status == "failed" and job.error == "Line 3: not a number."
    assert refreshed(job).total == 3  # the first chunk is kept
    assert runner.ended_jobs == [(job.pk, "failed")]


def test_an_unexpected_error_fails_the_job_saying_what_was_kept(creditor):
    job = SumRunner(break_at=4).run(job_id=make(creditor).pk)
    assert job.status == "failed"
    assert "after 4 of 5" in job.error and "disk" not in job.error  # the error is logged
    assert refreshed(job).total == 10


def test_a_job_another_worker_runs_is_left_to_it(creditor):
    job = make(creditor)
    with psycopg.connect(app_database_url()) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [SumRunner.advisory_namespace, job.pk])
        runner = SumRunner()
        assert runner.run(job_id=job.pk).status == "queued"
        assert runner.starts == []
        # Released here, not by closing: the server ends a closed session's locks a moment later.
        other.execute("SELECT pg_advisory_unlock(%s, %s)", [SumRunner.advisory_namespace, job.pk])
    assert SumRunner().run(job_id=job.pk).status == "finished"


def test_the_sweep_queues_stale_jobs_again_and_fails_one_started_too_often(creditor):
    long_ago = timezone.now() - timedelta(minutes=SumRunner.stale_minutes + 1)
    stale = make(creditor, heartbeat_at=long_ago)
    stale_running = make(creditor, status=JobStatus.RUNNING, heartbeat_at=long_ago, attempts=2)
    worn_out = make(creditor, status=JobStatus.RUNNING, heartbeat_at=long_ago,
                    attempts=SumRunner.max_attempts, units_done=2, units_total=5)  # fmt: skip
    fresh = make(creditor, heartbeat_at=timezone.now())
    finished = make(creditor, status=JobStatus.FINISHED, heartbeat_at=long_ago)
    runner = SumRunner()
    assert runner.requeue_stale() == 2
    assert sorted(runner.queued) == sorted([stale.pk, stale_running.pk])
    assert refreshed(stale).heartbeat_at > long_ago  # claimed: a second sweep leaves it
    assert runner.requeue_stale() == 0
    worn_out = refreshed(worn_out)
    assert worn_out.status == "failed"
    assert "interrupted 5 times" in worn_out.error and "after 2 of 5" in worn_out.error
    assert refreshed(fresh).status == "queued" and refreshed(finished).status == "finished"
    assert fresh.pk not in runner.queued and finished.pk not in runner.queued


def test_a_job_redelivered_after_its_last_allowed_run_fails_without_running(creditor):
    """The broker redelivers a task whose worker died (acks_late) without the sweep: the run
    itself stops a job that has been started ``max_attempts`` times."""
    job = make(creditor, status=JobStatus.RUNNING, attempts=SumRunner.max_attempts,
               units_done=2, units_total=5)  # fmt: skip
    runner = SumRunner()
    job = runner.run(job_id=job.pk)
    assert job.status == "failed" and "interrupted 5 times" in job.error
    assert runner.starts == [] and refreshed(job).attempts == SumRunner.max_attempts


def test_a_runner_may_raise_an_unexpected_error_again_after_failing_the_job(creditor):
    class Loud(SumRunner):
        reraise = True

    job = make(creditor)
    with pytest.raises(RuntimeError, match="disk"):
        Loud(break_at=2).run(job_id=job.pk)
    job = refreshed(job)
    assert job.status == "failed" and "after 2 of 5" in job.error
