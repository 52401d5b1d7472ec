"""Debtors: the people and companies that owe a creditor money."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from collections_portal.tenancy import TenantModel
from creditors.models import Language


class DebtorKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class Debtor(TenantModel):
    """A debtor of one creditor; letters go to its registered address.

    The same CPR/CVR within a creditor is one debtor; debtors are never shared or merged across
    creditors.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=DebtorKind.choices)
    name = models.CharField(_("name"), max_length=200)
    national_id = models.CharField(
        _("CPR/CVR number"),
        max_length=20,
        blank=True,
        help_text=_("CPR for a person, CVR for a company; digits only."),
    )
    address_line = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="DK")
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DA
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("debtor")
        verbose_name_plural = _("debtors")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "national_id"],
                condition=~models.Q(national_id=""),
                name="debtor_unique_national_id_per_creditor",
            ),
        ]

    def __str__(self) -> str:
        return self.name
