"""What the API keeps between requests: the first response to each idempotency key."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """The first successful response to a POST carrying an ``Idempotency-Key``.

    Keyed by the client (an API key or a signed-in user) and the key the client chose; the
    request's fingerprint tells a retry (same request: replay this response) from a reuse of
    the key for another request (refused). Written in the same transaction as whatever the
    request created, so the record and its effects exist together or not at all. Not tenant
    data: it belongs to the client, and is read before the request's scope is known.
    """

    client = models.CharField(_("client"), max_length=40)  # "key:<id>" or "user:<id>"
    key = models.CharField(_("idempotency key"), max_length=255)
    request_hash = models.CharField(_("request fingerprint (SHA-256)"), max_length=64)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=2000)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True)
    response_headers = models.JSONField(_("response headers"), default=list)
    response_body = models.BinaryField(_("response body"), default=bytes)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_unique_client_key")
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.key}"
