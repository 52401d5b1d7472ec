"""Forms of the debtor pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NationalIdReveal


class NationalIdRevealForm(forms.Form):
    """The "Show CPR" button, with an optional reason that goes into the reveal log."""

    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=NationalIdReveal._meta.get_field("reason").max_length,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. phone call with the debtor")}),
    )
