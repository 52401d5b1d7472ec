"""What a delivery hands a gateway: the debtor's address on the channel (from the debtors'
``contact_for``) and the notice as a plain message (its texts, its PDF, the names on it).

The gateways (``integrations.gateways``) know nothing of notices or debtors; this is where a
notice becomes an :class:`~integrations.gateways.OutgoingMessage`.
"""

from __future__ import annotations

from django.utils.text import slugify

from debtors.selectors import Contact, contact_for
from integrations.gateways import Attachment, NoAddress, OutgoingMessage
from notices.models import Notice

from .messages import notice_text
from .models import Channel, Delivery

# Why a channel has no address for a debtor, as the delivery's record says it.
NO_ADDRESS = {
    Channel.EMAIL: "The debtor has no e-mail address.",
    Channel.SMS: "The debtor has no mobile number with consent to SMS.",
    Channel.DIGITAL_POST: "Digital post needs the debtor's CPR or CVR number.",
    Channel.PRINT: "The debtor has no postal address.",
}


def recipient_for(*, notice: Notice, channel: str) -> Contact:
    """The debtor's address on the channel; raises ``NoAddress`` when there is none."""
    contact = contact_for(debtor=notice.case.debtor, channel=channel)
    if contact is None:
        raise NoAddress(NO_ADDRESS.get(channel, f"The debtor has no address for {channel}."))
    return contact


def outgoing_message(
    *, delivery: Delivery, notice: Notice, contact: Contact, pdf_bytes: bytes
) -> OutgoingMessage:
    """The notice as the message one delivery sends: an SMS carries its short text, the other
    channels the letter (the e-mail its body and subject, digital post its title)."""
    text = notice_text(notice)
    case = notice.case
    creditor = case.creditor
    is_sms = delivery.channel == Channel.SMS
    return OutgoingMessage(
        channel=delivery.channel,
        recipient=contact.address,
        subject=text.title if delivery.channel == Channel.DIGITAL_POST else text.subject,
        body=text.sms if is_sms else text.body,
        idempotency_key=str(delivery.idempotency_key),
        attachment=None
        if is_sms
        else Attachment(f"{slugify(text.title)}-{case.reference}.pdf", pdf_bytes),
        recipient_name=contact.name,
        recipient_id_type=contact.id_type,
        sender_name=creditor.name,
        sender_id=creditor.cvr,
        reply_to=creditor.email,
        reference=f"{case.reference}-{notice.kind}-{notice.sequence}",
        language=notice.language,
    )
