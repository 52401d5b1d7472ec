"""The supervisor's pages of the workspace: the approval inbox (plans outside the policy,
write-offs, legal steps), the board (queue by reason and age, agents' work, promises and money
collected) and bulk reassignment of work items. Agency supervisors and administrators only:
an agent gets 403, a creditor's user too."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from creditors.selectors import user_is_agency_manager

from . import board as board_data
from .models import (
    ApprovalRequest,
    ApprovalStatus,
    InstalmentPlan,
    WorkItem,
    WorkItemReason,
    WorkItemStatus,
)
from .services import approvals, plan_builder, supervision
from .services.errors import CaseError
from .views_work import agency_view


def supervisor_view(view):
    """Agency supervisors and administrators; other agency staff get the 403 page."""

    @agency_view
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not user_is_agency_manager(request.user):
            return render(request, "bank/not_agency.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for ms in exc.message_dict.values() for m in ms)
    return " ".join(exc.messages)


@require_safe
@supervisor_view
def inbox(request):
    pending = list(
        ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING)
        .select_related("case__creditor", "case__debtor", "requested_by")
        .order_by("requested_at", "pk")
    )
    plan_ids = [r.payload.get("plan") for r in pending if r.payload.get("plan")]
    plans = {
        plan.pk: plan
        for plan in InstalmentPlan.objects.filter(pk__in=plan_ids).prefetch_related("instalments")
    }
    for request_ in pending:
        request_.plan = plan = plans.get(request_.payload.get("plan"))
        # Said again in the supervisor's language (the payload keeps the agent's words).
        request_.breaches = request_.payload.get("breaches", [])
        if plan is not None:
            schedule = [(i.number, i.due_date, i.amount) for i in plan.instalments.all()]
            request_.breaches = plan_builder.policy_breaches(
                plan_builder.plan_policy(request_.case.creditor), schedule, today=plan.proposed_on
            )
    decided = (
        ApprovalRequest.objects.exclude(status=ApprovalStatus.PENDING)
        .select_related("case", "requested_by", "decided_by")
        .order_by("-decided_at", "-pk")[:20]
    )
    return render(request, "work/inbox.html", {"pending": pending, "decided": decided})


@require_POST
@supervisor_view
def decide(request, approval_id: int, decision: str):
    approval: ApprovalRequest = get_object_or_404(
        ApprovalRequest.objects.select_related("case"), pk=approval_id
    )
    note = request.POST.get("note", "")
    try:
        if decision == "approve":
            approvals.approval_approve(request=approval, user=request.user, note=note)
            messages.success(request, _("Approved."))
        elif decision == "reject":
            approvals.approval_reject(request=approval, user=request.user, note=note)
            messages.success(request, _("Rejected."))
        else:
            raise ValidationError(_("Approve or reject."))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    except (CaseError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    return redirect("work:inbox")


@require_safe
@supervisor_view
def board(request):
    days_text = request.GET.get("days", "7")
    days = int(days_text) if days_text.isdigit() and 1 <= int(days_text) <= 31 else 7
    data = board_data.board(days=days)
    items = WorkItem.objects.filter(status=WorkItemStatus.OPEN).select_related(
        "case__creditor", "assignee", "leased_by"
    )
    reason = request.GET.get("reason", "")
    if reason in WorkItemReason.values:
        items = items.filter(reason=reason)
    assignee = request.GET.get("assignee", "")
    if assignee == "none":
        items = items.filter(assignee__isnull=True)
    elif assignee.isdigit():
        items = items.filter(assignee_id=int(assignee))
    page = Paginator(items.order_by("-priority", "due_at", "pk"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "work/board.html",
        {
            "board": data,
            "days": days,
            "page": page,
            "staff": list(board_data.agency_staff()),
            "reasons": WorkItemReason.choices,
            "filters": {"reason": reason, "assignee": assignee},
            "attribution_days": board_data.ATTRIBUTION_DAYS,
            "now": timezone.now(),
        },
    )


def _assignee(post) -> int | None:
    value = post.get("assignee", "")
    if value == "none":
        return None
    if not value.isdigit():
        raise ValidationError({"assignee": _("Choose who gets the items.")})
    return int(value)


@require_POST
@supervisor_view
def reassign_items(request):
    try:
        ids = [int(v) for v in request.POST.getlist("items") if v.isdigit()]
        changed = supervision.work_items_reassign(
            item_ids=ids, assignee_id=_assignee(request.POST), user=request.user
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("%(n)s work items reassigned.") % {"n": changed})
    return redirect("work:board")


@require_POST
@supervisor_view
def reassign_cases(request):
    try:
        changed = supervision.cases_reassign(
            numbers=supervision.case_numbers_parse(request.POST.get("cases", "")),
            assignee_id=_assignee(request.POST),
            user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("%(n)s work items reassigned.") % {"n": changed})
    return redirect("work:board")
