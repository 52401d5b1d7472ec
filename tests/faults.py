"""Outages for tests: the broker, the result store or the cache pointed at a closed port.

Nothing is mocked: the real clients try to connect and are refused, as in an outage.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.core.cache import caches
from django.test import override_settings

from collections_portal.celery import app

# Nothing listens on port 1: a connection is refused at once (no timeout to wait for).
CLOSED = "redis://127.0.0.1:1/0"


def _forget_broker_connections() -> None:
    # kombu keeps one pool per broker URL (the real broker's stays open for the way back).
    app._pool = None
    app.amqp._producer_pool = None


def _forget_result_store() -> None:
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@contextmanager
def broker_unreachable(*, result_store: bool = False):
    """Publishing fails as with the broker (and with ``result_store``, the result store) down;
    on exit the app connects to the real Redis again."""
    saved = app.conf.broker_url, app.conf.result_backend, app.backend
    _forget_broker_connections()
    app.conf.broker_url = CLOSED
    if result_store:
        app.conf.result_backend = CLOSED
        _forget_result_store()
    try:
        yield
    finally:
        _forget_broker_connections()
        _forget_result_store()
        app.conf.broker_url, app.conf.result_backend, app._backend = saved


@contextmanager
def cache_unreachable():
    """The default cache (Redis) refuses every connection; the real one again on exit."""
    down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED,
            "KEY_PREFIX": "down",
        }
    }
    with override_settings(CACHES=down):  # the setting_changed handler resets the handles
        caches["default"].close()
        yield
    caches["default"].close()
