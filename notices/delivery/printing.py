"""Print batches: our own channel, not a provider's.

A print delivery joins its creditor's open batch (``print_batch_add``: accepted, not yet sent);
beat closes the batches and each is composed into one duplex print file and its manifest for
the printing house (``print_batch_compose``), which marks its deliveries sent and settles their
notices. Adding is one transaction and a delivery already in a batch is not added again, so
it is safe to repeat after a crash.
"""

from __future__ import annotations

import hashlib
import io
import json

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_noop as N_
from pypdf import PdfReader, PdfWriter

from collections_portal.texts import Text
from notices.models import Notice

from .errors import DeliveryError
from .models import (
    AttemptOutcome,
    Channel,
    Delivery,
    DeliveryStatus,
    PrintBatch,
    PrintBatchStatus,
)
from .settling import delivery_event, notice_settle


def print_reference(delivery: Delivery) -> str:
    return f"print-batch-{delivery.print_batch_id}/{delivery.print_sequence}"


def _open_print_batch(*, creditor_id: int) -> PrintBatch:
    """The creditor's open batch, locked; created when there is none."""
    batch = (
        PrintBatch.objects.select_for_update()
        .filter(creditor_id=creditor_id, status=PrintBatchStatus.OPEN)
        .first()
    )
    if batch is not None:
        return batch
    try:
        with transaction.atomic():
            return PrintBatch.objects.create(creditor_id=creditor_id)
    except IntegrityError:  # another worker opened one a moment ago
        return PrintBatch.objects.select_for_update().get(
            creditor_id=creditor_id, status=PrintBatchStatus.OPEN
        )


def print_batch_add(*, delivery: Delivery) -> str:
    """Put a print delivery into its creditor's open batch (once); returns its reference."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.channel != Channel.PRINT:
            raise DeliveryError(f"Delivery {delivery.pk} is not a print delivery.")
        if delivery.print_batch_id is None:
            batch = _open_print_batch(creditor_id=delivery.creditor_id)
            last = batch.deliveries.aggregate(last=Max("print_sequence"))["last"] or 0
            delivery.print_batch = batch
            delivery.print_sequence = last + 1
            delivery.save(update_fields=["print_batch", "print_sequence", "updated_at"])
            batch.letter_count = last + 1
            batch.save(update_fields=["letter_count"])
        return print_reference(delivery)


def print_batch_close(*, batch: PrintBatch) -> bool:
    """Close an open batch that has letters, so it can be composed. False if nothing to do."""
    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != PrintBatchStatus.OPEN or not batch.deliveries.exists():
            return False
        batch.status = PrintBatchStatus.CLOSED
        batch.closed_at = timezone.now()
        batch.save(update_fields=["status", "closed_at"])
        return True


def print_batches_close_due() -> list[PrintBatch]:
    """Close every open batch with letters (any creditor; run in agency scope by beat)."""
    return [
        batch
        for batch in PrintBatch.objects.filter(status=PrintBatchStatus.OPEN).order_by("pk")
        if print_batch_close(batch=batch)
    ]


def print_batch_compose(*, batch: PrintBatch) -> PrintBatch:
    """Compose a closed batch into one duplex print file and its manifest; mark it sent.

    Letters follow their order in the batch; a letter with an odd number of pages gets a
    blank back page, so every letter starts on a new sheet. The manifest (JSON) lists each
    letter's first page and page count for the printing house's inserter. Safe twice.
    """
    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == PrintBatchStatus.COMPOSED:
            return batch
        if batch.status == PrintBatchStatus.OPEN:
            raise DeliveryError(f"Print batch {batch.pk} is still open; close it first.")
        deliveries = list(
            batch.deliveries.select_for_update(of=("self",))
            .select_related("notice__case__debtor")
            .order_by("print_sequence")
        )
        writer = PdfWriter()
        letters = []
        next_page = 1
        for delivery in deliveries:
            notice = delivery.notice
            with notice.pdf.open("rb") as handle:
                data = handle.read()
            reader = PdfReader(io.BytesIO(data))
            pages = len(reader.pages)
            for page in reader.pages:
                writer.add_page(page)
            blank = pages % 2
            if blank:
                last = reader.pages[-1].mediabox
                writer.add_blank_page(width=last.width, height=last.height)
            debtor = notice.case.debtor
            letters.append(
                {
                    "sequence": delivery.print_sequence,
                    "delivery": delivery.pk,
                    "notice": notice.pk,
                    "case": notice.case.reference,
                    "kind": notice.kind,
                    "first_page": next_page,
                    "pages": pages,
                    "blank_pages_added": blank,
                    "sheets": (pages + blank) // 2,
                    "pdf_sha256": hashlib.sha256(data).hexdigest(),
                    "recipient": {
                        "name": debtor.name,
                        "address": debtor.address_line,
                        "postal_code": debtor.postal_code,
                        "city": debtor.city,
                        "country": debtor.country,
                    },
                }
            )
            next_page += pages + blank
        output = io.BytesIO()
        writer.write(output)
        pdf = output.getvalue()
        manifest = {
            "batch": batch.pk,
            "creditor": batch.creditor_id,
            "composed_at": timezone.now().isoformat(),
            "duplex": True,
            "letters": letters,
            "letter_count": len(letters),
            "page_count": next_page - 1,
            "print_file_sha256": hashlib.sha256(pdf).hexdigest(),
        }
        _storage_replace(batch, "file", f"batch-{batch.pk}.pdf", pdf)
        _storage_replace(
            batch,
            "manifest",
            f"batch-{batch.pk}-manifest.json",
            json.dumps(manifest, indent=2, ensure_ascii=False).encode(),
        )
        batch.status = PrintBatchStatus.COMPOSED
        batch.composed_at = timezone.now()
        batch.letter_count = len(letters)
        batch.page_count = next_page - 1
        batch.file_sha256 = manifest["print_file_sha256"]
        batch.save(
            update_fields=[
                "status",
                "composed_at",
                "letter_count",
                "page_count",
                "file_sha256",
                "file",
                "manifest",
            ]
        )
        for delivery in deliveries:
            _print_delivery_sent(delivery, batch)
        for notice_id in sorted({d.notice_id for d in deliveries}):
            notice_settle(notice=Notice.objects.get(pk=notice_id))
        return batch


def _storage_replace(batch: PrintBatch, field_name: str, filename: str, content: bytes) -> None:
    """Save under a fixed name, replacing a file left by an earlier, rolled-back run."""
    file_field = getattr(batch, field_name)
    name = file_field.field.generate_filename(batch, filename)
    if file_field.storage.exists(name):
        file_field.storage.delete(name)
    file_field.save(filename, ContentFile(content), save=False)


def _print_delivery_sent(delivery: Delivery, batch: PrintBatch) -> None:
    if delivery.status != DeliveryStatus.SENDING:
        return
    reference = print_reference(delivery)
    # An attempt cut off between joining the batch and recording it is settled here.
    delivery.attempt_log.filter(outcome=AttemptOutcome.PENDING).update(
        outcome=AttemptOutcome.ACCEPTED, provider_message_id=reference, finished_at=timezone.now()
    )
    delivery.status = DeliveryStatus.SENT
    delivery.sent_at = timezone.now()
    delivery.provider_message_id = reference
    delivery.save(update_fields=["status", "sent_at", "provider_message_id", "updated_at"])
    notice = delivery.notice
    message = Text(N_("Printed in print batch %(batch)s for %(recipient)s."), batch=batch.pk,
                   recipient=delivery.recipient)  # fmt: skip
    delivery_event(
        notice, "notice.delivered", delivery, message, provider_id=reference, print_batch=batch.pk
    )


class PrintChannel:
    """The print route as the sending loop sees it: accepting is not sending (``final`` is
    False, the delivery waits in the batch), and adding again is harmless (``idempotent``)."""

    channel = Channel.PRINT
    idempotent = True
    final = False

    def check(self) -> None:
        """Always on: the print file is ours to compose."""

    def send(self, delivery: Delivery) -> str:
        return print_batch_add(delivery=delivery)
