"""The scope-lifetime defect, shown against a real gunicorn sync worker.

One worker process with one thread serves every request, as in production: an API-key request
that fails in a way DRF does not handle (JSON nested too deeply, a body over Django's limit)
is followed by a request of a signed-in user who acts for no creditor. That user must be
refused, never served the key's creditor's cases from a scope the failed request left behind.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from creditors.services import api_key_create
from tests.conftest import app_database_url
from tests.delivery.servers import free_port
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def gunicorn(transactional_db):
    """gunicorn with one sync worker (one thread) on this test's database."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": app_database_url(),  # as production runs: the application role
        "DATABASE_CONN_MAX_AGE": "0",
        "SECRET_KEY": settings.SECRET_KEY,  # the session's auth hash is keyed with it
        "DEBUG": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "collections_portal.wsgi", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--threads", "1", "--worker-class", "sync",
         "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request(port, "GET", "/accounts/login/")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def request(port: int, method: str, path: str, body: bytes = b"", headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # deeper than Python's JSON decoder follows
        b'{"creditor_reference": "' + b"x" * 3_000_000 + b'"}',  # over Django's 2.5 MB
    ],
    ids=["deep-json", "over-the-limit"],
)
def test_a_failed_api_key_request_leaves_no_scope_in_the_worker(gunicorn, tenant_a, body):
    _key, raw = api_key_create(creditor=tenant_a.creditor, name="ERP")
    loner = Client()
    loner.force_login(UserFactory(username="no-creditor"))
    cookie = f"sessionid={loner.cookies['sessionid'].value}"

    for _ in range(3):  # the one worker thread serves them all, one after the other
        status, _content = request(
            gunicorn,
            "POST",
            "/api/v1/cases/",
            body,
            {"Authorization": f"Bearer {raw}", "Content-Type": "application/json"},
        )
        assert status in {400, 413}
        status, content = request(gunicorn, "GET", "/api/v1/cases/", headers={"Cookie": cookie})
        assert status == 403, content[:300]
        assert tenant_a.case.reference.encode() not in content
