"""Case pages for creditor users and agents (the list is in views_list.py)."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from collections_portal.decorators import tenant_view

from .selectors import case_list as case_queryset
from .selectors import case_statement


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
