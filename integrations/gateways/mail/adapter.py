"""E-mail: Django's configured mail backend (SMTP in production), the letter attached.

SMTP has no idempotency key, so this gateway is not idempotent: once an attempt's outcome is
unknown (the worker died, or the connection broke, after the message was handed over) it is
not sent again. The Message-ID
is derived from the delivery's idempotency key, so a receiving system that de-duplicates on
Message-ID sees one message even then.
"""

from __future__ import annotations

import smtplib
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address

from integrations.gateways.base import (
    Gateway,
    OutcomeUnknown,
    OutgoingMessage,
    PermanentGatewayError,
    TransientGatewayError,
)


def message_id_for(idempotency_key: str) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{idempotency_key}@{domain}>"


def sender_for(name: str) -> str:
    """The creditor's name before the portal's address: the debtor sees who writes, and the
    From line never shows the agency's trade (a display name like "Inkassoportal")."""
    address = parseaddr(settings.DELIVERY_FROM_EMAIL or settings.DEFAULT_FROM_EMAIL)[1]
    return formataddr((name, address))


class EmailGateway(Gateway):
    channel = "email"
    idempotent = False

    def send(self, outgoing: OutgoingMessage) -> str:
        message_id = message_id_for(outgoing.idempotency_key)
        message = EmailMessage(
            subject=outgoing.subject,
            body=outgoing.body,
            from_email=sender_for(outgoing.sender_name),
            to=[outgoing.recipient],
            reply_to=[outgoing.reply_to] if outgoing.reply_to else None,
            headers={"Message-ID": message_id},
            connection=get_connection(fail_silently=False, timeout=settings.DELIVERY_EMAIL_TIMEOUT),
        )
        if outgoing.attachment is not None:
            attachment = outgoing.attachment
            message.attach(attachment.filename, attachment.content, attachment.mimetype)
        try:
            if isinstance(message.connection, SmtpBackend):
                _smtp_send(message.connection, message)
            else:  # console, file or locmem backend (development, other tests)
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
        except OutcomeUnknown:
            raise
        except (smtplib.SMTPException, OSError) as exc:
            # Refused connections, connections dropped before the message was handed over,
            # timeouts before DATA: nothing was sent, try again later.
            raise TransientGatewayError(f"The mail server could not be reached: {exc!r}") from exc
        return message_id


def _smtp_send(backend: SmtpBackend, message: EmailMessage) -> None:
    """Send through Django's SMTP backend, telling apart *where* a conversation broke.

    Up to and including RCPT nothing has been handed over, so any error may be retried. Once
    the message content has been transmitted, a lost connection or a timeout leaves the outcome
    unknown: the server may have queued it. That raises ``OutcomeUnknown`` and the e-mail is
    not sent again. (Django's ``send_messages`` would report both the same way.)
    """
    encoding = message.encoding or settings.DEFAULT_CHARSET
    from_address = sanitize_address(message.from_email, encoding)
    recipients = [sanitize_address(address, encoding) for address in message.recipients()]
    content = message.message().as_bytes(linesep="\r\n")
    backend.open()
    try:
        smtp = backend.connection
        smtp.ehlo_or_helo_if_needed()
        options = [f"size={len(content)}"] if smtp.has_extn("size") else []
        code, reply = smtp.mail(from_address, options)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, from_address)
        refused = {}
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
        try:
            # Raises SMTPDataError when DATA itself is refused (nothing handed over yet).
            code, reply = smtp.data(content)
        except smtplib.SMTPDataError:
            raise
        except (smtplib.SMTPException, OSError) as exc:
            raise OutcomeUnknown(
                f"The connection broke after the e-mail was handed to the server: {exc!r}"
            ) from exc
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
    finally:
        backend.close()
