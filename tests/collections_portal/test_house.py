"""The house's small rules: the licence is shipped, code cites no file outside the repository,
lint messages name functions that exist, and each setting that lists things is declared once."""

import ast
import re
import tomllib
from pathlib import Path

from collections_portal import tenancy

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = [
    "cases",
    "collections_portal",
    "creditors",
    "debtors",
    "integrations",
    "notices",
    "tests",
    "scripts",
    "bench",
    "templates",
]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_agpl_licence_is_shipped_and_declared():
    licence = (ROOT / "LICENSE").read_text()
    assert licence.lstrip().startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
    assert "Version 3, 19 November 2007" in licence
    assert "13. Remote Network Interaction; Use with the GNU General Public License." in licence
    assert "END OF TERMS AND CONDITIONS" in licence
    project = _pyproject()["project"]
    assert project["license"].startswith("AGPL-3.0")
    assert project["license-files"] == ["LICENSE"]


def test_no_code_cites_a_file_outside_the_repository():
    outside = re.compile(r"/work/|\bshared/|\b(?:RULES|STYLE|DESIGN)\.md\b")
    found = []
    for folder in SOURCE_DIRS:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".py", ".html", ".txt", ".sh", ""} or not path.is_file():
                continue
            if path == Path(__file__):
                continue
            for number, line in enumerate(path.read_text(errors="ignore").splitlines(), 1):
                if outside.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_banned_api_messages_name_functions_that_exist():
    banned = _pyproject()["tool"]["ruff"]["lint"]["flake8-tidy-imports"]["banned-api"]
    for entry in banned.values():
        for name in re.findall(r"collections_portal\.tenancy\.(\w+)", entry["msg"]):
            assert hasattr(tenancy, name), name
        for name in re.findall(r"\((\w+(?:, \w+)*)\)", entry["msg"]):
            for part in name.split(", "):
                if part.endswith("_scope"):
                    assert hasattr(tenancy, part), part


def _assignments(tree: ast.Module, name: str) -> list[ast.AST]:
    """Every statement of the settings module that sets or changes ``name``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                base = target.value if isinstance(target, ast.Subscript) else target
                if isinstance(base, ast.Name) and base.id == name:
                    found.append(node)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
        ):
            found.append(node)
    return found


def test_installed_apps_and_the_beat_schedule_are_each_declared_once():
    tree = ast.parse((ROOT / "collections_portal" / "settings.py").read_text())
    for name in ("INSTALLED_APPS", "CELERY_BEAT_SCHEDULE"):
        statements = _assignments(tree, name)
        assert len(statements) == 1, (name, [s.lineno for s in statements])
        assert isinstance(statements[0], ast.Assign)


def test_the_beat_schedule_names_every_periodic_task():
    from django.conf import settings

    assert set(settings.CELERY_BEAT_SCHEDULE) == {
        "advance-due-cases",
        "flag-approaching-limitation",
        "api-idempotency-cleanup",
        "render-pending-notices",
        "delivery-requeue-stalled",
        "close-print-batches",
        "imports-requeue-stale-jobs",
        "exports-requeue-stale",
        "webhooks-send-due-deliveries",
        "credit-bureau-sweep",
        "bank-requeue-stale-files",
        "bank-settlements",
        "bank-reconcile",
        "notification-digests",
    }
    apps = settings.INSTALLED_APPS
    assert apps.index("notices.delivery") == apps.index("notices") + 1
    assert apps[-1] == "axes"


def test_the_test_command_has_a_quick_lane_and_a_type_check():
    script = (ROOT / "scripts" / "test").read_text()
    quick, full = script.split('if [[ "${1:-}" == "--quick" ]]; then', 1)[1].split("\nfi\n", 1)
    assert "--reuse-db" in quick
    assert '-m "not browser and not celery_worker"' in quick
    assert "scripts/setup" not in quick and "ruff" not in quick
    assert "scripts/setup" in full and "mypy" in full and "--create-db" in full
    assert "scripts/test --quick" in (ROOT / "README.md").read_text()
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("exec bash scripts/test")
    mypy = _pyproject()["tool"]["mypy"]
    assert mypy["files"] == ["cases", "notices"]
    assert "mypy_django_plugin.main" in mypy["plugins"]
    assert "mypy_drf_plugin.main" in mypy["plugins"]
