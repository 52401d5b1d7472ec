"""/api/v1/bank-files/, /api/v1/bank/unmatched/ and the agents' money actions (agency staff
only; a creditor's API key gets 403)."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from cases.models import Case, Payment
from integrations.api.pagination import ApiCursorPagination
from integrations.api.scoping import ScopedAPIView
from integrations.imports.views import RawUploadParser

from . import services, tools
from .models import BankEntry, BankFile, EntryStatus, UnmatchedPayment, UnmatchedStatus
from .permissions import AGENCY_PERMISSIONS


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "duplicate_file"


class BankFileSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = BankFile
        fields = [
            "id",
            "format",
            "original_name",
            "status",
            "error",
            "message_id",
            "account",
            "entries_total",
            "booked",
            "unmatched",
            "returned",
            "duplicates",
            "rejected",
            "ignored",
            "created_at",
            "finished_at",
        ]


class EntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = BankEntry
        fields = [
            "position",
            "reference",
            "credit",
            "amount",
            "currency",
            "booked_on",
            "debtor_name",
            "payment_reference",
            "remittance",
            "status",
            "reason",
            "match_rule",
        ]


class UnmatchedSerializer(serializers.ModelSerializer):
    payer = serializers.CharField(source="entry.debtor_name")
    reference = serializers.CharField(source="entry.reference")
    remittance = serializers.CharField(source="entry.remittance")
    payment_reference = serializers.CharField(source="entry.payment_reference")

    class Meta:
        model = UnmatchedPayment
        fields = [
            "id",
            "amount",
            "received_on",
            "payer",
            "reference",
            "payment_reference",
            "remittance",
            "reason",
            "suggestions",
            "status",
        ]


def _case(number) -> Case:
    case = services.case_by_number(number)
    if case is None:
        raise ValidationError({"case": _("No case has the number %(n)s.") % {"n": number}})
    return case


class BankFileListView(ScopedAPIView):
    """The bank files received, newest first; upload a camt.053, camt.054 or CSV file (as the
    form field ``file``, or as the raw body). Answers 202: the file is read by a worker."""

    permission_classes = AGENCY_PERMISSIONS
    parser_classes = [MultiPartParser, RawUploadParser]

    @extend_schema(responses=BankFileSerializer(many=True))
    def get(self, request):
        paginator = ApiCursorPagination()
        page = paginator.paginate_queryset(BankFile.objects.all(), request, view=self)
        return paginator.get_paginated_response(BankFileSerializer(page, many=True).data)

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            },
            "application/xml": OpenApiTypes.STR,
            "text/csv": OpenApiTypes.STR,
        },
        responses={
            202: BankFileSerializer,
            400: OpenApiResponse(description="Not a bank file"),
            409: OpenApiResponse(description="The file was received before"),
        },
    )
    def post(self, request):
        uploaded = request.FILES.get("file")
        if uploaded is not None:
            if uploaded.size > services.MAX_BYTES:
                raise ValidationError({"file": _("The file is too large.")})
            data, name = uploaded.read(), uploaded.name or ""
        else:
            data, name = request.body, ""
        try:
            with transaction.atomic():
                bank_file = services.bank_file_receive(
                    data=data, name=name, source="api", user=request.user
                )
        except services.BankFileError as exc:
            if exc.code == "duplicate_file":
                raise Conflict(exc.messages[0]) from exc
            raise ValidationError({"file": exc.messages}) from exc
        return Response(BankFileSerializer(bank_file).data, status=status.HTTP_202_ACCEPTED)


class BankFileDetailView(ScopedAPIView):
    """One bank file: its job's figures and every entry that was not booked, with the reason."""

    permission_classes = AGENCY_PERMISSIONS

    @extend_schema(responses=BankFileSerializer)
    def get(self, request, public_id):
        bank_file = get_object_or_404(BankFile, public_id=public_id)
        body = BankFileSerializer(bank_file).data
        entries = bank_file.entries.exclude(status=EntryStatus.BOOKED)[:1000]
        body["entries_not_booked"] = EntrySerializer(entries, many=True).data
        return Response(body)


class UnmatchedListView(ScopedAPIView):
    """The open unmatched payments, oldest first, with suggested cases."""

    permission_classes = AGENCY_PERMISSIONS

    @extend_schema(responses=UnmatchedSerializer(many=True))
    def get(self, request):
        paginator = ApiCursorPagination()
        paginator.ordering = ("received_on", "pk")
        page = paginator.paginate_queryset(services.open_unmatched(), request, view=self)
        return paginator.get_paginated_response(UnmatchedSerializer(page, many=True).data)


class ShareSerializer(serializers.Serializer):
    case = serializers.IntegerField(help_text="The case number")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class BookSerializer(serializers.Serializer):
    shares = ShareSerializer(many=True)
    note = serializers.CharField(required=False, allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class UnmatchedBookView(ScopedAPIView):
    """Book an unmatched payment on one case, or split it across cases (the shares must add up
    to the payment)."""

    permission_classes = AGENCY_PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=BookSerializer, responses={200: UnmatchedSerializer})
    def post(self, request, pk):
        item = get_object_or_404(UnmatchedPayment, pk=pk)
        data = BookSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shares = [
            services.Share(_case(s["case"]), s["amount"]) for s in data.validated_data["shares"]
        ]
        services.unmatched_book(
            item=item, shares=shares, user=request.user, note=data.validated_data.get("note", "")
        )
        item.refresh_from_db()
        return Response(UnmatchedSerializer(item).data)


class UnmatchedRefundView(ScopedAPIView):
    """Mark an unmatched payment to be paid back to the payer."""

    permission_classes = AGENCY_PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=ReasonSerializer, responses={200: UnmatchedSerializer})
    def post(self, request, pk):
        item = get_object_or_404(UnmatchedPayment, pk=pk, status=UnmatchedStatus.OPEN)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.unmatched_refund(
            item=item, reason=data.validated_data["reason"], user=request.user
        )
        item.refresh_from_db()
        return Response(UnmatchedSerializer(item).data)


class RegisterSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    received_on = serializers.DateField()
    method = serializers.ChoiceField(choices=[m.value for m in tools.AGENCY_METHODS])
    reference = serializers.CharField(required=False, allow_blank=True)


class RefundSerializer(serializers.Serializer):
    reason = serializers.CharField()
    payee_account = serializers.CharField(required=False, allow_blank=True)


class MoveSerializer(serializers.Serializer):
    case = serializers.IntegerField(help_text="The number of the right case")
    reason = serializers.CharField()


def _payment_body(payment: Payment) -> dict:
    return {
        "id": payment.pk,
        "case": payment.case.number,
        "amount": str(payment.amount),
        "received_on": payment.received_on.isoformat(),
        "method": payment.method,
        "reversed": payment.reversed_at is not None,
        "reversal_reason": payment.reversal_reason,
    }


class AgencyCasePaymentView(ScopedAPIView):
    """Register a payment the agency received by other means than a bank file."""

    permission_classes = AGENCY_PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=RegisterSerializer, responses={201: OpenApiResponse()})
    def post(self, request, pk):
        case = get_object_or_404(Case.objects.all(), pk=pk)
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        received = tools.payment_register_other(
            case=case,
            amount=v["amount"],
            received_on=v["received_on"],
            method=v["method"],
            reference=v.get("reference", ""),
            user=request.user,
        )
        return Response(_payment_body(received.payment), status=status.HTTP_201_CREATED)


class AgencyCaseRefundView(ScopedAPIView):
    """Refund the case's credit (an overpayment) to the debtor."""

    permission_classes = AGENCY_PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=RefundSerializer, responses={201: OpenApiResponse()})
    def post(self, request, pk):
        case = get_object_or_404(Case.objects.all(), pk=pk)
        data = RefundSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refund = tools.credit_refund(
            case=case,
            reason=data.validated_data["reason"],
            payee_account=data.validated_data.get("payee_account", ""),
            user=request.user,
        )
        body = {"id": refund.pk, "amount": str(refund.amount), "status": refund.status}
        return Response(body, status=status.HTTP_201_CREATED)


class AgencyPaymentReverseView(ScopedAPIView):
    """Reverse a payment, with the reason."""

    permission_classes = AGENCY_PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=ReasonSerializer, responses={200: OpenApiResponse()})
    def post(self, request, pk):
        payment = get_object_or_404(Payment.objects.select_related("case"), pk=pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = tools.payment_reverse_tool(
            payment=payment, reason=data.validated_data["reason"], user=request.user
        )
        return Response(_payment_body(payment))


class AgencyPaymentMoveView(ScopedAPIView):
    """Move a payment booked on the wrong case to the right one."""

    permission_classes = AGENCY_PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=MoveSerializer, responses={201: OpenApiResponse()})
    def post(self, request, pk):
        payment = get_object_or_404(Payment.objects.select_related("case"), pk=pk)
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        moved = tools.payment_move(
            payment=payment,
            to_case=_case(data.validated_data["case"]),
            reason=data.validated_data["reason"],
            user=request.user,
        )
        return Response(_payment_body(moved.payment), status=status.HTTP_201_CREATED)
