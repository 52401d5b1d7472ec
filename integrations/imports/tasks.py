"""The import job's Celery tasks: thin, in the creditor's scope, safe to run twice."""

from celery import shared_task

from collections_portal.celery import CreditorTask

from .services import import_job_run, import_jobs_requeue_stale, staged_uploads_delete_old


@shared_task(base=CreditorTask, name="imports.process_import", acks_late=True)
def process_import(*, creditor_id: int, job_id: int) -> dict:
    """Process (or resume) an import job. A redelivered task continues from the job's
    committed progress; one already finished returns its figures."""
    job = import_job_run(job_id=job_id)
    return {
        "status": job.status,
        "rows_done": job.units_done,
        "rows_accepted": job.rows_accepted,
        "rows_rejected": job.rows_rejected,
    }


@shared_task(name="imports.requeue_stale_jobs", acks_late=True)
def requeue_stale_jobs() -> int:
    """Beat: queue again the import jobs with no sign of life (see the service), and delete the
    portal's uploads left waiting for a column mapping for a day."""
    staged_uploads_delete_old()
    return import_jobs_requeue_stale()


@shared_task(base=CreditorTask, name="exports.write_case_export", acks_late=True)
def write_case_export(*, creditor_id: int, job_id: int) -> dict:
    """Write a large case-list export (see ``integrations/imports/exports.py``)."""
    from .exports import case_export_run

    job = case_export_run(job_id=job_id)
    return {"status": job.status, "cases": job.units_done}


@shared_task(name="exports.requeue_stale", acks_late=True)
def requeue_stale_exports() -> int:
    """Beat: queue again the case exports with no sign of life."""
    from .exports import case_exports_requeue_stale

    return case_exports_requeue_stale()
