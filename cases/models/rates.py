"""The reference-rate table (Nationalbanken's lending rate by half-year)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferenceRate(models.Model):
    """A central bank's reference rate for one half-year, the base of statutory interest.

    Denmark: Nationalbanken's lending rate on 1 January or 1 July (renteloven § 5). Agency staff
    add the next half-year's rate in the admin; rates marked unverified are shown as such.
    """

    jurisdiction = models.CharField(_("jurisdiction"), max_length=2, default="DK")
    valid_from = models.DateField(_("valid from"), help_text=_("1 January or 1 July."))
    rate = models.DecimalField(_("reference rate, %"), max_digits=6, decimal_places=3)
    verified = models.BooleanField(_("verified"), default=False)
    source = models.CharField(_("source"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("reference rate")
        verbose_name_plural = _("reference rates")
        ordering = ["jurisdiction", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "valid_from"], name="reference_rate_unique_half_year"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__day=1, valid_from__month__in=[1, 7]),
                name="reference_rate_on_half_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.valid_from}: {self.rate}%"

    def clean(self) -> None:
        if self.valid_from and (self.valid_from.day != 1 or self.valid_from.month not in (1, 7)):
            raise ValidationError(
                {"valid_from": _("A reference rate starts on 1 January or 1 July.")}
            )
