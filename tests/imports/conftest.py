from contextlib import contextmanager

import pytest


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(request, settings, tmp_path):
    """Uploads go to a temporary MEDIA_ROOT, except where a worker process (which reads the
    default MEDIA_ROOT) must find them."""
    if request.node.get_closest_marker("celery_worker") is None:
        settings.MEDIA_ROOT = tmp_path


@contextmanager
def broker_unreachable():
    """The broker unreachable: the Celery app pointed at a port nothing listens on."""
    from collections_portal.celery import app

    def reset_pools() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    reset_pools()
    try:
        yield
    finally:
        app.conf.broker_url = previous
        reset_pools()


@pytest.fixture
def broker_down():
    with broker_unreachable():
        yield
