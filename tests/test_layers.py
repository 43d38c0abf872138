"""Layers point one way (docs/architecture.md): the domain packages import each other without a cycle, no module
imports another package's views, and the app never imports the demo. Read from the source, function-level
imports included."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "kinerja"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in ROOT.rglob("*.py")}


def imported(name: str) -> set[str]:
    """The kinerja modules a module imports, anywhere in it ('from kinerja.x import y' names y if y is a module)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *filter(None, [base])])
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target not in MODULES and "." in target:
                target = target.rpartition(".")[0]
            if target.startswith("kinerja.") or target == "kinerja":
                found.add(target)
    return found


def package(name: str) -> str:
    """kinerja.skp.queries → 'skp'; a top-level module such as kinerja.clock is its own package."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "kinerja"


def is_views(name: str) -> bool:
    last = name.rpartition(".")[2]
    return last == "views" or last.endswith("_views") or package(name) == "api"


def is_domain(name: str) -> bool:
    """Services, queries, models, renderers: not pages, forms, commands, the app factory or the demo."""
    last = name.rpartition(".")[2]
    return not (is_views(name) or name == "kinerja" or package(name) == "demo"
                or last in ("forms", "commands") or last.endswith("_forms"))


IMPORTS = {name: imported(name) for name in MODULES}


def package_graph() -> dict[str, dict[str, list[str]]]:
    graph: dict[str, dict[str, list[str]]] = {}
    for name, targets in IMPORTS.items():
        for target in targets:
            if is_domain(name) and is_domain(target) and package(name) != package(target):
                graph.setdefault(package(name), {}).setdefault(package(target), []).append(f"{name} → {target}")
    return graph


def cycle_in(graph: dict[str, dict[str, list[str]]]) -> list[str] | None:
    """A cycle of packages (as a path that ends where it starts), or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for following in graph.get(node, {}):
            if state.get(following) == "open":
                return [*path[path.index(following):], following]
            if following not in state and (found := visit(following)):
                return found
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_reader_sees_function_level_imports():
    assert "kinerja.core.periods" in IMPORTS["kinerja.skp.evaluation"]
    assert "kinerja.demo.seed" in IMPORTS["kinerja.demo.commands"]


def test_cycle_finder_finds_a_cycle():
    assert cycle_in({"a": {"b": []}, "b": {"c": []}, "c": {"a": []}}) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b": []}, "b": {"c": []}}) is None


def test_domain_packages_import_each_other_without_a_cycle():
    graph = package_graph()
    cycle = cycle_in(graph)
    assert cycle is None, "package cycle " + " → ".join(cycle) + ":\n" + "\n".join(
        edge for start, end in itertools.pairwise(cycle) for edge in graph[start][end])


def test_core_imports_no_feature():
    features = {package(name) for name in MODULES if "." in name.removeprefix("kinerja.")} - {"core", "models"}
    wrong = sorted(f"{name} → {target}" for name, targets in IMPORTS.items() if package(name) == "core"
                   for target in targets if package(target) in features)
    assert wrong == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_another_packages_views(name):
    if name == "kinerja":  # the app factory registers every blueprint
        return
    wrong = sorted(target for target in IMPORTS[name]
                   if is_views(target) and package(target) not in (package(name), "api"))
    assert wrong == []


def test_the_app_never_imports_the_demo():
    wrong = sorted(f"{name} → {target}" for name, targets in IMPORTS.items() if package(name) != "demo"
                   for target in targets if package(target) == "demo")
    assert wrong == []
