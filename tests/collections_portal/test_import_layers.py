"""The imports between the apps run one way: no circle of files crosses two apps.

Read from the source (``ast``), not by importing: every ``import`` counts, also one inside a
function (a late import only hides a circle, it does not open it); an import under
``if TYPE_CHECKING:`` does not (it never runs). Importing ``a.b.c`` runs ``a/__init__.py`` and
``a/b/__init__.py`` too, so those count as imported.

The layers, from the ground up (a file may import its own layer and the ones below):

1. ``collections_portal`` (settings, tenancy, Celery), ``creditors``, ``debtors``;
2. ``cases`` models, rules, selectors and the timeline (``cases.timeline``);
3. ``notices`` models; ``integrations.gateways`` (they carry plain messages and know no domain);
4. ``notices`` (rendering, kinds, texts) and ``notices.delivery``: they read the case through
   ``cases.models``/``cases.selectors`` and write its timeline through ``cases.timeline``,
   never through ``cases.services``;
5. ``cases.services``: the case's steps; they may create a notice (``notices.models``) and queue
   its render (``notices.tasks``);
6. ``integrations.api``, ``integrations.imports``, ``integrations.webhooks`` views, and the
   apps' views and admin, on top.

Allowed, although it points from ``cases`` into ``notices``: ``cases.services`` ->
``notices.models`` / ``notices.tasks``. Allowed, although it points from ``cases`` into
``integrations``: ``cases.timeline`` and ``cases.services`` -> ``integrations.webhooks.events``
(an event is recorded in the step's transaction). What keeps these from closing a circle is the
rules below and the circle test itself.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("collections_portal", "creditors", "debtors", "cases", "notices", "integrations")

# (importer prefix, imported prefix): no module under the first imports one under the second.
FORBIDDEN = [
    ("notices", "cases.services"),
    ("cases.timeline", "cases.services"),
    ("cases.selectors", "cases.services"),
    ("cases.rules", "cases.services"),
    ("integrations.gateways", "notices"),
    ("integrations.gateways", "debtors"),
    ("integrations.gateways", "cases"),
    ("integrations.gateways", "creditors"),
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found[_module_name(path)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> list[str]:
    """Every module name the file imports, relative imports resolved, TYPE_CHECKING left out."""
    names: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            names.append(base)
            # ``from package import submodule`` imports the submodule.
            names.extend(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


@cache
def import_graph() -> dict[str, set[str]]:
    known = modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in known.items():
        graph[module]
        tree = ast.parse(path.read_text(), filename=str(path))
        for name in _imported_names(tree, module, path.name == "__init__.py"):
            parts = name.split(".")
            # The module itself and every package above it run on import.
            for end in range(1, len(parts) + 1):
                target = ".".join(parts[:end])
                if target in known and target != module:
                    graph[module].add(target)
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _app(module: str) -> str:
    return module.split(".")[0]


def _describe(circle: list[str], graph: dict[str, set[str]]) -> str:
    members = set(circle)
    ties = [f"  {a} -> {b}" for a in circle for b in sorted(graph[a]) if b in members]
    return "\n".join([", ".join(circle), *ties])


def test_the_reader_sees_the_imports():
    """The reader itself: a late import inside a function counts, a TYPE_CHECKING one does
    not, relative imports resolve, and a package's __init__ counts as imported."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "from . import sibling\n"
        "from ..other import thing\n"
        "if TYPE_CHECKING:\n"
        "    from hidden.module import Name\n"
        "def late():\n"
        "    from notices.tasks import queue_render\n"
    )
    names = _imported_names(ast.parse(source), "cases.services.lifecycle", is_package=False)
    assert "cases.services.sibling" in names
    assert "cases.other" in names
    assert "notices.tasks" in names
    assert not any(name.startswith("hidden") for name in names)
    graph = {"a.x": {"b.y"}, "b.y": {"a.z"}, "a.z": {"a.x"}, "c": set()}
    assert _circles(graph) == [["a.x", "a.z", "b.y"]]


def test_no_circle_of_imports_crosses_two_apps():
    graph = import_graph()
    assert "cases.services.lifecycle" in graph  # the reader found the code
    crossing = [c for c in _circles(graph) if len({_app(m) for m in c}) > 1]
    assert not crossing, "Import circles across apps:\n" + "\n\n".join(
        _describe(c, graph) for c in crossing
    )


def test_forbidden_imports():
    """notices and notices.delivery never import cases.services; the case's read side and its
    timeline never import its services; gateways know no domain."""
    graph = import_graph()
    broken = sorted(
        f"{module} imports {target} (no {low} may import {high})"
        for module, targets in graph.items()
        for target in targets
        for low, high in FORBIDDEN
        if _under(module, low) and _under(target, high)
    )
    assert not broken, "\n".join(broken)
