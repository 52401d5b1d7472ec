"""Case pages for creditor users and agents."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from collections_portal.decorators import tenant_view

from .selectors import case_list as case_queryset
from .selectors import case_statement


@require_safe  # a page that only reads: a write method is 405, never a silent read
@tenant_view
def case_list(request):
    page = Paginator(case_queryset(), 50).get_page(request.GET.get("page"))
    return render(request, "cases/case_list.html", {"page": page})


@require_safe  # a page that only reads: a write method is 405, never a silent read
@tenant_view
def case_detail(request, case_id: int):
    # The scoped manager limits the lookup to the active tenant: a foreign case is a 404.
    case = get_object_or_404(case_queryset(), pk=case_id)
    statement = case_statement(case, on=timezone.localdate())
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "statement": statement,
            "events": case.events.select_related("actor").order_by("-occurred_at", "-pk")[:50],
            "notices": case.notices.order_by("dated", "pk"),
        },
    )
