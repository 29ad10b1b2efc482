"""Imports point one way: pipeline/ is pure ML, only the tracking code imports mlflow."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_PIPELINE = {"optuna", "mlflow", "yaml", "sweeps"}
MLFLOW_ALLOWED = {"tracking"}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", sorted((ROOT / "pipeline").rglob("*.py")), ids=str)
def test_pipeline_imports_no_orchestration(path: Path) -> None:
    assert not (_imported_roots(path) & FORBIDDEN_IN_PIPELINE)


@pytest.mark.parametrize("path", sorted((ROOT / "sweeps").rglob("*.py")), ids=str)
def test_only_tracking_imports_mlflow(path: Path) -> None:
    rel = path.relative_to(ROOT / "sweeps")
    if rel.parts[0] in MLFLOW_ALLOWED or rel.stem in MLFLOW_ALLOWED:
        return
    assert "mlflow" not in _imported_roots(path), f"{rel} imports mlflow"


def test_the_layering_check_sees_imports(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import mlflow.sklearn\nfrom optuna import trial\n")
    assert _imported_roots(probe) == {"mlflow", "optuna"}
