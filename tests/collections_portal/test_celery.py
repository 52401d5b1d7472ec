"""A real Celery worker process takes a task from Redis, runs it against PostgreSQL, answers."""

import uuid

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from collections_portal.celery import app
from collections_portal.tasks import health
from tests.conftest import app_database_url


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


@pytest.mark.celery_worker
def test_a_worker_keeps_its_database_connection_and_replaces_one_the_server_dropped(worker):
    """Tasks reuse the worker's PostgreSQL connection (no new connection per task), and a
    connection the server has ended is replaced before the next task's first query."""
    first = health.apply_async(args=["first"], queue=worker).get(timeout=60)
    second = health.apply_async(args=["second"], queue=worker).get(timeout=60)
    assert second["database_backend_pid"] == first["database_backend_pid"]

    # As the worker's own role (the application's): only it, or a superuser, may end it.
    with psycopg.connect(app_database_url()) as own_role:
        ended = own_role.execute("SELECT pg_terminate_backend(%s)", [first["database_backend_pid"]])
        assert ended.fetchone() == (True,)
    third = health.apply_async(args=["third"], queue=worker).get(timeout=60)
    assert third["token"] == "third"
    assert third["database_backend_pid"] != first["database_backend_pid"]
