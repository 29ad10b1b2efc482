"""`sweeps reproduce` of a trial whose trial_config.json was tampered with: refused with one
line naming the run and the file (and the key, when the check is the file's content), exit 2,
before an estimator is built, and nothing written.

A changed file no longer matches the digest its run recorded when it was logged, whatever the
change (a learning rate, a seed, limits raised together with sizes, nesting that would exhaust
the parser's recursion). Runs logged before digests were recorded (the tag deleted here) get
the content checks, and a size limit above its default is refused in them. Run in a child
capped at 1 GiB above its imports: one network here has 1.4 x 10^11 parameters (over 500 GB),
another 4 x 10^10 (149 GiB)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import optuna
import pytest
from mlflow import MlflowClient

from tests.conftest import Stores
from tests.sweeps.battery import Failure, assert_one_line, files_under
from tests.sweeps.capped import run_capped
from tests.sweeps.helpers import run_cli, write_config

pytestmark = pytest.mark.slow
DIGEST = "sweeps.sha256.trial_config.json"


def _bigger_space(logged: dict[str, Any]) -> None:
    logged["config"]["space"]["width"]["high"] = 10**9


def _raised_limits_and_sizes(logged: dict[str, Any]) -> None:
    """Limits raised together with the sizes they let through: ~149 GiB of float32 weights."""
    logged["config"]["limits"].update(max_width=200_000, max_params=10**12)
    logged["estimator"]["hidden_layer_sizes"] = [200_000, 200_000]


def _faster(logged: dict[str, Any]) -> None:
    logged["estimator"]["learning_rate"] *= 2


def _nested(logged: dict[str, Any]) -> Any:
    return "[" * 100_000 + "]" * 100_000


CHANGED = " was changed after it was logged (its SHA-256 is "
#: (id, how trial_config.json is changed (a text return replaces the file), whether the run's
#: digest of it is deleted too (a run logged before digests were recorded), what the line says
#: after "run ID: trial_config.json").
TAMPERED: list[tuple[str, Any, bool, str]] = [
    ("learning-rate", _faster, False, CHANGED),
    ("limits-and-sizes", _raised_limits_and_sizes, False, CHANGED),
    ("nested", _nested, False, CHANGED),
    ("seed", lambda logged: logged["estimator"].update(random_state=7), False, CHANGED),
    (
        "huge-network",
        lambda logged: logged["estimator"].update(hidden_layer_sizes=[100_000] * 15),
        True,
        ": estimator: model.hidden_layer_sizes: 100,000 is above limits.max_width (4,096)",
    ),
    (
        "unknown-keyword",
        lambda logged: logged["estimator"].update(unitz=5),
        True,
        ": estimator: unknown keyword(s) of the classification MLP ['unitz']",
    ),
    (
        "bad-value",
        lambda logged: logged["estimator"].update(activation="elu"),
        True,
        ": estimator: activation must be one of 'relu', 'tanh', 'sigmoid'; got 'elu'",
    ),
    (
        "config-too-big",
        _bigger_space,
        True,
        ": config.space.width: 1,000,000,000 is above limits.max_width (4,096)",
    ),
    (
        "unverified-limits-and-sizes",
        _raised_limits_and_sizes,
        True,
        ": limits.max_width is 200,000, above its default 4,096, and the run recorded no "
        "digest of the file to prove it was logged so",
    ),
    ("unverified-nested", _nested, True, " is unusable: invalid JSON: nested deeper than 50"),
]


def _artifact(client: MlflowClient, run_id: str) -> Path:
    uri = client.get_run(run_id).info.artifact_uri
    return Path(urlparse(uri).path if uri.startswith("file:") else uri) / "trial_config.json"


def test_a_tampered_logged_trial_is_refused_in_one_line(tmp_path: Path, stores: Stores) -> None:
    study = {"n_trials": len(TAMPERED), "pruner": {"type": "none"}}
    config = write_config(tmp_path, study=study, tracking={"register_model": False})
    assert run_cli("run", str(config), "--quiet", *stores.flags()) == 0
    trials = optuna.load_study(study_name="tiny", storage=stores.storage_url).trials
    client = MlflowClient(tracking_uri=stores.tracking_uri)
    run_ids = [t.user_attrs["mlflow_run_id"] for t in trials]
    for run_id, (_, tamper, legacy, _) in zip(run_ids, TAMPERED, strict=True):
        assert client.get_run(run_id).data.tags[DIGEST] == _sha256(_artifact(client, run_id))
        path = _artifact(client, run_id)
        logged = json.loads(path.read_text())
        text = tamper(logged)
        path.write_text(text if isinstance(text, str) else json.dumps(logged))
        if legacy:
            client.delete_tag(run_id, DIGEST)
    before = files_under(tmp_path)
    runs_before = len(client.search_runs([client.get_experiment_by_name("tiny").experiment_id]))
    jobs = [
        {"mode": "cli", "args": ["reproduce", run_id, "--tracking-uri", stores.tracking_uri]}
        for run_id in run_ids
    ]
    report = run_capped(jobs, cwd=tmp_path)
    written = files_under(tmp_path) - before
    for run_id, (case, _, _, expected), result in zip(
        run_ids, TAMPERED, report["results"], strict=True
    ):
        assert result["error"] is None, (case, result["error"])
        failure = Failure(result["code"], result["out"], result["err"], written)
        assert_one_line(failure, f"run {run_id}: trial_config.json{expected}")
    assert len(client.search_runs([client.get_experiment_by_name("tiny").experiment_id])) == (
        runs_before
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
