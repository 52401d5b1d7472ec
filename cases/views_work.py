"""The agent workspace: the queue, "next case", the work screen and its actions, and the
supervisor's score weights. Agency staff only (a creditor's user gets 403); every write goes
through a service (cases.services.workspace, lifecycle) and lands on the case's timeline."""

from __future__ import annotations

from contextlib import suppress
from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from collections_portal.money import format_money, parse_amount
from creditors.models import Creditor
from creditors.selectors import user_is_agency_manager, user_is_agency_staff

from . import selectors
from .models import (
    Case,
    CaseState,
    ContactChannel,
    ContactDirection,
    ContactOutcome,
    Dispute,
    SubmissionAction,
    WorkItem,
    WorkItemReason,
    WorkItemStatus,
    WorkScoreWeights,
)
from .services import lifecycle, teams, workspace
from .services.errors import CaseError


def agency_view(view):
    """Signed-in agency staff only; anyone else gets a 403 page saying so."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not user_is_agency_staff(request.user):
            return render(request, "bank/not_agency.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _factor_labels() -> dict[str, str]:
    return {
        # The priority's scored factors (cases.services.workspace): {"value", "points"}.
        "balance": _("Balance"),
        "days_past_due": _("Days past due"),
        "stage": _("Stage"),
        "limitation": _("Limitation date"),
        "promise_due": _("Promise due today"),
        "last_contact": _("Days since last contact"),
        # A credit-bureau decision or a refused submission: plain facts.
        "bureau": _("Credit bureau"),
        "amount": _("Amount"),
        "priority_from_amount": _("Priority from the amount"),
        "priority_from_data_age": _("Priority from the age of the data"),
        "warned_on": _("Warned on"),
        "eligible_from": _("May be registered from"),
        "data_expires_on": _("Data must be deleted by"),
        "action": _("Refused request"),
        # A reconciliation difference: the identity's terms.
        "received": _("Received"),
        "paid_out": _("Paid out"),
        "agency_revenue": _("Agency revenue"),
        "refunds": _("Refunds"),
        "held": _("Held"),
        "difference": _("Difference"),
    }


def _factor_rows(item: WorkItem) -> list[tuple[str, object, int | None]]:
    """The item's factors as (label, value, points): a scored factor is {"value", "points"};
    other reasons keep plain facts (a credit-bureau decision, a reconciliation difference),
    shown without points. Keys without a label (internal ids) are not shown."""
    labels = _factor_labels()
    rows: list[tuple[str, object, int | None]] = []
    for name, factor in (item.factors or {}).items():
        if name not in labels:
            continue
        if isinstance(factor, dict):
            rows.append((labels[name], factor.get("value"), factor.get("points", 0)))
        elif name.startswith("priority_from_"):
            rows.append((labels[name], None, factor))
        else:
            rows.append((labels[name], _fact(name, factor), None))
    return rows


_DATE_FACTS = {"warned_on", "eligible_from", "data_expires_on"}
_MONEY_FACTS = {"amount", "received", "paid_out", "agency_revenue", "refunds", "held", "difference"}


def _fact(name: str, value: object) -> object:
    """A stored fact as a person reads it: a date or an amount in the page's notation, a
    submission's action by its label, a bureau by its name."""
    text = str(value)
    with suppress(ValueError, TypeError, ArithmeticError):
        if name in _DATE_FACTS and (day := parse_date(text)) is not None:
            return date_format(day, "SHORT_DATE_FORMAT")
        if name in _MONEY_FACTS:
            return format_money(Decimal(text), get_language() or "da")
        if name == "action":
            return SubmissionAction(text).label
        if name == "bureau":
            return text.upper()
    return value


@require_safe
@agency_view
def queue(request):
    items = WorkItem.objects.filter(status=WorkItemStatus.OPEN).select_related(
        "case__debtor", "case__creditor", "leased_by", "assignee"
    )
    tab = request.GET.get("tab") if request.GET.get("tab") in ("mine", "team") else "all"
    if tab == "mine":
        items = items.filter(Q(assignee=request.user) | Q(leased_by=request.user))
    elif tab == "team":
        items = teams.team_items(items, request.user)
    creditor = request.GET.get("creditor", "")
    if creditor.isdigit():
        items = items.filter(creditor_id=int(creditor))
    reason = request.GET.get("reason", "")
    if reason in WorkItemReason.values:
        items = items.filter(reason=reason)
    stage = request.GET.get("stage", "")
    if stage in CaseState.values:
        items = items.filter(case__state=stage)
    page = Paginator(items.order_by("-priority", "due_at", "pk"), 50).get_page(
        request.GET.get("page")
    )
    for item in page:
        item.factor_rows = _factor_rows(item)
    return render(
        request,
        "work/queue.html",
        {
            "page": page,
            "tab": tab,
            "creditors": Creditor.objects.filter(is_active=True).order_by("name"),
            "reasons": WorkItemReason.choices,
            "stages": [c for c in CaseState.choices if c[0] != CaseState.CLOSED],
            "filters": {"creditor": creditor, "reason": reason, "stage": stage},
            "now": timezone.now(),
            "is_manager": user_is_agency_manager(request.user),
        },
    )


def _next(request, *, skip: WorkItem | None = None):
    item = workspace.work_next(user=request.user, skip=skip)
    if item is None:
        messages.info(request, _("The queue is empty: no item waits for you now."))
        return redirect("work:queue")
    return redirect("work:item", item_id=item.pk)


@require_POST
@agency_view
def next_item(request):
    return _next(request)


def _screen(request, item: WorkItem):
    case = item.case
    statement = selectors.case_statement(case, on=timezone.localdate())
    held_by_other = (
        item.status == WorkItemStatus.OPEN
        and item.leased_by_id not in (None, request.user.pk)
        and item.leased_until
        and item.leased_until > timezone.now()
    )
    from .views_messages import messages_context  # the case page's thread, answered here

    thread = messages_context(request, case)
    thread.update(message_page="work", return_to=request.path)
    return render(
        request,
        "work/item.html",
        thread
        | {
            "item": item,
            "case": case,
            "statement": statement,
            "factor_rows": _factor_rows(item),
            "held_by_other": held_by_other,
            "contact_points": case.debtor.contact_points.all(),
            "other_cases": Case.objects.filter(debtor=case.debtor, creditor=case.creditor)
            .exclude(pk=case.pk)
            .order_by("-pk")[:20],
            "events": case.events.select_related("actor").order_by("-occurred_at", "-pk")[:30],
            "notices": case.notices.order_by("-dated", "-pk")[:20],
            "documents": case.documents.order_by("-pk")[:20],
            "open_disputes": case.disputes.filter(resolved_at__isnull=True),
            "open_items": case.work_items.filter(status=WorkItemStatus.OPEN).exclude(pk=item.pk),
            "channels": ContactChannel.choices,
            "directions": ContactDirection.choices,
            "outcomes": ContactOutcome.choices,
            "dispute_outcomes": Dispute.Outcome.choices,
            "today": timezone.localdate(),
            **views_work_actions.screen_context(request, item),
        },
    )


@require_safe
@agency_view
def item_detail(request, item_id: int):
    item = get_object_or_404(
        WorkItem.objects.select_related("case__debtor", "case__creditor", "leased_by"), pk=item_id
    )
    return _screen(request, item)


def _perform(request, item: WorkItem, action: str) -> str:
    """Run one action through its service; returns what to say on success."""
    case, user, post = item.case, request.user, request.POST
    if (said := views_work_actions.perform(request, item, action)) is not None:
        return said
    if action == "contact":
        workspace.contact_log(
            case=case,
            user=user,
            channel=post.get("channel", ""),
            direction=post.get("direction", ""),
            outcome=post.get("outcome", ""),
            note=post.get("note", ""),
        )
        return _("The contact is logged.")
    if action == "promise":
        try:
            amount = parse_amount(post.get("amount", ""))
        except ValueError as exc:
            raise ValidationError({"amount": str(exc)}) from exc
        pay_by = parse_date(post.get("pay_by", "") or "")
        if pay_by is None:
            raise ValidationError({"pay_by": _("Give the date the debtor will pay by.")})
        lifecycle.promise_to_pay_record(case=case, amount=amount, pay_by=pay_by, actor=user)
        return _("The promise to pay is recorded.")
    if action == "dispute":
        dispute = case.disputes.filter(resolved_at__isnull=True).order_by("pk").first()
        if dispute is None:
            raise CaseError(_("The case has no open dispute."))
        outcome = post.get("outcome", "")
        if outcome not in Dispute.Outcome.values:
            raise ValidationError({"outcome": _("Choose upheld or rejected.")})
        lifecycle.dispute_resolve(
            dispute=dispute, outcome=outcome, note=post.get("note", ""), user=user
        )
        return _("The dispute is decided.")
    if action == "pause":
        until = parse_date(post.get("until", "") or "")
        if until is None:
            raise ValidationError({"until": _("Give the date the pause ends.")})
        lifecycle.case_pause(case=case, until=until, actor=user, reason=post.get("note", ""))
        return _("The case is paused.")
    if action == "callback":
        at = parse_datetime(post.get("at", "") or "")
        if at is None:
            raise ValidationError({"at": _("Give the date and time of the callback.")})
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        workspace.callback_set(case=case, user=user, at=at, note=post.get("note", ""))
        return _("The callback is set.")
    if action == "close":
        workspace.work_item_done(item=item, user=user, outcome=post.get("note", ""))
        return _("The work item is closed.")
    raise ValidationError(_("Unknown action."))


@require_POST
@agency_view
def item_action(request, item_id: int, action: str):
    item = get_object_or_404(WorkItem.objects.select_related("case"), pk=item_id)
    if action == "skip":
        workspace.work_item_release(item=item, user=request.user)
        return _next(request, skip=item)
    try:
        said = _perform(request, item, action)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("work:item", item_id=item.pk)
    except CaseError as exc:
        messages.error(request, str(exc))
        return redirect("work:item", item_id=item.pk)
    messages.success(request, said)
    if "save_next" in request.POST:
        item.refresh_from_db()
        if item.status == WorkItemStatus.OPEN:
            workspace.work_item_done(item=item, user=request.user, outcome=said)
        return _next(request)
    return redirect("work:item", item_id=item.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@agency_view
def weights(request):
    if not user_is_agency_manager(request.user):
        return render(request, "bank/not_agency.html", status=403)
    current = WorkScoreWeights.current()
    if request.method == "POST":
        values = {}
        for name in WorkScoreWeights.FIELDS:
            text = request.POST.get(name, "").strip()
            if not text.isdigit() or int(text) > 1000:
                messages.error(request, _("Each weight is a whole number from 0 to 1000."))
                break
            values[name] = int(text)
        else:
            workspace.weights_set(user=request.user, **values)
            messages.success(request, _("The weights are saved; new items are scored with them."))
            return redirect("work:weights")
    fields = [
        (name, current._meta.get_field(name).verbose_name, getattr(current, name))
        for name in WorkScoreWeights.FIELDS
    ]
    return render(request, "work/weights.html", {"fields": fields, "weights": current})


# The further actions import agency_view from here; imported last to close the cycle.
from . import views_work_actions  # noqa: E402
