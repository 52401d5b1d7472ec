"""Agency admins edit channel policies in the admin and see deliveries and print batches."""

import pytest
from django.urls import reverse

from collections_portal.tenancy import creditor_scope
from creditors.agency import AgencyRole
from notices.delivery.models import ChannelPolicy, PrintBatch, PrintBatchStatus
from notices.models import NoticeKind
from tests.factories import agency_user

from .helpers import deliver, email_address, policy
from .pdfs import case_owing, rendered_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(agency_user(AgencyRole.ADMIN))
    return client


def test_every_delivery_admin_page_opens(admin_client, tenant_a, media, smtp):
    case = case_owing(tenant_a.creditor)
    email_address(case.debtor)
    notice = rendered_notice(case, kind=NoticeKind.WARNING)
    deliver(notice)  # an e-mail sent and a letter in the open print batch
    with creditor_scope(tenant_a.creditor):
        delivery = notice.deliveries.get(channel="email")
        batch = PrintBatch.objects.get()
    rule = policy(tenant_a.creditor, NoticeKind.REMINDER, "email > print")
    for name, obj in [("delivery", delivery), ("printbatch", batch), ("channelpolicy", rule)]:
        changelist = admin_client.get(reverse(f"admin:delivery_{name}_changelist"))
        assert changelist.status_code == 200, name
        assert (
            admin_client.get(reverse(f"admin:delivery_{name}_change", args=[obj.pk])).status_code
            == 200
        )
    body = admin_client.get(reverse("admin:delivery_delivery_changelist")).content.decode()
    assert str(case.number) in body
    # Deliveries change only through the services: no add page.
    assert admin_client.get(reverse("admin:delivery_delivery_add")).status_code == 403


def test_an_agency_admin_sets_a_creditors_channel_policy(admin_client, tenant_a):
    url = reverse("admin:delivery_channelpolicy_add")
    data = {"creditor": tenant_a.creditor.pk, "kind": NoticeKind.WARNING, "channels": "print+sms"}
    assert admin_client.post(url, data).status_code == 302
    with creditor_scope(tenant_a.creditor):
        assert ChannelPolicy.objects.get(kind=NoticeKind.WARNING).channels == "print + sms"

    refused = admin_client.post(url, {**data, "kind": NoticeKind.REMINDER, "channels": "fax"})
    assert refused.status_code == 200
    assert "Ukendt kanal" in refused.content.decode()  # shown on the channels field


def test_the_admin_action_closes_a_batch_and_queues_its_composition(
    admin_client, tenant_a, media, django_capture_on_commit_callbacks
):
    policy(tenant_a.creditor, NoticeKind.REMINDER, "print")
    deliver(rendered_notice(case_owing(tenant_a.creditor)))
    with creditor_scope(tenant_a.creditor):
        batch = PrintBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = admin_client.post(
            reverse("admin:delivery_printbatch_changelist"),
            {"action": "close_and_compose", "_selected_action": [batch.pk]},
        )
    assert response.status_code == 302
    assert len(queued) == 1
    with creditor_scope(tenant_a.creditor):
        batch.refresh_from_db()
    assert batch.status == PrintBatchStatus.CLOSED
