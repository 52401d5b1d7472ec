"""The one interface every delivery gateway implements, and the errors it may raise.

An adapter is told *what* to send (the delivery row, the notice and its PDF) and answers with
the provider's message id, or raises an error that says whether trying again can help:

* :class:`TransientGatewayError`: the provider was unreachable, busy or timed out; the same
  delivery may be tried again later (with backoff).
* :class:`PermanentGatewayError`: the provider refused the message; trying again will not
  help, the delivery service falls back to the next channel of the creditor's policy.
  :class:`NoAddress` and :class:`NotConfigured` are permanent errors raised *before* anything
  is sent (``recipient()``): the debtor has no address for the channel, or the channel is
  switched off in this deployment. The delivery is then skipped, not failed.
* :class:`OutcomeUnknown`: the message may have been taken; see the class.

Exactly-once: the delivery service writes an attempt row before it calls :meth:`send` and
passes ``delivery.idempotency_key``, the same for every attempt of one delivery. A gateway
whose provider recognises a repeated key (``idempotent = True``) may be called again after a
crash with the same key and the provider delivers once. A gateway without that (SMTP) is never
called again once an attempt's outcome is unknown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from notices.delivery.models import Delivery
    from notices.models import Notice


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


class Gateway:
    """Base of every adapter. Subclasses set ``channel`` and implement both methods."""

    #: The ``notices.delivery.models.Channel`` value this adapter serves.
    channel: ClassVar[str] = ""
    #: The provider delivers once however often it is given the same idempotency key.
    idempotent: ClassVar[bool] = False
    #: ``False`` when an accepted message is not yet sent (print: it waits in a batch).
    final: ClassVar[bool] = True

    def recipient(self, delivery: Delivery, notice: Notice) -> str:
        """The address the notice would go to, for the record; raise NoAddress/NotConfigured."""
        raise NotImplementedError

    def send(self, delivery: Delivery, notice: Notice, pdf_bytes: bytes) -> str:
        """Hand the notice to the provider; return the provider's message id."""
        raise NotImplementedError
