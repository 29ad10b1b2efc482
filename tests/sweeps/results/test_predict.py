"""`sweeps predict` with the churn sweep's real stores: by config, model and run, junk tokens as
the model takes them, probabilities, Parquet output, one-line errors, nothing written."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sweeps.tracking import open_existing
from tests.sweeps.finished import CHURN_CSV, Finished, churn_sweep
from tests.sweeps.helpers import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def churn(tmp_path_factory: pytest.TempPathFactory, migrated_mlflow_db: Path) -> Finished:
    return churn_sweep(tmp_path_factory, migrated_mlflow_db)


@pytest.fixture(scope="module")
def rows_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six rows of the churn table as a user would hand them over: identifiers, the target, a
    '?' token and an empty cell in numeric columns."""
    rows = pd.read_csv(CHURN_CSV, dtype=str, keep_default_na=False).head(6)
    rows.loc[1, "monthly_charges"] = "?"
    rows.loc[2, "tenure_months"] = ""
    path = tmp_path_factory.mktemp("predict") / "new.csv"
    rows.to_csv(path, index=False)
    return path


def _champion_pipeline(churn: Finished):  # type: ignore[no-untyped-def]
    run_id = churn.client().get_model_version_by_alias("churn", "champion").run_id
    return open_existing(churn.stores.tracking_uri).load_model(run_id), run_id


def _expected_rows(path: Path) -> pd.DataFrame:
    """The model's inputs of the file, typed by hand: '?' and the empty cell are NaN."""
    raw = pd.read_csv(path, na_values=["?"])
    return raw.drop(columns=["customer_id", "churned"])


def _predict(churn: Finished, *args: str) -> int:
    return run_cli("predict", *args, "--tracking-uri", churn.stores.tracking_uri)


def test_champion_by_model_name(
    churn: Finished, rows_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _predict(churn, str(rows_file), "--model", "churn") == 0
    captured = capsys.readouterr()
    out = pd.read_csv(io.StringIO(captured.out))
    pipe, _ = _champion_pipeline(churn)
    assert list(out.columns) == ["customer_id", "prediction"]
    assert out["customer_id"].tolist() == [f"C0000{i}" for i in range(6)]
    assert out["prediction"].tolist() == list(pipe.predict(_expected_rows(rows_file)))
    version = churn.client().get_model_version_by_alias("churn", "champion").version
    assert captured.err.splitlines() == [
        "sweeps: note: column 'monthly_charges': 1 value(s) read as missing: '?' (1)",
        "sweeps: note: column 'customer_id' passed through (the sweep dropped it)",
        "sweeps: note: column 'churned' ignored (the model's target)",
        f"sweeps: 6 rows scored by model churn version {version} (alias champion) "
        "to standard output",
    ]


def test_config_version_and_run_give_the_same_scores(
    churn: Finished, rows_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, run_id = _champion_pipeline(churn)
    version = churn.client().get_model_version_by_alias("churn", "champion").version
    outputs = []
    for choice in (
        ["--model", "churn"],
        ["--config", str(churn.config)],
        ["--model", f"churn/{version}"],
        ["--model", "models:/churn@champion"],
        ["--run", run_id],
    ):
        assert _predict(churn, str(rows_file), *choice) == 0, choice
        outputs.append(capsys.readouterr().out)
    assert len(set(outputs)) == 1


def test_probabilities_to_parquet(
    churn: Finished, rows_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "scores.parquet"
    assert _predict(churn, str(rows_file), "--model", "churn", "--proba", "-o", str(out)) == 0
    assert capsys.readouterr().out == ""
    table = pd.read_parquet(out)
    pipe, _ = _champion_pipeline(churn)
    X = _expected_rows(rows_file)
    assert list(table.columns) == ["customer_id", "prediction", "proba_no", "proba_yes"]
    assert np.array_equal(table[["proba_no", "proba_yes"]].to_numpy(), pipe.predict_proba(X))
    assert table["prediction"].tolist() == list(pipe.predict(X))


def test_columns_that_do_not_match_exit_2_with_one_line(
    churn: Finished, rows_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    pd.read_csv(rows_file).drop(columns=["payment"]).assign(zip=1).to_csv(bad, index=False)
    assert _predict(churn, str(bad), "--model", "churn") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"sweeps: error: {bad}: the columns do not match the model's 5 input columns: "
        "missing column 'payment'; extra column 'zip'\n"
    )


def test_text_in_a_numeric_column_exits_2(
    churn: Finished, rows_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "text.csv"
    rows = pd.read_csv(rows_file, dtype=str)
    rows["support_calls"] = ["two", "three", "four", "five", "six", "seven"]  # 6 tokens: > 5
    rows.to_csv(bad, index=False)
    assert _predict(churn, str(bad), "--model", "churn") == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"sweeps: error: {bad}: column 'support_calls' holds numbers for the model but 6 value(s)"
    )
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        (["--model", "churn@nope"], "no registered model 'churn' with alias 'nope' in"),
        (["--model", "churn/99"], "no registered model 'churn' with version '99' in"),
        (["--run", "0" * 32], f"no run '{'0' * 32}' in tracking store"),
    ],
)
def test_unknown_models_exit_2(
    churn: Finished,
    rows_file: Path,
    choice: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _predict(churn, str(rows_file), *choice) == 2
    assert capsys.readouterr().err.startswith(f"sweeps: error: {message}")


def test_a_parent_run_names_its_winner(
    churn: Finished, rows_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = churn.study().user_attrs["mlflow_parent_run_id"]
    winner = churn.study().best_trial.user_attrs["mlflow_run_id"]
    assert _predict(churn, str(rows_file), "--run", parent) == 2
    assert capsys.readouterr().err.strip().endswith(f"its winner's run: {winner}")


def test_exactly_one_model_source(churn: Finished, rows_file: Path) -> None:
    assert _predict(churn, str(rows_file)) == 2
    assert _predict(churn, str(rows_file), "--model", "churn", "--run", "x") == 2


def test_nothing_is_written_to_the_store(
    churn: Finished, rows_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client = churn.client()
    experiments = client.search_experiments()

    def state() -> tuple[object, ...]:
        runs = client.search_runs([e.experiment_id for e in experiments])
        versions = client.search_model_versions()
        artifacts = sorted(p for p in (churn.stores.root / "artifacts").rglob("*"))
        return (
            sorted((r.info.run_id, r.info.status, r.info.end_time) for r in runs),
            sorted((v.name, v.version) for v in versions),
            artifacts,
        )

    before = state()
    assert _predict(churn, str(rows_file), "--model", "churn", "--proba") == 0
    assert state() == before


POOL = """
import atexit, sys
from sweeps.cli import main
atexit.register(lambda: print(sys.modules["pyarrow"].default_memory_pool().backend_name))
main(sys.argv[1:])
"""


@pytest.mark.parametrize(("chosen", "used"), [(None, "system"), ("mimalloc", "mimalloc")])
def test_arrow_gives_freed_blocks_back_unless_the_user_chose_a_pool(
    churn: Finished, rows_file: Path, tmp_path: Path, chosen: str | None, used: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if chosen is not None:
        env["ARROW_DEFAULT_MEMORY_POOL"] = chosen
    args = ["predict", str(rows_file), "--model", "churn", "-o", str(tmp_path / "out.csv")]
    done = subprocess.run(
        [sys.executable, "-c", POOL, *args, "--tracking-uri", churn.stores.tracking_uri],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [used]
    assert len(pd.read_csv(tmp_path / "out.csv")) == 6
