"""The bank file's job: queued on commit, read by the Celery task, always ends finished or
failed with a reason, carries on after an interruption, and is queued again when stale."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.bank import adapters
from integrations.bank.models import BankEntry, BankFile, BankFileStatus
from integrations.bank.services import (
    MAX_ATTEMPTS,
    bank_file_process,
    bank_file_receive,
    bank_files_requeue_stale,
    entry_process,
)
from integrations.bank.tasks import process_bank_file

from .conftest import debt_case, sample

pytestmark = pytest.mark.django_db


def csv_file(case) -> bytes:
    return sample("bank_export.csv", AMOUNT_A="100,00", PID_A=case.payment_id)


def test_a_received_file_is_queued_on_commit_and_the_task_reads_it(
    tenant_a, django_capture_on_commit_callbacks
):
    case = debt_case(tenant_a.creditor)
    with django_capture_on_commit_callbacks() as hooks:
        bank_file = bank_file_receive(data=csv_file(case), name="a.csv", source="test")
    [hook] = hooks
    assert hook.task is process_bank_file and hook.kwargs == {"file_id": bank_file.pk}
    result = process_bank_file(file_id=bank_file.pk)  # what the worker runs
    assert result == {"status": "finished", "entries": 3}


def test_a_file_gone_from_storage_fails_with_the_reason(tenant_a):
    case = debt_case(tenant_a.creditor)
    bank_file = bank_file_receive(data=csv_file(case), source="test")
    bank_file.file.delete(save=False)
    with pytest.raises(FileNotFoundError):
        bank_file_process(file_id=bank_file.pk)
    bank_file.refresh_from_db()
    assert bank_file.status == BankFileStatus.FAILED
    assert "Reading stopped" in bank_file.error and bank_file.finished_at


def test_an_interrupted_job_carries_on_after_the_last_entry(tenant_a):
    from integrations.bank import parsers

    case = debt_case(tenant_a.creditor)
    bank_file = bank_file_receive(data=csv_file(case), source="test")
    # A first run recorded the first line, then its worker died.
    first = next(parsers.parse(csv_file(case)).entries)
    entry_process(bank_file=bank_file, raw=first)
    BankFile.objects.filter(pk=bank_file.pk).update(status="running", attempts=1)
    bank_file = bank_file_process(file_id=bank_file.pk)
    assert bank_file.status == BankFileStatus.FINISHED
    assert bank_file.attempts == 2
    assert sorted(BankEntry.objects.values_list("position", flat=True)) == [1, 2, 3]
    assert bank_file.booked == 1


def test_a_job_interrupted_too_often_fails(tenant_a):
    case = debt_case(tenant_a.creditor)
    bank_file = bank_file_receive(data=csv_file(case), source="test")
    BankFile.objects.filter(pk=bank_file.pk).update(status="running", attempts=MAX_ATTEMPTS)
    bank_file = bank_file_process(file_id=bank_file.pk)
    assert bank_file.status == BankFileStatus.FAILED
    assert "interrupted" in bank_file.error


def test_the_sweep_queues_stale_files_again(tenant_a, monkeypatch):
    case = debt_case(tenant_a.creditor)
    bank_file = bank_file_receive(data=csv_file(case), source="test")
    queued = []
    monkeypatch.setattr(
        "collections_portal.celery.enqueue", lambda task, **kw: queued.append(kw) or True
    )
    assert bank_files_requeue_stale() == 0  # fresh
    later = timezone.now() + timedelta(minutes=11)
    assert bank_files_requeue_stale(now=later) == 1
    assert queued == [{"file_id": bank_file.pk}]
    assert bank_files_requeue_stale(now=later) == 0  # claimed: not twice


class FakeBank(adapters.BankConnection):
    name = "fake-bank"

    def __init__(self, files):
        self.files = files
        self.acknowledged = []

    def fetch(self):
        yield from self.files

    def acknowledge(self, name):
        self.acknowledged.append(name)


def test_a_bank_connection_pushes_files_through_the_same_service(tenant_a):
    case = debt_case(tenant_a.creditor)
    data = csv_file(case)
    connection = FakeBank([("day1.csv", data), ("day1-again.csv", data)])
    received = connection.run()
    assert [f.original_name for f in received] == ["day1.csv"]
    assert received[0].source == "fake-bank"
    assert connection.acknowledged == ["day1.csv", "day1-again.csv"]
