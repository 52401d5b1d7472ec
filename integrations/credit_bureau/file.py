"""The file adapter: one record file per submission in CREDIT_BUREAU_OUTBOX.

A bureau's transfer agent (SFTP pick-up) collects the directory. Each file is named
``<action>-<idempotency key>.csv`` and holds two lines, UTF-8, ``;``-separated, CRLF:

    record_type;key;bureau;register;creditor_cvr;creditor_name;case_number;debtor_id_type;
    debtor_id;debtor_name;debtor_address;debtor_postal_code;debtor_city;amount;currency;
    oldest_due_date;registered_on;deleted_on;deletion_reason

``record_type`` is ``R`` (registration) or ``D`` (deletion); amounts have two decimals and a
point; dates are ISO 8601; an empty field is absent. The file is written under a hidden
temporary name (``.<name>.<random>.tmp``, for the agent to ignore) and renamed into place,
so the agent never sees half a file; since the name is the submission's key, writing it
again after a crash finds it and adds nothing.
"""

from __future__ import annotations

import csv
import io
import os
import uuid
from pathlib import Path

from django.conf import settings

from .base import BureauAdapter, BureauRecord, NotConfigured, TransientBureauError

COLUMNS = (
    "record_type",
    "key",
    "bureau",
    "register",
    "creditor_cvr",
    "creditor_name",
    "case_number",
    "debtor_id_type",
    "debtor_id",
    "debtor_name",
    "debtor_address",
    "debtor_postal_code",
    "debtor_city",
    "amount",
    "currency",
    "oldest_due_date",
    "registered_on",
    "deleted_on",
    "deletion_reason",
)


def record_path(record: BureauRecord) -> Path:
    return Path(settings.CREDIT_BUREAU_OUTBOX) / f"{record.action}-{record.idempotency_key}.csv"


def record_lines(record: BureauRecord) -> bytes:
    data = record.as_json()
    data["record_type"] = "R" if record.action == "register" else "D"
    data["key"] = record.idempotency_key
    row = ["" if data.get(column) is None else str(data[column]) for column in COLUMNS]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def read_record(path: Path) -> dict:
    """A record file as a dict (for the bureau's side, and tests)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    return dict(zip(rows[0], rows[1], strict=True))


class FileBureauAdapter(BureauAdapter):
    name = "file"

    def _write(self, record: BureauRecord) -> str:
        if not settings.CREDIT_BUREAU_OUTBOX:
            raise NotConfigured("CREDIT_BUREAU_OUTBOX is empty.")
        path = record_path(record)
        if path.exists():
            return record.idempotency_key  # written by an earlier, cut-off attempt
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # A name of its own per writer: two workers never write into one temporary file.
            temporary = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.tmp")
            with temporary.open("wb") as handle:
                handle.write(record_lines(record))
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(path)
        except OSError as exc:
            raise TransientBureauError(f"The outbox could not be written: {exc}") from exc
        return record.idempotency_key

    def submit_registration(self, record: BureauRecord) -> str:
        return self._write(record)

    def submit_deletion(self, record: BureauRecord) -> str:
        return self._write(record)
