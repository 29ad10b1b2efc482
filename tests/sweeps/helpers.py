"""Helpers for sweep tests: tiny sweep files and running the CLI in-process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sweeps.cli import main


def write_config(folder: Path, **overrides: Any) -> Path:
    """A tiny breast-cancer sweep file (few epochs, 4 trials), with top-level overrides."""
    cfg: dict[str, Any] = {
        "name": "tiny",
        "seed": 1,
        "data": {"source": "builtin", "name": "breast_cancer"},
        "split": {"validation": 0.2, "test": 0.2, "seed": 0},
        "model": {"activation": "relu", "optimizer": "adam", "max_epochs": 6},
        "space": {
            "learning_rate": {"type": "float", "low": 1e-3, "high": 1e-1, "log": True},
            "batch_size": {"type": "categorical", "choices": [32, 64]},
            "depth": {"type": "int", "low": 1, "high": 2},
            "width": {"type": "int", "low": 4, "high": 16},
        },
        "study": {"n_trials": 4, "pruner": {"type": "none"}},
        # one validation split and no confirmation: fast; tests of folds and confirmation
        # ask for them
        "selection": {"folds": 1, "confirm": {"top": 0}},
    }
    cfg.update(overrides)
    path = folder / "tiny.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def run_cli(*args: str) -> int:
    """Run ``sweeps ARGS`` in this process; return its exit code."""
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
