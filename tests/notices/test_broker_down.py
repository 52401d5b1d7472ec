"""With the broker down every step that makes a letter still answers as committed; the letters
stay pending and are rendered by a real worker once the broker is back (the beat sweep)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cases.models import CaseState, PaymentMethod
from cases.scheduler import advance_due_cases
from cases.services import payment_register
from collections_portal.tenancy import creditor_scope
from notices.models import Notice, NoticeKind, NoticeStatus
from notices.tasks import requeue_pending_notices
from tests.cases.helpers import at, claim, file_case
from tests.conftest import start_celery_worker, stop_celery_worker
from tests.faults import broker_unreachable

from .story import with_bank_details
from .test_pipeline import wait_for

DUE = date(2025, 3, 3)


def notices_of(case) -> list[Notice]:
    with creditor_scope(case.creditor_id):
        return list(Notice.objects.filter(case=case).order_by("pk"))


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_steps_commit_with_the_broker_down_and_the_letters_follow_its_return(
    tenant_a, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    with_bank_details(tenant_a.creditor)
    with at(date(2025, 3, 5)):
        case = file_case(tenant_a.creditor, claim("B-1", "1000.00", DUE, invoice=date(2025, 2, 1)))

    with broker_unreachable():
        # The scheduler: the reminder, the warning, then collection, each its own commit.
        for day in (date(2025, 3, 10), date(2025, 3, 20), date(2025, 3, 31)):
            with at(day):
                report = advance_due_cases()
            assert (report.advanced, report.failed) == (1, [])
        # A payment registered on a case with letters makes a receipt, committed as well.
        with at(date(2025, 4, 2)), creditor_scope(tenant_a.creditor):
            payment = payment_register(
                case=case,
                amount=Decimal("100.00"),
                received_on=date(2025, 4, 2),
                method=PaymentMethod.FIK,
            )
    case.refresh_from_db()
    assert case.state == CaseState.COLLECTION
    letters = notices_of(case)
    kinds = [n.kind for n in letters]
    assert kinds[:2] == [NoticeKind.REMINDER, NoticeKind.WARNING]
    assert kinds[-1] == NoticeKind.RECEIPT and letters[-1].payment_id == payment.pk
    assert {n.status for n in letters} == {NoticeStatus.PENDING}  # nothing reached a worker

    # The broker is back: beat's sweep, run by a real worker, queues every pending letter.
    queue, process = start_celery_worker({"MEDIA_ROOT": str(settings.MEDIA_ROOT)})
    try:
        answer = requeue_pending_notices.apply_async(queue=queue).get(timeout=60)
        assert answer["queued"] == len(letters)

        def all_rendered() -> bool:
            return all(n.status != NoticeStatus.PENDING and n.pdf for n in notices_of(case))

        assert wait_for(all_rendered), [n.status for n in notices_of(case)]
    finally:
        stop_celery_worker(queue, process)
    assert {n.status for n in notices_of(case)} <= {NoticeStatus.RENDERED, NoticeStatus.SENT}
