"""The v1 resources. Every viewset starts from the tenant's scoped queryset (a foreign object is
a 404 like a missing one), parses input with a serializer, calls one service and presents the
result. State changes only through the actions, which call the same services as the portal and
the scheduler."""

from __future__ import annotations

from contextlib import nullcontext

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, Throttled, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from cases.models import (
    ACTIVE_REGISTRATION_STATUSES,
    Case,
    CaseDocument,
    Claim,
    EndReason,
    Payment,
)
from cases.preview import case_preview, preview_data
from cases.rules import IncompleteProfile
from cases.selectors import case_list, profile_for
from cases.services import ClaimInput
from cases.services.case_actions import direct_payment_register
from cases.services.credit_bureau import (
    credit_bureau_deregister,
    credit_bureau_register,
    credit_bureau_warn,
)
from cases.services.documents import case_document_add, case_note_add
from cases.services.filing import DuplicateClaimError, case_file, claims_already_handed_over
from cases.services.lifecycle import case_pause, case_withdraw, dispute_open
from cases.services.messages import case_message_post
from collections_portal.tenancy import creditor_scope
from creditors.models import Creditor
from creditors.selectors import user_is_agency_staff
from debtors.models import Debtor
from debtors.selectors import debtor_list
from debtors.services import (
    LookupLimitReached,
    debtor_build,
    debtor_get_or_create,
    debtor_lookup_by_national_id,
)
from notices.models import Notice

from . import filters, serializers
from .authentication import ApiClient
from .permissions import CanChangeCreditorData
from .scoping import ScopedGenericViewSet
from .serializers_credit_bureau import (
    CreditBureauActionSerializer,
    CreditBureauDeregisterSerializer,
    CreditBureauListSerializer,
    CreditBureauRegistrationSerializer,
)

# --- Who acts -----------------------------------------------------------------------------


def actor_for(request):
    """What the timeline records as the actor: the user, or the API key by its prefix."""
    if isinstance(request.user, ApiClient):
        return f"API key {request.user.key.prefix}"
    return request.user


def user_for(request):
    """The user to record on rows with a user key; None for an API key (no person)."""
    return None if isinstance(request.user, ApiClient) else request.user


def creditor_for_write(request, named: int | None) -> Creditor:
    """The creditor a new object is for: an API key's own, a creditor user's current one, or
    the one agency staff name (required unless they have picked one in the portal)."""
    if isinstance(request.user, ApiClient):
        own = request.user.key.creditor
        if named is not None and named != own.pk:
            raise ValidationError({"creditor": _("An API key acts for its own creditor only.")})
        return own
    current = getattr(request._request, "creditor", None)
    if user_is_agency_staff(request.user):
        if named is None:
            if current is not None:
                return current
            raise ValidationError({"creditor": _("Agency staff name the creditor.")})
        creditor = Creditor.objects.filter(pk=named, is_active=True).first()
        if creditor is None:
            raise ValidationError({"creditor": _("No active creditor has this id.")})
        return creditor
    if named is not None and (current is None or named != current.pk):
        raise ValidationError({"creditor": _("You act for your current creditor only.")})
    return current


def acting_for(request, creditor: Creditor):
    """Agency staff act across creditors; a write for one creditor runs in its scope only."""
    if isinstance(request.user, ApiClient) or not user_is_agency_staff(request.user):
        return nullcontext()  # already in exactly this creditor's scope
    return creditor_scope(creditor)


class ApiViewSet(ScopedGenericViewSet):
    permission_classes = [permissions.IsAuthenticated, CanChangeCreditorData]

    def fake(self) -> bool:
        """drf-spectacular builds the schema without a request scope."""
        return getattr(self, "swagger_fake_view", False)

    def created(self, data, location: str) -> Response:
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})


ERRORS = {
    400: OpenApiResponse(serializers.ErrorSerializer, description="Invalid input"),
    404: OpenApiResponse(serializers.ErrorSerializer, description="Not found"),
    409: OpenApiResponse(serializers.ErrorSerializer, description="Refused by the rules"),
}


# --- Debtors ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List debtors"),
    retrieve=extend_schema(summary="A debtor (CPR number masked)"),
    lookup=extend_schema(
        summary="Look the creditor's debtor up by its exact CPR/CVR number",
        description=(
            "A POST, so the number never appears in a URL or an access log. It counts as "
            "seeing the full number: it needs a reason, is recorded with it, is refused to "
            "viewers and is limited per user or API key per hour (429 with Retry-After)."
        ),
        request=serializers.DebtorLookupSerializer,
        responses={
            200: serializers.DebtorLookupResultSerializer,
            400: ERRORS[400],
            403: OpenApiResponse(serializers.ErrorSerializer, description="Not allowed"),
            429: OpenApiResponse(serializers.ErrorSerializer, description="Too many look-ups"),
        },
    ),
    create=extend_schema(
        summary="Create a debtor, or find the creditor's debtor with this CPR/CVR number",
        request=serializers.DebtorCreateSerializer,
        responses={
            201: serializers.DebtorSerializer,
            200: serializers.DebtorSerializer,
            400: ERRORS[400],
            409: OpenApiResponse(
                serializers.ErrorSerializer,
                description=(
                    "debtor_conflict: the CPR/CVR is on file with another name or address; "
                    "the error names the fields and the existing debtor_id. Send debtor_id "
                    "to choose the existing debtor."
                ),
            ),
        },
    ),
)
class DebtorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = serializers.DebtorSerializer
    filterset_class = filters.DebtorFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        if self.fake():
            return Debtor.objects.none()
        return debtor_list()

    def create(self, request, *args, **kwargs):
        data = serializers.DebtorCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        details = dict(data.validated_data)
        creditor = creditor_for_write(request, details.pop("creditor", None))
        chosen = details.pop("debtor_id", None)
        with acting_for(request, creditor):
            if chosen is not None:
                debtor, created = _chosen_debtor(creditor, chosen, details), False
            else:
                debtor, created = debtor_get_or_create(
                    creditor=creditor, refuse_different=True, **details
                )
            body = serializers.DebtorSerializer(debtor, context={"request": request}).data
        location = reverse("api-debtor-detail", kwargs={"pk": debtor.pk})
        if not created:
            return Response(body, status=status.HTTP_200_OK, headers={"Location": location})
        return self.created(body, location)

    def list(self, request, *args, **kwargs):
        if "national_id" in request.query_params:
            # A query string lands in access logs and can be tried digit by digit.
            raise ValidationError(
                {
                    "national_id": _(
                        "A CPR/CVR number is not a search parameter: look the debtor up with "
                        "POST /api/v1/debtors/lookup/ and a reason."
                    )
                }
            )
        return super().list(request, *args, **kwargs)

    @action(detail=False, methods=["post"], url_path="lookup")
    def lookup(self, request):
        data = serializers.DebtorLookupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        details = data.validated_data
        creditor = creditor_for_write(request, details.get("creditor"))
        api_key = request.user.key if isinstance(request.user, ApiClient) else None
        with acting_for(request, creditor):
            try:
                debtor = debtor_lookup_by_national_id(
                    creditor=creditor,
                    national_id=details["national_id"],
                    reason=details["reason"],
                    user=user_for(request),
                    api_key=api_key,
                )
            except LookupLimitReached as exc:
                raise Throttled(wait=exc.retry_after_seconds, detail=str(exc)) from exc
            found = [debtor] if debtor is not None else []
            body = {"results": serializers.DebtorSerializer(found, many=True).data}
        return Response(body)


def _chosen_debtor(creditor: Creditor, debtor_id: int, details: dict | None) -> Debtor:
    """The existing debtor a client names after a conflict; with details, their CPR/CVR must
    be that debtor's (naming another debtor than the conflicting one is a mistake, not a
    choice)."""
    debtor = Debtor.objects.filter(pk=debtor_id, creditor=creditor).first()
    if debtor is None:
        raise ValidationError({"debtor_id": _("The creditor has no such debtor.")})
    if details and details.get("national_id"):
        try:
            given = debtor_build(creditor=creditor, **details).national_id
        except DjangoValidationError:
            given = None
        if given != debtor.national_id:
            raise ValidationError(
                {"debtor_id": _("This debtor does not have the CPR/CVR number given.")}
            )
    return debtor


# --- Cases --------------------------------------------------------------------------------


def _claim_input(data: dict) -> ClaimInput:
    return ClaimInput(
        invoice_number=data["invoice_number"],
        invoice_date=data["invoice_date"],
        due_date=data["due_date"],
        principal=data["principal"],
        description=data["description"],
        debtor_is_consumer=data["debtor_is_consumer"],
        agreed_interest_rate=data["agreed_interest_rate"],
        due_date_agreed=data["due_date_agreed"],
        demand_sent_on=data["demand_sent_on"],
    )


@extend_schema_view(
    list=extend_schema(summary="List cases"),
    retrieve=extend_schema(
        summary="A case with its balance per component, timeline and notices",
        responses={200: serializers.CaseDetailSerializer, 404: ERRORS[404]},
    ),
    create=extend_schema(
        summary="File a case with its claims, for a debtor given by details or id",
        description=(
            "Each claim's invoice number is unique per creditor: an invoice handed over "
            "before is refused with 409 naming the claim, so a retried upload never doubles a "
            "case. Send an Idempotency-Key to have the first response replayed instead."
        ),
        request=serializers.CaseCreateSerializer,
        responses={
            201: serializers.CaseDetailSerializer,
            400: ERRORS[400],
            409: OpenApiResponse(
                serializers.ErrorSerializer,
                description=(
                    "An invoice was handed over before (duplicate), or the debtor's CPR/CVR "
                    "is on file with another name or address (debtor_conflict: send "
                    "debtor_id to file for the existing debtor)"
                ),
            ),
        },
    ),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    filterset_class = filters.CaseFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        if self.fake():
            return Case.objects.none()
        cases = case_list().prefetch_related("claims")
        if self.action in ("retrieve", "create"):
            cases = cases.prefetch_related("disputes", "documents")
        return cases

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.CaseSerializer
        return serializers.CaseDetailSerializer

    def detail_response(self, case: Case, code: int = status.HTTP_200_OK) -> Response:
        case = self.get_queryset().get(pk=case.pk)
        body = serializers.CaseDetailSerializer(case, context=self.get_serializer_context()).data
        if code == status.HTTP_201_CREATED:
            return self.created(body, reverse("api-case-detail", kwargs={"pk": case.pk}))
        return Response(body, status=code)

    def create(self, request, *args, **kwargs):
        data = serializers.CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        creditor = creditor_for_write(request, fields.get("creditor"))
        if fields.get("currency", creditor.currency) != creditor.currency:
            raise ValidationError(
                {
                    "currency": _("This creditor's cases are in %(currency)s.")
                    % {"currency": creditor.currency}
                }
            )
        with acting_for(request, creditor):
            debtor = None
            if "debtor_id" in fields:
                debtor = _chosen_debtor(creditor, fields["debtor_id"], fields.get("debtor"))
            case = case_file(
                creditor=creditor,
                claims=[_claim_input(c) for c in fields["claims"]],
                debtor=debtor,
                debtor_details=None if debtor else fields.get("debtor"),
                creditor_reference=fields["creditor_reference"],
                creditor_reminder_dates=fields["creditor_reminder_dates"],
                creditor_warning_sent_on=fields["creditor_warning_sent_on"],
                user=user_for(request),
            )
            return self.detail_response(case, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Preview a case's whole future before filing it; nothing is created",
        description=(
            "The same body as POST /api/v1/cases/. Answers every step the scheduler would "
            "take if the case were filed today and never paid (reminders per the creditor's "
            "policy, the collection warning, the handover, collection, monitoring), each with "
            "its date, what the debtor would owe that day, and every fee, interest period and "
            "cost with its rule and explanation."
        ),
        request=serializers.CaseCreateSerializer,
        responses={200: OpenApiTypes.OBJECT, 400: ERRORS[400], 409: ERRORS[409]},
    )
    @action(detail=False, methods=["post"], url_path="preview")
    def preview(self, request):
        data = serializers.CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        creditor = creditor_for_write(request, fields.get("creditor"))
        claims = [_claim_input(c) for c in fields["claims"]]
        with acting_for(request, creditor):
            # Read-only checks only: what filing would refuse, the preview refuses too.
            if "debtor_id" in fields:
                _chosen_debtor(creditor, fields["debtor_id"], fields.get("debtor"))
            else:
                try:
                    debtor_build(creditor=creditor, **fields["debtor"])
                except DjangoValidationError as exc:
                    raise ValidationError(
                        {f"debtor.{k}": v for k, v in exc.message_dict.items()}
                    ) from exc
            duplicates = claims_already_handed_over(creditor=creditor, claims=claims)
            if duplicates:
                raise DuplicateClaimError(duplicates)
            result = case_preview(
                creditor=creditor,
                claims=claims,
                creditor_reminder_dates=fields["creditor_reminder_dates"],
                creditor_warning_sent_on=fields["creditor_warning_sent_on"],
            )
        return Response(preview_data(result))

    @extend_schema(
        summary="Withdraw the case (the creditor takes it back)",
        request=serializers.WithdrawSerializer,
        responses={200: serializers.CaseDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        case = self.get_object()
        data = _parse(serializers.WithdrawSerializer, request)
        case = case_withdraw(case=case, actor=actor_for(request), message=data["message"])
        return self.detail_response(case)

    @extend_schema(
        summary="Pause the case until a date: no step is taken before it",
        request=serializers.PauseSerializer,
        responses={200: serializers.CaseDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        case = self.get_object()
        data = _parse(serializers.PauseSerializer, request)
        case_pause(case=case, until=data["until"], actor=actor_for(request), reason=data["reason"])
        return self.detail_response(case)

    @extend_schema(
        summary="Report a payment the debtor made directly to the creditor",
        request=serializers.DirectPaymentSerializer,
        responses={201: serializers.PaymentSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="direct-payments")
    def direct_payments(self, request, pk=None):
        case = self.get_object()
        data = _parse(serializers.DirectPaymentSerializer, request)
        claim = None
        if data["designated_claim"] is not None:
            claim = Claim.objects.filter(pk=data["designated_claim"], case=case).first()
            if claim is None:
                raise ValidationError({"designated_claim": _("The claim is not on this case.")})
        # A closed or withdrawn case refuses it (409), as on the case page. The API takes an
        # amount above the balance as confirmed: an integration reports what was paid.
        payment = direct_payment_register(
            case=case,
            amount=data["amount"],
            received_on=data["received_on"],
            reference=data["payer_reference"],
            confirm_overpayment=True,
            designated_claim=claim,
            user=user_for(request),
        )
        body = serializers.PaymentSerializer(payment).data
        return self.created(body, reverse("api-payment-detail", kwargs={"pk": payment.pk}))

    @extend_schema(
        summary="Open a dispute: reminders, fees and escalation stop until a person answers",
        request=serializers.DisputeOpenSerializer,
        responses={201: serializers.DisputeSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def disputes(self, request, pk=None):
        case = self.get_object()
        data = _parse(serializers.DisputeOpenSerializer, request)
        dispute = dispute_open(
            case=case,
            reason=data["reason"],
            debtor_statement=data["debtor_statement"],
            actor=actor_for(request),
        )
        body = serializers.DisputeSerializer(dispute).data
        return self.created(body, reverse("api-case-detail", kwargs={"pk": case.pk}))

    @extend_schema(
        summary="Write a note on the case's timeline",
        request=serializers.NoteSerializer,
        responses={201: serializers.CaseEventSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        case = self.get_object()
        data = _parse(serializers.NoteSerializer, request)
        event = case_note_add(case=case, text=data["text"], actor=actor_for(request))
        body = serializers.CaseEventSerializer(event).data
        return self.created(body, reverse("api-case-detail", kwargs={"pk": case.pk}))

    @extend_schema(
        methods=["GET"],
        summary="The case's messages between the creditor and the agency, oldest first",
        description="Reading them here does not mark them read (people read them in the portal).",
        responses={200: serializers.CaseMessageListSerializer, 404: ERRORS[404]},
    )
    @extend_schema(
        methods=["POST"],
        summary="Write a message to the agency on the case",
        description=(
            "From the creditor's side (agency staff with a session: from the agency's); on the "
            "case's timeline, and e-mailed to those who asked for it."
        ),
        request=serializers.MessageCreateSerializer,
        responses={201: serializers.CaseMessageSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"])
    def messages(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            thread = case.messages.order_by("created_at", "pk")
            return Response({"results": serializers.CaseMessageSerializer(thread, many=True).data})
        data = _parse(serializers.MessageCreateSerializer, request)
        message = case_message_post(case=case, author=actor_for(request), body=data["body"])
        body = serializers.CaseMessageSerializer(message).data
        return self.created(body, reverse("api-case-messages", kwargs={"pk": case.pk}))

    @extend_schema(
        summary="Attach a document (multipart upload)",
        request={"multipart/form-data": serializers.DocumentUploadSerializer},
        responses={201: serializers.CaseDocumentSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def documents(self, request, pk=None):
        case = self.get_object()
        data = _parse(serializers.DocumentUploadSerializer, request)
        document = case_document_add(
            case=case, file=data["file"], description=data["description"], actor=actor_for(request)
        )
        body = serializers.CaseDocumentSerializer(
            document, context=self.get_serializer_context()
        ).data
        return self.created(body, reverse("api-document-detail", kwargs={"pk": document.pk}))

    # --- Credit-bureau registration (RKI and similar) -------------------------------------

    def _bureau(self, case: Case, data: dict) -> str:
        profile = profile_for(case, timezone.localdate())
        try:
            profile.credit_bureau(data["bureau"])
        except IncompleteProfile as exc:
            raise ValidationError(
                {"bureau": _("No such credit bureau for this case's jurisdiction.")}
            ) from exc
        return data["bureau"]

    def _bureau_list(self, case: Case, code: int = status.HTTP_200_OK) -> Response:
        rows = case.credit_bureau_registrations.order_by("-created_at", "-pk")
        body = {"results": CreditBureauRegistrationSerializer(rows, many=True).data}
        return Response(body, status=code)

    @extend_schema(
        summary="The case's credit-bureau registrations (warned, registered, deleted)",
        responses={200: CreditBureauListSerializer, 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get"], url_path="credit-bureau")
    def credit_bureau(self, request, pk=None):
        return self._bureau_list(self.get_object())

    @extend_schema(
        summary="Send the letter warning the debtor of a credit-bureau registration",
        description=(
            "Refused (409) where the registration itself would be: a disputed claim, data "
            "older than five years, a case not in collection, an amount at or below the "
            "bureau's minimum. Warning again while a warning or registration is active "
            "changes nothing."
        ),
        request=CreditBureauActionSerializer,
        responses={
            201: CreditBureauRegistrationSerializer,
            200: OpenApiResponse(
                CreditBureauRegistrationSerializer, description="Warned before: nothing sent"
            ),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["post"], url_path="credit-bureau/warn")
    def credit_bureau_warn(self, request, pk=None):
        case = self.get_object()
        bureau = self._bureau(case, _parse(CreditBureauActionSerializer, request))
        active = case.credit_bureau_registrations.filter(
            bureau=bureau, status__in=ACTIVE_REGISTRATION_STATUSES
        ).exists()
        registration = credit_bureau_warn(case=case, bureau=bureau, actor=actor_for(request))
        body = CreditBureauRegistrationSerializer(registration).data
        if active:  # warned before: nothing was sent now
            return Response(body)
        return self.created(body, reverse("api-case-credit-bureau", kwargs={"pk": case.pk}))

    @extend_schema(
        summary="Register the case's debt with the bureau (after the warning's days)",
        description="409 with the reason when a precondition fails; registering twice "
        "changes nothing.",
        request=CreditBureauActionSerializer,
        responses={200: CreditBureauRegistrationSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="credit-bureau/register")
    def credit_bureau_register(self, request, pk=None):
        case = self.get_object()
        bureau = self._bureau(case, _parse(CreditBureauActionSerializer, request))
        registration = credit_bureau_register(
            case=case, bureau=bureau, actor=actor_for(request), user=user_for(request)
        )
        return Response(CreditBureauRegistrationSerializer(registration).data)

    @extend_schema(
        summary="Delete the registration at the bureau (or let an announced one lapse)",
        request=CreditBureauDeregisterSerializer,
        responses={200: CreditBureauListSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="credit-bureau/deregister")
    def credit_bureau_deregister(self, request, pk=None):
        case = self.get_object()
        data = _parse(CreditBureauDeregisterSerializer, request)
        bureau = self._bureau(case, data)
        credit_bureau_deregister(
            case=case,
            reason=EndReason.DECIDED,
            bureau=bureau,
            actor=actor_for(request),
            message=data["note"],
        )
        return self._bureau_list(case)


def _parse(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


# --- Payments, notices, documents ---------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List payments"),
    retrieve=extend_schema(summary="A payment"),
)
class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = serializers.PaymentSerializer
    filterset_class = filters.PaymentFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        if self.fake():
            return Payment.objects.none()
        return Payment.objects.all()


PDF_RESPONSES = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF"),
    404: OpenApiResponse(
        serializers.ErrorSerializer,
        description="No such notice, or not rendered yet (code `not_rendered`)",
    ),
}


@extend_schema_view(
    list=extend_schema(summary="List notices (letters)"),
    retrieve=extend_schema(summary="A notice"),
)
class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = serializers.NoticeSerializer
    filterset_class = filters.NoticeFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        if self.fake():
            return Notice.objects.none()
        return Notice.objects.all()

    @extend_schema(summary="Download the notice's PDF", responses=PDF_RESPONSES)
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        notice = self.get_object()
        if not notice.pdf:
            raise NotFound(
                _(
                    "Notice %(id)s has not been rendered yet (status: %(status)s); "
                    "its PDF is available once rendered."
                )
                % {"id": notice.pk, "status": notice.status},
                code="not_rendered",
            )
        return FileResponse(
            notice.pdf.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"{notice.case.number}-{notice.kind}-{notice.sequence}.pdf",
        )


@extend_schema_view(
    list=extend_schema(summary="List documents on cases"),
    retrieve=extend_schema(summary="A document's details"),
)
class CaseDocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = serializers.CaseDocumentSerializer
    filterset_class = filters.CaseDocumentFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        if self.fake():
            return CaseDocument.objects.none()
        return CaseDocument.objects.all()

    @extend_schema(
        summary="Download the document",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            404: ERRORS[404],
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        document = self.get_object()
        return FileResponse(
            document.file.open("rb"),
            content_type=document.content_type,
            as_attachment=True,
            filename=document.filename,
        )
