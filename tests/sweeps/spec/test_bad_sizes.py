"""Sweep files that ask for more memory than a machine has are refused before anything is
allocated or written: one line naming the key and the limit, exit 2.

Every case runs in one child process whose address space is capped at 1 GiB above what its
imports hold (see ``capped.py``): without the limits these cases allocate from 2.6 GiB (a full
batch of 160,000 rows through 4,096 units) to 72.8 TiB (10^10 x 1,000 generated cells), so a
regression fails here with a MemoryError instead of swapping the machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.sweeps.battery import DELETE, Failure, assert_one_line, edited, files_under
from tests.sweeps.capped import run_capped
from tests.sweeps.helpers import write_config

GENERATED = {"source": "generated", "task": "classification", "n_features": 1000}
NO_LR = {"space.learning_rate": DELETE}  # the grid sampler takes no float parameter
#: (id, changes to the tiny sweep by key path, what the line says after "FILE: ").
CASES: list[tuple[str, dict[str, Any], str]] = [
    ("depth", {"space.depth.high": 10**9}, "space.depth: 1,000,000,000 is above limits.max_depth"),
    ("width", {"space.width.high": 10**9}, "space.width: 1,000,000,000 is above limits.max_width"),
    (
        "width-log",
        {"space.width": {"type": "int", "low": 1, "high": 10**10, "log": True}},
        "space.width: 10,000,000,000 is above limits.max_width (4,096)",
    ),
    (
        "fixed-depth",
        {"model.depth": 10**9, "space.depth": DELETE},
        "model.depth: 1,000,000,000 is above limits.max_depth (64)",
    ),
    (
        "fixed-sizes",
        {"model.hidden_layer_sizes": [10**5, 10**5], "space.depth": DELETE, "space.width": DELETE},
        "model.hidden_layer_sizes: 100,000 is above limits.max_width (4,096)",
    ),
    (
        "grid",
        {**NO_LR, "study.sampler.type": "grid", "space.width.high": 10**10},
        "study.sampler: the grid has 39,999,999,988 points, above limits.max_grid (100,000)",
    ),
    (
        "grid-raised-width",
        {
            **NO_LR,
            "study.sampler.type": "grid",
            "space.width.high": 10**6,
            "limits.max_width": 10**6,
        },
        "study.sampler: the grid has 3,999,988 points, above limits.max_grid (100,000)",
    ),
    (
        "generated",
        {"data": {**GENERATED, "n_samples": 10**10}},
        "data: n_samples x n_features = 10,000,000,000 x 1,000 = 10,000,000,000,000 cells, "
        "above limits.max_generated_cells (100,000,000)",
    ),
    (
        "generated-1e7",
        {"data": {**GENERATED, "n_samples": 10**7}},
        "data: n_samples x n_features = 10,000,000 x 1,000 = 10,000,000,000 cells",
    ),
    (
        "params",
        {"space.depth.high": 64, "space.width.high": 4096},
        "space.depth, space.width: the largest network (30 inputs, hidden layers 64 x 4,096, "
        "1 output(s)) has 1,057,353,729 parameters, above limits.max_params (10,000,000)",
    ),
    (
        "params-raised-width",
        {"space.depth.high": 1, "space.width.high": 10**9, "limits.max_width": 10**9},
        "space.depth, space.width: the largest network (30 inputs, hidden layers (1,000,000,000), "
        "1 output(s)) has 32,000,000,001 parameters",
    ),
    (
        "activations",  # known once the data is: 160,000 non-test rows in one full batch
        {
            "data": {**GENERATED, "n_samples": 200_000, "n_features": 10},
            "model.batch_size": None,
            "space.batch_size": DELETE,
            "space.depth.low": 1,
            "space.depth.high": 1,
            "space.width.high": 4096,
        },
        "model.batch_size: passes of 160,000 rows through 4,096 hidden units hold 655,520,000 "
        "activations, above limits.max_activations (100,000,000)",
    ),
    (
        "wide-table",  # the input width is known once the table is: 3,000 columns
        {
            "data": {"source": "file", "path": "wide.csv", "target": "label"},
            "space.depth.high": 1,
            "space.width.high": 4096,
        },
        "space.depth, space.width: the largest network (3,000 inputs, hidden layers (4,096), "
        "1 output(s)) has 12,296,193 parameters, above limits.max_params (10,000,000)",
    ),
]
#: Size limits raised past every case: validating must still allocate nothing.
RAISED = {"max_width": 10**12, "max_depth": 10**12, "max_params": 10**30}


def _wide_csv(path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(3000)) + ",label\n"
    rows = "".join(",".join(["1.5"] * 3000) + f",{'ab'[r % 2]}\n" for r in range(40))
    path.write_text(header + rows)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Failure, Path]]:
    """Every case run once, in one capped child; by case id: what it did and its file."""
    root = tmp_path_factory.mktemp("sizes")
    base = yaml.safe_load(write_config(root).read_text())
    jobs, paths = [], {}
    for case, changes, _ in CASES:
        folder = root / case
        folder.mkdir()
        _wide_csv(folder / "wide.csv")
        path = folder / "bad.yaml"
        path.write_text(yaml.safe_dump(edited(base, changes), sort_keys=False))
        stores = [f"sqlite:///{folder / 'mlruns' / n}" for n in ("mlflow.db", "optuna.db")]
        args = ["run", str(path), "--tracking-uri", stores[0], "--storage", stores[1]]
        jobs.append({"mode": "cli", "args": args, "cwd": str(folder)})
        paths[case] = path
    before = {case: files_under(path.parent) for case, path in paths.items()}
    report = run_capped(jobs, cwd=root)
    assert report["control"] == "MemoryError"  # the cap bites
    return {
        case: (_failure(result, files_under(paths[case].parent) - before[case]), paths[case])
        for (case, _, _), result in zip(CASES, report["results"], strict=True)
    }


def _failure(result: dict[str, Any], written: set[str]) -> Failure:
    assert result["error"] is None, result["error"]  # e.g. MemoryError: the cap caught it
    return Failure(result["code"], result["out"], result["err"], written)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmSize from /proc")
@pytest.mark.parametrize("expected", [c[2] for c in CASES], ids=[c[0] for c in CASES])
def test_a_sweep_too_big_for_memory_is_refused_before_allocating(
    expected: str, request: pytest.FixtureRequest, outcomes: dict[str, tuple[Failure, Path]]
) -> None:
    failure, path = outcomes[request.node.callspec.id]
    assert_one_line(failure, f"{path}: {expected}")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmSize from /proc")
def test_validating_huge_bounds_allocates_nothing_even_with_raised_limits(tmp_path: Path) -> None:
    """Validation checks one layer per width: it never builds a ``(width,) * depth`` tuple,
    whatever the limits allow (a grid is counted, never listed, before ``max_grid`` lets the
    sampler list it)."""
    base = yaml.safe_load(write_config(tmp_path).read_text())
    changes = {"limits": RAISED, "space.depth.high": 10**9, "space.width.high": 10**10}
    path = tmp_path / "raised.yaml"
    path.write_text(yaml.safe_dump(edited(base, changes), sort_keys=False))
    report = run_capped([{"mode": "validate", "args": [str(path)]}], cwd=tmp_path)
    assert report["results"] == [{"code": 0, "error": None, "out": "", "err": ""}]
