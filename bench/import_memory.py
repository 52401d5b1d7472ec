"""Benchmark: the memory an import holds, before (the file read whole) and after (streamed).

    .venv/bin/python bench/import_memory.py [--invoices 50000] [--format csv|json]
                                            [--db inkasso_bench_import_memory] [--no-job]

Prints the peak of Python's allocations (``tracemalloc``) while the upload's rows are read and
validated chunk by chunk, as ``import_job_process`` does it:

* **before**: the reading of commit 1b18cd5 (loaded from git): the file read into one
  ``bytes``, decoded whole, every row parsed into a list kept for the whole job;
* **after**: today's ``iter_rows``: the stored file read a line (CSV) or a piece (JSON) at a
  time, one chunk of rows alive at once (plus the first pass that counts the rows).

Then (unless ``--no-job``) it runs a whole job with today's code in its own database (dropped
and created again) under ``tracemalloc`` and prints its peak: reading, validating and writing
(the chunk's cases and claims are built for ``COPY``, so the writing adds the same per chunk
before and after). Figures are for the file's size, in MB and as a multiple of it.
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
import subprocess
import time
import tracemalloc
import types

from bench.bulk_import import generate, to_csv, to_json
from bench.scheduler import cvr, recreate_database, setup_django

BEFORE = "1b18cd5"  # the last commit that read the upload whole
CHUNK = 10_000  # IMPORT_CHUNK_ROWS' default


def old_rows_module() -> types.ModuleType:
    source = subprocess.run(
        ["git", "show", f"{BEFORE}:integrations/imports/rows.py"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    module = types.ModuleType("bench_old_rows")
    sys.modules[module.__name__] = module  # its dataclasses look themselves up there
    exec(compile(source, "old rows.py", "exec"), module.__dict__)  # noqa: S102 - our own code
    return module


def validate(rows, validator) -> int:
    accepted = 0
    for line, values in rows:
        if not isinstance(validator.validate(line, values), list):
            accepted += 1
    return accepted


def measure(label: str, work) -> tuple[float, float, object]:
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, seconds, result


def before(path: Path, fmt: str, module) -> int:
    """As ``_process`` was: the whole file read, parsed into a list, validated by chunks."""
    with path.open("rb") as handle:
        data = handle.read()
    rows = module.read_rows(data, fmt)
    del data
    validator = module.Validator(currency="DKK")
    accepted = 0
    for start in range(0, len(rows), CHUNK):
        accepted += validate(rows[start : start + CHUNK], validator)
    return accepted


def after(path: Path, fmt: str) -> int:
    """As ``_process`` is: a counting pass, then the rows read and validated by chunks."""
    from itertools import islice

    from integrations.imports.reading import count_rows, iter_rows
    from integrations.imports.validation import Validator

    with path.open("rb") as handle:
        count_rows(handle, fmt)
    validator = Validator(currency="DKK")
    accepted = 0
    with path.open("rb") as handle:
        rows = iter_rows(handle, fmt)
        while batch := list(islice(rows, CHUNK)):
            accepted += validate(batch, validator)
    return accepted


def whole_job(body: bytes, fmt: str) -> object:
    from django.core.files.base import ContentFile

    from collections_portal.tenancy import creditor_scope
    from creditors.models import Creditor
    from integrations.imports import services
    from integrations.imports.services import import_job_create, import_job_process

    services.enqueue_on_commit = lambda **kwargs: None  # this process runs the job itself

    creditor = Creditor.objects.create(
        name="Bench Memory A/S", cvr=cvr(2), address_line="Bench 1", postal_code="2100",
        city="København Ø",
    )  # fmt: skip
    with creditor_scope(creditor):
        job = import_job_create(
            creditor=creditor, upload=ContentFile(body, name=f"bench.{fmt}"), fmt=fmt
        )

        def run():
            return import_job_process(job_id=job.pk, chunk_rows=CHUNK)

        return measure("job", run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=50_000)
    parser.add_argument("--format", choices=["csv", "json"], default="csv")
    parser.add_argument("--db", default="inkasso_bench_import_memory")
    parser.add_argument("--no-job", action="store_true", help="skip the whole job (no database)")
    args = parser.parse_args()

    import os
    import tempfile

    media = tempfile.mkdtemp(prefix="bench-import-memory-")
    os.environ["MEDIA_ROOT"] = media
    recreate_database(args.db)
    setup_django(args.db)
    rows = generate(args.invoices)
    body = to_csv(rows) if args.format == "csv" else to_json(rows)
    del rows
    path = Path(media) / f"upload.{args.format}"
    path.write_bytes(body)
    size_mb = len(body) / 1e6
    print(f"{args.invoices:,} invoices, {args.format}: {size_mb:.1f} MB")

    module = old_rows_module()
    for label, work in (
        (f"before ({BEFORE}, read whole)", lambda: before(path, args.format, module)),
        ("after (streamed)", lambda: after(path, args.format)),
    ):
        peak, seconds, accepted = measure(label, work)
        print(
            f"  read + validate, {label:<28} peak {peak / 1e6:7.1f} MB"
            f" = {peak / len(body):4.1f}x the file, {seconds:5.1f} s, {accepted:,} valid"
        )

    if not args.no_job:
        peak, seconds, job = whole_job(body, args.format)
        print(
            f"  whole job (today's code, {CHUNK:,}-row chunks, writing included)"
            f"  peak {peak / 1e6:7.1f} MB = {peak / len(body):4.1f}x the file, {seconds:5.1f} s,"
            f" {job.status}, {job.rows_accepted:,} accepted"
        )


if __name__ == "__main__":
    main()
