"""Benchmark: a camt.054 file matched against many cases, end to end, beside parsing it alone.

    .venv/bin/python bench/bank_import.py [--entries 100000] [--cases 1000000]
                                          [--db inkasso_bench_bank]

Uses its own database (dropped and created again on every run), loads the cases with
PostgreSQL COPY (``bench/scheduler.py``'s loader: one claim of 1,000.00 DKK each), writes a
camt.054.001.02 notification of ``--entries`` FIK payments spread over the cases (every tenth
without a payment ID, so it is matched by name or left unmatched; one in a hundred naming a
wrong check digit), and prints, measured in the same run:

* parsing the file alone (lxml and the entry reader, nothing stored);
* end to end: the file received and read by the service the Celery task runs (each entry
  recorded, matched, and booked through ``payment_register``: interest, allocation, timeline,
  webhooks, receipts), in this process, with the queued work sent to a queue nobody reads.

Entries per second for both, and the ratio.
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
import random
import time
from datetime import timedelta
from xml.sax.saxutils import escape

from bench.scheduler import BENCH_QUEUE, load, recreate_database, setup_django

FIRST_CASE_NUMBER = 100_001  # cases_case_number_seq starts here on a new database


def camt054(entries: int, cases: int, day: str) -> bytes:
    from stdnum import luhn

    rng = random.Random(54)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">'
        "<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>BENCH-1</MsgId>"
        f"<CreDtTm>{day}T06:00:00</CreDtTm></GrpHdr><Ntfctn><Id>BENCH</Id>"
        "<Acct><Id><IBAN>DK5030000001234567</IBAN></Id></Acct>"
    ]
    for n in range(entries):
        number = FIRST_CASE_NUMBER + rng.randrange(cases)
        body = f"{number:014d}"
        payment_id = body + luhn.calc_check_digit(body)
        if n % 100 == 1:
            payment_id = body + str((int(payment_id[-1]) + 1) % 10)
        amount = f"{rng.randint(50, 400)}.{rng.randint(0, 99):02d}"
        if n % 10 == 5:
            rmt = f"<Ustrd>{escape('Betaling Ærø Østergård')}</Ustrd>"
        else:
            rmt = (
                "<Strd><CdtrRefInf><Tp><CdOrPrtry><Prtry>71</Prtry></CdOrPrtry></Tp>"
                f"<Ref>{payment_id}</Ref></CdtrRefInf></Strd>"
            )
        parts.append(
            f'<Ntry><Amt Ccy="DKK">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
            f"<BookgDt><Dt>{day}</Dt></BookgDt><AcctSvcrRef>B-{n}</AcctSvcrRef>"
            f"<NtryDtls><TxDtls><Refs><EndToEndId>E-{n}</EndToEndId></Refs>"
            f"<RltdPties><Dbtr><Nm>Debtor {n % 997}</Nm></Dbtr></RltdPties>"
            f"<RmtInf>{rmt}</RmtInf></TxDtls></NtryDtls></Ntry>"
        )
    parts.append("</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>")
    return "".join(parts).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000, help="payments in the file")
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to match against")
    parser.add_argument("--db", default="inkasso_bench_bank", help="database to (re)create")
    args = parser.parse_args()

    recreate_database(args.db)
    setup_django(args.db)
    print(f"loading {args.cases:,} cases into {args.db} ...", flush=True)
    print(f"loaded in {load(cases=args.cases, due=0):.1f} s", flush=True)

    from django.utils import timezone

    from integrations.bank import parsers
    from integrations.bank.services import bank_file_process, bank_file_receive

    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    data = camt054(args.entries, args.cases, day)
    print(f"file: {args.entries:,} entries, {len(data) / 1e6:.1f} MB", flush=True)

    started = time.perf_counter()
    parsed = sum(1 for _entry in parsers.parse(data).entries)
    parse_seconds = time.perf_counter() - started

    try:
        started = time.perf_counter()
        bank_file = bank_file_receive(data=data, name="bench.xml", source="bench")
        bank_file = bank_file_process(file_id=bank_file.pk)
        seconds = time.perf_counter() - started
    finally:
        from collections_portal.celery import queue_discard

        queue_discard(BENCH_QUEUE)
    print(f"cases            {args.cases:>12,}")
    print(f"entries          {parsed:>12,}")
    print(
        f"booked           {bank_file.booked:>12,}  (unmatched {bank_file.unmatched:,}, "
        f"status {bank_file.status})"
    )
    print(f"parse only       {parse_seconds:>10.1f} s  {parsed / parse_seconds:>10,.0f} entries/s")
    print(f"end to end       {seconds:>10.1f} s  {parsed / seconds:>10,.0f} entries/s")
    print(f"ratio            {seconds / parse_seconds:>10.0f} x")


if __name__ == "__main__":
    main()
