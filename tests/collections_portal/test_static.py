"""scripts/setup collects the static files so that pages render once DEBUG=0.

With DEBUG=0 the portal serves static files through WhiteNoise's manifest storage, which needs
the manifest of hashed names that only a collectstatic run with that storage writes; a run
with DEBUG on (the settings' default) writes none, and every page then answered 500.
The test runs the very collectstatic command of scripts/setup (with only the static files the
pages use, to take seconds), then renders the sign-in page with DEBUG=0.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

RENDER = """
import django
django.setup()
from django.test import Client
response = Client(raise_request_exception=False).get("/accounts/login/", secure=True)
print(response.status_code)
"""


def setup_collectstatic_command() -> str:
    lines = [
        line.strip()
        for line in (ROOT / "scripts" / "setup").read_text().splitlines()
        if "manage.py collectstatic" in line and not line.strip().startswith("#")
    ]
    assert len(lines) == 1, lines
    return lines[0]


def test_pages_render_with_debug_off_after_scripts_setup_collected_the_static_files(tmp_path):
    pico = tmp_path / "pico"
    pico.mkdir()
    shutil.copy(ROOT / "node_modules/@picocss/pico/css/pico.min.css", pico)
    htmx = tmp_path / "htmx"
    htmx.mkdir()
    shutil.copy(ROOT / "node_modules/htmx.org/dist/htmx.min.js", htmx)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "tests.collections_portal.static_settings",
        "STATIC_TEST_PICO_DIR": str(pico),
        "STATIC_TEST_HTMX_DIR": str(htmx),
        "STATIC_ROOT": str(tmp_path / "static"),
        "PYTHONPATH": str(ROOT),
    }
    command = setup_collectstatic_command()
    subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, check=True, timeout=300)

    production = env | {"DEBUG": "0", "SECRET_KEY": "test-only", "ALLOWED_HOSTS": "testserver"}
    result = subprocess.run(
        [sys.executable, "-c", RENDER],
        cwd=ROOT,
        env=production,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1:] == ["200"], result.stderr[-2000:]
    # And the development server's DEBUG=1 renders from the same collected files.
    result = subprocess.run(
        [sys.executable, "-c", RENDER],
        cwd=ROOT,
        env=env | {"DEBUG": "1", "ALLOWED_HOSTS": "testserver"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1:] == ["200"], result.stderr[-2000:]


def test_the_setup_command_is_the_one_of_the_docker_image():
    """The Dockerfile collects the same way (DEBUG=0), so both deployments behave alike."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"DEBUG=0 \S+ python manage.py collectstatic", dockerfile)
    assert "DEBUG=0" in setup_collectstatic_command()
