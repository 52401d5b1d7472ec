"""The render task with a real worker, previews, and the letters' pages in the browser."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from cases.services import lifecycle
from collections_portal.celery import app
from collections_portal.tenancy import creditor_scope
from creditors.models import Role
from notices.models import Notice, NoticeKind, NoticeStatus
from notices.services import notice_preview, notice_render
from tests.cases.helpers import claim, file_case
from tests.factories import MembershipFactory, UserFactory, agency_user

from .pdf import pdf_text
from .story import story_case, with_bank_details


@pytest.fixture
def to_worker(worker):
    """Tasks queued by the code under test go to the test's worker."""
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = worker
    yield worker
    app.conf.task_default_queue = previous


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.celery_worker
def test_a_worker_renders_the_notice_a_lifecycle_step_queued(to_worker, tenant_a):
    with_bank_details(tenant_a.creditor)
    with time_machine.travel(date(2025, 3, 20)):
        case = file_case(tenant_a.creditor, claim("W-1", "1500.00", date(2025, 3, 1)))
    with creditor_scope(tenant_a.creditor):
        # Committed at once (a transactional test): the render is queued on commit.
        notice = lifecycle.case_send_warning(case=case, on=date(2025, 3, 20))

        def rendered():
            notice.refresh_from_db()
            return notice.status == NoticeStatus.RENDERED

        assert wait_for(rendered), f"the worker did not render notice {notice.pk}"
        assert notice.pdf_sha256 and notice.rendered_at
        data = notice.pdf.read()
    text = pdf_text(data, Path(notice.pdf.path).parent)
    assert case.debtor.name in text and "W-1" in text and "Inkassovarsel" in text


def test_steps_queue_the_render_on_commit_only(tenant_a, django_capture_on_commit_callbacks):
    with time_machine.travel(date(2025, 3, 20)):
        case = file_case(tenant_a.creditor, claim("Q-1", "500.00", date(2025, 3, 1)))
    with (
        creditor_scope(tenant_a.creditor),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        notice = lifecycle.case_send_reminder(case=case, on=date(2025, 3, 20))
    assert len(callbacks) == 1
    [hook] = callbacks
    assert hook.task.name == "notices.render_notice"
    assert (hook.args, hook.kwargs) == ((notice.pk,), {"creditor_id": tenant_a.creditor.pk})


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_preview_is_watermarked_and_stores_nothing(tenant_a, tmp_path, settings, language):
    settings.MEDIA_ROOT = tmp_path / "media"
    story = story_case(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor):
        before = Notice.objects.count()
        data = notice_preview(case=story.case, kind=NoticeKind.WARNING, language=language)
        assert Notice.objects.count() == before
    assert not (tmp_path / "media").exists()
    text = pdf_text(data, tmp_path, mode="-raw")
    assert "FORHÅNDSVISNING" in text and "PREVIEW" in text
    assert "Karen Blixen Hansen" in text


def _login_viewer(client, creditor):
    user = UserFactory()
    MembershipFactory(user=user, creditor=creditor, role=Role.VIEWER)
    client.force_login(user)
    return user


def test_a_viewer_opens_a_stored_letter_inline(client, tenant_a, tenant_b, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    story = story_case(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor):
        notice = notice_render(notice=story.notices[NoticeKind.REMINDER])
    _login_viewer(client, tenant_a.creditor)
    response = client.get(reverse("notice_pdf", kwargs={"notice_id": notice.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response.content == notice.pdf.open("rb").read()
    page = client.get(reverse("case_detail", kwargs={"case_id": story.case.pk})).content.decode()
    assert reverse("notice_pdf", kwargs={"notice_id": notice.pk}) in page
    assert 'id="letter-preview"' in page
    # Another creditor's member gets 404 for the letter and its case's preview.
    client.force_login(tenant_b.user)
    assert client.get(reverse("notice_pdf", kwargs={"notice_id": notice.pk})).status_code == 404
    preview = reverse("notice_preview", kwargs={"case_id": story.case.pk}) + "?kind=warning"
    assert client.get(preview).status_code == 404


@pytest.mark.celery_worker
def test_an_agent_previews_a_letter_through_a_worker(to_worker, client, tenant_a):
    with_bank_details(tenant_a.creditor)
    with time_machine.travel(date(2025, 3, 20)):
        case = file_case(tenant_a.creditor, claim("P-1", "800.00", date(2025, 3, 1)))
    client.force_login(agency_user())
    url = reverse("notice_preview", kwargs={"case_id": case.pk})
    response = client.get(url, {"kind": "warning", "language": "en"})
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    with creditor_scope(tenant_a.creditor):
        assert not Notice.objects.filter(case=case).exists()
    # A kind with nothing to say on this case goes back to the case page with a message.
    response = client.get(url, {"kind": "receipt", "language": "da"})
    assert response.status_code == 302


def test_a_letter_that_cannot_be_rendered_is_marked_failed_on_the_timeline(tenant_a):
    """A receipt on a case without a payment fails the same way every time: no retry, the
    notice is marked failed and the case's timeline says why."""
    from cases.models import CaseEvent
    from notices.tasks import render_notice

    with time_machine.travel(date(2025, 3, 20)):
        case = file_case(tenant_a.creditor, claim("R-1", "500.00", date(2025, 3, 1)))
    with creditor_scope(tenant_a.creditor):
        notice = Notice.objects.create(
            creditor=tenant_a.creditor, case=case, kind=NoticeKind.RECEIPT, dated=date(2025, 3, 20)
        )
    result = render_notice.apply((notice.pk,), {"creditor_id": tenant_a.creditor.pk})
    assert result.failed()
    with creditor_scope(tenant_a.creditor):
        notice.refresh_from_db()
        assert notice.status == NoticeStatus.FAILED and not notice.pdf
        event = CaseEvent.objects.get(case=case, code="notice.render_failed")
    assert "no payment to acknowledge" in event.message


def test_pending_notices_left_behind_are_queued_again(tenant_a):
    from datetime import timedelta

    from django.utils import timezone

    from notices.tasks import requeue_pending_notices

    with creditor_scope(tenant_a.creditor):
        notice = Notice.objects.create(
            creditor=tenant_a.creditor, case=tenant_a.case, kind=NoticeKind.CLOSED,
            dated=date(2025, 3, 20),
        )  # fmt: skip
        Notice.objects.filter(pk=notice.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert requeue_pending_notices.apply().get() == {"queued": 1}
