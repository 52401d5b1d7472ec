"""The one interface every delivery gateway implements, the plain message it carries, and the
errors it may raise.

A gateway knows no domain: it is handed an :class:`OutgoingMessage` (channel, recipient,
subject, body, attachment, idempotency key, and the sender's and recipient's names where the
provider wants them) and answers with the provider's message id, or raises an error that says
whether trying again can help:

* :class:`TransientGatewayError`: the provider was unreachable, busy or timed out; the same
  delivery may be tried again later (with backoff).
* :class:`PermanentGatewayError`: the provider refused the message; trying again will not
  help, the delivery service falls back to the next channel of the creditor's policy.
  :class:`NotConfigured` (raised by :meth:`Gateway.check` before anything is sent: the channel
  is switched off in this deployment) and :class:`NoAddress` (the debtor has no address for
  the channel; the delivery service finds that out) are permanent: the delivery is then
  skipped, not failed.
* :class:`OutcomeUnknown`: the message may have been taken; see the class.

Who to write to on which channel is the debtors' (``debtors.selectors.contact_for``); what to
write is the letters' (``notices.delivery.outgoing``).

Exactly-once: the delivery service writes an attempt row before it calls :meth:`send` and
passes the delivery's idempotency key, the same for every attempt of one delivery. A gateway
whose provider recognises a repeated key (``idempotent = True``) may be called again after a
crash with the same key and the provider delivers once. A gateway without that (SMTP) is never
called again once an attempt's outcome is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


class GatewayError(Exception):
    """A delivery gateway could not deliver; ``permanent`` says whether a retry can help."""

    permanent: ClassVar[bool] = False


class TransientGatewayError(GatewayError):
    permanent = False


class PermanentGatewayError(GatewayError):
    permanent = True


class OutcomeUnknown(GatewayError):
    """The provider may or may not have the message (the connection broke after handing it
    over). An idempotent gateway's delivery is retried with the same key; any other is not
    sent again on this channel."""


class NoAddress(PermanentGatewayError):
    """The debtor has no address usable on this channel (no e-mail, no consent, no CPR...)."""


class NotConfigured(PermanentGatewayError):
    """The channel is not configured in this deployment (e.g. no SMS gateway URL)."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/pdf"


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to one recipient on one channel, as plain values."""

    channel: str
    #: The address on the channel: an e-mail address, a mobile number, a CPR/CVR number.
    recipient: str
    subject: str
    body: str
    #: The same for every attempt of one delivery (providers de-duplicate on it).
    idempotency_key: str
    attachment: Attachment | None = None
    recipient_name: str = ""
    #: What kind of number ``recipient`` is where the provider asks (digital post: CPR, CVR).
    recipient_id_type: str = ""
    sender_name: str = ""
    #: The sender's registration number where the provider asks (digital post: its CVR).
    sender_id: str = ""
    reply_to: str = ""
    #: Our reference for the document, shown to the provider (digital post).
    reference: str = ""
    language: str = ""


class Gateway:
    """Base of every adapter. Subclasses set ``channel`` and implement :meth:`send`."""

    #: The ``notices.delivery.models.Channel`` value this adapter serves.
    channel: ClassVar[str] = ""
    #: The provider delivers once however often it is given the same idempotency key.
    idempotent: ClassVar[bool] = False
    #: ``False`` when an accepted message is not yet sent.
    final: ClassVar[bool] = True

    def check(self) -> None:
        """Raise :class:`NotConfigured` when the channel is off in this deployment."""

    def send(self, message: OutgoingMessage) -> str:
        """Hand the message to the provider; return the provider's message id."""
        raise NotImplementedError
