"""Benchmark: letters per second through the whole pipeline against raw WeasyPrint.

    .venv/bin/python bench/letters.py [--letters 200] [--db inkasso_bench_letters]

Uses its own database (dropped and created again on every run) and its own media folder.
Makes one creditor with bank details and ``--letters`` cases of two invoices each, with a
collection-warning notice per case (the longest letter before collection: invoices, fees,
interest, the § 10 consequences, the payment section and QR code).

1. Raw: the HTML of every letter is built first (not timed); then the same HTML goes through
   ``notices.rendering.html_to_pdf`` (WeasyPrint with the shared stylesheet), in this process.
2. Pipeline: a real Celery worker (one process, solo pool, its own queue) gets one
   ``notices.render_notice`` task per notice: load the notice in the creditor's scope, build
   the context from the ledger and the rules engine, render the template, lay out the PDF,
   store it with its SHA-256 and mark the notice rendered. Timed from queueing the first task
   until the database shows every notice rendered (polled every 20 ms).
3. Delivery, reported beside it and not part of the ratio: the render task hands each notice
   to delivery (``delivery.deliver_notice``), which the bench routes to a queue of its own
   (``DELIVERY_QUEUE``, as a deployment may) so that it does not sit between the renders
   being timed. After the rounds a second worker delivers every notice by the creditor's
   default policy (the warning: letter and e-mail; these debtors have no e-mail address, so
   each notice joins the print batch and its e-mail is recorded as skipped); the bench prints
   that stage's rate from the deliveries' own timestamps.

The two sides run in interleaved rounds of ``--round`` letters (raw, then the same letters
through the pipeline), so a shared machine's changing load falls on both alike: on the
development VM a single letter's layout varies from 175 to 500 ms from one second to the
next, so the rounds are short. Both sides
are warmed up with one letter first (fonts, stylesheet, worker start).
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
import gc
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from datetime import date, timedelta

from bench.scheduler import SERVER, cvr, recreate_database


def setup_django(db_name: str, media: Path, queue: str) -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{db_name}"
    os.environ["MEDIA_ROOT"] = str(media)
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = queue
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collections_portal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_notices(count: int) -> tuple[int, list[int]]:
    """One creditor, ``count`` + 1 cases (one to warm up), each with a warning notice."""
    from django.utils import timezone

    from cases.rules import get_profile, warning_deadline_date
    from cases.services import ClaimInput, case_create
    from collections_portal.tenancy import creditor_scope
    from creditors.models import Creditor
    from debtors.models import Debtor
    from notices.models import Notice, NoticeKind

    creditor = Creditor.objects.create(
        name="Bench Kreditor A/S",
        cvr=cvr(1),
        address_line="Bench 1",
        postal_code="2100",
        city="København Ø",
        fik_creditor_number="87654321",
        bank_reg_number="1234",
        bank_account_number="0001234567",
        iban="DK5000400440116243",
        bic="NDEADKKK",
    )
    today = timezone.localdate()
    due = today - timedelta(days=25)
    deadline = warning_deadline_date(get_profile("DK", today), today)
    ids = []
    with creditor_scope(creditor):
        for n in range(count + 1):
            debtor = Debtor.objects.create(
                creditor=creditor,
                kind="person",
                name=f"Skyldner {n}",
                address_line=f"Vejen {n}",
                postal_code="8000",
                city="Aarhus C",
            )
            case = case_create(
                creditor=creditor,
                debtor=debtor,
                claims=[
                    ClaimInput(f"B-{n}-1", due - timedelta(days=14), due, "1000.00"),
                    ClaimInput(f"B-{n}-2", due - timedelta(days=10), due, "2500.50"),
                ],
            )
            notice = Notice.objects.create(
                creditor=creditor,
                case=case,
                kind=NoticeKind.WARNING,
                dated=today,
                deadline=deadline,
            )
            ids.append(notice.pk)
    return creditor.pk, ids


def html_of(creditor_id: int, ids: list[int]) -> list[str]:
    from collections_portal.tenancy import creditor_scope
    from notices.models import Notice
    from notices.rendering import renderer_for

    with creditor_scope(creditor_id):
        notices = Notice.objects.filter(pk__in=ids).select_related("case__creditor", "case__debtor")
        return [renderer_for(n).html(n) for n in notices.order_by("pk")]


def raw(htmls: list[str]) -> float:
    from notices.rendering import html_to_pdf

    started = time.perf_counter()
    for html in htmls:
        html_to_pdf(html)
    return time.perf_counter() - started


# Both sides lay out letters on the same CPU: the raw loop (this process, during its rounds)
# and the worker. On the development VM the two CPUs are not alike (the disk's interrupts,
# for one, land on one of them), so unpinned runs measured which CPU each side happened to
# get as much as the pipeline. While the pipeline runs, this process (it only polls) moves to
# the other CPU. Set by main() from --cpu; no pinning on a one-CPU machine.
CPUS: dict[str, set[int] | None] = {"render": None, "other": None}


def pin(cpus: set[int] | None) -> None:
    if cpus is not None:
        os.sched_setaffinity(0, cpus)


def start_worker(db_name: str, media: Path, queue: str, consume: str = "") -> subprocess.Popen:
    """A worker with the bench's default queue and delivery queue, consuming ``consume``."""
    consume = consume or queue
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{db_name}",
        "MEDIA_ROOT": str(media),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DELIVERY_QUEUE": f"{queue}-delivery",
        "LOG_LEVEL": "WARNING",
        # Production settings: with DEBUG on, Django keeps every query's text in memory.
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-" + uuid.uuid4().hex,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "collections_portal", "worker", "--pool=solo",
         "--concurrency=1", "--without-gossip", "--without-mingle", "--loglevel=WARNING",
         "-Q", consume, "-n", f"{consume}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=lambda: pin(CPUS["render"]),
    )  # fmt: skip


def pipeline(creditor_id: int, ids: list[int], queue: str) -> float:
    """Queue one render task per notice; done when the database says all are rendered (the
    task keeps no result: the notice row is its outcome)."""
    from collections_portal.tenancy import creditor_scope
    from notices.models import Notice, NoticeStatus
    from notices.tasks import render_notice

    started = time.perf_counter()
    for pk in ids:
        render_notice.apply_async((pk,), {"creditor_id": creditor_id}, queue=queue)
    with creditor_scope(creditor_id):
        rendered = Notice.objects.filter(pk__in=ids, status=NoticeStatus.RENDERED)
        while rendered.count() < len(ids):
            if time.perf_counter() - started > 600:
                raise TimeoutError("the worker did not render the letters in 10 minutes")
            time.sleep(0.02)
    return time.perf_counter() - started


def delivery(creditor_id: int, ids: list[int], db_name: str, media: Path, queue: str) -> float:
    """Deliver the queued notices with a worker on the delivery queue; the seconds from the
    first delivery planned to the last one handed to its channel."""
    from django.db.models import Max, Min

    from collections_portal.tenancy import creditor_scope
    from notices.delivery.models import Delivery, DeliveryStatus

    worker = start_worker(db_name, media, queue, consume=f"{queue}-delivery")
    started = time.perf_counter()
    try:
        with creditor_scope(creditor_id):
            deliveries = Delivery.objects.filter(notice_id__in=ids)
            while (
                deliveries.values("notice_id").distinct().count() < len(ids)
                or deliveries.filter(status=DeliveryStatus.QUEUED).exists()
            ):
                if time.perf_counter() - started > 600:
                    raise TimeoutError("the worker did not deliver the letters in 10 minutes")
                time.sleep(0.1)
            span = deliveries.aggregate(first=Min("created_at"), last=Max("updated_at"))
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return (span["last"] - span["first"]).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=200)
    parser.add_argument("--db", default="inkasso_bench_letters")
    parser.add_argument("--round", type=int, default=10, help="letters per interleaved round")
    parser.add_argument("--cpu", type=int, default=0, help="the CPU both sides render on")
    args = parser.parse_args()

    queue = f"bench-letters-{uuid.uuid4().hex[:8]}"
    media = Path(tempfile.mkdtemp(prefix="bench-letters-"))
    recreate_database(args.db)
    setup_django(args.db, media, queue)
    from collections_portal.celery import queue_discard
    from collections_portal.tenancy import creditor_scope
    from notices.models import Notice, NoticeStatus

    print(f"making {args.letters} cases with a warning notice in {args.db} ...", flush=True)
    creditor_id, ids = make_notices(args.letters)
    warm, ids = ids[0], ids[1:]
    htmls = html_of(creditor_id, ids)
    raw([htmls[0]])  # warm up: fonts, stylesheet
    # As the worker does after start (collections_portal.celery.freeze_startup_heap), so
    # neither side's full garbage collections walk the loaded project.
    gc.collect()
    gc.freeze()
    available = os.sched_getaffinity(0)
    if len(available) > 1 and args.cpu in available:
        CPUS["render"], CPUS["other"] = {args.cpu}, available - {args.cpu}
    pin(CPUS["render"])

    worker = start_worker(args.db, media, queue)
    raw_seconds = piped = 0.0
    try:
        pipeline(creditor_id, [warm], queue)  # waits for the worker to start, warms it up
        # Interleaved rounds, so both sides see the same load on a shared machine.
        for start in range(0, len(ids), args.round):
            raw_seconds += raw(htmls[start : start + args.round])
            pin(CPUS["other"])
            piped += pipeline(creditor_id, ids[start : start + args.round], queue)
            pin(CPUS["render"])
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    try:
        delivered = delivery(creditor_id, ids, args.db, media, queue)
    finally:
        queue_discard(queue)
        queue_discard(f"{queue}-delivery")
    with creditor_scope(creditor_id):
        rendered = Notice.objects.filter(pk__in=ids, status=NoticeStatus.RENDERED).count()
    shutil.rmtree(media, ignore_errors=True)

    n = len(ids)
    print(f"letters                {n:>8}  (rendered and stored: {rendered})")
    print(f"raw WeasyPrint         {raw_seconds:>8.2f} s  {n / raw_seconds:>7.1f} letters/s")
    print(f"pipeline (task+store)  {piped:>8.2f} s  {n / piped:>7.1f} letters/s")
    print(f"ratio pipeline / raw   {piped / raw_seconds:>8.3f}  "
          f"(overhead {100 * (piped / raw_seconds - 1):+.1f}%, target at most +15%)")  # fmt: skip
    print(f"delivery (own queue)   {delivered:>8.2f} s  {n / delivered:>7.1f} letters/s  "
          "(not in the ratio: print batch, e-mail skipped)")  # fmt: skip
    print(f"rendering CPU          {', '.join(map(str, sorted(CPUS['render'] or []))) or 'any'}")
    print(f"measured on            {date.today().isoformat()}")


if __name__ == "__main__":
    main()
