"""E-mail: Django's configured mail backend (SMTP in production), the PDF attached.

SMTP has no idempotency key, so this gateway is not idempotent: once an attempt's outcome is
unknown (the worker died after handing the message over) it is not sent again. The Message-ID
is derived from the delivery's idempotency key, so a receiving system that de-duplicates on
Message-ID sees one message even then.
"""

from __future__ import annotations

import smtplib
from email.utils import formataddr, parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.text import slugify

from debtors.models import ContactKind, ContactPoint
from integrations.gateways.base import (
    Gateway,
    NoAddress,
    PermanentGatewayError,
    TransientGatewayError,
)
from notices.delivery.messages import notice_text

if TYPE_CHECKING:
    from notices.delivery.models import Delivery
    from notices.models import Notice


def message_id_for(delivery: Delivery) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{delivery.idempotency_key}@{domain}>"


def sender_for(name: str) -> str:
    """The creditor's name before the portal's address: the debtor sees who writes, and the
    From line never shows the agency's trade (a display name like "Inkassoportal")."""
    address = parseaddr(settings.DELIVERY_FROM_EMAIL or settings.DEFAULT_FROM_EMAIL)[1]
    return formataddr((name, address))


class EmailGateway(Gateway):
    channel = "email"
    idempotent = False

    def recipient(self, delivery: Delivery, notice: Notice) -> str:
        point = (
            ContactPoint.objects.filter(debtor_id=notice.case.debtor_id, kind=ContactKind.EMAIL)
            .order_by("-is_primary", "-consent", "pk")
            .first()
        )
        if point is None:
            raise NoAddress("The debtor has no e-mail address.")
        return point.value

    def send(self, delivery: Delivery, notice: Notice, pdf_bytes: bytes) -> str:
        text = notice_text(notice)
        creditor = notice.case.creditor
        message_id = message_id_for(delivery)
        message = EmailMessage(
            subject=text.subject,
            body=text.body,
            from_email=sender_for(creditor.name),
            to=[delivery.recipient],
            reply_to=[creditor.email] if creditor.email else None,
            headers={"Message-ID": message_id},
            connection=get_connection(fail_silently=False, timeout=settings.DELIVERY_EMAIL_TIMEOUT),
        )
        filename = f"{slugify(text.title)}-{notice.case.reference}.pdf"
        message.attach(filename, pdf_bytes, "application/pdf")
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            error = f"The mail server refused the recipient: {exc.recipients}"
            if codes and all(500 <= code < 600 for code in codes):
                raise PermanentGatewayError(error) from exc
            raise TransientGatewayError(error) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentGatewayError(f"The mail server refused our login: {exc}") from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            error = f"The mail server refused the message: {exc.smtp_code} {exc.smtp_error!r}"
            if 500 <= exc.smtp_code < 600:
                raise PermanentGatewayError(error) from exc
            raise TransientGatewayError(error) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # Refused connections, dropped connections, timeouts: try again later.
            raise TransientGatewayError(f"The mail server could not be reached: {exc!r}") from exc
        return message_id
