"""The benchmarks are not run by the suite, so a move of our modules could break them unseen:
every name they import from ``sweeps``, ``pipeline`` or a sibling benchmark must resolve."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).resolve().parents[1] / "benchmarks").glob("*.py"))
OURS = ("sweeps", "pipeline", "benchmarks")


def _imported(path: Path) -> list[tuple[str, str | None]]:
    """(module, name) pairs of our own imports in ``path`` (name None: the module itself)."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in OURS:
            found += [(str(node.module), alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(a.name, None) for a in node.names if a.name.split(".")[0] in OURS]
    return found


def _resolves(module: str, name: str | None) -> bool:
    imported = importlib.import_module(module)
    if name is None or hasattr(imported, name):
        return True
    try:  # a submodule imported by name
        importlib.import_module(f"{module}.{name}")
    except ImportError:
        return False
    return True


@pytest.mark.parametrize("path", BENCHMARKS, ids=lambda p: p.name)
def test_every_name_a_benchmark_imports_from_our_code_exists(path: Path) -> None:
    missing = [f"{m}.{n}" for m, n in _imported(path) if not _resolves(m, n)]
    assert missing == [], f"{path.name} imports names that no longer exist: {missing}"


def test_a_moved_name_is_caught(tmp_path: Path) -> None:
    stale = tmp_path / "stale.py"
    stale.write_text("from sweeps.tracking.lookup import open_existing\n")
    assert [(m, n) for m, n in _imported(stale) if not _resolves(m, n)] == [
        ("sweeps.tracking.lookup", "open_existing")
    ]
