"""The bank file's Celery task: thin; the service does the work and ends the job."""

from celery import shared_task

from .services import bank_file_process, bank_files_requeue_stale


@shared_task(name="bank.process_file", acks_late=True)
def process_bank_file(*, file_id: int) -> dict:
    """Read (or carry on reading) a bank file. The file is the agency's, not a creditor's:
    each booking enters its case's creditor scope itself."""
    bank_file = bank_file_process(file_id=file_id)
    return {"status": bank_file.status, "entries": bank_file.entries_total}


@shared_task(name="bank.requeue_stale_files", acks_late=True)
def requeue_stale_files() -> int:
    """Beat: queue again the bank files with no sign of life (see the service)."""
    return bank_files_requeue_stale()
