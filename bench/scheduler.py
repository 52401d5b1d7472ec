"""Benchmark: how long the scheduler takes for its due cases, among few or many cases.

    .venv/bin/python bench/scheduler.py [--cases 100000] [--due 20000] [--db inkasso_bench]

Uses its own database (dropped and created again on every run), loads the cases with
PostgreSQL COPY, then times ``cases.scheduler.advance_due_cases(batch_size=500)``.

Every case is new with one claim due 20 days ago; the due ones have ``next_action_at`` a day
ago, the rest 30 days ahead, so the scheduler sends each due case its first reminder (a fee,
a notice record, a timeline event). The step queues each notice's render after commit; the
bench sends those tasks to a queue of its own that no worker reads and deletes it at the end,
so the figures are the scheduler's alone and the development queue gets nothing.
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
import os
import time
from datetime import UTC, datetime, timedelta

import psycopg
from psycopg import sql

SERVER = "postgres://inkasso:inkasso@localhost:5432"
CREDITORS = 10
CASES_PER_DEBTOR = 10
PRINCIPAL = "1000.00"


def recreate_database(db_name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        name = sql.Identifier(db_name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


BENCH_QUEUE = f"bench-scheduler-{os.getpid()}"


def setup_django(db_name: str) -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{db_name}"
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = BENCH_QUEUE
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collections_portal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def cvr(n: int) -> str:
    """An 8-digit CVR number with a valid modulus-11 check digit."""
    for leading in range(2, 10):
        digits = str(leading * 1_000_000 + n)
        check = -sum(w * int(d) for w, d in zip((2, 7, 6, 5, 4, 3, 2), digits, strict=True)) % 11
        if check < 10:
            return f"{digits}{check}"
    raise ValueError(n)


def load(*, cases: int, due: int) -> float:
    """Creditors through the ORM; debtors, cases, claims and principal entries through COPY."""
    from django.db import connection, transaction
    from django.utils import timezone

    from creditors.models import Creditor

    started = time.perf_counter()
    creditors = Creditor.objects.bulk_create(
        Creditor(
            name=f"Bench Kreditor {n} A/S",
            cvr=cvr(n),
            address_line="Bench 1",
            postal_code="2100",
            city="København Ø",
        )
        for n in range(CREDITORS)
    )
    creditor_ids = [c.pk for c in creditors]
    now = timezone.now().astimezone(UTC)
    today = timezone.localdate()
    due_date = today - timedelta(days=20)
    due_at = now - timedelta(days=1)
    later = now + timedelta(days=30)
    step = max(cases // max(due, 1), 1)  # every step-th case is due, spread over the table
    debtors = (cases + CASES_PER_DEBTOR - 1) // CASES_PER_DEBTOR

    def creditor_of_debtor(d: int) -> int:
        return creditor_ids[d % CREDITORS]

    def is_due(i: int) -> bool:
        return i % step == 0 and i // step < due

    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor underneath
        with cursor.copy(
            "COPY debtors_debtor (id, kind, name, national_id, address_line, postal_code, city,"
            " country, language, created_at, creditor_id) FROM STDIN"
        ) as copy:
            for d in range(debtors):
                copy.write_row(
                    (d + 1, "person", f"Debtor {d}", "", "Vej 1", "8000", "Aarhus C", "DK",
                     "da", now, creditor_of_debtor(d))
                )  # fmt: skip
        with cursor.copy(
            "COPY cases_case (id, creditor_reference, currency, created_at, creditor_id,"
            " debtor_id, next_action_at, state, closed_reason, creditor_reminder_dates)"
            " FROM STDIN"
        ) as copy:
            for i in range(cases):
                d = i // CASES_PER_DEBTOR
                copy.write_row(
                    (i + 1, "", "DKK", now, creditor_of_debtor(d), d + 1,
                     due_at if is_due(i) else later, "new", "", "{}")
                )  # fmt: skip
        with cursor.copy(
            "COPY cases_claim (id, invoice_number, description, invoice_date, due_date,"
            " due_date_agreed, principal, debtor_is_consumer, created_at, case_id, creditor_id)"
            " FROM STDIN"
        ) as copy:
            for i in range(cases):
                copy.write_row(
                    (i + 1, f"INV-{i}", "", due_date, due_date, True, PRINCIPAL, True, now,
                     i + 1, creditor_of_debtor(i // CASES_PER_DEBTOR))
                )  # fmt: skip
        with cursor.copy(
            "COPY cases_ledgerentry (kind, component, amount, posted_on, rule, profile,"
            " explanation, case_id, claim_id, creditor_id) FROM STDIN"
        ) as copy:
            for i in range(cases):
                copy.write_row(
                    ("principal", "principal", PRINCIPAL, due_date, "", "", "Principal.",
                     i + 1, i + 1, creditor_of_debtor(i // CASES_PER_DEBTOR))
                )  # fmt: skip
        # The ids were given explicitly: move the sequences past them.
        for table in ("debtors_debtor", "cases_case", "cases_claim"):
            cursor.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), max(id)) FROM {}").format(
                    sql.Literal(table), sql.Identifier(table)
                )
            )
    with connection.cursor() as django_cursor:
        django_cursor.execute("ANALYZE")
    return time.perf_counter() - started


def run_scheduler() -> tuple[int, int, float, int]:
    from django.db import connection
    from django.utils import timezone

    from cases.scheduler import advance_due_cases

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        report = advance_due_cases(now=timezone.now(), batch_size=500)
    return report.advanced, len(report.failed), time.perf_counter() - started, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases in all")
    parser.add_argument("--due", type=int, default=20_000, help="cases due now")
    parser.add_argument(
        "--db", default="inkasso_bench", help="database to (re)create; default inkasso_bench"
    )
    args = parser.parse_args()
    if args.due > args.cases:
        parser.error("--due cannot exceed --cases")

    recreate_database(args.db)
    setup_django(args.db)
    print(f"loading {args.cases:,} cases ({args.due:,} due) into {args.db} ...", flush=True)
    load_seconds = load(cases=args.cases, due=args.due)
    print(f"loaded in {load_seconds:.1f} s", flush=True)

    try:
        advanced, failed, seconds, queries = run_scheduler()
    finally:
        from collections_portal.celery import queue_discard

        queue_discard(BENCH_QUEUE)
    per_case = queries / advanced if advanced else 0
    print(f"total cases      {args.cases:>10,}")
    print(f"due cases        {args.due:>10,}")
    print(f"advanced         {advanced:>10,}  (failed {failed})")
    print(f"seconds          {seconds:>10.1f}")
    print(f"cases/second     {advanced / seconds if seconds else 0:>10.1f}")
    print(f"queries/case     {per_case:>10.1f}")
    print(f"finished at      {datetime.now().isoformat(timespec='seconds')}")


if __name__ == "__main__":
    main()
