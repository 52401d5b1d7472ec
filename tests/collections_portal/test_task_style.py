"""One task style: every task is a ``shared_task`` that acknowledges late (it is safe to run
twice), takes ids and plain values as arguments (never model instances), and runs in the
creditor's scope through ``CreditorTask`` when it acts for one creditor."""

import inspect
from pathlib import Path

from collections_portal.celery import CreditorTask, app

ROOT = Path(__file__).resolve().parents[2]
PLAIN = {int, str, bool, float, "int", "str", "bool", "float", "int | None", "str | None"}


def _our_tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_task_is_declared_the_same_way():
    for path in ROOT.glob("**/tasks.py"):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        assert "@app.task" not in path.read_text(), path


def test_every_task_acks_late_and_takes_plain_arguments():
    tasks = _our_tasks()
    assert "imports.process_import" in tasks
    for name, task in tasks.items():
        assert task.acks_late, name
        signature = inspect.signature(task.run)
        for parameter in signature.parameters.values():
            if parameter.name == "self":
                continue
            assert parameter.annotation in PLAIN, (name, parameter)
            if parameter.name.endswith("_id"):
                assert parameter.annotation in (int, "int"), (name, parameter)


def test_a_task_that_acts_for_a_creditor_runs_in_its_scope():
    for name, task in _our_tasks().items():
        takes_creditor = "creditor_id" in inspect.signature(task.run).parameters
        assert takes_creditor == isinstance(task, CreditorTask), name
