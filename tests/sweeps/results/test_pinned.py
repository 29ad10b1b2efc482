"""A logged trial as a pinned sweep file, on the in-memory store: what is pinned, what is left
out, what the header says about the seed, and that the sweep file loads as it is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sweeps.core.trial import trial_seed
from sweeps.errors import RunNotFoundError
from sweeps.results.export import choose_trial, export_trial
from sweeps.spec.reading import load_config
from sweeps.spec.schema import SweepConfig
from sweeps.tracking import MemoryTracker

CONFIG: dict[str, Any] = {
    "name": "churn",
    "seed": 5,
    "data": {"source": "file", "path": "c.csv", "target": "y", "na_values": ["?"]},
    "split": {"validation": 0.25, "test": 0.2, "seed": 3},
    "model": {"optimizer": "adam", "max_epochs": 9},
    "space": {
        "learning_rate": {"type": "float", "low": 1e-4, "high": 0.1, "log": True},
        "depth": {"type": "int", "low": 1, "high": 3},
        "width": {"type": "int", "low": 4, "high": 64},
    },
    "study": {
        "n_trials": 30,
        "storage": "postgresql://me:***@db/optuna",
        "sampler": {"type": "tpe"},
    },
    "tracking": {"model_name": "shared", "uri": "http://mlflow:5000"},
}


def _trial(number: int, winner: bool) -> tuple[MemoryTracker, str]:
    tracker = MemoryTracker()
    experiment = tracker.experiment_id("churn")
    assert experiment is not None
    parent = tracker.create_parent(experiment, "churn", {}, {})
    tags = {"sweeps.study": "churn", "sweeps.trial_number": str(number)}
    run = tracker.start_run(experiment, f"trial-{number}", tags, {}, parent_run_id=parent)
    cfg = SweepConfig.model_validate(CONFIG).model_dump(mode="json")
    estimator = {"optimizer": "adam", "max_epochs": 9, "learning_rate": 0.0123456789012345}
    estimator |= {"hidden_layer_sizes": [17, 17], "random_state": trial_seed(5, number)}
    run.add_json({"config": cfg, "estimator": estimator}, "trial_config.json")
    run_id = run.resolved_id()
    assert run_id is not None
    if winner:
        tracker.log_values(parent, tags={"sweeps.best_run_id": run_id})
    return tracker, run_id


def test_the_winner_pinned(tmp_path: Path) -> None:
    tracker, run_id = _trial(4, winner=True)
    run = choose_trial(tracker, experiment="churn", study="churn")
    assert run.run_id == run_id
    exported = export_trial(tracker, run)
    raw = yaml.safe_load(exported.text)
    assert exported.name == "churn-best"
    assert raw["model"] == {
        "optimizer": "adam", "max_epochs": 9, "learning_rate": 0.0123456789012345,
        "hidden_layer_sizes": [17, 17], "random_state": trial_seed(5, 4),
    }  # fmt: skip
    assert (raw["space"], raw["seed"], raw["split"]) == ({}, 5, CONFIG["split"])
    assert raw["data"] == {**CONFIG["data"], "source": "file"}
    assert raw["study"] == {
        "n_trials": 1,
        "sampler": {"type": "random"},
        "pruner": {"type": "none"},
    }
    assert "selection" not in raw  # every selection setting at its default
    assert raw["tracking"] == {"uri": "http://mlflow:5000"}  # its own model name, same server
    header = [line for line in exported.text.splitlines() if line.startswith("#")]
    assert f"its seed too (random_state\n# {trial_seed(5, 4)}); nothing" in "\n".join(header)
    assert header[-1] == "# study.storage dropped: its password was redacted in the log."
    path = tmp_path / "pinned.yaml"
    path.write_text(exported.text)
    assert load_config(path).space == {}


def test_any_trial_keeps_its_seed() -> None:
    tracker, _ = _trial(3, winner=False)
    exported = export_trial(
        tracker, choose_trial(tracker, experiment="churn", study="churn", number=3)
    )
    assert exported.name == "churn-trial-3"
    assert yaml.safe_load(exported.text)["model"]["random_state"] == trial_seed(5, 3)
    assert "it retrains bit for bit." in exported.text


def test_no_winner_yet() -> None:
    tracker, _ = _trial(2, winner=False)
    with pytest.raises(
        RunNotFoundError, match=r"has no winner yet \(not concluded\): give --trial N"
    ):
        choose_trial(tracker, experiment="churn", study="churn")
