"""Debtor pages for creditor users and agents."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from collections_portal.decorators import tenant_view

from .forms import NationalIdRevealForm
from .models import Debtor
from .selectors import (
    debtor_contact_points,
    debtor_get,
    user_can_reveal_national_id,
)
from .selectors import (
    debtor_list as debtor_queryset,
)
from .services import debtor_reveal_national_id


@require_safe  # a page that only reads: a write method is 405, never a silent read
@tenant_view
def debtor_list(request):
    page = Paginator(debtor_queryset(), 50).get_page(request.GET.get("page"))
    return render(request, "debtors/debtor_list.html", {"page": page})


@require_safe  # a page that only reads: a write method is 405, never a silent read
@tenant_view
def debtor_detail(request, debtor_id: int):
    return _render_detail(request, _get_debtor_or_404(debtor_id))


@never_cache  # the answer holds the full CPR number: no browser or proxy may keep it
@require_POST
@tenant_view
def debtor_reveal(request, debtor_id: int):
    """Show the full CPR number once, on this answer only, and record that it was shown."""
    debtor = _get_debtor_or_404(debtor_id)
    if not user_can_reveal_national_id(user=request.user, creditor=debtor.creditor):
        raise PermissionDenied
    form = NationalIdRevealForm(request.POST)
    if not debtor.national_id_is_secret:
        return redirect("debtor_detail", debtor_id=debtor.pk)
    if not form.is_valid():
        return _render_detail(request, debtor, reveal_form=form, status=400)
    national_id = debtor_reveal_national_id(
        debtor=debtor, user=request.user, reason=form.cleaned_data["reason"]
    )
    return _render_detail(request, debtor, revealed_national_id=national_id)


def _get_debtor_or_404(debtor_id: int) -> Debtor:
    # The scoped manager limits the lookup to the active tenant: a foreign debtor is a 404.
    try:
        return debtor_get(debtor_id=debtor_id)
    except Debtor.DoesNotExist as exc:
        raise Http404 from exc


def _render_detail(
    request,
    debtor: Debtor,
    *,
    revealed_national_id: str = "",
    reveal_form: NationalIdRevealForm | None = None,
    status: int = 200,
):
    can_reveal = debtor.national_id_is_secret and user_can_reveal_national_id(
        user=request.user, creditor=debtor.creditor
    )
    context = {
        "debtor": debtor,
        "cases": debtor.cases.all(),
        "contact_points": debtor_contact_points(debtor=debtor),
        "can_reveal": can_reveal and not revealed_national_id,
        "reveal_form": reveal_form or NationalIdRevealForm(),
        "revealed_national_id": revealed_national_id,
    }
    return render(request, "debtors/debtor_detail.html", context, status=status)
