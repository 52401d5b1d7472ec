"""Teams of agency staff: the work queue's "My team's" tab shows what a team's members hold.

Agency-wide, not a creditor's data (a team works across creditors), so no ``creditor`` key and
no scoped manager. Written by ``cases.services.teams`` only; a supervisor manages them on
/workspace/teams/.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    """A named group of agents (and supervisors) who share a queue view."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="work_teams", blank=True, verbose_name=_("members")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
