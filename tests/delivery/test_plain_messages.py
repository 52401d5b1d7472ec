"""The gateways are handed a plain message and need nothing else: no database, no notice, no
debtor (these tests may not touch the database, and would fail if a gateway did)."""

import zipfile
from email.header import decode_header, make_header
from xml.etree import ElementTree as ET

from django.core import mail

from integrations.gateways import Attachment, OutgoingMessage
from integrations.gateways.digital_post.adapter import DigitalPostGateway, submission_path
from integrations.gateways.mail.adapter import EmailGateway

KEY = "0b7c2c5e-0000-4000-8000-000000000001"


def message(**fields) -> OutgoingMessage:
    values = {
        "channel": "email",
        "recipient": "debtor@example.com",
        "subject": "Påmindelse om betaling - sag 100001",
        "body": "Kære Debitor\n",
        "idempotency_key": KEY,
        "attachment": Attachment("paamindelse-100001.pdf", b"%PDF-1.7 letter"),
        "recipient_name": "Debitor",
        "sender_name": "Bager & Søn",
        "sender_id": "12345678",
        "reply_to": "bager@example.com",
        "reference": "100001-reminder-1",
        "language": "da",
    }
    return OutgoingMessage(**{**values, **fields})


def test_the_email_gateway_sends_the_message_as_given(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message_id = EmailGateway().send(message())
    [sent] = mail.outbox
    assert sent.to == ["debtor@example.com"]
    assert sent.subject == "Påmindelse om betaling - sag 100001"
    assert sent.reply_to == ["bager@example.com"]
    assert str(make_header(decode_header(sent.from_email))).startswith("Bager & Søn <")
    assert sent.attachments[0][0] == "paamindelse-100001.pdf"
    assert sent.extra_headers["Message-ID"] == message_id
    assert KEY in message_id


def test_the_digital_post_gateway_writes_the_message_as_given(settings, tmp_path):
    settings.DIGITAL_POST_OUTBOX = str(tmp_path)
    outgoing = message(
        channel="digital_post",
        recipient="0101901234",
        recipient_id_type="CPR",
        subject="Påmindelse om betaling",
    )
    gateway = DigitalPostGateway()
    gateway.check()
    assert gateway.send(outgoing) == KEY
    assert gateway.send(outgoing) == KEY  # again: found, not written twice
    with zipfile.ZipFile(submission_path(KEY)) as archive:
        assert archive.read("document.pdf") == b"%PDF-1.7 letter"
        root = ET.fromstring(archive.read("metadata.xml"))  # noqa: S314 (written just above)
    ns = {"s": "urn:inkassoportal:digital-post:submission:1"}
    assert root.find("s:Recipient/s:Id", ns).text == "0101901234"
    assert root.find("s:Recipient/s:IdType", ns).text == "CPR"
    assert root.find("s:Sender/s:CVR", ns).text == "12345678"
    assert root.find("s:Document/s:Title", ns).text == "Påmindelse om betaling"
    assert root.find("s:Document/s:Reference", ns).text == "100001-reminder-1"
