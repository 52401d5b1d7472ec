"""Fixtures for delivery tests: storage in a temporary folder, the local peers, and workers."""

import os
import subprocess
import sys
import uuid

import pytest
from django.db import connection

from tests.conftest import ROOT

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
    processes = []
    db = connection.settings_dict

    def start() -> tuple[str, subprocess.Popen]:
        queue = f"test-{uuid.uuid4().hex[:12]}"
        env = {
            **os.environ,
            **gateway_env(settings),
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
            ),
            "CELERY_TASK_DEFAULT_QUEUE": queue,
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "collections_portal", "worker",
             "--pool=solo", "--concurrency=1", "--without-gossip", "--without-mingle",
             "--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        processes.append(process)
        return queue, process

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
