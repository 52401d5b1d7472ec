"""The case timeline: one entry per thing that happened to a case."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from collections_portal.tenancy import TenantModel

from .cases import Case


class CaseEvent(TenantModel):
    """The case's timeline: who or what did what, when, from which state to which, and why."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    occurred_at = models.DateTimeField(_("when"), db_default=Now())
    code = models.CharField(_("event"), max_length=60)  # e.g. "case.reminder_sent"
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=60, blank=True)
    message = models.TextField(_("why"), blank=True)
    # The reason as a stored text (collections_portal.texts), read in the reader's language;
    # ``message`` keeps its English words. Empty on rows older than stored texts.
    message_text = models.JSONField(_("why (stored text)"), null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["occurred_at", "pk"]
        indexes = [models.Index(fields=["case", "occurred_at"], name="case_event_timeline")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.code}"
