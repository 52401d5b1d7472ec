"""Settlements in the portal.

The creditor's "Settlements" page: every user of the creditor (owner, administrator, member,
viewer: reading is all there is to do) lists its settlements and downloads each statement as
PDF or CSV; another creditor's settlement is a 404. Agency staff list every settlement, run
one by hand, download the payout file (pain.001) and read the latest reconciliation.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from collections_portal.tenancy import agency_scope
from creditors.models import Creditor
from creditors.selectors import membership_for, user_is_agency_staff

from .models import Settlement
from .payout import pain001
from .reconciliation import latest_results, reconcile
from .settlements import period_for, settlement_create
from .statements import statement_csv, statement_pdf
from .views import agency_view


def creditor_member_view(view):
    """Users of the request's creditor (any role), or agency staff; else a 403 page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        creditor = getattr(request, "creditor", None)
        if creditor is None:
            if user_is_agency_staff(request.user):
                return redirect("bank:settlements")
            return render(request, "portal/no_creditor.html", status=403)
        if membership_for(request.user, creditor) is None and not user_is_agency_staff(
            request.user
        ):
            return render(request, "portal/no_creditor.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _own(request, settlement_id) -> Settlement:
    """The settlement in the request's scope (the tenancy middleware's: a creditor's user sees
    its creditor's only, another's is not found; agency staff across creditors see all)."""
    return get_object_or_404(Settlement.objects.select_related("creditor"), public_id=settlement_id)


@require_safe
@creditor_member_view
def settlement_list(request):
    rows = Settlement.objects.order_by("-period_end", "-pk")  # the creditor's scope
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(request, "bank/settlements.html", {"page": page})


@require_safe
@login_required
def settlement_pdf(request, settlement_id):
    settlement = _own(request, settlement_id)
    response = HttpResponse(statement_pdf(settlement), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{settlement.number}.pdf"'
    return response


@require_safe
@login_required
def settlement_csv(request, settlement_id):
    settlement = _own(request, settlement_id)
    response = HttpResponse(statement_csv(settlement), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{settlement.number}.csv"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@agency_view
def agency_settlements(request):
    if request.method == "POST":
        creditor = Creditor.objects.filter(pk=request.POST.get("creditor") or 0).first()
        end = parse_date(request.POST.get("period_end") or "")
        if creditor is None or end is None:
            messages.error(request, _("Choose a creditor and the period's last day."))
        elif end > timezone.localdate():
            messages.error(request, _("The period cannot end in the future."))
        else:
            start = period_for(creditor, end)[0]
            settlement = settlement_create(
                creditor=creditor, period_start=start, period_end=end, user=request.user
            )
            if settlement is None:
                messages.info(
                    request, _("%(creditor)s has nothing to settle.") % {"creditor": creditor}
                )
            else:
                messages.success(
                    request,
                    _("Settlement %(number)s made: %(payout)s to pay out.")
                    % {"number": settlement.number, "payout": settlement.payout},
                )
        return redirect("bank:settlements")
    with agency_scope(reason="agency settlements page"):
        rows = Settlement.objects.select_related("creditor").order_by("-created_at", "-pk")
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
    return render(
        request,
        "bank/agency_settlements.html",
        {
            "page": page,
            "creditors": Creditor.objects.filter(is_active=True).order_by("name"),
            "yesterday": timezone.localdate() - timezone.timedelta(days=1),
        },
    )


@require_safe
@agency_view
def settlement_payout(request, settlement_id):
    with agency_scope(reason="settlement payout file"):
        settlement = get_object_or_404(
            Settlement.objects.select_related("creditor"), public_id=settlement_id
        )
    try:
        data = pain001([settlement])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("bank:settlements")
    response = HttpResponse(data, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="pain001-{settlement.number}.xml"'
    return response


@require_safe
@agency_view
def reconciliation_page(request):
    return render(request, "bank/reconciliation.html", {"results": latest_results()})


@agency_view  # outermost: anyone else is refused (403) whatever the method
@require_POST
def reconciliation_run(request):
    results = reconcile()
    total = results[-1]
    if total.difference:
        messages.error(request, _("The client account does not reconcile."))
    else:
        messages.success(request, _("The client account reconciles to the øre."))
    return redirect("bank:reconciliation")
