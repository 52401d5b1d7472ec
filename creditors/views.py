"""The creditor's home page and the creditor switcher."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cases.selectors import case_counts
from collections_portal.decorators import tenant_view

from .models import Creditor
from .services import creditor_select


@require_safe  # a page that only reads: a write method is 405, never a silent read
@tenant_view
def home(request):
    """The creditor's name and its cases at a glance; agency staff see every creditor's."""
    return render(request, "creditors/home.html", {"counts": case_counts()})


@login_required
@require_POST
def switch_creditor(request):
    try:
        creditor_id = int(request.POST.get("creditor", ""))
        creditor = creditor_select(
            user=request.user, session=request.session, creditor_id=creditor_id
        )
    except (ValueError, Creditor.DoesNotExist) as exc:
        raise Http404(_("No such creditor.")) from exc
    messages.success(request, _("You are now working for %(name)s.") % {"name": creditor.name})
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "home"
    return redirect(next_url)
