"""Digital post: one ZIP submission per delivery in the outbox directory (DIGITAL_POST_OUTBOX).

A provider's transfer agent (e-Boks, Digital Post via a distributor) collects the directory.
Each submission ``<idempotency key>.zip`` holds ``metadata.xml`` (sender CVR, recipient CPR or
CVR, document title, file name, checksum) and ``document.pdf``. The file is written under a
temporary name and renamed into place, so the agent never sees half a file; because the name
is the delivery's idempotency key, writing it again after a crash finds it and adds nothing.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from django.conf import settings
from django.utils import timezone

from integrations.gateways.base import (
    Gateway,
    NotConfigured,
    OutgoingMessage,
    PermanentGatewayError,
    TransientGatewayError,
)

NAMESPACE = "urn:inkassoportal:digital-post:submission:1"


def submission_path(idempotency_key: str) -> Path:
    return Path(settings.DIGITAL_POST_OUTBOX) / f"{idempotency_key}.zip"


def metadata_xml(message: OutgoingMessage, pdf_bytes: bytes) -> bytes:
    root = ET.Element("Submission", {"xmlns": NAMESPACE, "id": message.idempotency_key})
    ET.SubElement(root, "CreatedAt").text = timezone.now().isoformat()
    sender = ET.SubElement(root, "Sender")
    ET.SubElement(sender, "CVR").text = message.sender_id
    ET.SubElement(sender, "Name").text = message.sender_name
    recipient = ET.SubElement(root, "Recipient")
    ET.SubElement(recipient, "IdType").text = message.recipient_id_type
    ET.SubElement(recipient, "Id").text = message.recipient
    ET.SubElement(recipient, "Name").text = message.recipient_name
    document = ET.SubElement(root, "Document")
    ET.SubElement(document, "Title").text = message.subject
    ET.SubElement(document, "Language").text = message.language
    ET.SubElement(document, "FileName").text = "document.pdf"
    ET.SubElement(document, "MimeType").text = "application/pdf"
    ET.SubElement(document, "SHA256").text = hashlib.sha256(pdf_bytes).hexdigest()
    ET.SubElement(document, "Reference").text = message.reference
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


class DigitalPostGateway(Gateway):
    channel = "digital_post"
    idempotent = True

    def check(self) -> None:
        if not settings.DIGITAL_POST_OUTBOX:
            raise NotConfigured("Digital post is not configured (DIGITAL_POST_OUTBOX is empty).")

    def send(self, message: OutgoingMessage) -> str:
        if message.attachment is None:
            raise PermanentGatewayError("Digital post carries a document: none was given.")
        pdf_bytes = message.attachment.content
        path = submission_path(message.idempotency_key)
        if path.exists():
            return message.idempotency_key  # submitted by an earlier, cut-off attempt
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("metadata.xml", metadata_xml(message, pdf_bytes))
            archive.writestr("document.pdf", pdf_bytes)
        temporary = path.with_name(f".{path.name}.partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as handle:
                handle.write(buffer.getvalue())
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(path)
        except OSError as exc:
            error = f"Could not write to the digital post outbox: {exc}"
            raise TransientGatewayError(error) from exc
        return message.idempotency_key
