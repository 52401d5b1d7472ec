"""The README's screenshots: the portal with demo data, photographed by Debian's Chromium.

    .venv/bin/python scripts/screenshots.py [--db inkasso_screenshots] [--port 8765]
                                            [--cases 400] [--out docs/screenshots]

1. Drops and creates a throwaway database (``inkasso_screenshots``; never the development or
   test database), migrates it and fills it with ``manage.py seed_demo``, plus a creditor
   with a working book (``--cases``, 400: every stage, fees, interest, payments, disputes,
   plans, promises; loaded as ``bench/portal.py`` loads its 100,000) whose owner,
   ``vestkyst-owner``, signs in with the demo password.
2. Starts the portal on it (``manage.py runserver``, no reloader, on 127.0.0.1 only).
3. Signs in as a demo creditor user with Playwright and Chromium (headless, 1280x800,
   Danish) and takes a PNG of every page in ``PAGES`` into ``--out``, each reduced to a
   256-colour palette (a third of the size, the same look for flat UI colours).
4. Stops the server and drops the database, whatever happened.

``PAGES`` is the table to extend: a name (the file is ``<name>.png``) and how to reach the
page, either a path or a function that finds it in the running portal.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://inkasso:inkasso@localhost:5432"
DEMO_PASSWORD = "inkasso-demo"  # noqa: S105 - seed_demo's published demo password
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 800}
CREDITOR = "Vestkyst Varme A/S"
USER = "vestkyst-owner"


def richest_case(page, base: str) -> str:
    """The page of the case in collection with the latest activity, found in the case list
    as a user would."""
    page.goto(f"{base}/cases/?stage=collection&sort=-activity")
    return page.locator("#case-results tbody td a[href^='/cases/']").first.get_attribute("href")


# name -> a path, or a function (page, base URL) -> path. The upload page (/imports/) comes
# with the bulk-upload work: add ("upload", "/imports/") here when it is merged.
PAGES: list[tuple[str, object]] = [
    ("dashboard", "/"),
    ("case-list", "/cases/"),
    ("case", richest_case),
    ("upload", "/imports/"),
]


def recreate_database(name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def portal_env(db: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{SERVER}/{db}",
        DATABASE_OWNER_URL=f"{SERVER}/{db}",
        DEBUG="1",  # runserver serves the static files itself
        CACHE_KEY_PREFIX=f"screenshots-{os.getpid()}",
        CELERY_TASK_DEFAULT_QUEUE=f"screenshots-{os.getpid()}",  # no worker: nothing is sent
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local server
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def optimise(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def load_portfolio(cases: int) -> None:
    """Runs in a process of its own (``--load``), inside Django, on the throwaway database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collections_portal.settings")
    import django

    django.setup()
    from django.utils import timezone

    from bench.portal import load
    from cases.models import ReferenceRate

    # The seeded reference rates end with the last published half-year; a demo "today" past
    # it would show every case's "no reference rate" note. The last rate is carried forward,
    # unverified and said so, in this throwaway database only.
    today = timezone.localdate()
    half_year = today.replace(month=1 if today.month < 7 else 7, day=1)
    last = ReferenceRate.objects.filter(jurisdiction="DK").order_by("-valid_from").first()
    if last is not None and last.valid_from < half_year:
        ReferenceRate.objects.create(
            jurisdiction="DK",
            valid_from=half_year,
            rate=last.rate,
            verified=False,
            source="Demo for the screenshots: the last recorded rate carried forward",
        )
    load(
        creditors=1,
        cases_per_creditor=cases,
        first_name=CREDITOR,
        username=USER,
        password=DEMO_PASSWORD,
        quiet=True,
    )


def photograph(base: str, user: str, out: Path) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    taken = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(locale="da-DK", viewport=VIEWPORT)
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            page.get_by_label("Brugernavn").fill(user)
            page.get_by_label("Adgangskode").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Log ind").click()
            expect(page.locator("#creditor-name")).to_be_visible()
            for name, where in PAGES:
                path = where(page, base) if callable(where) else where
                response = page.goto(f"{base}{path}")
                if response is None or response.status != 200:
                    raise SystemExit(f"{name}: {path} answered {response and response.status}")
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(600)  # the dashboard's chart animates in
                target = out / f"{name}.png"
                page.screenshot(path=str(target))
                optimise(target)
                taken.append(target)
                print(f"  {target.relative_to(ROOT)}  {path}  {target.stat().st_size // 1024} KB")
        finally:
            browser.close()
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="inkasso_screenshots", help="throwaway database")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--cases", type=int, default=400, help="cases of the creditor shown")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)  # internal
    args = parser.parse_args()
    if args.load:
        load_portfolio(args.cases)
        return
    if args.db in ("inkasso", "postgres") or args.db.startswith("test_"):
        parser.error("--db must be a throwaway database, not the development or a test one")

    env = portal_env(args.db)
    recreate_database(args.db)
    server = None
    try:
        manage(env, "migrate", "--verbosity", "0")
        manage(env, "seed_demo")
        subprocess.run(  # noqa: S603 - this script, with our own arguments
            [sys.executable, __file__, "--load", "--cases", str(args.cases)],
            cwd=ROOT,
            env=env,
            check=True,
        )
        base = f"http://127.0.0.1:{args.port}"
        server = subprocess.Popen(  # noqa: S603 - our own runserver
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{args.port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(f"{base}/accounts/login/")
        photograph(base, USER, Path(args.out))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        drop_database(args.db)


if __name__ == "__main__":
    main()
