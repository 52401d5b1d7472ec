"""Benchmark: the portal's pages against one creditor with 100,000 cases, beside plain SQL.

    .venv/bin/python bench/portal.py [--cases 100000] [--million] [--requests 40]
                                     [--db inkasso_bench_portal] [--keep]

Uses its own database (dropped and created again on every run; ``--keep`` leaves it for
EXPLAIN ANALYZE afterwards), loads the data with PostgreSQL COPY, then times the pages
**in-process with Django's test ``Client``**: the whole request through every middleware
(session, authentication, tenant scope), the view, its queries and the template, with
``DEBUG=0``; no HTTP socket, no browser. The streamed CSV export is read to its end inside
the timing. Beside each page, the plain indexed SQL that fetches the same rows runs in the
same run on the same connection, and both are reported as p50 and p95 over ``--requests``.

``--million`` loads 1,000,000 cases across 10 creditors (100,000 each); the pages are those
of the first creditor either way, so the two runs show whether a tenant's pages slow down
when the other tenants' rows grow.
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
import random
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import psycopg
from psycopg import sql

SERVER = "postgres://inkasso:inkasso@localhost:5432"
PASSWORD = "bench-portal-password"  # noqa: S105 - a throwaway user in a throwaway database
PAGE_TARGET_MS = 150.0
DASHBOARD_TARGET_MS = 300.0

FIRST_NAMES = [
    "Anne",
    "Kirsten",
    "Mette",
    "Hanne",
    "Anna",
    "Helle",
    "Susanne",
    "Lene",
    "Maria",
    "Marianne",
    "Lone",
    "Camilla",
    "Pia",
    "Louise",
    "Charlotte",
    "Bente",
    "Tina",
    "Gitte",
    "Inge",
    "Karen",
    "Peter",
    "Michael",
    "Jens",
    "Lars",
    "Henrik",
    "Thomas",
    "Søren",
    "Jan",
    "Christian",
    "Martin",
    "Niels",
    "Anders",
    "Morten",
    "Jesper",
    "Mads",
    "Rasmus",
    "Per",
    "Hans",
    "Jørgen",
    "Ole",
]
LAST_NAMES = [
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Knudsen",
    "Jakobsen",
    "Mikkelsen",
    "Olesen",
    "Frederiksen",
    "Laursen",
    "Henriksen",
    "Lund",
    "Schmidt",
    "Eriksen",
    "Holm",
    "Kristiansen",
    "Clausen",
    "Simonsen",
    "Svendsen",
    "Andreasen",
    "Iversen",
    "Jeppesen",
    "Mogensen",
    "Vestergaard",
]
CITIES = (
    ("8000", "Aarhus C"),
    ("2100", "København Ø"),
    ("5000", "Odense C"),
    ("9000", "Aalborg"),
    ("6700", "Esbjerg"),
    ("7100", "Vejle"),
)
# Stage mix of a collection agency's book: (state, share).
STAGES = (
    ("new", 0.12),
    ("reminder", 0.18),
    ("warning", 0.14),
    ("collection", 0.26),
    ("monitoring", 0.09),
    ("legal", 0.05),
    ("closed", 0.16),
)


def recreate_database(db_name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        name = sql.Identifier(db_name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def drop_database(db_name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db_name))
        )


def setup_django(db_name: str) -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{db_name}"
    os.environ["DATABASE_OWNER_URL"] = f"{SERVER}/{db_name}"
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = f"bench-portal-{os.getpid()}"
    os.environ["CACHE_KEY_PREFIX"] = f"bench-portal-{os.getpid()}"
    # Production settings, as a deployment runs them (DEBUG keeps every query's text).
    os.environ["DEBUG"] = "0"
    os.environ["SECRET_KEY"] = "bench-portal-not-a-secret-" + "x" * 40
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ[name] = "0"
    os.environ["SECURE_HSTS_SECONDS"] = "0"
    # The bench makes hundreds of look-ups in a minute; the per-hour limit is not measured.
    os.environ["NATIONAL_ID_LOOKUPS_PER_HOUR"] = "1000000"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collections_portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # With DEBUG=0 the static files' URLs come from the manifest of ``collectstatic``, which
    # compresses 30 MB of vendored CSS and JS (minutes); the plain storage gives the URLs
    # without it, and a page's time does not depend on which one names its stylesheet.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)


def cvr(n: int) -> str:
    """An 8-digit CVR number with a valid modulus-11 check digit."""
    for leading in range(1, 10):
        digits = f"{leading}{n:06d}"
        check = -sum(w * int(d) for w, d in zip((2, 7, 6, 5, 4, 3, 2), digits, strict=True)) % 11
        if check < 10:
            return f"{digits}{check}"
    raise ValueError(n)


def cpr(n: int) -> str:
    """A 10-digit CPR-shaped number (a real birth date, a serial), unique per ``n``."""
    born = date(1940, 1, 1) + timedelta(days=n % 20000)
    return f"{born:%d%m%y}{n // 20000 % 10000:04d}"


def load(
    *,
    creditors: int,
    cases_per_creditor: int,
    seed: int = 15,
    first_name: str = "Bench Kreditor 1 A/S",
    username: str = "bench-owner",
    password: str = PASSWORD,
    quiet: bool = False,
) -> dict:
    """Creditors and users through the ORM; everything else through COPY. Returns what the
    timing needs (the creditor, its user, samples of names, CPR numbers and cases).

    ``scripts/screenshots.py`` loads a few hundred cases the same way, for pages that look
    like a working creditor's."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from creditors.models import Creditor, Membership, Role

    rng = random.Random(seed)
    now = timezone.now().astimezone(UTC)
    today = timezone.localdate()
    made = Creditor.objects.bulk_create(
        Creditor(
            name=first_name if n == 0 else f"Bench Kreditor {n + 1} A/S",
            cvr=cvr(900_000 + n),
            address_line="Benchvej 1",
            postal_code="2100",
            city="København Ø",
            fik_creditor_number=f"{85000000 + n}",
        )
        for n in range(creditors)
    )
    user = get_user_model().objects.create_user(username, password=password)
    Membership.objects.create(user=user, creditor=made[0], role=Role.OWNER)

    # Ids given explicitly, after any rows already there (the screenshots' demo data).
    with connection.cursor() as cursor:
        ids = {}
        for key, table in (
            ("debtor", "debtors_debtor"),
            ("case", "cases_case"),
            ("claim", "cases_claim"),
            ("payment", "cases_payment"),
        ):
            cursor.execute(
                sql.SQL("SELECT coalesce(max(id), 0) FROM {}")
                .format(sql.Identifier(table))
                .as_string(cursor.connection)
            )
            ids[key] = cursor.fetchone()[0]  # fmt: skip
    sample = {"names": [], "cprs": [], "cases": []}
    stage_weights = [w for _s, w in STAGES]
    stage_names = [s for s, _w in STAGES]

    def rows_for(creditor_id: int, first: bool):
        """Yields (table, row) for one creditor, in creditor order."""
        debtors = cases_per_creditor * 7 // 10  # debtors repeat: about 1.4 cases each
        debtor_ids = []
        for d in range(debtors):
            ids["debtor"] += 1
            did = ids["debtor"]
            debtor_ids.append(did)
            company = d % 12 == 0
            if company:
                name = f"{rng.choice(LAST_NAMES)} & {rng.choice(LAST_NAMES)} ApS"
                national_id = cvr(100000 + did % 800000) if did < 800000 else ""
            else:
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                national_id = cpr(did)
            postal, city = rng.choice(CITIES)
            yield (
                "debtor",
                (did, "company" if company else "person", name, national_id,
                 f"{rng.choice(LAST_NAMES)}svej {d % 200 + 1}", postal, city, "DK", "da",
                 now - timedelta(days=rng.randrange(540)), creditor_id),
            )  # fmt: skip
            yield (
                "contact",
                ("email", f"debtor{did}@example.dk", False, "", "creditor", True, now,
                 creditor_id, did),
            )  # fmt: skip
            if first and not company and len(sample["names"]) < 400 and d % 97 == 0:
                sample["names"].append(name)
                sample["cprs"].append(national_id)
        for c in range(cases_per_creditor):
            ids["case"] += 1
            cid = ids["case"]
            debtor = debtor_ids[c * len(debtor_ids) // cases_per_creditor]
            # Handed over over the last 18 months, oldest first (ids follow time, as they do).
            age = 540 - c * 540 // cases_per_creditor
            created = now - timedelta(days=age, minutes=rng.randrange(1440))
            # A case gets as far as its age allows: reminders take weeks, collection a month.
            reachable = 2 if age < 15 else 3 if age < 35 else len(stage_names) - 1
            state = rng.choices([*stage_names[:reachable], "closed"],
                                [*stage_weights[:reachable], stage_weights[-1]])[0]  # fmt: skip
            closed_reason = ""
            next_action = None
            paused = None
            if state == "closed":
                closed_reason = rng.choice(("paid", "paid", "paid", "withdrawn", "written_off"))
            else:
                next_action = now + timedelta(days=rng.randrange(-3, 30), hours=rng.randrange(24))
                if rng.random() < 0.02:
                    paused = today + timedelta(days=rng.randrange(1, 40))
            warning_sent = warning_deadline = collection_started = None
            if state in ("warning", "collection", "monitoring", "legal"):
                warning_sent = (created + timedelta(days=min(age, 40) // 2)).date()
                warning_deadline = warning_sent + timedelta(days=10)
            if state in ("collection", "monitoring", "legal"):
                collection_started = warning_deadline + timedelta(days=1)
            yield (
                "case",
                (cid, f"KR-{cid}" if c % 3 else "", "DKK", created, creditor_id, debtor,
                 next_action, state, closed_reason, "{}", warning_sent, warning_deadline,
                 collection_started, paused),
            )  # fmt: skip
            claims = rng.choices((1, 2, 3), (0.65, 0.25, 0.10))[0]
            total = Decimal("0.00")
            first_claim = None
            for _k in range(claims):
                ids["claim"] += 1
                claim_id = ids["claim"]
                first_claim = first_claim or claim_id
                principal = Decimal(rng.randrange(15000, 2500000)) / 100
                total += principal
                due = (created - timedelta(days=rng.randrange(15, 120))).date()
                yield (
                    "claim",
                    (claim_id, f"F-{claim_id}", "Faktura", due - timedelta(days=14), due, True,
                     principal, True, created, cid, creditor_id),
                )  # fmt: skip
                yield (
                    "ledger",
                    ("principal", "principal", principal, due, "", "", "Principal.",
                     cid, claim_id, creditor_id, None),
                )  # fmt: skip
            step = stage_names.index(state) if state != "closed" else rng.randrange(1, 5)
            for r in range(min(step, 3)):
                on = created + timedelta(days=10 * (r + 1) * min(age, 30) // 30)
                if r < 2:
                    yield (
                        "ledger",
                        ("reminder_fee", "costs", Decimal("100.00"), on.date(), "dk.reminder_fee",
                         "DK-2024", "Reminder fee.", cid, None, creditor_id, None),
                    )  # fmt: skip
                    total += Decimal("100.00")
                yield (
                    "event",
                    (on, "case.reminder_sent" if r < 2 else "case.warning_sent", "new", "reminder",
                     "Scheduler", "Letter sent.", "{}", cid, creditor_id),
                )  # fmt: skip
            if state in ("collection", "monitoring", "legal"):
                yield (
                    "event",
                    (datetime.combine(collection_started, datetime.min.time(), tzinfo=UTC),
                     "case.collection_started", "warning", "collection", "Scheduler",
                     "Collection started.", "{}", cid, creditor_id),
                )  # fmt: skip
            if state in ("collection", "monitoring", "legal") or (state == "closed" and step >= 3):
                interest = Decimal(rng.randrange(500, 40000)) / 100
                total += interest
                yield (
                    "ledger",
                    ("interest", "interest", interest, today, "dk.interest", "DK-2024",
                     "Interest.", cid, first_claim, creditor_id, None),
                )  # fmt: skip
            paid = Decimal("0.00")
            if state == "closed" and closed_reason == "paid":
                paid = total
            elif state in ("collection", "monitoring", "legal") and rng.random() < 0.3:
                paid = (total * Decimal(rng.randrange(10, 80)) / 100).quantize(Decimal("0.01"))
            if paid > 0:
                ids["payment"] += 1
                pid = ids["payment"]
                received = (created + timedelta(days=rng.randrange(5, max(age, 6)))).date()
                received = min(received, today)
                yield (
                    "payment",
                    (pid, paid, received, "fik", f"FIK {cid}", "", now, cid, creditor_id),
                )  # fmt: skip
                yield (
                    "ledger",
                    ("payment", "principal", -paid, received, "", "", "Payment.", cid, None,
                     creditor_id, pid),
                )  # fmt: skip
                yield (
                    "event",
                    (now, "payment.received", "", "", "Bank", "Payment received.", "{}", cid,
                     creditor_id),
                )  # fmt: skip
            if state != "closed":
                roll = rng.random()
                if roll < 0.015:
                    yield (
                        "dispute",
                        (today - timedelta(days=rng.randrange(30)),
                         "Skyldner mener at have betalt.", "", None, "", "", now, cid,
                         creditor_id),
                    )  # fmt: skip
                elif roll < 0.05 and state in ("collection", "monitoring"):
                    yield (
                        "plan",
                        ("Bench", today - timedelta(days=30), "active", 14, None, False, now, cid,
                         creditor_id),
                    )  # fmt: skip
                elif roll < 0.07:
                    yield (
                        "promise",
                        (today - timedelta(days=2), today + timedelta(days=rng.randrange(1, 20)),
                         Decimal("500.00"), None, now, cid, creditor_id),
                    )  # fmt: skip
            if first and c % 211 == 0 and len(sample["cases"]) < 400:
                sample["cases"].append(cid)

    copies = {
        "debtor": "COPY debtors_debtor (id, kind, name, national_id, address_line, postal_code,"
        " city, country, language, created_at, creditor_id) FROM STDIN",
        "contact": "COPY debtors_contactpoint (kind, value, consent, consent_source, source,"
        " is_primary, created_at, creditor_id, debtor_id) FROM STDIN",
        "case": "COPY cases_case (id, creditor_reference, currency, created_at, creditor_id,"
        " debtor_id, next_action_at, state, closed_reason, creditor_reminder_dates,"
        " warning_sent_on, warning_deadline, collection_started_on, paused_until) FROM STDIN",
        "claim": "COPY cases_claim (id, invoice_number, description, invoice_date, due_date,"
        " due_date_agreed, principal, debtor_is_consumer, created_at, case_id, creditor_id)"
        " FROM STDIN",
        "ledger": "COPY cases_ledgerentry (kind, component, amount, posted_on, rule, profile,"
        " explanation, case_id, claim_id, creditor_id, payment_id) FROM STDIN",
        "event": "COPY cases_caseevent (occurred_at, code, from_state, to_state, actor_label,"
        " message, data, case_id, creditor_id) FROM STDIN",
        "payment": "COPY cases_payment (id, amount, received_on, method, payer_reference,"
        " reversal_reason, created_at, case_id, creditor_id) FROM STDIN",
        "dispute": "COPY cases_dispute (opened_on, reason, debtor_statement, resolved_at,"
        " outcome, resolution_note, created_at, case_id, creditor_id) FROM STDIN",
        "plan": "COPY cases_instalmentplan (proposed_by_label, proposed_on, status,"
        " acceleration_days, settlement_signed_on, consumer_credit_review, created_at, case_id,"
        " creditor_id) FROM STDIN",
        "promise": "COPY cases_promisetopay (promised_on, pay_by, amount, kept, created_at,"
        " case_id, creditor_id) FROM STDIN",
    }
    # Payments before the ledger rows that name them: one buffer per table, COPY in order.
    order = ("debtor", "contact", "case", "claim", "payment", "ledger", "event", "dispute",
             "plan", "promise")  # fmt: skip
    counts = dict.fromkeys(order, 0)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor underneath
        for n, creditor in enumerate(made):
            buffers: dict[str, list] = {k: [] for k in order}
            for table, row in rows_for(creditor.pk, first=n == 0):
                buffers[table].append(row)
            for table in order:
                with cursor.copy(copies[table]) as copy:
                    for row in buffers[table]:
                        copy.write_row(row)
                counts[table] += len(buffers[table])
            if not quiet:
                print(f"  creditor {n + 1}/{len(made)} loaded", flush=True)
        for table in ("debtors_debtor", "cases_case", "cases_claim", "cases_payment"):
            cursor.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), max(id)) FROM {}").format(
                    sql.Literal(table), sql.Identifier(table)
                )
            )
    with connection.cursor() as django_cursor:
        django_cursor.execute("VACUUM ANALYZE")
    seconds = time.perf_counter() - started
    return {
        "creditor": made[0],
        "user": user,
        "counts": counts,
        "load_seconds": seconds,
        "cases_per_creditor": cases_per_creditor,
        **sample,
    }


# --- Timing ---------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn, n: int, warm: int = 3, cpu: list[float] | None = None) -> list[float]:
    """Wall-clock milliseconds of ``n`` calls after ``warm`` untimed ones; ``cpu`` gets this
    process's CPU milliseconds of each (Python's share, which waiting for a busy CPU or for
    PostgreSQL does not count)."""
    for i in range(warm):
        fn(i)
    times = []
    for i in range(n):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn(i)
        times.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - started_cpu) * 1000)
    return times


def measure(data: dict, n: int) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    creditor = data["creditor"]
    client = Client()
    client.force_login(data["user"])
    names, cprs, sample_cases = data["names"], data["cprs"], data["cases"]
    cid = creditor.pk
    with connection.cursor() as cursor:
        # The export's filter: handed over since the day that makes about 10,000 rows.
        cursor.execute(
            "SELECT created_at FROM cases_case WHERE creditor_id = %s"
            " ORDER BY created_at DESC, id DESC OFFSET %s LIMIT 1",
            [cid, min(10_000, data["cases_per_creditor"] // 2) - 1],
        )
        export_from = timezone.localtime(cursor.fetchone()[0]).date() + timedelta(days=1)
        cursor.execute(
            "SELECT count(*) FROM cases_case WHERE creditor_id = %s AND created_at >= %s",
            [
                cid,
                datetime.combine(
                    export_from, datetime.min.time(), tzinfo=timezone.get_current_timezone()
                ),
            ],
        )
        export_rows = cursor.fetchone()[0]

    queries = {"n": 0}

    def count(execute, sql_text, params, many, context):
        queries["n"] += 1
        return execute(sql_text, params, many, context)

    def get(url, **params):
        def go(i):
            response = client.get(url, {k: v(i) if callable(v) else v for k, v in params.items()})
            assert response.status_code == 200, (url, response.status_code)
            if response.streaming:
                b"".join(response.streaming_content)
            else:
                response.content  # noqa: B018 - rendered already; read it as a server would

        return go

    def lookup(i):
        response = client.post(
            "/cases/lookup/", {"national_id": cprs[i % len(cprs)], "reason": "Bench: debtor called"}
        )
        assert response.status_code == 302 and "debtor=" in response["Location"], response

    def raw(query, params_of):
        def go(i):
            with connection.cursor() as cursor:
                cursor.execute(query, params_of(i))
                cursor.fetchall()

        return go

    list_sql = (
        "SELECT c.*, d.name, cr.name FROM cases_case c JOIN debtors_debtor d ON d.id = c.debtor_id"
        " JOIN creditors_creditor cr ON cr.id = c.creditor_id WHERE c.creditor_id = %s {where}"
        " ORDER BY c.created_at DESC, c.id DESC LIMIT {limit}"
    )
    pages = [
        {
            "name": "dashboard",
            "target": DASHBOARD_TARGET_MS,
            "page": get("/"),
            "sql_text": "the stored figures summed per stage and month; payments summed",
            "sql": lambda i: [
                raw(
                    "SELECT state, handed_over_month, count(*), sum(original_principal),"
                    " sum(principal), sum(interest), sum(costs), sum(credit)"
                    " FROM cases_casefigures WHERE creditor_id = %s GROUP BY 1, 2",
                    lambda i: [cid],
                )(i),
                raw(
                    "SELECT sum(amount) FROM cases_payment WHERE creditor_id = %s"
                    " AND reversed_at IS NULL",
                    lambda i: [cid],
                )(i),
            ],
        },
        {
            "name": "case list, first page",
            "target": PAGE_TARGET_MS,
            "page": get("/cases/"),
            "sql_text": "51 newest cases with debtor and creditor",
            "sql": raw(list_sql.format(where="", limit=51), lambda i: [cid]),
        },
        {
            "name": "case list, stage filter",
            "target": PAGE_TARGET_MS,
            "page": get("/cases/", stage=lambda i: ("collection", "legal", "reminder")[i % 3]),
            "sql_text": "51 newest cases in the stage",
            "sql": raw(
                list_sql.format(where="AND c.state = %s", limit=51),
                lambda i: [cid, ("collection", "legal", "reminder")[i % 3]],
            ),
        },
        {
            "name": "case list, largest balance",
            "target": PAGE_TARGET_MS,
            "page": get("/cases/", sort="-balance"),
            "sql_text": "51 cases by their stored balance, with debtor and creditor",
            "sql": raw(
                "SELECT c.*, f.balance, d.name, cr.name FROM cases_casefigures f"
                " JOIN cases_case c ON c.id = f.case_id"
                " JOIN debtors_debtor d ON d.id = c.debtor_id"
                " JOIN creditors_creditor cr ON cr.id = c.creditor_id"
                " WHERE f.creditor_id = %s ORDER BY f.balance DESC, f.case_id DESC LIMIT 51",
                lambda i: [cid],
            ),
        },
        {
            "name": "search by name",
            "target": PAGE_TARGET_MS,
            "page": get("/cases/", q=lambda i: names[i % len(names)]),
            "sql_text": "51 newest cases of debtors whose name contains it",
            "sql": raw(
                list_sql.format(where="AND upper(d.name) LIKE upper(%s)", limit=51),
                lambda i: [cid, f"%{names[i % len(names)]}%"],
            ),
        },
        {
            "name": "CPR look-up (POST)",
            "target": PAGE_TARGET_MS,
            "page": lookup,
            "sql_text": "the debtor by creditor and number",
            "sql": raw(
                "SELECT id, name FROM debtors_debtor WHERE creditor_id = %s AND national_id = %s",
                lambda i: [cid, cprs[i % len(cprs)]],
            ),
        },
        {
            "name": "case page",
            "target": PAGE_TARGET_MS,
            "page": lambda i: get(f"/cases/{sample_cases[i % len(sample_cases)]}/")(i),
            "sql_text": "the case, its claims, ledger and timeline",
            "sql": lambda i: [
                raw(
                    "SELECT c.*, d.* FROM cases_case c JOIN debtors_debtor d ON d.id = c.debtor_id"
                    " WHERE c.id = %s AND c.creditor_id = %s",
                    lambda i: [sample_cases[i % len(sample_cases)], cid],
                )(i),
                raw(
                    "SELECT * FROM cases_claim WHERE case_id = %s",
                    lambda i: [sample_cases[i % len(sample_cases)]],
                )(i),
                raw(
                    "SELECT * FROM cases_ledgerentry WHERE case_id = %s",
                    lambda i: [sample_cases[i % len(sample_cases)]],
                )(i),
                raw(
                    "SELECT * FROM cases_caseevent WHERE case_id = %s ORDER BY occurred_at DESC",
                    lambda i: [sample_cases[i % len(sample_cases)]],
                )(i),
            ],
        },
        {
            "name": f"CSV export, {export_rows:,} rows",
            "target": None,
            "page": get("/cases/export.csv", handed_from=export_from.isoformat()),
            "sql_text": "the same cases with debtor, creditor and balance",
            "sql": raw(
                "SELECT c.*, d.name, cr.name, f.balance FROM cases_case c"
                " JOIN cases_casefigures f ON f.case_id = c.id"
                " JOIN debtors_debtor d ON d.id = c.debtor_id"
                " JOIN creditors_creditor cr ON cr.id = c.creditor_id"
                " WHERE c.creditor_id = %s AND c.created_at >= %s"
                " ORDER BY c.created_at DESC, c.id DESC",
                lambda i: [
                    cid,
                    datetime.combine(
                        export_from, datetime.min.time(), tzinfo=timezone.get_current_timezone()
                    ),
                ],
            ),
            "requests": max(n // 4, 5),
        },
    ]
    results = []
    for page in pages:
        count_n = page.get("requests", n)
        queries["n"] = 0
        with connection.execute_wrapper(count):
            page["page"](0)
        page_queries = queries["n"]
        cpu: list[float] = []
        page_times = timed(page["page"], count_n, cpu=cpu)
        sql_times = timed(page["sql"], count_n)
        results.append(
            {
                "name": page["name"],
                "target": page["target"],
                "queries": page_queries,
                "p50": percentile(page_times, 0.5),
                "p95": percentile(page_times, 0.95),
                "cpu_p50": percentile(cpu, 0.5),
                "sql_p50": percentile(sql_times, 0.5),
                "sql_p95": percentile(sql_times, 0.95),
                "sql_text": page["sql_text"],
                "n": count_n,
            }
        )
        print(f"  {page['name']}: p95 {results[-1]['p95']:.1f} ms", flush=True)
    return results


def report(results: list[dict]) -> bool:
    header = (
        f"{'page':<30} {'n':>4} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8} "
        f"{'SQL p50':>8} {'SQL p95':>8} {'target':>8}  met"
    )
    print(header)
    print("-" * len(header))
    all_met = True
    for r in results:
        target = r["target"]
        met = "-" if target is None else ("yes" if r["p95"] <= target else "NO")
        all_met &= met != "NO"
        print(
            f"{r['name']:<30} {r['n']:>4} {r['queries']:>7} {r['p50']:>8.1f} {r['p95']:>8.1f} "
            f"{r['cpu_p50']:>8.1f} "
            f"{r['sql_p50']:>8.2f} {r['sql_p95']:>8.2f} "
            f"{'' if target is None else f'<={target:.0f}':>8}  {met}"
        )
    print()
    print("p50/p95: wall clock of the whole request in this process (PostgreSQL included);")
    print("CPU p50: this process's CPU time of it (Python only); SQL: the plain query's wall clock")
    for r in results:
        print(f"SQL for {r['name']}: {r['sql_text']}")
    return all_met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases of the creditor")
    parser.add_argument(
        "--million", action="store_true", help="1,000,000 cases across 10 creditors"
    )
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page")
    parser.add_argument("--db", default="inkasso_bench_portal", help="database to (re)create")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.db.startswith("inkasso_bench"):
        parser.error("--db must start with inkasso_bench (never the dev or test database)")
    creditors = 10 if args.million else 1
    per_creditor = 100_000 if args.million else args.cases

    recreate_database(args.db)
    try:
        setup_django(args.db)
        print(
            f"loading {creditors * per_creditor:,} cases ({creditors} creditor(s)) into {args.db}",
            flush=True,
        )
        data = load(creditors=creditors, cases_per_creditor=per_creditor)
        counts = ", ".join(f"{k} {v:,}" for k, v in data["counts"].items())
        print(f"loaded in {data['load_seconds']:.1f} s: {counts}", flush=True)
        load_before = os.getloadavg()[0]
        results = measure(data, args.requests)
        load_after = os.getloadavg()[0]
        print()
        print(f"load average (1 min) {load_before:.1f} before the timing, {load_after:.1f} after")
        print(
            f"{creditors * per_creditor:,} cases, pages of the creditor with {per_creditor:,};"
            " Django test Client in-process, DEBUG=0;",
            datetime.now().isoformat(timespec="seconds"),
        )
        met = report(results)
        print()
        print("every target met" if met else "some target NOT met")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.db)


if __name__ == "__main__":
    main()
