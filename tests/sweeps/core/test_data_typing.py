"""A user's own table through `sweeps run`: junk tokens read as missing and said so, the task
and the model's inputs printed and logged, a regression target scaled inside the champion."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from mlflow import MlflowClient

from tests.conftest import Stores
from tests.sweeps.helpers import run_cli, write_config

pytestmark = pytest.mark.slow


def _house_prices(path: Path) -> pd.DataFrame:
    """Prices in the hundreds of thousands, a numeric column with '?' junk, a text column."""
    rng = np.random.default_rng(0)
    n = 300
    rooms = rng.integers(1, 8, n)
    area = rng.normal(120, 30, n).round(1)
    frame = pd.DataFrame(
        {
            "rooms": rooms,
            "area": area.astype(object),
            "district": rng.choice(["north", "south", "east"], n),
            "price": 50_000 * rooms + 900 * area + rng.normal(0, 20_000, n),
        }
    )
    frame.loc[[3, 50, 77], "area"] = "?"
    frame.to_csv(path, index=False)
    return frame


def test_a_regression_table_with_junk_tokens_runs_and_its_champion_predicts_prices(
    stores: Stores,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frame = _house_prices(tmp_path / "houses.csv")
    data = {"source": "file", "path": str(tmp_path / "houses.csv"), "target": "price"}
    config = write_config(
        tmp_path, name="houses", data=data, study={"n_trials": 3, "pruner": {"type": "none"}},
        model={"optimizer": "adam", "max_epochs": 30},
        selection={"folds": 1, "confirm": {"top": 0}},
    )  # fmt: skip
    assert run_cli("run", str(config), *stores.flags()) == 0
    err = capsys.readouterr().err
    assert "notice: column 'area': 3 values '?' read as missing" in err
    assert "task: regression" in err
    assert "input features: 5" in err  # rooms, area and three districts

    client = MlflowClient(tracking_uri=stores.tracking_uri)
    experiment = client.get_experiment_by_name("houses")
    (parent,) = client.search_runs([experiment.experiment_id], "tags.`sweeps.role` = 'parent'")
    assert parent.data.tags["sweeps.data.input_features"] == "5"
    assert parent.data.tags["sweeps.data.task"] == "regression"
    path = client.download_artifacts(parent.info.run_id, "data/description.json", str(tmp_path))
    assert json.loads(Path(path).read_text())["input_features"] == 5

    monkeypatch.setenv("MLFLOW_TRACKING_URI", stores.tracking_uri)  # restored after the test
    champion = mlflow.sklearn.load_model("models:/houses@champion")
    mlp = champion.members()[0]
    y = frame["price"].to_numpy()
    assert abs(float(mlp.target_center_[0]) - y.mean()) < 0.1 * y.std()  # learned on train rows
    assert float(mlp.target_scale_[0]) > 10_000
    predicted = champion.predict(
        frame.drop(columns="price").replace("?", np.nan).astype({"area": float})
    )
    assert np.corrcoef(predicted, y)[0, 1] > 0.8  # prices, in the target's own units
    (best,) = client.search_runs(
        [experiment.experiment_id],
        f"attributes.run_id = '{parent.data.tags['sweeps.champion_run_id']}'",
    )
    assert best.data.metrics["test_rmse"] > 1_000  # reported in the target's units
    assert 0.0 < best.data.metrics["test_r2"] <= 1.0


def test_a_sweep_says_each_gap_and_constant_once_in_lines_that_fit(
    stores: Stores,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """29% of one column missing, a constant column, rows without a target and many long
    column names: one `notice:` per gap and per constant column (none logged in another
    style), recorded on the parent run, and every line of the sweep's start and end within
    100 characters (stores and files named relative to a short working folder)."""
    rng = np.random.default_rng(1)
    n = 400
    frame = pd.DataFrame(
        {
            f"survey measurement number {i:02d} of the household": rng.normal(size=n)
            for i in range(12)
        }
    )
    area = rng.normal(120, 30, n)
    area[rng.permutation(n)[:116]] = np.nan  # 29%
    frame["floor area"] = area
    frame["bluecol"] = "blue"
    frame["district"] = rng.choice(["north", "south", "east"], n)
    frame["price"] = 900 * np.nan_to_num(area, nan=120) + rng.normal(0, 9_000, n)
    frame.loc[[0, 10, 20, 30], "price"] = np.nan
    monkeypatch.chdir(tmp_path)
    frame.to_csv("h.csv", index=False)
    (tmp_path / "s").mkdir()
    shutil.copy(stores.root / "mlflow.db", tmp_path / "s" / "mlflow.db")
    flags = ["--tracking-uri", "sqlite:///s/mlflow.db", "--storage", "sqlite:///s/optuna.db"]
    config = write_config(
        Path("."), name="gaps", data={"source": "file", "path": "h.csv", "target": "price"},
        study={"n_trials": 2, "pruner": {"type": "none"}}, model={"max_epochs": 4},
    )  # fmt: skip
    assert run_cli("run", str(config), *flags) == 0
    captured = capsys.readouterr()

    kept = frame.dropna(subset=["price"])
    missing = int(kept["floor area"].isna().sum())
    expected = [
        f"column 'floor area': {missing} of 396 values missing ({missing / 396:.1%}), filled with "
        "the training rows' median",
        "column 'bluecol': one level ('blue') in every row: a constant input that cannot help "
        "the model; drop it (drop_columns=['bluecol'])",
        "target column 'price': 4 of 400 rows (1.0%) without a value dropped",
    ]
    err = [line for line in captured.err.splitlines() if "trial/s" not in line]  # no bar
    assert _notices(err) == expected
    assert "WARNING" not in captured.err and captured.err.count("without a value") == 1
    client = MlflowClient(tracking_uri="sqlite:///s/mlflow.db")
    experiment = client.get_experiment_by_name("gaps")
    (parent,) = client.search_runs([experiment.experiment_id], "tags.`sweeps.role` = 'parent'")
    path = client.download_artifacts(parent.info.run_id, "data/description.json", "s")
    assert json.loads(Path(path).read_text())["notices"] == expected  # recorded as printed
    lines = err + captured.out.splitlines()
    assert "  numeric: survey measurement number 00 of the household, and 12 more" in lines
    assert max(len(line) for line in lines) <= 100, max(lines, key=len)
    assert any(line.startswith("  chosen by ") for line in lines)


def _notices(lines: list[str]) -> list[str]:
    """The `notice:` lines (one block), each joined with its indented continuation lines."""
    notices: list[str] = []
    for line in lines:
        if line.startswith("notice: "):
            notices.append(line.removeprefix("notice: "))
        elif notices and line.startswith("  "):
            notices[-1] += " " + line.strip()
        elif notices:
            break
    return notices
