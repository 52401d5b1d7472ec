"""Fixtures shared by every app's tests. Every world has two creditors, A and B."""

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.utils import translation

from creditors.models import Creditor, Role

from .factories import CaseFactory, CreditorFactory, DebtorFactory, MembershipFactory, UserFactory


@dataclass
class Tenant:
    creditor: Creditor
    user: object  # a member of this creditor
    debtor: object
    case: object


def make_tenant(name: str) -> Tenant:
    creditor = CreditorFactory(name=name)
    user = UserFactory(username=f"{name.split()[0].lower()}-member")
    MembershipFactory(user=user, creditor=creditor, role=Role.MEMBER)
    debtor = DebtorFactory(creditor=creditor)
    case = CaseFactory(creditor=creditor, debtor=debtor)
    return Tenant(creditor=creditor, user=user, debtor=debtor, case=case)


@pytest.fixture
def tenant_a(db) -> Tenant:
    return make_tenant("Alfa Byg A/S")


@pytest.fixture
def tenant_b(db) -> Tenant:
    return make_tenant("Beta Data ApS")


# The application's database credentials (DATABASE_URL's role), which the owner's replace for
# the suite itself; empty when one role is configured for both.
APP_DATABASE: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The suite creates, migrates, flushes and drops test databases: it connects as the
    database owner (DATABASE_OWNER_URL), as ``migrate`` does. Worker processes connect as the
    application role, as in production; tests/collections_portal/test_db_roles.py tests that
    role's limits with the credentials returned here."""
    from collections_portal.dbroles import use_owner

    APP_DATABASE.update(use_owner())
    return dict(APP_DATABASE)


def app_database_url() -> str:
    """The test database's URL as the application role (the owner's if that role is absent)."""
    db = dict(connection.settings_dict)
    if APP_DATABASE:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_DATABASE["USER"]])
            if cursor.fetchone():
                db.update(APP_DATABASE)
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture(scope="session")
def live_server(django_db_setup):
    """pytest-django's live server, stopped before the test database is dropped.

    Depending on ``django_db_setup`` orders the teardowns: the server thread lets go of the
    database first, so it can be dropped at the end of the run.
    """
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests hash many passwords; the production hasher is slow by design."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts and ends in the site's language: a request through the test client
    activates its page's language for the rest of the thread, which would otherwise decide
    the words of the next test's refusals and outcomes."""
    translation.deactivate()
    yield
    translation.deactivate()


ROOT = Path(__file__).resolve().parents[1]


def start_celery_worker(extra_env: dict[str, str] | None = None) -> tuple[str, subprocess.Popen]:
    """A real worker process on a queue of its own, connected to this test's database as the
    application role."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        **(extra_env or {}),
        "DATABASE_URL": app_database_url(),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "collections_portal", "worker",
         "--pool=solo", "--concurrency=1", "--without-gossip", "--without-mingle",
         "--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return queue, process


def stop_celery_worker(queue: str, process: subprocess.Popen) -> None:
    """Stop the worker (if a test has not killed it) and drop what its queue still holds."""
    from collections_portal.celery import queue_discard

    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    queue_discard(queue)  # so Redis keeps nothing of the test


@pytest.fixture
def worker(transactional_db):
    """A worker process on a queue of its own, connected to this test's database."""
    queue, process = start_celery_worker()
    try:
        yield queue
    finally:
        stop_celery_worker(queue, process)


@pytest.fixture(scope="session", autouse=True)
def _celery_queue_of_this_run():
    """Tasks the code under test queues (a notice's render, queued on commit by a lifecycle
    step) go to a queue of this test run, deleted at its end: never to the development queue,
    where a worker would later find ids of a test database. Subprocesses inherit it through
    the environment; the ``worker`` fixture gives its worker a queue of its own."""
    from collections_portal.celery import app, queue_discard

    queue = f"test-run-{uuid.uuid4().hex[:12]}"
    previous = app.conf.task_default_queue
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = queue
    app.conf.task_default_queue = queue
    yield queue
    app.conf.task_default_queue = previous
    try:
        queue_discard(queue)
    except Exception as exc:  # the broker gone at the end of a run must not fail the run
        print(f"could not delete the test queue {queue}: {exc}")


@pytest.fixture(scope="session", autouse=True)
def _cache_keys_of_this_worker():
    """Each test process (an xdist worker, or another checkout's run on the same Redis) keeps
    its cache keys under a prefix of its own: the sign-in and reset limits, the API's rate
    counters and the idempotency records are then never counted, or cleared, by a test running
    beside it. Subprocesses (Celery workers, gunicorn) inherit it through the environment."""
    from django.conf import settings
    from django.core.cache import caches

    prefix = f"test-{uuid.uuid4().hex[:12]}"
    previous = settings.CACHES["default"].get("KEY_PREFIX", "")
    os.environ["CACHE_KEY_PREFIX"] = prefix
    settings.CACHES["default"]["KEY_PREFIX"] = prefix
    for cache in caches.all(initialized_only=True):
        cache.key_prefix = prefix
    yield prefix
    try:  # Redis keeps nothing of the run
        client = caches["default"]._cache.get_client(write=True)
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
    except Exception as exc:  # the cache gone at the end of a run must not fail the run
        print(f"could not delete the test cache keys {prefix}:*: {exc}")
    settings.CACHES["default"]["KEY_PREFIX"] = previous
