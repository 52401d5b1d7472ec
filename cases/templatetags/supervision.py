"""The work screen's plan builder and write-off panels (``{% plan_panel item %}``,
``{% write_off_panel item %}``): each reads what it shows, so the screen's view stays as it is."""

from django import template
from django.utils import timezone

from cases.models import (
    OPEN_PLAN_STATUSES,
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    InstalmentPlan,
    PlanStatus,
)
from cases.services.plan_builder import plan_policy

register = template.Library()

INTERVALS = (1, 2, 3, 6)


def _pending(case, kind):
    return ApprovalRequest.objects.filter(
        case=case, kind=kind, status=ApprovalStatus.PENDING
    ).first()


@register.inclusion_tag("work/_plan.html", takes_context=True)
def plan_panel(context, item):
    case = item.case
    plan = (
        InstalmentPlan.objects.filter(case=case, status__in=OPEN_PLAN_STATUSES)
        .prefetch_related("instalments")
        .first()
    )
    # A plan that ended keeps its unsigned acknowledgement open to record.
    unsigned = (
        InstalmentPlan.objects.filter(
            case=case,
            status__in=[PlanStatus.ACTIVE, PlanStatus.COMPLETED, PlanStatus.BROKEN],
            settlement_signed_on__isnull=True,
        )
        .order_by("-proposed_on", "-pk")
        .first()
    )
    return {
        "csrf_token": context.get("csrf_token"),
        "item": item,
        "case": case,
        "plan": plan,
        "unsigned": unsigned,
        "pending": _pending(case, ApprovalKind.PLAN),
        "policy": plan_policy(case.creditor),
        "intervals": INTERVALS,
        "today": timezone.localdate(),
    }


@register.inclusion_tag("work/_write_off.html", takes_context=True)
def write_off_panel(context, item):
    return {
        "csrf_token": context.get("csrf_token"),
        "item": item,
        "case": item.case,
        "pending": _pending(item.case, ApprovalKind.WRITE_OFF),
    }
