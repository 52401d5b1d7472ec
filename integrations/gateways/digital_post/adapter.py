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
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from django.conf import settings
from django.utils import timezone

from debtors.models import DebtorKind
from integrations.gateways.base import Gateway, NoAddress, NotConfigured, TransientGatewayError
from notices.delivery.messages import notice_text

if TYPE_CHECKING:
    from notices.delivery.models import Delivery
    from notices.models import Notice

NAMESPACE = "urn:inkassoportal:digital-post:submission:1"


def submission_path(delivery: Delivery) -> Path:
    return Path(settings.DIGITAL_POST_OUTBOX) / f"{delivery.idempotency_key}.zip"


def metadata_xml(delivery: Delivery, notice: Notice, pdf_bytes: bytes) -> bytes:
    debtor = notice.case.debtor
    creditor = notice.case.creditor
    root = ET.Element("Submission", {"xmlns": NAMESPACE, "id": str(delivery.idempotency_key)})
    ET.SubElement(root, "CreatedAt").text = timezone.now().isoformat()
    sender = ET.SubElement(root, "Sender")
    ET.SubElement(sender, "CVR").text = creditor.cvr
    ET.SubElement(sender, "Name").text = creditor.name
    recipient = ET.SubElement(root, "Recipient")
    ET.SubElement(recipient, "IdType").text = "CPR" if debtor.kind == DebtorKind.PERSON else "CVR"
    ET.SubElement(recipient, "Id").text = debtor.national_id
    ET.SubElement(recipient, "Name").text = debtor.name
    document = ET.SubElement(root, "Document")
    ET.SubElement(document, "Title").text = notice_text(notice).title
    ET.SubElement(document, "Language").text = notice.language
    ET.SubElement(document, "FileName").text = "document.pdf"
    ET.SubElement(document, "MimeType").text = "application/pdf"
    ET.SubElement(document, "SHA256").text = hashlib.sha256(pdf_bytes).hexdigest()
    reference = f"{notice.case.reference}-{notice.kind}-{notice.sequence}"
    ET.SubElement(document, "Reference").text = reference
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


class DigitalPostGateway(Gateway):
    channel = "digital_post"
    idempotent = True

    def recipient(self, delivery: Delivery, notice: Notice) -> str:
        if not settings.DIGITAL_POST_OUTBOX:
            raise NotConfigured("Digital post is not configured (DIGITAL_POST_OUTBOX is empty).")
        debtor = notice.case.debtor
        if not debtor.national_id:
            raise NoAddress("Digital post needs the debtor's CPR or CVR number.")
        label = "CPR" if debtor.kind == DebtorKind.PERSON else "CVR"
        return f"{label} {debtor.masked_national_id}"

    def send(self, delivery: Delivery, notice: Notice, pdf_bytes: bytes) -> str:
        path = submission_path(delivery)
        if path.exists():
            return str(delivery.idempotency_key)  # submitted by an earlier, cut-off attempt
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("metadata.xml", metadata_xml(delivery, notice, pdf_bytes))
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
        return str(delivery.idempotency_key)
