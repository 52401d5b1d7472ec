"""The Celery app: Redis broker, schedules from django-celery-beat, settings under CELERY_."""

import gc
import logging
import os

import kombu.exceptions
import redis.exceptions
from celery import Celery, Task
from celery.signals import task_postrun, task_prerun, worker_process_init, worker_ready
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collections_portal.settings")

app = Celery("collections_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)

# What a broker that cannot be reached raises on publish: kombu wraps the transport's
# connection errors in its OperationalError; the rest are the raw socket and Redis errors.
BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError)


def enqueue(task, *args, **kwargs) -> bool:
    """Publish ``task(*args, **kwargs)`` now, fire and forget; True if the broker took it.

    For work whose record is already committed and that a beat sweep queues again while it is
    still waiting (pending notices, webhook deliveries, ...): a broker that cannot be reached
    is logged and the record stays as it is, so the caller (a request whose transaction has
    committed) never fails for it. Nobody waits for these results, so none are stored: that
    also keeps the publish off the result backend (with Redis down, subscribing to a result
    retries for about 20 seconds).
    """
    try:
        task.apply_async(args=args, kwargs=kwargs, ignore_result=True)
    except BROKER_ERRORS as exc:
        logger.warning(
            "broker unreachable, %s(args=%r, kwargs=%r) not queued now; its sweep queues it "
            "again: %s",
            task.name,
            args,
            kwargs,
            exc,
        )
        return False
    return True


def enqueue_on_commit(task, *args, using: str | None = None, **kwargs) -> None:
    """Queue ``task(*args, **kwargs)`` once the current transaction commits (at once outside
    one): the one way the code base queues work from a transaction.

    The hook is a named function and robust: Django logs a failing robust hook by its
    ``__qualname__`` (a ``functools.partial`` has none, so the log line itself raised and the
    commit's remaining hooks were dropped, after the commit, as a 500), and a robust hook's
    error never reaches the request that committed. ``enqueue`` already turns a broker that is
    down into a log line; robust covers anything else. ``tests/collections_portal/
    test_on_commit.py`` holds the code base to this helper.
    """

    def enqueue_committed() -> None:
        enqueue(task, *args, **kwargs)

    # What the hook queues, for the log line of a failure and for tests that capture hooks.
    enqueue_committed.__qualname__ = f"enqueue_on_commit[{task.name}]"
    enqueue_committed.task, enqueue_committed.args, enqueue_committed.kwargs = task, args, kwargs
    transaction.on_commit(enqueue_committed, using=using, robust=True)


@worker_ready.connect
@worker_process_init.connect
def freeze_startup_heap(**kwargs) -> None:
    """Move what the worker loaded at start (Django, the apps, Celery) out of the garbage
    collector's sight: a full collection then walks only what tasks made, not the ~500,000
    objects of a loaded project every time (bench/letters.py measured it). ``worker_ready``
    covers the solo pool, ``worker_process_init`` each prefork child."""
    gc.collect()
    gc.freeze()


@task_prerun.connect
@task_postrun.connect
def close_old_db_connections(sender=None, **kwargs) -> None:
    """Around every task, what Django does around every request: close a connection that is
    past ``CONN_MAX_AGE``, broken by an error or left outside autocommit, and health-check a
    kept one before its first query. So a worker reuses its PostgreSQL connection from task
    to task (Celery's own per-task close is off: ``CELERY_DB_REUSE_MAX``) and still never
    runs a task on a connection the server has dropped. Not for a task run eagerly, in the
    caller's process and maybe inside its transaction (as Celery's own handler)."""
    from django.db import close_old_connections

    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    close_old_connections()


@task_prerun.connect
@task_postrun.connect
def reset_tenant_scope(sender=None, **kwargs) -> None:
    """Every task in a worker starts and ends with no tenant scope, so a scope some failed
    block left open can never reach the next task of the same process. Tasks enter their own
    (``CreditorTask``, ``creditor_scope``, ``agency_scope``). Not for a task run eagerly: it
    runs in the caller's context, inside the caller's scope."""
    from collections_portal.tenancy import scope_reset

    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    scope_reset()


class CreditorTask(Task):
    """Base for tasks that act for one creditor: the task runs inside that creditor's scope.

    Such tasks take ``creditor_id`` as a keyword argument (ids, never model instances), so the
    scope is entered here once and no task body can forget it.
    """

    abstract = True

    def __call__(self, *args, **kwargs):
        from collections_portal.tenancy import creditor_scope

        creditor_id = kwargs.get("creditor_id")
        if not isinstance(creditor_id, int):
            raise TypeError(f"{self.name} must be called with creditor_id=<int>")
        with creditor_scope(creditor_id):
            return super().__call__(*args, **kwargs)


def queue_discard(name: str) -> int:
    """Drop a throwaway queue (a test run's, a benchmark's) and the messages left in it.

    kombu's ``queue_delete`` on Redis leaves the messages of a queue no worker declared, so the
    queue is purged first. Returns how many messages were dropped.
    """
    with app.connection_for_write() as conn:
        dropped = conn.default_channel.queue_purge(name) or 0
        conn.default_channel.queue_delete(name)
    return dropped
