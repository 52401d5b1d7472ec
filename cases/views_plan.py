"""The work screen's plan builder and write-off request (agency staff): an htmx schedule
preview, starting a plan (or sending it to a supervisor when it is outside the creditor's
policy), recording the date the acknowledgement of debt was signed, and asking for a
write-off. Every write is one service call (cases.services.plan_builder, approvals)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from .models import InstalmentPlan, WorkItem
from .services import approvals, plan_builder
from .services.errors import CaseError
from .views_work import agency_view


def _terms(post) -> dict:
    """The builder's fields: a number of instalments or an amount, the first date, the
    interval in months (monthly unless chosen)."""
    count_text = post.get("count", "").strip()
    amount_text = post.get("amount", "").strip()
    count = None
    if count_text:
        if not count_text.isdigit():
            raise ValidationError({"count": _("The number of instalments is a whole number.")})
        count = int(count_text)
    interval_text = post.get("interval_months", "1").strip() or "1"
    if not interval_text.isdigit():
        raise ValidationError({"interval_months": _("Choose an interval from the list.")})
    first_text = post.get("first_due", "").strip()
    first_due = parse_date(first_text) if first_text else None
    if first_text and first_due is None:
        raise ValidationError({"first_due": _("Give the date as YYYY-MM-DD.")})
    return {
        "count": count,
        "amount": amount_text or None,
        "first_due": first_due,
        "interval_months": int(interval_text),
    }


def _field_errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [message for messages_ in exc.message_dict.values() for message in messages_]
    return list(exc.messages)


def _item(item_id: int) -> WorkItem:
    return get_object_or_404(WorkItem.objects.select_related("case__creditor"), pk=item_id)


@require_safe
@agency_view
def plan_preview(request, item_id: int):
    """The schedule the terms would give, as a fragment the builder swaps in (htmx)."""
    item = _item(item_id)
    context: dict[str, object] = {"item": item, "case": item.case}
    try:
        context["draft"] = plan_builder.plan_draft(case=item.case, **_terms(request.GET))
    except ValidationError as exc:
        context["errors"] = _field_errors(exc)
    except CaseError as exc:
        context["errors"] = [str(exc)]
    return render(request, "work/_plan_preview.html", context)


@require_POST
@agency_view
def plan_create(request, item_id: int):
    item = _item(item_id)
    try:
        _plan, approval = plan_builder.plan_build(
            case=item.case,
            user=request.user,
            reason=request.POST.get("reason", ""),
            **_terms(request.POST),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(_field_errors(exc)))
    except CaseError as exc:
        messages.error(request, str(exc))
    else:
        if approval is None:
            messages.success(
                request,
                _(
                    "The plan has started: the confirmation and the acknowledgement of debt "
                    "are on their way to the debtor."
                ),
            )
        else:
            messages.info(
                request,
                _("The plan is outside the creditor's policy: it awaits a supervisor's approval."),
            )
    return redirect("work:item", item_id=item.pk)


@require_POST
@agency_view
def plan_signed(request, item_id: int, plan_id: int):
    item = _item(item_id)
    plan = get_object_or_404(InstalmentPlan, pk=plan_id, case=item.case)
    text = request.POST.get("signed_on", "").strip()
    try:
        signed_on = parse_date(text) if text else None
        if text and signed_on is None:
            raise ValidationError({"signed_on": _("Give the date as YYYY-MM-DD.")})
        plan_builder.plan_settlement_record(plan=plan, signed_on=signed_on, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(_field_errors(exc)))
    except CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The signature date is recorded."))
    return redirect("work:item", item_id=item.pk)


@require_POST
@agency_view
def write_off(request, item_id: int):
    item = _item(item_id)
    whole = request.POST.get("scope") == "whole"
    try:
        approvals.write_off_request(
            case=item.case,
            user=request.user,
            reason=request.POST.get("reason", ""),
            amount=None if whole else request.POST.get("amount", "").strip(),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(_field_errors(exc)))
    except CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The write-off awaits a supervisor's approval."))
    return redirect("work:item", item_id=item.pk)
