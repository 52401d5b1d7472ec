"""The creditor's home page and the creditor switcher."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from cases.dashboard import chart_data, dashboard
from cases.selectors import case_counts
from collections_portal.decorators import tenant_view
from collections_portal.navigation import nearest_page

from .models import Creditor
from .selectors import user_is_agency_staff
from .services import creditor_forget, creditor_select


@require_safe  # a page that only reads: a write method is 405, never a silent read
@tenant_view
def home(request):
    """The dashboard: the creditor's cases and money at a glance; agency staff see every
    creditor's (with a row per creditor) until they pick one."""
    across = request.creditor is None  # agency staff working across creditors
    # Unread messages: a creditor's users see the agency's, agency staff the creditors'.
    unread_from = "creditor" if user_is_agency_staff(request.user) else "agency"
    board = dashboard(per_creditor=across, unread_from=unread_from)
    return render(
        request,
        "creditors/home.html",
        {"counts": case_counts(), "board": board, "chart": chart_data(board)},
    )


@login_required
@require_POST
def switch_creditor(request):
    """Act for another of the user's creditors; agency staff may also go back to all of them
    (an empty choice). Lands on the nearest page the new choice can show, never on a page of
    the old creditor's (a 404) or a form's POST-only address (a 405)."""
    choice = request.POST.get("creditor", "")
    if choice == "" and user_is_agency_staff(request.user):
        creditor_forget(session=request.session)
        messages.success(request, _("You are now working across all creditors."))
    else:
        try:
            creditor = creditor_select(
                user=request.user, session=request.session, creditor_id=int(choice)
            )
        except (ValueError, Creditor.DoesNotExist) as exc:
            raise Http404(_("No such creditor.")) from exc
        messages.success(request, _("You are now working for %(name)s.") % {"name": creditor.name})
    return redirect(nearest_page(request, request.POST.get("next", ""), creditor_changed=True))


@require_POST
def set_language(request):
    """Django's language switch, landing on the nearest page that answers a GET: switching on
    the answer to a form (whose address takes POSTs only) no longer ends on a 405."""
    data = request.POST.copy()
    data["next"] = nearest_page(request, data.get("next", ""), creditor_changed=False)
    request.POST = data
    return django_set_language(request)
