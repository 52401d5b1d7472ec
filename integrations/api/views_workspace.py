"""/api/v1/agency/work-items/ and the agent's actions on a case: the agent workspace driven
from the agency's own systems (a dialler, a CRM).

Agency staff only, as the bank's and the money tools' endpoints (a creditor's API key or user
gets 403). An agent reaches the items and cases of the creditors it may act for
(``creditors_for_user``: the agency's active creditors); any other id is 404. Every write is
the workspace page's own service (``cases.services.workspace``, ``lifecycle``, ``plans``), so a
lease taken here is the lease the page sees; every POST takes an ``Idempotency-Key``.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from cases.models import Case, CaseState, Dispute, WorkItem, WorkItemStatus
from cases.services import lifecycle, plans, workspace
from cases.services.errors import CaseError
from creditors.selectors import creditors_for_user
from integrations.bank.permissions import AGENCY_PERMISSIONS

from . import serializers_workspace as s
from .pagination import ApiCursorPagination
from .scoping import ScopedAPIView
from .serializers import DisputeSerializer, ErrorSerializer

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input, naming the field"),
    403: OpenApiResponse(ErrorSerializer, description="Not the agency's staff"),
    404: OpenApiResponse(ErrorSerializer, description="Not found (or another creditor's)"),
    409: OpenApiResponse(ErrorSerializer, description="Refused by the rules"),
}
TAGS = ["workspace"]


class QueueCursorPagination(ApiCursorPagination):
    """The queue's own order: highest priority first, then the earliest due."""

    ordering = ("-priority", "due_at", "pk")


def _creditor_ids(request) -> list[int]:
    """The creditors this agent may act for."""
    return list(creditors_for_user(request.user).values_list("pk", flat=True))


def _items(request) -> QuerySet[WorkItem]:
    return WorkItem.objects.filter(creditor_id__in=_creditor_ids(request)).select_related("case")


def _item(request, pk: int) -> WorkItem:
    return get_object_or_404(_items(request), pk=pk)


def _case(request, pk: int) -> Case:
    return get_object_or_404(Case.objects.filter(creditor_id__in=_creditor_ids(request)), pk=pk)


def _parse(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def _held_by_another(item: WorkItem, user) -> bool:
    return (
        item.leased_by_id not in (None, user.pk)
        and item.leased_until is not None
        and item.leased_until > timezone.now()
    )


class WorkspaceView(ScopedAPIView):
    permission_classes = AGENCY_PERMISSIONS
    parser_classes = [JSONParser]


class WorkItemListView(WorkspaceView):
    @extend_schema(
        operation_id="agency_work_items_list",
        summary="The work queue, highest priority first",
        description=(
            "Open items unless `status` says otherwise; filter by `reason`, `creditor` and "
            "`assignee` (a user id, `me` or `none`)."
        ),
        tags=TAGS,
        parameters=[s.WorkItemFilterSerializer],
        responses={200: s.WorkItemSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        filters = s.WorkItemFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        items = _items(request).filter(status=f.get("status", WorkItemStatus.OPEN))
        if "reason" in f:
            items = items.filter(reason=f["reason"])
        if "creditor" in f:
            items = items.filter(creditor_id=f["creditor"])
        assignee = f.get("assignee")
        if assignee == "me":
            items = items.filter(assignee=request.user)
        elif assignee == "none":
            items = items.filter(assignee__isnull=True)
        elif assignee is not None:
            items = items.filter(assignee_id=assignee)
        paginator = QueueCursorPagination()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(s.WorkItemSerializer(page, many=True).data)


class WorkItemDetailView(WorkspaceView):
    @extend_schema(
        operation_id="agency_work_items_retrieve",
        summary="A work item",
        tags=TAGS,
        responses={200: s.WorkItemSerializer, **ERRORS},
    )
    def get(self, request, pk):
        return Response(s.WorkItemSerializer(_item(request, pk)).data)


class WorkNextView(WorkspaceView):
    @extend_schema(
        operation_id="agency_work_items_next",
        summary='"Next case": lease the highest-ranked item nobody holds',
        description=(
            "The same claim as the workspace's button (`FOR UPDATE SKIP LOCKED` and a "
            "15-minute lease): agents pressing it at once never get the same item, and an "
            "agent's own unexpired lease is returned again. 204 when nothing waits."
        ),
        tags=TAGS,
        request=s.WorkNextSerializer,
        responses={
            200: s.WorkItemSerializer,
            204: OpenApiResponse(description="The queue is empty: no item waits for you now."),
            **ERRORS,
        },
    )
    def post(self, request):
        data = _parse(s.WorkNextSerializer, request)
        ids = _creditor_ids(request)
        if "creditor" in data:
            if data["creditor"] not in ids:
                raise ValidationError({"creditor": _("No creditor you act for has this id.")})
            ids = [data["creditor"]]
        skip = None
        if "skip" in data:
            skip = WorkItem.objects.filter(pk=data["skip"], creditor_id__in=ids).first()
            if skip is None:
                raise ValidationError({"skip": _("No work item has this id.")})
        item = workspace.work_next(user=request.user, skip=skip, creditor_ids=ids)
        if item is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(s.WorkItemSerializer(item).data)


class WorkItemReleaseView(WorkspaceView):
    @extend_schema(
        operation_id="agency_work_items_release",
        summary="Give the lease back: the item returns to the queue for anyone",
        tags=TAGS,
        request=None,
        responses={200: s.WorkItemSerializer, **ERRORS},
    )
    def post(self, request, pk):
        item = _item(request, pk)
        if item.status != WorkItemStatus.OPEN:
            raise CaseError(_("The work item is closed already."))
        if item.leased_by_id != request.user.pk:
            raise CaseError(_("You do not hold this work item's lease."))
        workspace.work_item_release(item=item, user=request.user)
        item.refresh_from_db()
        return Response(s.WorkItemSerializer(item).data)


class WorkItemCloseView(WorkspaceView):
    @extend_schema(
        operation_id="agency_work_items_close",
        summary="Close the item with what was done (the lease goes with it)",
        tags=TAGS,
        request=s.WorkItemCloseSerializer,
        responses={200: s.WorkItemSerializer, **ERRORS},
    )
    def post(self, request, pk):
        item = _item(request, pk)
        data = _parse(s.WorkItemCloseSerializer, request)
        if item.status == WorkItemStatus.OPEN and _held_by_another(item, request.user):
            raise CaseError(_("Another agent holds this work item now."))
        item = workspace.work_item_done(
            item=item, user=request.user, outcome=data.get("outcome", "")
        )
        return Response(s.WorkItemSerializer(item).data)


class CaseContactView(WorkspaceView):
    @extend_schema(
        operation_id="agency_cases_contacts_create",
        summary="Log a contact with the debtor (or an attempt)",
        tags=TAGS,
        request=s.ContactLogInputSerializer,
        responses={201: s.ContactLogSerializer, **ERRORS},
    )
    def post(self, request, pk):
        case = _case(request, pk)
        data = _parse(s.ContactLogInputSerializer, request)
        entry = workspace.contact_log(
            case=case,
            user=request.user,
            channel=data["channel"],
            direction=data["direction"],
            outcome=data["outcome"],
            note=data.get("note", ""),
        )
        return Response(s.ContactLogSerializer(entry).data, status=status.HTTP_201_CREATED)


class CasePromiseView(WorkspaceView):
    @extend_schema(
        operation_id="agency_cases_promises_create",
        summary="Record a promise to pay: the case waits until the day after",
        tags=TAGS,
        request=s.PromiseInputSerializer,
        responses={201: s.PromiseSerializer, **ERRORS},
    )
    def post(self, request, pk):
        case = _case(request, pk)
        data = _parse(s.PromiseInputSerializer, request)
        if case.state == CaseState.CLOSED:
            raise CaseError(_("Case %(ref)s is closed.") % {"ref": case.reference})
        promise = lifecycle.promise_to_pay_record(
            case=case, amount=data["amount"], pay_by=data["pay_by"], actor=request.user
        )
        return Response(s.PromiseSerializer(promise).data, status=status.HTTP_201_CREATED)


class CasePlanView(WorkspaceView):
    @extend_schema(
        operation_id="agency_cases_plans_create",
        summary="Propose an instalment plan over the case's whole balance",
        description=(
            "`count` equal instalments, or instalments of `amount`, the first due on "
            "`first_due`, then every `interval_months`. The plan is proposed; the debtor's "
            "acceptance activates it."
        ),
        tags=TAGS,
        request=s.PlanInputSerializer,
        responses={201: s.PlanSerializer, **ERRORS},
    )
    def post(self, request, pk):
        case = _case(request, pk)
        data = _parse(s.PlanInputSerializer, request)
        plan = plans.plan_propose(
            case=case,
            first_due=data["first_due"],
            count=data.get("count"),
            amount=data.get("amount"),
            interval_months=data["interval_months"],
            acceleration_days=data["acceleration_days"],
            user=request.user,
        )
        return Response(s.PlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class CaseDisputeDecisionView(WorkspaceView):
    @extend_schema(
        operation_id="agency_cases_dispute_decision_create",
        summary="Decide the case's open dispute: upheld closes the case, rejected goes on",
        tags=TAGS,
        request=s.DisputeDecisionSerializer,
        responses={200: DisputeSerializer, **ERRORS},
    )
    def post(self, request, pk):
        case = _case(request, pk)
        data = _parse(s.DisputeDecisionSerializer, request)
        open_disputes = Dispute.objects.filter(case=case, resolved_at__isnull=True)
        if "dispute" in data:
            dispute = Dispute.objects.filter(case=case, pk=data["dispute"]).first()
            if dispute is None:
                raise ValidationError({"dispute": _("The case has no dispute with this id.")})
        else:
            dispute = open_disputes.order_by("pk").first()
            if dispute is None:
                raise CaseError(_("The case has no open dispute."))
        dispute = lifecycle.dispute_resolve(
            dispute=dispute, outcome=data["outcome"], note=data["note"], user=request.user
        )
        return Response(DisputeSerializer(dispute).data)


class CaseCallbackView(WorkspaceView):
    @extend_schema(
        operation_id="agency_cases_callbacks_create",
        summary="Set a callback: a work item for this agent, due then",
        description="One open callback per case: a new time replaces the old one.",
        tags=TAGS,
        request=s.CallbackInputSerializer,
        responses={201: s.WorkItemSerializer, **ERRORS},
    )
    def post(self, request, pk):
        case = _case(request, pk)
        data = _parse(s.CallbackInputSerializer, request)
        item = workspace.callback_set(
            case=case, user=request.user, at=data["at"], note=data.get("note", "")
        )
        return Response(s.WorkItemSerializer(item).data, status=status.HTTP_201_CREATED)
