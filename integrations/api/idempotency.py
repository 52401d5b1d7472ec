"""Idempotency for every POST under /api/v1/: the ``Idempotency-Key`` header.

A client that sends ``Idempotency-Key: <up to 255 characters>`` with a POST may retry it
safely:

* the same key with the same request (method, path, query and body) replays the first
  response -- status, body and headers such as ``Location`` -- with ``Idempotent-Replayed:
  true``, and nothing is created again;
* the same key with a different request is refused with 422;
* a response that is not a success (a validation error, a refusal, a server error) is not
  kept, so a corrected retry with the same key runs normally;
* two concurrent requests with the same key never both run: the record is inserted first,
  in the request's transaction, so the second waits on the unique index until the first
  commits (and then replays its response) or rolls back (and then runs itself).

The middleware wraps the view in one database transaction together with the record, so a
crash between "created" and "recorded" cannot happen. Keys are per client: an API key's and
a user's keys never collide. Records expire after ``API_IDEMPOTENCY_TTL_HOURS``; the task
``api.idempotency_cleanup`` deletes the expired ones.

Every endpoint under /api/v1/ gets this without doing anything, including the ones other
apps mount there.
"""

from __future__ import annotations

import hashlib
import tempfile
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.http import parse_header_parameters
from rest_framework import authentication

from creditors.models import ApiKey

from .errors import error_body
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
API_PREFIX = "/api/v1/"
# Headers the replay does not copy: they belong to the connection or the moment.
_NOT_REPLAYED = {"set-cookie", "date", "content-length", "vary"}
_CHUNK = 64 * 1024


def _client_of(request: HttpRequest) -> str | None:
    """Who the key belongs to: the API key's id (a key acts for one creditor), or the signed-in
    user's with the creditor they act for now (``agency`` for staff who picked none); None if
    unknown.

    An unknown or revoked key gives None: the view then answers 401 and nothing is kept.
    """
    header = authentication.get_authorization_header(request).split()
    if header and header[0].lower() == b"bearer":
        if len(header) != 2:
            return None
        try:
            raw = header[1].decode()
        except UnicodeDecodeError:
            return None
        key = _active_key(raw)
        return f"key:{key.pk}" if key is not None else None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Set by the tenancy middleware, which runs before this one.
        creditor = getattr(request, "creditor", None)
        return f"user:{user.pk}:creditor:{creditor.pk if creditor is not None else 'agency'}"
    return None


class BodyTooLarge(Exception):
    pass


def _body_limit(request: HttpRequest) -> int | None:
    """The largest body the endpoint takes, so the fingerprint never spools more than that."""
    if request.path.startswith(f"{API_PREFIX}imports/"):
        return settings.IMPORT_MAX_UPLOAD_BYTES
    form_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if _multipart_boundary(request) is not None:
        # A document upload: the file itself, plus the form's other fields.
        return settings.CASE_DOCUMENT_MAX_BYTES + (form_limit or 0) + 64 * 1024
    return form_limit


def _active_key(raw: str) -> ApiKey | None:
    from creditors.services import api_key_authenticate

    return api_key_authenticate(raw)


def _fingerprint(request: HttpRequest) -> str:
    """SHA-256 over method, path, query and body, read in chunks.

    The body is copied to a spooled temporary file (memory up to 1 MB, then disk) that
    becomes the request's stream, so the view reads it as if nothing had happened and an
    upload of any size is never held in memory at once.
    """
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b"\n")
    digest.update(request.path.encode() + b"\n")
    digest.update(request.META.get("QUERY_STRING", "").encode() + b"\n")
    digest.update(request.META.get("CONTENT_TYPE", "").split(";")[0].strip().encode() + b"\n")
    limit = _body_limit(request)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if limit is not None and declared > limit:
        raise BodyTooLarge
    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 - the request owns it
    total = 0
    boundary = _multipart_boundary(request)
    # A client picks a new multipart boundary for every request, its retries included: the
    # boundary is left out of the fingerprint, so the same form is the same request. A
    # boundary may straddle two chunks, so the last len(boundary) - 1 bytes wait for the next.
    keep = len(boundary) - 1 if boundary else 0
    carry = b""
    while chunk := request._stream.read(_CHUNK):
        total += len(chunk)
        if limit is not None and total > limit:
            spool.close()
            raise BodyTooLarge
        spool.write(chunk)
        if not boundary:
            digest.update(chunk)
            continue
        data = (carry + chunk).replace(boundary, b"")
        carry = data[-keep:] if keep else b""
        digest.update(data[: len(data) - len(carry)])
    digest.update(carry)
    spool.seek(0)
    request._stream = spool
    request._idempotency_spool = spool  # closed with the request
    return digest.hexdigest()


def _multipart_boundary(request: HttpRequest) -> bytes | None:
    content_type, params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
    if content_type != "multipart/form-data" or not params.get("boundary"):
        return None
    return params["boundary"].encode()


def _error(status: int, code: str, message: str, field: str | None = None) -> JsonResponse:
    fields = [{"field": field, "code": code, "message": message}] if field else []
    return JsonResponse(error_body(status, code, message, fields), status=status)


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body), status=record.response_status)
    for name, value in record.response_headers:
        response[name] = value
    response[REPLAY_HEADER] = "true"
    return response


class IdempotencyMiddleware:
    """Applies the ``Idempotency-Key`` rules to POSTs under /api/v1/ (see the module text).

    Sits after the authentication and tenancy middleware: a session user must be known.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        key = request.headers.get(HEADER)
        if key is None:
            return self.get_response(request)
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            return _error(
                400,
                "invalid",
                f"The {HEADER} header must be 1 to {MAX_KEY_LENGTH} characters long.",
                field=HEADER,
            )
        client = _client_of(request)
        if client is None:
            return self.get_response(request)  # the view answers 401
        try:
            fingerprint = _fingerprint(request)
        except BodyTooLarge:
            return _error(
                413, "too_large", "The request body is larger than this endpoint accepts."
            )
        except OSError:
            return self.get_response(request)
        return self._handle(request, client=client, key=key, fingerprint=fingerprint)

    def _handle(self, request, *, client: str, key: str, fingerprint: str) -> HttpResponse:
        now = timezone.now()
        ttl = timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)
        with transaction.atomic():
            # An expired record is forgotten: the key may be used afresh.
            IdempotencyRecord.objects.filter(client=client, key=key, expires_at__lte=now).delete()
            try:
                with transaction.atomic():
                    # Insert first: a concurrent request with this key blocks here until this
                    # transaction ends, then sees the committed record (or none).
                    record = IdempotencyRecord.objects.create(
                        client=client,
                        key=key,
                        request_hash=fingerprint,
                        method=request.method,
                        path=request.path[:2000],
                        expires_at=now + ttl,
                    )
            except IntegrityError:
                record = None
            if record is None:
                existing = IdempotencyRecord.objects.get(client=client, key=key)
                if existing.request_hash != fingerprint:
                    return _error(
                        422,
                        "idempotency_key_reused",
                        f"This {HEADER} was used for a different request. Use a new key for "
                        "a new request.",
                        field=HEADER,
                    )
                return _replay(existing)
            response = self.get_response(request)
            if not 200 <= response.status_code < 300 or response.streaming:
                # Not kept: the request's own changes and the record are rolled back together,
                # and a corrected retry with the same key runs afresh.
                transaction.set_rollback(True)
                return response
            record.response_status = response.status_code
            record.response_headers = [
                [name, value]
                for name, value in response.headers.items()
                if name.lower() not in _NOT_REPLAYED
            ]
            record.response_body = response.content
            record.save(update_fields=["response_status", "response_headers", "response_body"])
        return response


def idempotency_records_delete_expired(*, now=None) -> int:
    """Delete the records past their expiry; returns how many."""
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
