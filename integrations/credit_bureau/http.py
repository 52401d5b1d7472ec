"""The HTTP adapter: the bureau's JSON API (settings CREDIT_BUREAU_URL, CREDIT_BUREAU_TOKEN).

A registration is ``POST <url>/registrations``, a deletion ``POST <url>/deletions``, each with
the record as JSON (``BureauRecord.as_json``), ``Authorization: Bearer <token>`` and
``Idempotency-Key: <submission key>``; the answer is JSON with the bureau's ``reference``. A
bureau that honours the key files once however often a retry repeats the request. 408, 425,
429 and 5xx answers, timeouts and refused connections are temporary, as are 401 and 403 (our
credentials, not the record); other 4xx answers are permanent (the bureau refused the record).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings

from .base import (
    BureauAdapter,
    BureauRecord,
    NotConfigured,
    PermanentBureauError,
    TransientBureauError,
)

# 401 and 403: the bureau refused our credentials, not the record; once the deployment's
# token is put right the same submission goes through, so they are not permanent.
TRANSIENT_STATUSES = {401, 403, 408, 425, 429}


class HttpBureauAdapter(BureauAdapter):
    name = "http"

    def _post(self, path: str, record: BureauRecord) -> str:
        base = settings.CREDIT_BUREAU_URL.rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise NotConfigured(f"CREDIT_BUREAU_URL must be an http(s) URL, not {base!r}.")
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
            f"{base}/{path}",
            data=json.dumps(record.as_json()).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {settings.CREDIT_BUREAU_TOKEN}",
                "Idempotency-Key": record.idempotency_key,
            },
        )
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=settings.CREDIT_BUREAU_TIMEOUT
            ) as response:
                answer = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode(errors="replace")
            error = f"The credit bureau answered {exc.code}: {detail}"
            if exc.code in TRANSIENT_STATUSES or exc.code >= 500:
                raise TransientBureauError(error) from exc
            raise PermanentBureauError(error) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise TransientBureauError(f"The credit bureau could not be reached: {exc!r}") from exc
        try:
            return str(json.loads(answer)["reference"])
        except (ValueError, KeyError, TypeError) as exc:
            # Taken but unreadable: asking again with the same key is safe and tells us.
            error = f"The credit bureau's answer has no reference: {answer[:200]!r}"
            raise TransientBureauError(error) from exc

    def submit_registration(self, record: BureauRecord) -> str:
        return self._post("registrations", record)

    def submit_deletion(self, record: BureauRecord) -> str:
        return self._post("deletions", record)
