"""A creditor's API keys in the portal: its owners and administrators create, list and revoke
them. (They once did this in the Django admin, which is now for agency staff only.)

Permission comes from the request's creditor and the user's role there, never from a model
permission: only owners and administrators of the creditor the request acts for may open these
pages; members and viewers get 403, and a key of another creditor is a 404.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .models import ApiKey
from .selectors import membership_for
from .services import api_key_create, api_key_revoke


def creditor_manager_view(view):
    """Owners and administrators of the request's creditor; anyone else gets a 403 page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        creditor = getattr(request, "creditor", None)
        if creditor is None:
            return render(request, "portal/no_creditor.html", status=403)
        membership = membership_for(request.user, creditor)
        if membership is None or not membership.can_manage:
            return render(request, "creditors/not_manager.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("Who or what uses the key, e.g. “ERP integration”."),
    )


def _page(request, form, new_key: str | None = None, status: int = 200):
    keys = ApiKey.objects.filter(creditor=request.creditor).select_related("created_by")
    response = render(
        request,
        "creditors/api_keys.html",
        {"keys": keys.order_by("revoked_at", "-created_at"), "form": form, "new_key": new_key},
        status=status,
    )
    # The page may carry a new key: no cache (browser or proxy) may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


@creditor_manager_view
def api_keys(request):
    if request.method != "POST":
        return _page(request, ApiKeyForm())
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    _key, raw = api_key_create(
        creditor=request.creditor, name=form.cleaned_data["name"], created_by=request.user
    )
    # Rendered, not redirected: the key exists in clear only in this one response.
    return _page(request, ApiKeyForm(), new_key=raw, status=201)


@require_POST
@creditor_manager_view
def api_key_revoke_view(request):
    # ApiKey is not behind a tenant scope (it decides an API request's scope), so the
    # creditor filter here is what keeps another creditor's key out of reach: a 404.
    try:
        key_id = int(request.POST.get("key", ""))
    except ValueError as exc:
        raise Http404 from exc
    key = get_object_or_404(ApiKey, pk=key_id, creditor=request.creditor)
    api_key_revoke(key=key)
    messages.success(request, _("The API key %(name)s is revoked.") % {"name": key.name})
    return redirect("api_keys")
