"""One test per channel, each through a real local peer: what arrived is read back."""

import hashlib
import io
import zipfile
from datetime import date
from xml.etree import ElementTree as ET

import pytest
from pypdf import PdfReader

from collections_portal.tenancy import creditor_scope
from notices.delivery.models import AttemptOutcome, DeliveryStatus
from notices.models import NoticeKind, NoticeStatus

from .helpers import deliver, deliveries, email_address, mobile_number, notice_events, policy
from .pdfs import case_owing, rendered_notice

pytestmark = pytest.mark.django_db


def stored_pdf(notice) -> bytes:
    with notice.pdf.open("rb") as handle:
        return handle.read()


def test_email_arrives_at_a_real_smtp_server_with_the_pdf_attached(tenant_a, media, smtp):
    case = case_owing(tenant_a.creditor, name="Jens Hansen")
    email_address(case.debtor, "jens.hansen@example.dk")
    notice = rendered_notice(case, deadline=date(2025, 3, 11))

    report = deliver(notice)

    assert report.notice_status == NoticeStatus.SENT
    [received] = smtp.messages
    assert received["to"] == ["jens.hansen@example.dk"]
    message = received["message"]
    assert message["From"].addresses[0].display_name == tenant_a.creditor.name
    assert message["From"].addresses[0].addr_spec == "noreply@localhost"
    assert message["Subject"] == f"Påmindelse om betaling - sag {case.number}"
    assert "inkasso" not in message["Subject"].lower()
    body = message.get_body(("plain",)).get_content()
    assert "Kære Jens Hansen" in body
    assert "Beløb at betale: 1.000,00 DKK." in body  # the ledger's balance on the notice date
    assert "Betal senest 11.03.2025." in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    pdf = attachment.get_content()
    assert pdf == stored_pdf(notice)
    assert (
        f"Case {case.number} reminder 1 page 1"
        in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    )

    sent = deliveries(notice)
    assert sent["email"].status == DeliveryStatus.SENT
    assert sent["email"].provider_message_id == message["Message-ID"]
    # The default reminder policy: e-mail, else digital post, else a letter.
    assert sent["digital_post"].status == DeliveryStatus.SKIPPED
    assert sent["print"].status == DeliveryStatus.SKIPPED
    delivered, sent_event = notice_events(notice)
    assert (delivered.code, sent_event.code) == ("notice.delivered", "notice.sent")
    assert delivered.message.endswith("to jens.hansen@example.dk.")  # shown on the case page
    assert delivered.data["channel"] == "email"
    assert delivered.actor_label == "delivery"
    assert sent_event.data == {
        "notice": notice.pk,
        "kind": "reminder",
        "sequence": 1,
        "channels": ["email"],
    }


def test_an_english_speaking_debtor_gets_the_email_in_english(tenant_a, media, smtp):
    case = case_owing(tenant_a.creditor, name="Jane Smith", language="en")
    email_address(case.debtor, "jane@example.com")
    deliver(
        rendered_notice(case, kind=NoticeKind.WARNING, language="en", deadline=date(2025, 3, 11))
    )
    [received] = smtp.messages
    assert (
        received["message"]["Subject"]
        == f"Important message about your payment - case {case.number}"
    )
    body = received["message"].get_body(("plain",)).get_content()
    assert "Amount to pay: 1,000.00 DKK." in body


def test_sms_goes_to_the_http_gateway_with_token_and_idempotency_key(tenant_a, media, sms):
    creditor = tenant_a.creditor
    creditor.fik_creditor_number = "85381223"
    creditor.save(update_fields=["fik_creditor_number"])
    case = case_owing(creditor)
    mobile_number(case.debtor, "+4520123456")
    policy(creditor, NoticeKind.REMINDER, "sms")
    notice = rendered_notice(case, deadline=date(2025, 3, 11))

    report = deliver(notice)

    assert report.notice_status == NoticeStatus.SENT
    [request] = sms.requests
    delivery = deliveries(notice)["sms"]
    assert request["path"] == "/v1/messages"
    assert request["headers"]["authorization"] == "Bearer sms-test-token"
    assert request["headers"]["content-type"] == "application/json"
    assert request["headers"]["idempotency-key"] == str(delivery.idempotency_key)
    body = request["json"]
    assert body["to"] == "+4520123456"
    assert body["sender"] == "Alfa Byg"
    assert body["reference"] == str(delivery.idempotency_key)
    assert body["message"] == (
        f"{creditor.name}: Vi har sendt dig et brev om sag {case.number}. "
        "Beløb at betale: 1.000,00 DKK. Betal senest 11.03.2025. "
        f"Betal med FIK-kortart: +71<{case.payment_id}+85381223<."
    )
    assert "inkasso" not in body["message"].lower()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.provider_message_id == "sms-1"
    assert [e.code for e in notice_events(notice)] == ["notice.delivered", "notice.sent"]


def test_sms_needs_consent_to_the_mobile_number(tenant_a, media, sms, outbox):
    case = case_owing(tenant_a.creditor)
    mobile_number(case.debtor, consent=False)
    policy(tenant_a.creditor, NoticeKind.REMINDER, "sms > digital_post")
    notice = rendered_notice(case)
    deliver(notice)
    assert sms.requests == []
    sent = deliveries(notice)
    assert sent["sms"].status == DeliveryStatus.SKIPPED
    assert "consent" in sent["sms"].last_error
    assert sent["digital_post"].status == DeliveryStatus.SENT


def test_digital_post_writes_the_providers_submission_file(tenant_a, media, outbox):
    case = case_owing(tenant_a.creditor, name="Mette Jensen")
    policy(tenant_a.creditor, NoticeKind.REMINDER, "digital_post")
    notice = rendered_notice(case)

    report = deliver(notice)

    assert report.notice_status == NoticeStatus.SENT
    delivery = deliveries(notice)["digital_post"]
    [submission] = list(outbox.iterdir())
    assert submission.name == f"{delivery.idempotency_key}.zip"
    with zipfile.ZipFile(submission) as archive:
        assert sorted(archive.namelist()) == ["document.pdf", "metadata.xml"]
        pdf = archive.read("document.pdf")
        metadata = ET.fromstring(archive.read("metadata.xml"))  # noqa: S314 (our own file)
    ns = {"s": "urn:inkassoportal:digital-post:submission:1"}
    assert pdf == stored_pdf(notice)
    assert metadata.get("id") == str(delivery.idempotency_key)
    assert metadata.findtext("s:Sender/s:CVR", namespaces=ns) == tenant_a.creditor.cvr
    assert metadata.findtext("s:Recipient/s:IdType", namespaces=ns) == "CPR"
    assert metadata.findtext("s:Recipient/s:Id", namespaces=ns) == case.debtor.national_id
    assert metadata.findtext("s:Recipient/s:Name", namespaces=ns) == "Mette Jensen"
    assert metadata.findtext("s:Document/s:Title", namespaces=ns) == "Påmindelse om betaling"
    assert (
        metadata.findtext("s:Document/s:SHA256", namespaces=ns) == hashlib.sha256(pdf).hexdigest()
    )
    # The delivery record shows the CPR number masked, never in full.
    assert case.debtor.national_id not in delivery.recipient
    assert delivery.recipient == f"CPR {case.debtor.masked_national_id}"
    assert delivery.provider_message_id == str(delivery.idempotency_key)


def test_digital_post_is_not_written_twice_for_one_delivery(tenant_a, media, outbox):
    case = case_owing(tenant_a.creditor)
    policy(tenant_a.creditor, NoticeKind.REMINDER, "digital_post")
    notice = rendered_notice(case)
    deliver(notice)
    deliver(notice)
    assert len(list(outbox.iterdir())) == 1
    delivery = deliveries(notice)["digital_post"]
    assert delivery.attempts == 1
    with creditor_scope(tenant_a.creditor):
        assert [a.outcome for a in delivery.attempt_log.all()] == [AttemptOutcome.ACCEPTED]
