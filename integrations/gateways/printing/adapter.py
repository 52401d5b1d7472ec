"""Print: the notice joins the creditor's open print batch.

Accepting is not sending (``final = False``): the delivery is sent when the batch is closed and
composed into the print file (``notices.delivery.services.print_batch_compose``). Adding is
one database transaction and a delivery already in a batch is not added again, so the
gateway is idempotent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from integrations.gateways.base import Gateway, NoAddress

if TYPE_CHECKING:
    from notices.delivery.models import Delivery
    from notices.models import Notice


class PrintGateway(Gateway):
    channel = "print"
    idempotent = True
    final = False

    def recipient(self, delivery: Delivery, notice: Notice) -> str:
        debtor = notice.case.debtor
        if not (debtor.address_line and debtor.postal_code and debtor.city):
            raise NoAddress("The debtor has no postal address.")
        return f"{debtor.name}, {debtor.address_line}, {debtor.postal_code} {debtor.city}"

    def send(self, delivery: Delivery, notice: Notice, pdf_bytes: bytes) -> str:
        from notices.delivery.services import print_batch_add

        return print_batch_add(delivery=delivery)
