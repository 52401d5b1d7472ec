"""The message e-mail run by a real Celery worker: the task a message queues on commit,
delivered twice (a broker's redelivery), sends one e-mail over SMTP."""

import pytest

from cases.models import CaseEvent, NotificationEmail
from cases.notifications import notify_event_task
from cases.services.messages import case_message_post
from collections_portal.tenancy import creditor_scope
from tests.conftest import start_celery_worker, stop_celery_worker
from tests.delivery.servers import RunningSmtp
from tests.factories import agency_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.celery_worker
def test_a_worker_mails_the_agencys_message_once(tenant_a):
    agent = agency_user(username="agent-worker", first_name="Vera", last_name="Worker")
    with RunningSmtp() as smtp:
        queue, process = start_celery_worker(
            {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(smtp.port),
            }
        )
        try:
            with creditor_scope(tenant_a.creditor):
                case_message_post(case=tenant_a.case, author=agent, body="Betalt i dag.")
                event = CaseEvent.objects.get(code="case.message_from_agency")
            # What the message queued on commit, delivered twice (a broker's redelivery).
            kwargs = {"event_id": event.pk, "creditor_id": tenant_a.creditor.pk}
            for _ in range(2):
                answer = notify_event_task.apply_async(kwargs=kwargs, queue=queue).get(timeout=60)
            assert answer == {"sent": 0, "skipped": 1}
        finally:
            stop_celery_worker(queue, process)
    assert len(smtp.messages) == 1
    [sent] = smtp.messages
    assert sent["to"] == [tenant_a.user.email]
    assert "Besked fra inkassobureauet" in sent["message"]["Subject"]
    with creditor_scope(tenant_a.creditor):
        assert list(NotificationEmail.objects.values_list("status", flat=True)) == ["sent"]
