"""The import job's Celery tasks: thin, in the creditor's scope, safe to run twice."""

from collections_portal.celery import CreditorTask, app

from .services import import_job_run, import_jobs_requeue_stale


@app.task(base=CreditorTask, name="imports.process_import", acks_late=True)
def process_import(*, creditor_id: int, job_id: int) -> dict:
    """Process (or resume) an import job. A redelivered task continues from the job's
    committed progress; one already finished returns its figures."""
    job = import_job_run(job_id=job_id)
    return {
        "status": job.status,
        "rows_done": job.rows_done,
        "rows_accepted": job.rows_accepted,
        "rows_rejected": job.rows_rejected,
    }


@app.task(name="imports.requeue_stale_jobs")
def requeue_stale_jobs() -> int:
    """Beat: queue again the import jobs with no sign of life (see the service)."""
    return import_jobs_requeue_stale()
