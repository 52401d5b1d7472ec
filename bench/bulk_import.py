"""Benchmark: a bulk upload of invoices through the HTTP API against raw COPY of the same rows.

    .venv/bin/python bench/bulk_import.py [--invoices 100000] [--db inkasso_bench_import]
                                          [--format csv|json] [--profile]

Uses its own database (dropped and created again on every run), starts a real gunicorn server
and a real Celery worker against it (on a queue of their own), generates the invoices (valid
CPR and CVR numbers, e-mail addresses and phone numbers; about 0.7 debtors per invoice),
uploads them with an API key, polls the job until it finishes, and prints invoices per second
beside ``COPY`` of the same file into a plain table with the same columns, measured in the
same run, and the ratio.

``--profile`` starts no worker: after the upload the bench processes the job itself under
pyinstrument and prints where the time went.
"""

# ruff: noqa: E402 - the path fix below must run before the imports
from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder is first on sys.path, where bench/queue.py would shadow
# the standard library's queue module (psycopg and Celery import it): the project root takes
# the folder's place.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse
import csv
import io
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from datetime import date, timedelta

import psycopg

from bench.scheduler import SERVER, cvr, recreate_database, setup_django

COLUMNS = [
    "debtor_name",
    "debtor_national_id",
    "debtor_address",
    "debtor_postal_code",
    "debtor_city",
    "debtor_email",
    "debtor_phone",
    "invoice_number",
    "invoice_date",
    "due_date",
    "amount",
    "description",
]
RAW_TABLE = """
CREATE TABLE raw_invoice (
    debtor_name varchar(200), debtor_national_id varchar(20), debtor_address varchar(200),
    debtor_postal_code varchar(10), debtor_city varchar(100), debtor_email varchar(254),
    debtor_phone varchar(254), invoice_number varchar(100), invoice_date date, due_date date,
    amount numeric(14, 2), description varchar(300)
)
"""


def cpr(n: int) -> str:
    born = date(1950, 1, 1) + timedelta(days=n % 18_000)
    return f"{born:%d%m%y}{(n // 18_000) % 4_000:04d}"


def phones(count: int) -> list[str]:
    """Valid Danish numbers (phonenumbers' own idea of valid), as people type them."""
    import phonenumbers

    out: list[str] = []
    candidate = 20_100_000
    while len(out) < count:
        text = str(candidate)
        if phonenumbers.is_valid_number(phonenumbers.parse(text, "DK")):
            out.append(f"{text[:2]} {text[2:4]} {text[4:6]} {text[6:]}")
        candidate += 1
    return out


def generate(invoices: int) -> list[list[str]]:
    debtors = max(int(invoices * 0.7), 1)
    numbers = phones(debtors)
    start = date(2026, 1, 5)
    rows = []
    for i in range(invoices):
        d = i % debtors
        company = d % 10 == 3
        invoice_day = start + timedelta(days=i % 250)
        rows.append(
            [
                f"Firma {d} ApS" if company else f"Debitor Nummer {d}",
                cvr(d + 100) if company else cpr(d + 7),
                f"Testvej {d % 200 + 1}, {d % 5 + 1}. sal",
                f"{1000 + d % 8900}",
                "Testby",
                f"debitor{d}@example.dk",
                numbers[d],
                f"INV-{i:08d}",
                invoice_day.isoformat(),
                (invoice_day + timedelta(days=14)).isoformat(),
                f"{100 + (i * 7919) % 25_000}.{i % 100:02d}",
                f"Levering af varer, ordre {i}",
            ]
        )
    return rows


def to_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def to_json(rows: list[list[str]]) -> bytes:
    return json.dumps([dict(zip(COLUMNS, r, strict=True)) for r in rows]).encode()


def raw_copy_seconds(db_name: str, body: bytes) -> float:
    """COPY the same CSV bytes into a plain table (no keys, no indexes), committed."""
    with psycopg.connect(f"{SERVER}/{db_name}") as conn:
        conn.execute(RAW_TABLE)
        conn.commit()
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            cursor.copy(
                "COPY raw_invoice FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ';')"
            ) as copy,
        ):
            copy.write(body)
        conn.commit()
        seconds = time.perf_counter() - started
        count = conn.execute("SELECT count(*) FROM raw_invoice").fetchone()[0]
        assert count == body.count(b"\n") - 1, count
    return seconds


# The tables an import writes, in an order their foreign keys allow.
IMPORT_TABLES = [
    "debtors_debtor",
    "debtors_contactpoint",
    "cases_case",
    "cases_claim",
    "cases_ledgerentry",
    "imports_importjob",
    "imports_importchunk",
]


def floor_copy_seconds(db_name: str, floor_db: str) -> tuple[float, int]:
    """The floor of any import into this schema: COPY the rows the import made, as they are,
    into the same (empty) tables of a copy of the database taken before the import, with all
    their keys, indexes, checks and foreign keys, committed. Returns (seconds, rows)."""
    dumps = []
    with psycopg.connect(f"{SERVER}/{db_name}") as source:
        for table in IMPORT_TABLES:
            buffer = bytearray()
            with source.cursor().copy(f"COPY {table} TO STDOUT (FORMAT binary)") as copy:
                for piece in copy:
                    buffer += piece
            rows = source.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            dumps.append((table, bytes(buffer), rows))
    with psycopg.connect(f"{SERVER}/{floor_db}") as target:
        started = time.perf_counter()
        for table, data, rows in dumps:
            step = time.perf_counter()
            with target.cursor().copy(f"COPY {table} FROM STDIN (FORMAT binary)") as copy:
                copy.write(data)
            print(f"  floor {table:<24} {rows:>8,} rows {time.perf_counter() - step:6.2f} s")
        step = time.perf_counter()
        target.commit()  # the deferred foreign-key checks run here
        print(f"  floor commit (deferred FK checks)      {time.perf_counter() - step:6.2f} s")
        seconds = time.perf_counter() - started
    return seconds, sum(rows for _t, _d, rows in dumps)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - our own local server
            return
        except urllib.error.HTTPError:
            return  # it answers (401 without a key)
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def request(method: str, url: str, key: str, body: bytes | None = None, content_type=None):
    req = urllib.request.Request(url, data=body, method=method)  # noqa: S310
    req.add_header("Authorization", f"Bearer {key}")
    if content_type:
        req.add_header("Content-Type", content_type)
    with urllib.request.urlopen(req, timeout=600) as response:  # noqa: S310
        return response.status, json.loads(response.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--db", default="inkasso_bench_import")
    parser.add_argument("--format", choices=["csv", "json"], default="csv")
    parser.add_argument("--profile", action="store_true", help="process in-process, profiled")
    args = parser.parse_args()

    recreate_database(args.db)
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    media = Path(f"/tmp/{args.db}-media")  # noqa: S108 - the bench's own scratch folder
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{args.db}",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "MEDIA_ROOT": str(media),
        # Production settings: DEBUG keeps every query's text in memory.
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-" + uuid.uuid4().hex,
        "SECURE_SSL_REDIRECT": "0",
        "API_RATE_LIMIT": "100000/min",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    setup_django(args.db)

    from collections_portal.tenancy import creditor_scope
    from creditors.models import Creditor
    from creditors.services import api_key_create

    creditor = Creditor.objects.create(
        name="Bench Import A/S", cvr=cvr(1), address_line="Bench 1", postal_code="2100",
        city="København Ø",
    )  # fmt: skip
    _key, raw_key = api_key_create(creditor=creditor, name="bench")

    # A copy of the empty, migrated database, for the floor measurement at the end.
    from django.db import connection

    floor_db = f"{args.db}_floor"
    connection.close()
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{floor_db}"')
        admin.execute(f'CREATE DATABASE "{floor_db}" TEMPLATE "{args.db}"')

    print(f"generating {args.invoices:,} invoices ...", flush=True)
    rows = generate(args.invoices)
    csv_body = to_csv(rows)
    body = csv_body if args.format == "csv" else to_json(rows)
    content_type = "text/csv" if args.format == "csv" else "application/json"
    print(f"upload: {len(body) / 1e6:.1f} MB of {args.format}", flush=True)

    copy_seconds = raw_copy_seconds(args.db, csv_body)

    port = free_port()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "collections_portal.wsgi", "-b",
             f"127.0.0.1:{port}", "-w", "2", "--timeout", "600", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )
    ]  # fmt: skip
    if not args.profile:
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "collections_portal", "worker",
                 "--pool=solo", "--without-gossip", "--without-mingle", "--loglevel=WARNING",
                 "-Q", queue, "-n", f"{queue}@%h"],
                cwd=ROOT, env=env,
            )
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/api/v1/imports/")
        time.sleep(3 if not args.profile else 0)  # let the worker connect to the broker
        started = time.perf_counter()
        status, job = request("POST", f"{base}/api/v1/imports/", raw_key, body, content_type)
        accepted_after = time.perf_counter() - started
        assert status == 202, (status, job)
        if args.profile:
            from pyinstrument import Profiler

            from integrations.imports.models import ImportJob
            from integrations.imports.services import import_job_process

            with creditor_scope(creditor):
                job_id = ImportJob.objects.get(public_id=job["id"]).pk
                profiler = Profiler(interval=0.002)
                profiler.start()
                import_job_process(job_id=job_id)
                profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        while job["status"] not in ("finished", "failed"):
            time.sleep(0.05)
            _status, job = request("GET", job["links"]["self"], raw_key)
        total = time.perf_counter() - started
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)
    assert job["status"] == "finished", job
    assert job["rows_accepted"] == args.invoices, job

    with creditor_scope(creditor):
        from cases.models import Case, Claim, LedgerEntry
        from debtors.models import Debtor

        counts = (
            Debtor.objects.count(), Case.objects.count(), Claim.objects.count(),
            LedgerEntry.objects.count(), Case.objects.filter(next_action_at__isnull=False).count(),
        )  # fmt: skip
    floor_seconds, floor_rows = floor_copy_seconds(args.db, floor_db)
    print(f"invoices               {args.invoices:>10,}")
    print(f"debtors/cases/claims/ledger/scheduled  {' / '.join(f'{c:,}' for c in counts)}")
    copy_rate = args.invoices / copy_seconds
    print(f"raw COPY               {copy_seconds:>10.2f} s  {copy_rate:>10,.0f} /s")
    print(f"HTTP 202 after         {accepted_after:>10.2f} s")
    print(f"import (upload..done)  {total:>10.2f} s  {args.invoices / total:>10,.0f} /s")
    print(f"ratio import/COPY      {total / copy_seconds:>10.1f} x  (target 4x)")
    print(
        f"floor: COPY of the {floor_rows:,} rows the import wrote into the real tables"
        f" {floor_seconds:.2f} s = {floor_seconds / copy_seconds:.1f} x raw COPY;"
        f" import/floor {total / floor_seconds:.1f} x"
    )


if __name__ == "__main__":
    main()
