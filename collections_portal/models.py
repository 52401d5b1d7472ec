"""The portal's own record: the creditors' settings log. (The module also makes Django send
this app ``post_migrate``, where ``collections_portal.dbroles`` re-applies the database roles.)"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .tenancy import TenantModel


class SettingsChange(TenantModel):
    """One change a creditor's user made to its settings (webhooks, collection policy, channel
    policy; other settings pages may add theirs): who, when, what (a dotted code such as
    ``webhook.endpoint_created``) and the values before and after, never a secret.
    Append-only: written by ``creditors.services.settings_change_record``, never edited
    (``dbroles.APPEND_ONLY``). Here, not in ``creditors``, because a tenant model needs
    ``tenancy``, which reads the creditors' models."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    code = models.CharField(_("change"), max_length=60)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    changes = models.JSONField(_("before and after"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("settings change")
        verbose_name_plural = _("settings changes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["creditor", "-created_at"], name="settingschange_recent")]

    def __str__(self) -> str:
        return f"{self.code} {self.subject}"
