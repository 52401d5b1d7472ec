"""Work is queued from a transaction only through ``enqueue_on_commit``: a named, robust hook
that turns a broker that is down into a log line, so a committed step never fails after its
commit and the commit's other hooks still run."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from django.db import transaction

from collections_portal.celery import enqueue, enqueue_on_commit
from collections_portal.tasks import health
from tests.faults import broker_unreachable

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", "tests", "bench", "media", "staticfiles", ".git"}
# Who may publish a task directly: the helper itself, and the letter preview, whose request
# waits for the result (and answers 503 when the broker is down).
PUBLISHERS = {"collections_portal/celery.py", "notices/views.py"}


def code_files():
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if not SKIP.intersection(relative.parts):
            yield relative.as_posix(), path.read_text()


def test_the_code_base_queues_on_commit_only_through_the_helper():
    offenders = []
    for name, text in code_files():
        for number, line in enumerate(text.splitlines(), start=1):
            if re.search(r"\bon_commit\(", line) and name != "collections_portal/celery.py":
                offenders.append(f"{name}:{number}: {line.strip()}")
            if re.search(r"\.(delay|apply_async)\(", line) and name not in PUBLISHERS:
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == [], "queue work with collections_portal.celery.enqueue_on_commit"


@pytest.mark.django_db
def test_the_hook_is_named_and_says_what_it_queues(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as hooks:
        enqueue_on_commit(health, "token")
    [hook] = hooks
    assert hook.__qualname__ == "enqueue_on_commit[portal.health]"
    assert (hook.task, hook.args, hook.kwargs) == (health, ("token",), {})


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_down_is_logged_and_the_commits_other_hooks_still_run(caplog):
    ran = []

    def after() -> None:
        ran.append("after")

    with broker_unreachable(), caplog.at_level(logging.WARNING):
        with transaction.atomic():
            enqueue_on_commit(health, "first")
            transaction.on_commit(after, robust=True)
        assert enqueue(health, "now") is False
    assert ran == ["after"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum("broker unreachable, portal.health" in m for m in warnings) == 2


def test_with_the_broker_up_enqueue_hands_the_message_over():
    assert enqueue(health, "up") is True
