"""Project-wide Celery tasks: thin, ids as arguments, safe to run twice."""

import socket

from celery import shared_task
from django.db import connection
from django.utils import timezone


@shared_task(name="portal.health", acks_late=True)
def health(token: str) -> dict:
    """Prove the path web -> Redis -> worker -> PostgreSQL -> Redis -> caller works.

    It echoes the caller's token, so the caller knows the answer is to its own request.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), now(), pg_backend_pid()")
        database, db_now, backend_pid = cursor.fetchone()
    return {
        "token": token,
        "worker": socket.gethostname(),
        "database": database,
        "database_time": db_now.isoformat(),
        "database_backend_pid": backend_pid,  # which server connection the worker used
        "worker_time": timezone.now().isoformat(),
    }
