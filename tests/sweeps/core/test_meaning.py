"""A study's meaning is pinned when it is created: resuming it with another metric, model,
space, data or seed stops in one line listing what changed, exit 2, before anything is
written; the budget, timeout, jobs and store locations may change."""

from __future__ import annotations

import shutil
from pathlib import Path

import optuna
import pandas as pd
import pytest
from mlflow import MlflowClient

from sweeps.core.meaning import digest
from sweeps.records import MEANING_ATTR, MEANING_TAG, PARENT_ATTR
from tests.conftest import Stores
from tests.sweeps.battery import Failure, assert_one_line, store_contents
from tests.sweeps.helpers import run_cli, write_config

PREFIX = "study 'tiny': the study was created with other settings, which a resume may not change: "


def _again(
    stores: Stores, capsys: pytest.CaptureFixture[str], *args: str, command: str = "init"
) -> Failure:
    """Run ``command`` again on the stores; ``written``: the files whose content changed."""
    before = store_contents(stores.root)
    capsys.readouterr()
    code = run_cli(command, *args, *stores.flags())
    captured = capsys.readouterr()
    after = store_contents(stores.root)
    written = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    return Failure(code, captured.out, captured.err, written)


@pytest.fixture
def created(stores: Stores, tmp_path: Path) -> Path:
    """The tiny sweep's study, experiment and parent run, created by ``sweeps init``."""
    config = write_config(tmp_path)
    assert run_cli("init", str(config), *stores.flags()) == 0
    return config


@pytest.mark.parametrize(
    ("sets", "changes"),
    [
        (
            ["objective.metric=val_accuracy"],
            "objective.direction: minimize -> maximize; objective.metric: val_loss -> "
            "val_accuracy (the budget, timeout and --jobs may change; for new settings start "
            "a new study: --study NAME, or --fresh)",
        ),
        (["model.max_epochs=5"], "model.max_epochs: 6 -> 5 (the budget"),
        (["space.width.high=32"], "space.width.high: 16 -> 32 (the budget"),
        (["model.l2=0.001"], "model.l2: (unset) -> 0.001 (the budget"),
        (["seed=2"], "seed: 1 -> 2 (the budget"),
        (["split.seed=4"], "split.seed: 0 -> 4 (the budget"),
        (["selection.folds=3"], "selection.folds: 1 -> 3 (the budget"),
        (["limits.max_width=64"], "limits.max_width: 4096 -> 64 (the budget"),
        (["study.sampler.type=random"], "study.sampler.type: tpe -> random (the budget"),
        (["study.pruner.type=median"], "study.pruner.type: none -> median (the budget"),
        (["data.name=wine"], "data.fingerprint: "),
    ],
)
def test_a_resume_that_changes_the_meaning_is_refused(
    sets: list[str],
    changes: str,
    created: Path,
    stores: Stores,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = [str(created), *(part for item in sets for part in ("--set", item))]
    commands = ("init", "run", "worker") if sets == ["objective.metric=val_accuracy"] else ("init",)
    for command in commands:  # every command for one case: they share the check
        failure = _again(stores, capsys, *args, command=command)
        assert_one_line(failure, f"{created}: {PREFIX}{changes}")


def test_many_changes_are_listed_briefly(
    created: Path, stores: Stores, capsys: pytest.CaptureFixture[str]
) -> None:
    sets = ["model.l1=0.1", "model.l2=0.1", "model.dropout=0.1", "model.tol=0.1",
            "model.momentum=0.5", "model.decay=0.1", "model.epsilon=0.1"]  # fmt: skip
    failure = _again(stores, capsys, str(created), *(p for s in sets for p in ("--set", s)))
    assert_one_line(failure, f"{created}: {PREFIX}model.decay: (unset) -> 0.1; model.dropout")
    assert "; and 1 more (the budget" in failure.err


def test_budget_timeout_jobs_and_operational_settings_may_change(
    created: Path, stores: Stores, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        str(created), "--trials", "2", "--timeout", "600",
        "--set", "study.heartbeat_interval=5", "--set", "study.max_retry=3",
        "--set", "description=again", "--set", "study.report_every=2",
        "--set", "tracking.background=false", "--quiet",
    ]  # fmt: skip
    assert run_cli("run", *args, *stores.flags()) == 0
    study = optuna.load_study(study_name="tiny", storage=stores.storage_url)
    assert len(study.trials) == 2
    assert run_cli("run", *args[:-1], "--trials", "3", "--quiet", *stores.flags()) == 0


def test_the_data_file_may_move_but_not_change(
    stores: Stores, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Workers on other machines keep the table elsewhere: its bytes are pinned, not its path."""
    table = tmp_path / "t.csv"
    frame = pd.DataFrame({"x": range(60), "z": [i % 7 for i in range(60)], "y": [0, 1] * 30})
    frame.to_csv(table, index=False)
    data = {"source": "file", "path": str(table), "target": "y"}
    config = write_config(tmp_path, data=data)
    assert run_cli("init", str(config), *stores.flags()) == 0
    moved = tmp_path / "elsewhere.csv"
    shutil.copy(table, moved)
    assert _again(stores, capsys, str(config), "--set", f"data.path={moved}").code == 0
    frame.loc[5, "x"] = 1000
    frame.to_csv(table, index=False)
    failure = _again(stores, capsys, str(config))
    assert_one_line(failure, f"{config}: {PREFIX}data.fingerprint: ")


def test_fresh_starts_a_study_with_new_settings(
    created: Path, stores: Stores, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("init", str(created), "--set", "seed=9", "--fresh", *stores.flags()) == 0
    assert _again(stores, capsys, str(created), "--set", "seed=9").code == 0
    failure = _again(stores, capsys, str(created))
    assert_one_line(failure, f"{created}: {PREFIX}seed: 9 -> 1 (the budget")


def test_the_meaning_is_on_the_study_and_its_digest_on_the_parent_run(
    created: Path, stores: Stores
) -> None:
    study = optuna.load_study(study_name="tiny", storage=stores.storage_url)
    values = study.user_attrs[MEANING_ATTR]
    assert values["objective.metric"] == ["val_loss"]
    assert values["model.max_epochs"] == 6 and values["space.width.high"] == 16
    assert len(values["data.fingerprint"]) == 64
    assert not {k for k in values if k.startswith(("study.n_trials", "study.storage", "tracking"))}
    client = MlflowClient(tracking_uri=stores.tracking_uri)
    parent = client.get_run(study.user_attrs[PARENT_ATTR])
    assert parent.data.tags[MEANING_TAG] == digest(values)
