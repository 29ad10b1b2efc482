"""Logged configs carry their digest: every JSON artifact a sweep logs has its SHA-256 as a run
tag, and `sweeps predict` refuses a champion whose trial_config.json changed since (its
na_values decide how raw rows are read), in one line naming the run and the file, exit 2."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest
from mlflow import MlflowClient

from tests.sweeps.battery import Failure, assert_one_line, files_under
from tests.sweeps.finished import CHURN_CSV, Finished, churn_sweep
from tests.sweeps.helpers import run_cli

pytestmark = pytest.mark.slow
DIGEST = "sweeps.sha256.trial_config.json"


@pytest.fixture(scope="module")
def churn(tmp_path_factory: pytest.TempPathFactory, migrated_mlflow_db: Path) -> Finished:
    return churn_sweep(tmp_path_factory, migrated_mlflow_db)


def _artifact(client: MlflowClient, run_id: str, name: str) -> Path:
    uri = client.get_run(run_id).info.artifact_uri
    return Path(urlparse(uri).path if uri.startswith("file:") else uri) / name


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextmanager
def _tampered(churn: Finished, text: str, *, legacy: bool = False) -> Iterator[str]:
    """The champion's trial_config.json replaced by ``text`` (and its digest tag deleted if
    ``legacy``) for the block; the shared sweep is restored after it."""
    client = churn.client()
    run_id = client.get_model_version_by_alias("churn", "champion").run_id
    path = _artifact(client, run_id, "trial_config.json")
    original, digest = path.read_bytes(), client.get_run(run_id).data.tags[DIGEST]
    try:
        path.write_text(text)
        if legacy:
            client.delete_tag(run_id, DIGEST)
        yield run_id
    finally:
        path.write_bytes(original)
        client.set_tag(run_id, DIGEST, digest)


def _predict(churn: Finished, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Failure:
    rows = tmp_path / "rows.csv"
    pd.read_csv(CHURN_CSV).head(5).to_csv(rows, index=False)
    before = files_under(tmp_path)
    capsys.readouterr()
    code = run_cli("predict", str(rows), "--model", "churn", "--tracking-uri",
                   churn.stores.tracking_uri)  # fmt: skip
    captured = capsys.readouterr()
    return Failure(code, captured.out, captured.err, files_under(tmp_path) - before)


def test_every_logged_json_carries_its_digest(churn: Finished) -> None:
    client = churn.client()
    runs = client.search_runs([client.get_experiment_by_name("churn").experiment_id])
    checked = 0
    for run in runs:
        for name in ("config.json", "data/description.json", "confirmation.json",
                     "trial_config.json"):  # fmt: skip
            path = _artifact(client, run.info.run_id, name)
            if path.exists():
                assert run.data.tags[f"sweeps.sha256.{name}"] == _sha256(path), name
                checked += 1
    assert checked >= 4  # the parent's config and description, both trials' configs


def test_predict_refuses_a_champion_whose_na_values_were_edited(
    churn: Finished, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _predict(churn, tmp_path, capsys).code == 0
    client = churn.client()
    run_id = client.get_model_version_by_alias("churn", "champion").run_id
    logged = json.loads(_artifact(client, run_id, "trial_config.json").read_text())
    logged["config"]["data"]["na_values"] = ["No", "Yes"]
    with _tampered(churn, json.dumps(logged, indent=2)) as run_id:
        failure = _predict(churn, tmp_path, capsys)
    assert_one_line(
        failure, f"run {run_id}: trial_config.json was changed after it was logged (its SHA-256"
    )
    assert _predict(churn, tmp_path, capsys).code == 0  # restored


@pytest.mark.parametrize("legacy", [False, True])
def test_predict_on_a_deeply_nested_config_is_one_line(
    legacy: bool, churn: Finished, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No RecursionError: refused as changed, or (without a digest) as nested too deep."""
    nested = "[" * 100_000 + "]" * 100_000
    with _tampered(churn, nested, legacy=legacy) as run_id:
        failure = _predict(churn, tmp_path, capsys)
    expected = "is unusable: invalid JSON: nested deeper than 50" if legacy else "was changed after"
    assert_one_line(failure, f"run {run_id}: trial_config.json {expected}")
