"""A creditor's collection policy (/settings/policy/) and its channel policy per letter kind
(/settings/channels/), for its owners and administrators (members and viewers get 403, on
reads too, as on the other settings pages).

Both forms refuse what the law does not allow, with the rule and its source: the checks are
``creditors.policy.collection_policy_errors`` and ``notices.delivery.policy.
channel_policy_check``, the same ones the admin (its creditor form; ``ChannelPolicy.clean()``) and
the services run.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notices.delivery.models import ChannelPolicy
from notices.delivery.policy import channel_policy_in_words
from notices.delivery.services import channel_policy_set
from notices.kinds import KINDS
from notices.models import NoticeKind

from .models import Creditor, CreditorEvent
from .policy import POLICY_FIELDS, collection_policy_errors, policy_limits
from .services import creditor_policy_update
from .views_api_keys import creditor_manager_view

HISTORY_LENGTH = 10


class CollectionPolicyForm(forms.Form):
    """The policy fields as the model declares them; the law's limits are checked in
    ``clean()`` by the one policy check (not by per-field validators, so the refusal names the
    rule)."""

    def __init__(self, *args, creditor: Creditor, **kwargs):
        super().__init__(*args, **kwargs)
        self.creditor = creditor
        self.fields.update(forms.fields_for_model(Creditor, fields=POLICY_FIELDS))
        reminders = self.fields["policy_reminders"]
        # The model's own cap (3) would refuse without saying why; the policy check says it.
        reminders.validators = [v for v in reminders.validators if not hasattr(v, "limit_value")]
        reminders.max_value = None
        reminders.widget.attrs.pop("max", None)
        for name in ("allocation_order", "interest_day_count"):
            self.fields[name].choices = [
                ("", _("The jurisdiction profile's default")),
                *[c for c in self.fields[name].choices if c[0]],
            ]

    def clean(self):
        cleaned = super().clean()
        values = {name: cleaned[name] for name in POLICY_FIELDS if name in cleaned}
        errors = collection_policy_errors(values, jurisdiction=self.creditor.jurisdiction)
        for field, problems in errors.items():
            for problem in problems:
                self.add_error(field if field in self.fields else None, problem)
        return cleaned


def _shown(value) -> str:
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    return "\N{EN DASH}" if value in ("", None) else str(value)


def _history(creditor: Creditor, code_prefix: str, labels: dict[str, str]) -> list[dict]:
    """The latest audited changes of one settings page (the creditor's ``CreditorEvent`` log),
    in words."""
    entries = CreditorEvent.objects.filter(
        creditor=creditor, code__startswith=code_prefix
    ).select_related("actor")
    rows = []
    for entry in entries[:HISTORY_LENGTH]:
        subject = labels.get(entry.data.get("subject", ""), entry.data.get("subject", ""))
        parts = [
            f"{labels.get(key, key)}: {_shown(old)} → {_shown(new)}"
            for key, (old, new) in entry.data.get("changes", {}).items()
        ]
        rows.append(
            {
                "when": entry.created_at,
                "who": entry.actor.get_username() if entry.actor else "",
                "what": (f"{subject} · " if subject else "") + "; ".join(parts),
            }
        )
    return rows


def _policy_page(request, form, status=200):
    return render(
        request,
        "creditors/policy.html",
        {
            "form": form,
            "limits": policy_limits(request.creditor.jurisdiction),
            "history": _history(
                request.creditor,
                "policy.",
                {f: str(Creditor._meta.get_field(f).verbose_name) for f in POLICY_FIELDS},
            ),
        },
        status=status,
    )


@creditor_manager_view
def collection_policy(request):
    creditor = request.creditor
    if request.method != "POST":
        initial = {name: getattr(creditor, name) for name in POLICY_FIELDS}
        return _policy_page(request, CollectionPolicyForm(initial=initial, creditor=creditor))
    form = CollectionPolicyForm(request.POST, creditor=creditor)
    if form.is_valid():
        values = {name: form.cleaned_data[name] for name in POLICY_FIELDS}
        try:
            changed = creditor_policy_update(creditor=creditor, actor=request.user, values=values)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changed:
                messages.success(request, _("The collection policy is saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("collection_policy")
    return _policy_page(request, form, status=400)


class ChannelPolicyForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Letter"), choices=NoticeKind.choices)
    channels = forms.CharField(label=gettext_lazy("Channels"), max_length=200, required=False)


# Suggestions offered beside the channels field (any valid chain may be typed).
CHANNEL_SUGGESTIONS = (
    "email > digital_post > print",
    "digital_post > print",
    "print + email",
    "print + email > sms",
    "digital_post > print + email",
    "print",
    "email > print",
    "email",
)


def _channel_rows(request, failed_kind: str | None = None, failed_form=None):
    policies = {p.kind: p for p in ChannelPolicy.objects.all()}
    rows = []
    for kind, label in NoticeKind.choices:
        spec = KINDS[kind]
        policy = policies.get(kind)
        form = failed_form if kind == failed_kind else None
        rows.append(
            {
                "kind": kind,
                "title": label,
                "default": spec.channels,
                "default_words": channel_policy_in_words(spec.channels),
                "current": policy.channels if policy else "",
                "current_words": channel_policy_in_words(policy.channels) if policy else "",
                "registered_address": spec.registered_address_rule is not None,
                "value": form.data.get("channels", "") if form is not None else "",
                "errors": form.errors.get("channels", []) if form is not None else [],
            }
        )
    return rows


def _channels_page(request, *, failed_kind=None, failed_form=None, status=200):
    return render(
        request,
        "creditors/channels.html",
        {
            "rows": _channel_rows(request, failed_kind, failed_form),
            "suggestions": CHANNEL_SUGGESTIONS,
            "history": _history(
                request.creditor,
                "channel_policy.",
                {**{k: str(v) for k, v in NoticeKind.choices}, "channels": _("Channels")},
            ),
        },
        status=status,
    )


@creditor_manager_view
def channel_policies(request):
    if request.method != "POST":
        return _channels_page(request)
    form = ChannelPolicyForm(request.POST)
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        channels = "" if "default" in request.POST else form.cleaned_data["channels"]
        try:
            channel_policy_set(
                creditor=request.creditor, kind=kind, channels=channels, actor=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The channels for %(kind)s are saved.") % {"kind": NoticeKind(kind).label},
            )
            return redirect("channel_policies")
    return _channels_page(request, failed_kind=form.data.get("kind"), failed_form=form, status=400)
