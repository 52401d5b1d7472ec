"""The forms of the actions on a case page (issue 15, item 5). They read what the user typed;
the services (``cases.services.case_actions`` and friends) decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collections_portal.money import parse_amount

from .services.case_actions import REASON_MAX_LENGTH


class AmountField(forms.CharField):
    """An amount in Danish (1.234,50) or English (1234.50) notation, as a Decimal."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return parse_amount(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DirectPaymentForm(forms.Form):
    amount = AmountField(label=_("Amount"))
    received_on = forms.DateField(label=_("Paid on"), widget=DateInput())
    reference = forms.CharField(label=_("Payment reference"), max_length=100, required=False)
    confirm_overpayment = forms.BooleanField(
        label=_("I confirm the debtor paid more than the balance"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class WriteDownForm(forms.Form):
    amount = AmountField(label=_("Amount to write down"))
    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )


class PauseForm(forms.Form):
    until = forms.DateField(label=_("Pause until"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH, required=False)


class ResumeForm(forms.Form):
    pass


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(
        label=_("Yes, withdraw the case: collection stops and cannot be resumed"),
        error_messages={"required": _("Confirm that the case is to be withdrawn.")},
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("What does the debtor dispute?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    files = MultipleFileField(label=_("Documentation (optional)"), required=False)


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class MessageForm(forms.Form):
    """A message on the case to the other side (the service checks it again)."""

    body = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NotificationSettingsForm(forms.Form):
    """A person's own choices, one radio group per kind of event."""

    def __init__(self, *args, **kwargs):
        from django.conf import settings as django_settings

        from .models import NotificationSettings, NotifyKind, NotifyMode

        super().__init__(*args, **kwargs)
        defaults = NotificationSettings()
        for kind in NotifyKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=NotifyMode.choices,
                widget=forms.RadioSelect,
                initial=getattr(defaults, kind.value),
            )
        self.fields["language"] = forms.ChoiceField(
            label=_("Language of the e-mails"),
            choices=django_settings.LANGUAGES,
            initial=django_settings.LANGUAGE_CODE,
        )
