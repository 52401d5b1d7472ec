"""One JSON shape for every API error, naming the field.

    {"error": {"status": 400, "code": "invalid", "message": "...",
               "fields": [{"field": "claims[0].amount", "code": "invalid", "message": "..."}]}}

Domain refusals (``CaseError``) are 409 Conflict with the service's reason as the message; an
invoice handed over before (``DuplicateClaimError``) is 409 naming each duplicate claim.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cases.rules.profiles import UnknownProfile
from cases.services.errors import CaseError


def _flatten(detail, prefix: str = "") -> list[dict]:
    """DRF's nested error detail as a flat list of {field, code, message}."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            if key == "non_field_errors":
                name = prefix
            elif isinstance(key, int):  # a list serializer's errors, keyed by position
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else key
            out.extend(_flatten(value, name))
        return out
    if isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail | str) for item in detail):
            return [_entry(prefix, item) for item in detail]
        out = []
        for index, item in enumerate(detail):
            if item:
                out.extend(_flatten(item, f"{prefix}[{index}]"))
        return out
    return [_entry(prefix, detail)]


def _entry(field: str, item) -> dict:
    return {
        "field": field or None,
        "code": getattr(item, "code", "invalid"),
        "message": str(item),
    }


def error_body(status_code: int, code: str, message: str, fields: list[dict] | None = None):
    return {
        "error": {"status": status_code, "code": code, "message": message, "fields": fields or []}
    }


def exception_handler(exc, context):
    from cases.services.filing import DuplicateClaimError
    from debtors.services import DebtorConflict

    if isinstance(exc, DuplicateClaimError):
        fields = [
            {
                "field": f"claims[{index}].invoice_number",
                "code": "duplicate",
                "message": (
                    f"Invoice {claim.invoice_number} has already been handed over "
                    f"(case {claim.case.reference})."
                ),
            }
            for index, claim in exc.duplicates.items()
        ]
        return Response(
            error_body(status.HTTP_409_CONFLICT, "duplicate", str(exc), fields),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DebtorConflict):
        # The differing fields and the existing debtor's id; the CPR/CVR itself is never
        # echoed (the client sent it, and a response may end up in a log).
        body = error_body(
            status.HTTP_409_CONFLICT,
            "debtor_conflict",
            str(exc),
            [
                {
                    "field": f"debtor.{field}",
                    "code": "differs",
                    "message": f"On file: {on_file!r}; given: {given!r}.",
                }
                for field, (on_file, given) in exc.differences.items()
            ],
        )
        body["error"]["debtor_id"] = exc.existing.pk
        body["error"]["differing_fields"] = list(exc.differences)
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, UnknownProfile):
        # A date before the first jurisdiction profile (or for a jurisdiction without one):
        # the rules cannot say what applies, so the step is refused, not guessed.
        return Response(
            error_body(status.HTTP_409_CONFLICT, "no_rules", str(exc)),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, CaseError):
        return Response(
            error_body(status.HTTP_409_CONFLICT, "refused", str(exc)),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, RequestDataTooBig):
        # Django's own limit on a request body (DATA_UPLOAD_MAX_MEMORY_SIZE): the API's error
        # shape, not Django's HTML page.
        return Response(
            error_body(
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                "too_large",
                "The request body is larger than this endpoint accepts.",
            ),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        # Django refused to parse the request (too many fields, a malformed multipart body).
        return Response(
            error_body(status.HTTP_400_BAD_REQUEST, "bad_request", "The request is malformed."),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = "; ".join(
            f"{f['field']}: {f['message']}" if f["field"] else f["message"] for f in fields
        )
        response.data = error_body(response.status_code, "invalid", message, fields)
    else:
        detail = getattr(exc, "detail", str(exc))
        code = detail.code if isinstance(detail, exceptions.ErrorDetail) else "error"
        response.data = error_body(response.status_code, code, str(detail))
    return response
