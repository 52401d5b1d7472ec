"""docker-compose.yml describes the same system as scripts/run, and Compose accepts it."""

import os
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose_command() -> list[str]:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    assert legacy, "scripts/setup installs Debian's docker-compose when Docker Compose is missing"
    return [legacy]


def command_of(service: dict) -> str:
    """Compose v2 prints a command as a list, v1 as the string it was given."""
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


# Variables of the machine running the tests must not leak into what Compose is shown.
PORTAL_VARIABLES = ("DEBUG", "SECRET_KEY", "SEED_DEMO", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT")


def compose_config(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PORTAL_VARIABLES}
    return subprocess.run(
        [*compose_command(), "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, **env},
    )


def test_compose_accepts_the_file():
    result = compose_config(SECRET_KEY="a-key-from-the-environment")
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    assert "celery -A collections_portal worker" in command_of(services["worker"])
    assert "celery -A collections_portal beat" in command_of(services["beat"])
    assert "8000" in str(services["web"]["ports"])


def test_the_procfile_runs_web_worker_and_beat():
    lines = (ROOT / "Procfile").read_text().splitlines()
    assert [line.split(":")[0] for line in lines] == ["web", "worker", "beat"]


def test_compose_runs_production_settings_by_default():
    """DEBUG off, the secret key from the environment, no demo users unless asked for."""
    result = compose_config(SECRET_KEY="a-key-from-the-environment")
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert str(environment["DEBUG"]) == "0", name
        assert environment["SECRET_KEY"] == "a-key-from-the-environment", name
        assert str(environment["SEED_DEMO"]) == "0", name
    web = command_of(services["web"])
    # The demo data (users with a published password) is created only with SEED_DEMO=1.
    assert "SEED_DEMO" in web.split("seed_demo")[0]
    assert "dev-only-secret-key" not in (ROOT / "docker-compose.yml").read_text()


def test_compose_refuses_to_start_without_a_secret_key():
    result = compose_config()
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
