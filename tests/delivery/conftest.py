"""Fixtures for delivery tests: storage in a temporary folder, the local peers, and workers."""

import subprocess

import pytest

from tests.conftest import start_celery_worker, stop_celery_worker

from .servers import RunningSmsGateway, RunningSmtp


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def outbox(settings, tmp_path):
    settings.DIGITAL_POST_OUTBOX = str(tmp_path / "digital-post")
    return tmp_path / "digital-post"


@pytest.fixture
def smtp(settings):
    with RunningSmtp() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.DELIVERY_EMAIL_TIMEOUT = 5
        yield server


@pytest.fixture
def sms(settings):
    with RunningSmsGateway() as gateway:
        settings.SMS_GATEWAY_URL = gateway.url
        settings.SMS_GATEWAY_TOKEN = gateway.token
        settings.SMS_SENDER = "Alfa Byg"
        settings.SMS_GATEWAY_TIMEOUT = 1
        yield gateway


def gateway_env(settings) -> dict[str, str]:
    """The test's gateway settings as the environment a worker process reads them from."""
    names = [
        "MEDIA_ROOT",
        "DIGITAL_POST_OUTBOX",
        "SMS_GATEWAY_URL",
        "SMS_GATEWAY_TOKEN",
        "SMS_SENDER",
        "SMS_GATEWAY_TIMEOUT",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "DELIVERY_EMAIL_TIMEOUT",
    ]
    env = {name: str(getattr(settings, name)) for name in names if getattr(settings, name, "")}
    if settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        env["EMAIL_BACKEND"] = settings.EMAIL_BACKEND
    env["DELIVERY_RETRY_BASE_SECONDS"] = "1"
    return env


@pytest.fixture
def start_worker(transactional_db, settings):
    """Start real worker processes (as tests/conftest.py's ``worker``) with the test's
    gateway settings; returns (queue, process) so a test can kill one mid-delivery."""
    started = []

    def start() -> tuple[str, subprocess.Popen]:
        queue, process = start_celery_worker(gateway_env(settings))
        started.append((queue, process))
        return queue, process

    yield start
    for queue, process in started:
        stop_celery_worker(queue, process)
