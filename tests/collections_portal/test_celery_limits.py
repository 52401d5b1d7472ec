"""The broker's visibility timeout is short (a killed worker's letters come back in minutes,
not an hour) and consistent with the tasks: none runs, or waits for a retry, past it."""

from __future__ import annotations

from django.conf import settings

from collections_portal.celery import app
from notices.delivery.tasks import retry_countdown
from notices.tasks import render_notice

from .test_settings import manage

# Tasks allowed to run past the visibility timeout, because a second copy handed out while
# they run is harmless: the import job and the case export hold an advisory lock (the copy
# returns at once).
MAY_RUN_PAST_THE_VISIBILITY_TIMEOUT = {"imports.process_import", "exports.write_case_export"}


def project_tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_the_visibility_timeout_is_minutes_not_an_hour():
    timeout = app.conf.broker_transport_options["visibility_timeout"]
    assert timeout == settings.BROKER_VISIBILITY_TIMEOUT_SECONDS
    assert timeout <= 15 * 60


def test_every_task_stops_before_the_broker_hands_it_out_again():
    timeout = settings.BROKER_VISIBILITY_TIMEOUT_SECONDS
    tasks = project_tasks()
    assert "notices.render_notice" in tasks and "delivery.deliver_notice" in tasks
    for name, task in tasks.items():
        assert task.time_limit and task.soft_time_limit, name
        assert task.soft_time_limit < task.time_limit, name
        if name not in MAY_RUN_PAST_THE_VISIBILITY_TIMEOUT:
            assert task.time_limit < timeout, f"{name}: {task.time_limit} s"
    assert set(settings.CELERY_TASK_ANNOTATIONS) == MAY_RUN_PAST_THE_VISIBILITY_TIMEOUT


def test_no_retry_waits_in_a_worker_past_the_visibility_timeout():
    timeout = settings.BROKER_VISIBILITY_TIMEOUT_SECONDS
    assert max(retry_countdown(n) for n in range(60)) < timeout
    assert render_notice.retry_backoff_max < timeout


def test_a_delivery_backoff_past_the_visibility_timeout_is_refused_at_start():
    result = manage("check", env={"DELIVERY_RETRY_MAX_SECONDS": "3600"})
    assert result.returncode != 0
    assert "DELIVERY_RETRY_MAX_SECONDS must be below 900" in result.stderr
