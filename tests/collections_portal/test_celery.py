"""A real Celery worker process takes a task from Redis, runs it against PostgreSQL, answers."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from collections_portal.celery import app
from collections_portal.tasks import health

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(transactional_db):
    """A worker process on a queue of its own, connected to this test's database."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "collections_portal", "worker",
         "--pool=solo", "--concurrency=1", "--without-gossip", "--without-mingle",
         "--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        app.control.purge()


@pytest.mark.celery_worker
def test_a_worker_answers_the_health_task(worker):
    token = uuid.uuid4().hex
    result = health.apply_async(args=[token], queue=worker)
    answer = result.get(timeout=60)
    assert answer["token"] == token
    assert answer["database"] == connection.settings_dict["NAME"]


def test_tasks_are_acknowledged_late_and_requeued_if_the_worker_dies():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.broker_url.startswith("redis://")
