"""Imports point one way: ``cli -> commands -> (results, report, reproduce) -> search ->
(study, tracking, config, space, sweepfile) -> infra -> records -> pipeline``. pipeline/ is pure
ML; only the tracking package imports mlflow; no module imports one that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_PIPELINE = {"optuna", "mlflow", "yaml", "sweeps"}
MLFLOW_ALLOWED = {"tracking"}
#: Which parts of sweeps/ each part must never import (the layers, top to bottom).
NEVER = {
    "records": {"infra", "config", "space", "limits", "keywords", "sweepfile", "study",
                "tracking", "search", "results", "report", "reproduce", "commands", "cli"},
    "infra": {"config", "space", "sweepfile", "study", "tracking", "search", "results",
              "report", "reproduce", "commands", "cli"},
    "space": {"config", "sweepfile", "study", "tracking", "search", "results", "report",
              "reproduce", "commands", "cli"},
    "limits": {"config", "sweepfile", "study", "tracking", "search", "results", "report",
               "reproduce", "commands", "cli"},
    "study": {"config", "sweepfile", "tracking", "search", "results", "report", "reproduce",
              "commands", "cli"},
    "tracking": {"config", "sweepfile", "study", "search", "results", "report", "reproduce",
                 "commands", "cli"},
    "config": {"sweepfile", "tracking", "search", "results", "report", "reproduce",
               "commands", "cli"},
    "keywords": {"config", "sweepfile", "tracking", "search", "results", "report",
                 "reproduce", "commands", "cli"},
    "sweepfile": {"tracking", "search", "results", "report", "reproduce", "commands", "cli"},
    "search": {"results", "report", "reproduce", "commands", "cli"},
    "report": {"results", "reproduce", "commands", "cli"},
    "reproduce": {"results", "report", "commands", "cli"},
    "results": {"reproduce", "commands", "cli"},
    "commands": {"cli"},
}  # fmt: skip


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports (at any depth of the file), as dotted names."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _roots(path: Path) -> set[str]:
    return {name.split(".")[0] for name in _imports(path)}


def _part(module: str) -> str | None:
    """``sweeps.search.trial`` -> ``search``; ``sweeps.cli`` -> ``cli``."""
    parts = module.split(".")
    return parts[1] if parts[0] == "sweeps" and len(parts) > 1 else None


SWEEPS_FILES = sorted((ROOT / "sweeps").rglob("*.py"))


@pytest.mark.parametrize("path", sorted((ROOT / "pipeline").rglob("*.py")), ids=str)
def test_pipeline_imports_no_orchestration(path: Path) -> None:
    assert not (_roots(path) & FORBIDDEN_IN_PIPELINE)


@pytest.mark.parametrize("path", SWEEPS_FILES, ids=str)
def test_only_tracking_imports_mlflow(path: Path) -> None:
    rel = path.relative_to(ROOT / "sweeps")
    if rel.parts[0] in MLFLOW_ALLOWED:
        return
    assert "mlflow" not in _roots(path), f"{rel} imports mlflow"


@pytest.mark.parametrize("path", SWEEPS_FILES, ids=str)
def test_imports_point_down_the_layers(path: Path) -> None:
    rel = path.relative_to(ROOT / "sweeps")
    part = rel.parts[0].removesuffix(".py")
    upward = {p for p in map(_part, _imports(path)) if p in NEVER.get(part, set())}
    assert not upward, f"{rel} ({part}) imports {sorted(upward)}"


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def test_no_module_imports_one_that_imports_it_back() -> None:
    """Among modules (a package's ``__init__`` re-exports its own modules and is left out)."""
    files = [
        p for p in (*SWEEPS_FILES, *sorted((ROOT / "pipeline").rglob("*.py")))
        if p.name != "__init__.py"
    ]  # fmt: skip
    modules = {_module_name(p): p for p in files}
    graph = {
        name: {m for m in _imports(path) if m in modules and m != name}
        for name, path in modules.items()
    }
    cycles = [(a, b) for a, targets in graph.items() for b in targets if _reaches(graph, b, a)]
    assert not cycles, f"import cycles: {sorted(set(map(tuple, map(sorted, cycles))))}"


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return False


def test_the_layering_check_sees_imports(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import mlflow.sklearn\nfrom optuna import trial\ndef f():\n    import yaml\n")
    assert _roots(probe) == {"mlflow", "optuna", "yaml"}
    assert "optuna.trial" in _imports(probe)
