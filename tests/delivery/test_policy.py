"""The creditor's channel policy picks the channels; a channel without an address, switched
off, or refusing for good hands over to the next one; every outcome reaches the timeline."""

import pytest
from django.core.exceptions import ValidationError

from collections_portal.tenancy import creditor_scope
from notices.delivery.models import (
    AttemptOutcome,
    ChannelPolicy,
    DeliveryStatus,
    parse_channel_policy,
)
from notices.delivery.services import DeliveryError, DeliveryRetry, channel_policy_for
from notices.models import Notice, NoticeKind, NoticeStatus

from .helpers import (
    deliver,
    deliveries,
    email_address,
    mobile_number,
    notice_events,
    policy,
    refreshed,
)
from .pdfs import DUE, case_owing, rendered_notice

pytestmark = pytest.mark.django_db


def test_a_policy_reads_routes_and_fallbacks():
    assert parse_channel_policy("print + email > sms") == [["print"], ["email", "sms"]]
    assert parse_channel_policy(" EMAIL>digital_post > print ") == [
        ["email", "digital_post", "print"]
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("email > fax", "'fax'"),
        ("email > email", "to gange"),
        ("print + ", "Tom kanal"),
        ("", "Tom kanal"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_problem(text, says):
    with pytest.raises(ValidationError) as refused:
        parse_channel_policy(text)
    assert says in " ".join(refused.value.messages)


def test_the_admin_form_check_names_the_field(tenant_a):
    with creditor_scope(tenant_a.creditor):
        policy = ChannelPolicy(creditor=tenant_a.creditor, kind=NoticeKind.WARNING, channels="x")
        with pytest.raises(ValidationError) as refused:
            policy.full_clean()
        assert "channels" in refused.value.message_dict
        policy.channels = "PRINT+email>sms"
        policy.full_clean()
        assert policy.channels == "print + email > sms"


def test_a_creditor_without_a_policy_gets_the_default(tenant_a, tenant_b):
    policy(tenant_b.creditor, NoticeKind.REMINDER, "sms > print")
    with creditor_scope(tenant_a.creditor):
        routes = channel_policy_for(creditor_id=tenant_a.creditor.pk, kind=NoticeKind.REMINDER)
        assert routes == [["email", "digital_post", "print"]]
        warning = channel_policy_for(creditor_id=tenant_a.creditor.pk, kind=NoticeKind.WARNING)
        assert warning == [["print"], ["email"]]
    with creditor_scope(tenant_b.creditor):
        routes = channel_policy_for(creditor_id=tenant_b.creditor.pk, kind=NoticeKind.REMINDER)
        assert routes == [["sms", "print"]]


def test_no_email_address_falls_back_to_the_next_channel(tenant_a, media, smtp, outbox):
    case = case_owing(tenant_a.creditor)
    notice = rendered_notice(case)  # default reminder policy: email > digital_post > print

    assert deliver(notice).notice_status == NoticeStatus.SENT

    sent = deliveries(notice)
    assert sent["email"].status == DeliveryStatus.SKIPPED
    assert sent["email"].last_error == "The debtor has no e-mail address."
    assert sent["digital_post"].status == DeliveryStatus.SENT
    assert sent["print"].status == DeliveryStatus.SKIPPED
    assert smtp.messages == []
    assert len(list(outbox.iterdir())) == 1
    events = notice_events(notice)
    assert [e.code for e in events] == [
        "notice.delivery_skipped",
        "notice.delivered",
        "notice.sent",
    ]
    assert events[0].data["channel"] == "email"
    assert events[1].data["channel"] == "digital_post"


def test_a_channel_that_is_not_configured_falls_back(tenant_a, media, settings, outbox):
    settings.SMS_GATEWAY_URL = ""
    case = case_owing(tenant_a.creditor)
    mobile_number(case.debtor)
    policy(tenant_a.creditor, NoticeKind.REMINDER, "sms > digital_post")
    notice = rendered_notice(case)
    deliver(notice)
    sent = deliveries(notice)
    assert sent["sms"].status == DeliveryStatus.SKIPPED
    assert "not configured" in sent["sms"].last_error.lower()
    assert sent["digital_post"].status == DeliveryStatus.SENT


def test_a_permanent_refusal_falls_back_to_the_next_channel(tenant_a, media, smtp, outbox):
    smtp.refuse_rcpt = "550 5.1.1 No such mailbox"
    case = case_owing(tenant_a.creditor)
    email_address(case.debtor, "gone@example.dk")
    notice = rendered_notice(case)

    assert deliver(notice).notice_status == NoticeStatus.SENT

    sent = deliveries(notice)
    assert sent["email"].status == DeliveryStatus.FAILED
    assert "550" in sent["email"].last_error
    assert sent["email"].attempts == 1  # a permanent refusal is not retried
    assert sent["digital_post"].status == DeliveryStatus.SENT
    codes = [e.code for e in notice_events(notice)]
    assert codes == ["notice.delivery_failed", "notice.delivered", "notice.sent"]
    failed = notice_events(notice)[0]
    assert failed.data["channel"] == "email"
    assert failed.data["permanent"] is True


def test_when_every_channel_fails_the_notice_fails(tenant_a, media, settings):
    settings.DIGITAL_POST_OUTBOX = ""
    case = case_owing(tenant_a.creditor)  # no e-mail address, no outbox configured
    policy(tenant_a.creditor, NoticeKind.REMINDER, "email > digital_post")
    notice = rendered_notice(case)
    assert deliver(notice).notice_status == NoticeStatus.FAILED
    codes = [e.code for e in notice_events(notice)]
    assert codes == ["notice.delivery_skipped", "notice.delivery_skipped", "notice.failed"]
    assert "no e-mail address" in notice_events(notice)[-1].message


def test_a_transient_failure_is_retried_and_sent_once(tenant_a, media, sms):
    sms.script = [503]
    case = case_owing(tenant_a.creditor)
    mobile_number(case.debtor)
    policy(tenant_a.creditor, NoticeKind.REMINDER, "sms > print")
    notice = rendered_notice(case)

    with pytest.raises(DeliveryRetry):
        deliver(notice)
    delivery = deliveries(notice)["sms"]
    assert delivery.status == DeliveryStatus.QUEUED
    assert "503" in delivery.last_error
    assert refreshed(notice).status == NoticeStatus.RENDERED

    assert deliver(notice).notice_status == NoticeStatus.SENT
    assert len(sms.requests) == 2
    assert len(sms.sent) == 1
    delivery = deliveries(notice)["sms"]
    assert delivery.attempts == 2
    with creditor_scope(tenant_a.creditor):
        outcomes = list(delivery.attempt_log.values_list("outcome", flat=True))
    assert outcomes == [AttemptOutcome.TRANSIENT, AttemptOutcome.ACCEPTED]
    assert deliveries(notice)["print"].status == DeliveryStatus.SKIPPED
    codes = [e.code for e in notice_events(notice)]
    assert codes == ["notice.delivery_deferred", "notice.delivered", "notice.sent"]


def test_a_gateway_that_times_out_after_sending_is_not_sent_twice(tenant_a, media, sms):
    # The gateway takes the SMS and answers after our 1 s timeout: we cannot know it was sent.
    sms.script = ["slow"]
    case = case_owing(tenant_a.creditor)
    mobile_number(case.debtor)
    policy(tenant_a.creditor, NoticeKind.REMINDER, "sms")
    notice = rendered_notice(case)
    with pytest.raises(DeliveryRetry):
        deliver(notice)
    deliver(notice)
    # Both requests carried the same idempotency key; the gateway sent one SMS.
    assert len(sms.requests) == 2
    assert len({r["headers"]["idempotency-key"] for r in sms.requests}) == 1
    assert len(sms.sent) == 1
    assert deliveries(notice)["sms"].status == DeliveryStatus.SENT


def test_after_the_last_attempt_a_temporary_failure_falls_back(
    tenant_a, media, sms, outbox, settings
):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    sms.script = [503, 503]
    case = case_owing(tenant_a.creditor)
    mobile_number(case.debtor)
    policy(tenant_a.creditor, NoticeKind.REMINDER, "sms > digital_post")
    notice = rendered_notice(case)
    with pytest.raises(DeliveryRetry):
        deliver(notice)
    assert deliver(notice).notice_status == NoticeStatus.SENT
    sent = deliveries(notice)
    assert sent["sms"].status == DeliveryStatus.FAILED
    assert sent["sms"].last_error.startswith("The SMS gateway answered 503")
    assert sent["digital_post"].status == DeliveryStatus.SENT
    assert sms.sent == {}
    codes = [e.code for e in notice_events(notice)]
    assert codes == [
        "notice.delivery_deferred",
        "notice.delivery_failed",
        "notice.delivered",
        "notice.sent",
    ]
    assert "Gave up after 2 attempts" in notice_events(notice)[1].message


def test_a_notice_that_is_not_rendered_is_refused(tenant_a):
    with creditor_scope(tenant_a.creditor):
        notice = Notice.objects.create(
            creditor=tenant_a.creditor, case=tenant_a.case, kind=NoticeKind.REMINDER, dated=DUE
        )
    with pytest.raises(DeliveryError, match="not rendered"):
        deliver(notice)


def test_a_sent_notice_is_not_delivered_again(tenant_a, media, smtp):
    case = case_owing(tenant_a.creditor)
    email_address(case.debtor)
    notice = rendered_notice(case)
    deliver(notice)
    deliver(notice)
    assert len(smtp.messages) == 1
    assert [e.code for e in notice_events(notice)] == ["notice.delivered", "notice.sent"]


def test_a_pdf_that_does_not_match_its_checksum_is_not_sent(tenant_a, media, smtp):
    case = case_owing(tenant_a.creditor)
    email_address(case.debtor)
    notice = rendered_notice(case)
    with creditor_scope(tenant_a.creditor):
        notice.pdf_sha256 = "0" * 64
        notice.save(update_fields=["pdf_sha256"])
    with pytest.raises(DeliveryError, match="checksum"):
        deliver(notice)
    assert smtp.messages == []
