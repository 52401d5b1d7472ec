"""Benchmark: the agent workspace's "next case" and queue page among many cases and items.

    .venv/bin/python bench/queue.py [--cases 1000000] [--items 100000] [--small]
                                    [--db inkasso_bench_queue] [--runs 300]

Uses its own database (dropped and created again on every run), loads debtors, cases and
work items with PostgreSQL COPY, then measures, in the same run and on the same data:

* **next**: ``cases.services.workspace.work_next`` (the service the button and
  ``POST /api/v1/agency/work-items/next/`` call: ``FOR UPDATE SKIP LOCKED`` and the lease),
  each press by one of 20 agents and the item given back after, beside the plain SQL of a
  claim (the same ``SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1`` and ``UPDATE`` by hand);
* **queue page**: ``GET /workspace/`` (first page) and ``GET /workspace/?creditor=<id>`` as
  server time (Django's test client in this process: middleware, session, view, queries,
  template), and
  ``GET /api/v1/agency/work-items/`` (first page), beside the plain SQL of the first page
  (the 50 rows with their case, debtor and creditor, and the count the paginator shows).

Prints a table of p50 / p95 / max in milliseconds and whether the targets are met (next
p95 <= 10 ms, page p95 <= 150 ms). ``--small`` is 100,000 cases and 10,000 items.

The data: 10 creditors; one debtor per 10 cases; cases in collection; ``--items`` open work
items on every (cases / items)-th case, of every reason, with stored priority factors,
priorities 0..140 (ties included), 90 % due in the past and 10 % callbacks due later, 5 %
leased by another agent (unexpired) and 2 % assigned to another agent; as many done items
again (history the partial indexes leave out). Then ``VACUUM ANALYZE``.
"""

# ruff: noqa: E402 - the path fix below must run before the imports
from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder is first on sys.path, and this file (queue.py) would
# shadow the standard library's queue module (psycopg and Celery import it): the project root
# takes the folder's place.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import psycopg
from psycopg import sql

SERVER = "postgres://inkasso:inkasso@localhost:5432"
CREDITORS = 10
CASES_PER_DEBTOR = 10
AGENTS = 20
NEXT_TARGET_MS = 10.0
PAGE_TARGET_MS = 150.0
BENCH_QUEUE = f"bench-queue-{os.getpid()}"
REASONS = [
    "new_in_collection",
    "promise_broken",
    "instalment_missed",
    "dispute_decision",
    "callback",
    "limitation",
    "monitoring_recheck",
    "credit_bureau_decision",
]


def recreate_database(db_name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        name = sql.Identifier(db_name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def setup_django(db_name: str) -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{db_name}"
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = BENCH_QUEUE
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collections_portal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    call_command("migrate", verbosity=0)
    setup_test_environment()  # the test client's host name is allowed; e-mail stays local


def cvr(n: int) -> str:
    """An 8-digit CVR number with a valid modulus-11 check digit."""
    for leading in range(2, 10):
        digits = str(leading * 1_000_000 + n)
        check = -sum(w * int(d) for w, d in zip((2, 7, 6, 5, 4, 3, 2), digits, strict=True)) % 11
        if check < 10:
            return f"{digits}{check}"
    raise ValueError(n)


def _factors(rng: random.Random) -> str:
    names = ("balance", "days_past_due", "stage", "limitation", "promise_due", "last_contact")
    return json.dumps(
        {n: {"value": rng.randrange(400), "share": 0.5, "points": rng.randrange(30)} for n in names}
    )


def load(*, cases: int, items: int) -> tuple[float, list, list]:
    """Creditors and agents through the ORM; debtors, cases and work items through COPY."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from creditors.agency import AgencyRole, sync_agency_groups
    from creditors.models import Creditor

    started = time.perf_counter()
    rng = random.Random(16)
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
    sync_agency_groups()
    group = Group.objects.get(name=AgencyRole.AGENT)
    users = get_user_model()
    agents = [users.objects.create_user(f"bench-agent-{n}", password=None) for n in range(AGENTS)]
    others = [users.objects.create_user(f"bench-other-{n}", password=None) for n in range(5)]
    for user in agents + others:
        user.groups.add(group)
    now = timezone.now().astimezone(UTC)
    debtors = (cases + CASES_PER_DEBTOR - 1) // CASES_PER_DEBTOR
    step = max(cases // max(items * 2, 1), 1)  # open and done items, spread over the table

    def creditor_of_case(i: int) -> int:
        return creditor_ids[(i // CASES_PER_DEBTOR) % CREDITORS]

    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor underneath
        with cursor.copy(
            "COPY debtors_debtor (id, kind, name, national_id, address_line, postal_code, city,"
            " country, language, created_at, creditor_id) FROM STDIN"
        ) as copy:
            for d in range(debtors):
                copy.write_row(
                    (d + 1, "person", f"Debtor {d}", "", "Vej 1", "8000", "Aarhus C", "DK",
                     "da", now, creditor_ids[d % CREDITORS])
                )  # fmt: skip
        with cursor.copy(
            "COPY cases_case (id, creditor_reference, currency, created_at, creditor_id,"
            " debtor_id, next_action_at, state, closed_reason, creditor_reminder_dates)"
            " FROM STDIN"
        ) as copy:
            later = now + timedelta(days=30)
            for i in range(cases):
                copy.write_row(
                    (i + 1, "", "DKK", now, creditor_of_case(i), i // CASES_PER_DEBTOR + 1,
                     later, "collection", "", "{}")
                )  # fmt: skip
        with cursor.copy(
            "COPY cases_workitem (id, creditor_id, case_id, reason, status, due_at, priority,"
            " factors, assignee_id, leased_by_id, leased_until, created_at, closed_at,"
            " closed_by_id, outcome) FROM STDIN"
        ) as copy:
            for n in range(items * 2):
                i = (n * step) % cases
                done = n % 2 == 1
                reason = REASONS[rng.randrange(len(REASONS))]
                future = not done and rng.random() < 0.10
                due_at = now + timedelta(hours=rng.randrange(1, 200)) if future else (
                    now - timedelta(minutes=rng.randrange(1, 60 * 24 * 90)))  # fmt: skip
                leased = not done and rng.random() < 0.05
                assigned = not done and rng.random() < 0.02
                other = others[rng.randrange(len(others))].pk
                copy.write_row(
                    (n + 1, creditor_of_case(i), i + 1, "callback" if future else reason,
                     "done" if done else "open", due_at, rng.randrange(141), _factors(rng),
                     other if assigned or future else None, other if leased else None,
                     now + timedelta(minutes=10) if leased else None, now,
                     now if done else None, other if done else None, "")
                )  # fmt: skip
        for table in ("debtors_debtor", "cases_case", "cases_workitem"):
            cursor.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), max(id)) FROM {}").format(
                    sql.Literal(table), sql.Identifier(table)
                )
            )
    connection.close()
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started, agents, creditor_ids


def interleaved(measures: dict[str, Callable[[], float]], runs: int, warmup: int = 10):
    """Run the measures in turn, ``runs`` rounds: each sees the same load on a shared machine
    (other processes come and go), so their figures compare within the run. Each function
    returns the milliseconds it measured."""
    for _ in range(warmup):
        for fn in measures.values():
            fn()
    out: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, fn in measures.items():
            out[name].append(fn())
    return out


def stopwatch(fn: Callable[[], object]) -> Callable[[], float]:
    def run() -> float:
        began = time.perf_counter()
        fn()
        return (time.perf_counter() - began) * 1000

    return run


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94]


NEXT_SQL = """
SELECT id FROM cases_workitem
WHERE status = 'open' AND due_at <= %(now)s
  AND (leased_until IS NULL OR leased_until < %(now)s OR leased_by_id = %(user)s)
  AND (assignee_id IS NULL OR assignee_id = %(user)s)
ORDER BY priority DESC, due_at, id
LIMIT 1 FOR UPDATE SKIP LOCKED
"""
PAGE_SQL = """
SELECT w.id, w.priority, w.reason, w.due_at, w.factors, w.leased_by_id, w.leased_until,
       c.number, c.state, d.name, cr.name
FROM cases_workitem w
JOIN cases_case c ON c.id = w.case_id
JOIN debtors_debtor d ON d.id = c.debtor_id
JOIN creditors_creditor cr ON cr.id = c.creditor_id
WHERE w.status = 'open' {creditor}
ORDER BY w.priority DESC, w.due_at, w.id
LIMIT 50
"""
COUNT_SQL = "SELECT count(*) FROM cases_workitem w WHERE w.status = 'open' {creditor}"


def measure(*, agents: list, creditor_ids: list[int], runs: int) -> list[tuple[str, list, float]]:
    from django.db import connection, transaction
    from django.utils import timezone
    from rest_framework.test import APIClient

    from cases.services import workspace
    from collections_portal.tenancy import agency_scope

    presses = {"service": 0, "raw": 0}

    def service_next() -> float:
        """One press by the next of the agents; the item is given back outside the timing."""
        user = agents[presses["service"] % len(agents)]
        presses["service"] += 1
        with agency_scope(reason="bench: an agent presses next"):
            began = time.perf_counter()
            item = workspace.work_next(user=user)
            spent = (time.perf_counter() - began) * 1000
            assert item is not None
            workspace.work_item_release(item=item, user=user)
        return spent

    def raw_next() -> float:
        user_id = agents[presses["raw"] % len(agents)].pk
        presses["raw"] += 1
        now = timezone.now()
        began = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(NEXT_SQL, {"now": now, "user": user_id})
            (item_id,) = cursor.fetchone()
            cursor.execute(
                "UPDATE cases_workitem SET leased_by_id = %s, leased_until = %s WHERE id = %s",
                [user_id, now + timedelta(minutes=15), item_id],
            )
        spent = (time.perf_counter() - began) * 1000
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_workitem SET leased_by_id = NULL, leased_until = NULL WHERE id = %s",
                [item_id],
            )
        return spent

    def commit_floor() -> None:
        # What any claim pays the server and the disk here: one row updated and committed.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE cases_workitem SET priority = priority WHERE id = 1")

    nexts = interleaved(
        {
            "next: work_next (service)": service_next,
            "next: plain SQL (select + update)": raw_next,
            "floor: one-row UPDATE + COMMIT": stopwatch(commit_floor),
        },
        runs,
    )

    client = APIClient()
    client.force_login(agents[0])
    creditor = creditor_ids[3]

    def page(path: str) -> Callable[[], float]:
        def get() -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return stopwatch(get)

    def raw_page(creditor_filter: str, params: list) -> Callable[[], float]:
        def run() -> None:
            with connection.cursor() as cursor:
                cursor.execute(PAGE_SQL.format(creditor=creditor_filter), params)
                assert len(cursor.fetchall()) == 50
                cursor.execute(COUNT_SQL.format(creditor=creditor_filter), params)
                cursor.fetchone()

        return stopwatch(run)

    pages = interleaved(
        {
            "page: /workspace/ first page": page("/workspace/"),
            "page: /workspace/?creditor=": page(f"/workspace/?creditor={creditor}"),
            "api: GET agency/work-items/": page("/api/v1/agency/work-items/"),
            "page: plain SQL (50 rows + count)": raw_page("", []),
            "page: plain SQL, one creditor": raw_page("AND w.creditor_id = %s", [creditor]),
        },
        max(runs // 3, 30),
    )
    targets = {
        "next: work_next (service)": NEXT_TARGET_MS,
        "next: plain SQL (select + update)": NEXT_TARGET_MS,
        "page: /workspace/ first page": PAGE_TARGET_MS,
        "page: /workspace/?creditor=": PAGE_TARGET_MS,
    }
    return [(name, values, targets.get(name, 0)) for name, values in (nexts | pages).items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases in all")
    parser.add_argument("--items", type=int, default=100_000, help="open work items")
    parser.add_argument("--small", action="store_true", help="100,000 cases, 10,000 items")
    parser.add_argument("--runs", type=int, default=300, help="timed presses of next")
    parser.add_argument("--db", default="inkasso_bench_queue", help="database to (re)create")
    parser.add_argument("--keep", action="store_true", help="reuse the database as it is")
    args = parser.parse_args()
    if args.small:
        args.cases, args.items = 100_000, 10_000
    if args.items * 2 > args.cases:
        parser.error("--items can be at most half of --cases")

    if not args.keep:
        recreate_database(args.db)
    setup_django(args.db)
    if args.keep:
        from django.contrib.auth import get_user_model

        from creditors.models import Creditor

        agents = list(get_user_model().objects.filter(username__startswith="bench-agent-"))
        creditor_ids = list(Creditor.objects.order_by("pk").values_list("pk", flat=True))
        print(f"reusing {args.db}", flush=True)
    else:
        print(f"loading {args.cases:,} cases, {args.items:,} open items into {args.db} ...")
        seconds, agents, creditor_ids = load(cases=args.cases, items=args.items)
        print(f"loaded in {seconds:.1f} s", flush=True)
    try:
        rows = measure(agents=agents, creditor_ids=creditor_ids, runs=args.runs)
    finally:
        from collections_portal.celery import queue_discard

        queue_discard(BENCH_QUEUE)
    print(f"\n{args.cases:,} cases, {args.items:,} open work items, load {os.getloadavg()[0]:.1f}")
    print(f"{'measure':<36} {'runs':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  target")
    met = True
    for name, values, target in rows:
        value_p95 = p95(values)
        verdict = ""
        if target:
            ok = value_p95 <= target
            met &= ok
            verdict = f"p95 <= {target:g} ms: {'met' if ok else 'MISSED'}"
        print(
            f"{name:<36} {len(values):>5} {statistics.median(values):>8.2f} "
            f"{value_p95:>8.2f} {max(values):>8.2f}  {verdict}"
        )
    print(f"\ntargets {'met' if met else 'MISSED'}; finished at "
          f"{datetime.now().isoformat(timespec='seconds')}")  # fmt: skip


if __name__ == "__main__":
    main()
