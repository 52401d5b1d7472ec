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


@shared_task(name="bank.run_settlements", acks_late=True)
def run_settlements() -> int:
    """Beat, on the 1st: settle each creditor whose period ended yesterday."""
    from .settlements import settlements_run

    return len(settlements_run())


@shared_task(name="bank.reconcile", acks_late=True)
def reconcile_client_account() -> str:
    """Beat, daily: record the reconciliation and open work items for differences."""
    from .reconciliation import reconcile

    results = reconcile()
    return str(results[-1].difference) if results else "0.00"
