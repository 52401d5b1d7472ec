"""Debtor pages for creditor users and agents."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from collections_portal.decorators import tenant_view

from .models import Debtor


@tenant_view
def debtor_list(request):
    debtors = Debtor.objects.select_related("creditor")
    page = Paginator(debtors, 50).get_page(request.GET.get("page"))
    return render(request, "debtors/debtor_list.html", {"page": page})


@tenant_view
def debtor_detail(request, debtor_id: int):
    # The scoped manager limits the lookup to the active tenant: a foreign debtor is a 404.
    debtor = get_object_or_404(Debtor.objects.select_related("creditor"), pk=debtor_id)
    cases = debtor.cases.all()
    return render(request, "debtors/debtor_detail.html", {"debtor": debtor, "cases": cases})
