"""docker-compose.yml describes the same system as scripts/run, and Compose accepts it."""

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


def test_compose_accepts_the_file():
    result = subprocess.run(
        [*compose_command(), "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    assert "celery -A collections_portal worker" in command_of(services["worker"])
    assert "celery -A collections_portal beat" in command_of(services["beat"])
    assert "8000" in str(services["web"]["ports"])


def test_the_procfile_runs_web_worker_and_beat():
    lines = (ROOT / "Procfile").read_text().splitlines()
    assert [line.split(":")[0] for line in lines] == ["web", "worker", "beat"]
