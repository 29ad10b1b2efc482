"""The SQLite reader answers every read as MLflow's client does, on real stores, and leaves what
it does not know to that client."""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sweeps.errors import ConfigError, RunNotFoundError, UntrustedModelError
from sweeps.records import MODEL_DIGEST_TAG, runs_of
from sweeps.tracking import Tracker, open_reader
from sweeps.tracking.sqlite_reader import KNOWN_REVISIONS, SqliteReader
from tests.conftest import Stores
from tests.sweeps.finished import Finished, tiny_sweep

ROLE = "sweeps.role"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, migrated_mlflow_db: Path) -> Finished:
    return tiny_sweep(tmp_path_factory, migrated_mlflow_db)


def _pair(uri: str) -> tuple[SqliteReader, Tracker, list[int]]:
    """The reader and MLflow's client on one store; the list counts the reader's fallbacks."""
    opened: list[int] = []
    tracker = Tracker(uri)

    def full() -> Tracker:
        opened.append(1)
        return tracker

    reader = open_reader(uri, full)
    assert isinstance(reader, SqliteReader)
    return reader, tracker, opened


def _norm(found: Any) -> Any:
    """Runs as comparable values (NaN equal to NaN; dict order left out)."""
    if isinstance(found, list):
        return [_norm(run) for run in found]
    if found is None:
        return None
    metrics = sorted((k, repr(v)) for k, v in found.metrics.items())
    return (found.run_id, found.experiment_id, found.name, found.status, found.start_time,
            sorted(found.tags.items()), sorted(found.params.items()), metrics)  # fmt: skip


def _edge_store(stores: Stores) -> tuple[str, list[str]]:
    """Runs with ties, NaN and missing metrics, one deleted, a tag value with a quote."""
    tracker = Tracker(stores.tracking_uri)
    experiment = tracker.experiment_id("edges")
    assert experiment is not None
    values = [0.5, float("nan"), None, 0.25, 0.5, float("inf"), 0.1]
    ids = []
    for i, value in enumerate(values):
        run = tracker.create_child(
            experiment, f"r{i}", {ROLE: "trial", "k": "it's" if i % 2 else "plain"}, {"p": i}, "x"
        )
        if value is not None:
            tracker.log_values(run, {"val_loss": value, "other": i})
        tracker.log_history(run, "epoch/val_loss", [(2, 0.3), (1, 0.4 + i)])
        tracker.end_run(run, "FINISHED" if i != 3 else "RUNNING")
        ids.append(run)
        time.sleep(0.002)  # distinct start times but for the tie below
    tracker.client.delete_run(ids[6])
    with sqlite3.connect(stores.root / "mlflow.db") as conn:  # a tie in start time too
        conn.execute("UPDATE runs SET start_time = 1000 WHERE run_uuid IN (?, ?)", ids[:2])
    return experiment, ids


@pytest.fixture(scope="module")
def edges(
    tmp_path_factory: pytest.TempPathFactory, migrated_mlflow_db: Path
) -> tuple[Stores, str, list[str]]:
    """One store of :func:`_edge_store` for the tests that only read it."""
    root = tmp_path_factory.mktemp("edges") / "mlruns"
    root.mkdir()
    shutil.copy(migrated_mlflow_db, root / "mlflow.db")
    stores = Stores(root, f"sqlite:///{root / 'mlflow.db'}", f"sqlite:///{root / 'optuna.db'}")
    return (stores, *_edge_store(stores))


def test_the_known_revision_is_the_installed_mlflow_s(stores: Stores) -> None:
    Tracker(stores.tracking_uri)
    with sqlite3.connect(stores.root / "mlflow.db") as conn:
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    assert revision in KNOWN_REVISIONS


#: The columns of the tables the reader queries, the same at every revision it knows (MLflow
#: 3.17.2 and 3.18.0 checked): a release that changes them needs the reader looked at.
READ_TABLES = {
    "experiments": ["experiment_id", "name", "artifact_location", "lifecycle_stage",
                    "creation_time", "last_update_time", "workspace"],
    "runs": ["run_uuid", "name", "source_type", "source_name", "entry_point_name", "user_id",
             "status", "start_time", "end_time", "source_version", "lifecycle_stage",
             "artifact_uri", "experiment_id", "deleted_time"],
    "tags": ["key", "value", "run_uuid"],
    "metrics": ["key", "value", "timestamp", "run_uuid", "step", "is_nan"],
    "latest_metrics": ["key", "value", "timestamp", "step", "is_nan", "run_uuid"],
    "model_versions": ["name", "version", "creation_time", "last_updated_time", "description",
                       "user_id", "current_stage", "source", "run_id", "status",
                       "status_message", "run_link", "storage_location", "workspace"],
    "model_version_tags": ["key", "value", "name", "version", "workspace"],
    "registered_model_aliases": ["alias", "version", "name", "workspace"],
}  # fmt: skip


def test_the_tables_read_have_the_columns_the_reader_knows(stores: Stores) -> None:
    Tracker(stores.tracking_uri)
    with sqlite3.connect(stores.root / "mlflow.db") as conn:
        found = {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in READ_TABLES}
    assert found == READ_TABLES


def test_other_stores_get_no_reader(stores: Stores, tmp_path: Path) -> None:
    def never() -> Any:
        raise AssertionError("not opened")

    assert open_reader("http://127.0.0.1:5000", never) is None
    assert open_reader(f"sqlite:///{tmp_path / 'missing.db'}", never) is None
    assert not (tmp_path / "missing.db").exists()
    Tracker(stores.tracking_uri)
    with sqlite3.connect(stores.root / "mlflow.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'future'")
    assert open_reader(stores.tracking_uri, never) is None
    optuna_db = tmp_path / "optuna.db"
    sqlite3.connect(optuna_db).execute("CREATE TABLE studies (id INTEGER)").connection.close()
    assert open_reader(f"sqlite:///{optuna_db}", never) is None


def test_runs_and_searches_match_mlflow_s(edges: tuple[Stores, str, list[str]]) -> None:
    stores, experiment, ids = edges
    reader, tracker, opened = _pair(stores.tracking_uri)
    assert reader.experiment_id("edges", create=False) == experiment
    assert reader.experiment_id("nope", create=False) is None
    assert reader.experiments() == tracker.experiments()
    for run_id in [*ids, "0" * 32]:
        assert _norm(reader.run(run_id)) == _norm(tracker.run(run_id))
        assert reader.metric_history(run_id, "epoch/val_loss") == tracker.metric_history(
            run_id, "epoch/val_loss"
        )
    trials = runs_of("trial")
    wheres = [trials, f"{trials} and tags.`k` = \"it's\"", f"{trials} and tags.`k` = 'plain'",
              f"{trials} and attributes.status = 'RUNNING'", "", "tags.`nope` = 'x'"]  # fmt: skip
    orders = [[], ["metrics.`val_loss` ASC"], ["attributes.start_time DESC"],
              ["metrics.`val_loss` DESC", "attributes.start_time ASC"],
              ["attributes.start_time ASC"], ["metrics.`other` DESC"]]  # fmt: skip
    for where in wheres:
        for order in orders:
            for limit in (1, 3, 1000):
                got = _norm(reader.search(experiment, where, order, limit))
                assert got == _norm(tracker.search(experiment, where, order, limit)), (where, order)
    assert [r.name for r in reader.search(experiment, trials, ["metrics.`val_loss` ASC"], 9)] == [
        "r3",
        "r4",
        "r0",
        "r5",
        "r1",
        "r2",
    ]  # fmt: skip  (the tie at 0.5: the newer run first, as MLflow sorts)
    assert reader.search([], trials, [], 5) == []
    assert opened == []  # every one answered without MLflow


def test_what_the_reader_does_not_know_goes_to_mlflow(stores: Stores) -> None:
    experiment, _ids = _edge_store(stores)
    reader, tracker, opened = _pair(stores.tracking_uri)
    where = "tags.`k` LIKE 'it%'"
    got = _norm(reader.search(experiment, where, [], 10))
    assert got == _norm(tracker.search(experiment, where, [], 10))
    assert len(reader.search(experiment, where, [], 10)) == 3
    assert opened == [1]  # opened once, then kept
    assert reader.experiment_id("created here") == tracker.experiment_id("created here", False)


def test_artifacts_match_mlflow_s_and_are_checked(tiny: Finished) -> None:
    reader, tracker, opened = _pair(tiny.stores.tracking_uri)
    run_ids = [tiny.run_id(n) for n in tiny.numbers("COMPLETE")]
    assert reader.read_logged(run_ids[0], "trial_config.json") == tracker.read_logged(
        run_ids[0], "trial_config.json"
    )
    with pytest.raises(RunNotFoundError, match=r"has no readable artifact nope\.json"):
        reader.read_json(run_ids[0], "nope.json")
    got = reader.read_arrays([*run_ids, "0" * 32], "oof.npz")
    expected = tracker.read_arrays([*run_ids, "0" * 32], "oof.npz")
    assert got.keys() == expected.keys() == set(run_ids)
    for run_id in run_ids:
        assert got[run_id].keys() == expected[run_id].keys()
        for key in got[run_id]:
            np.testing.assert_array_equal(got[run_id][key], expected[run_id][key])
    assert opened == []


def test_a_changed_json_artifact_is_refused(tiny: Finished, tmp_path: Path) -> None:
    reader, _tracker, _ = _pair(tiny.stores.tracking_uri)
    run_id = tiny.run_id(tiny.numbers("COMPLETE")[0])
    local = reader._artifact(run_id, "trial_config.json")
    saved = local.read_bytes()
    try:
        data = json.loads(saved)
        data["estimator"]["max_epochs"] = 10_000
        local.write_text(json.dumps(data))
        with pytest.raises(ConfigError, match=r"trial_config\.json"):
            reader.read_json(run_id, "trial_config.json")
    finally:
        local.write_bytes(saved)


def test_registry_and_model_match_mlflow_s(tiny: Finished) -> None:
    reader, tracker, opened = _pair(tiny.stores.tracking_uri)
    assert reader.champions() == tracker.champions() != {}
    version = reader.champion("tiny")
    assert version is not None and version == tracker.champion("tiny")
    assert reader.model_version("tiny", version.version) == version
    assert reader.model_version("tiny", "99") is None is tracker.model_version("tiny", "99")
    assert reader.model_version("nope", alias="champion") is None
    assert reader.version_of_run("tiny", version.run_id) == tracker.version_of_run(
        "tiny", version.run_id
    )
    assert reader.version_of_run("tiny", "0" * 32) is None
    model = reader.load_model(version.run_id, version.tags)
    expected = tracker.load_model(version.run_id, version.tags)
    rows = np.random.default_rng(0).normal(size=(5, 30))
    frame = _frame(rows)
    np.testing.assert_array_equal(model.predict_proba(frame), expected.predict_proba(frame))
    with pytest.raises(RunNotFoundError, match="has no logged model"):
        reader.load_model("0" * 32)
    forged = {**version.tags, MODEL_DIGEST_TAG: "0" * 64}
    with pytest.raises(UntrustedModelError, match="differ from the digest"):
        reader.load_model(version.run_id, forged)
    assert opened == []


def _frame(rows: np.ndarray) -> Any:
    import pandas as pd
    from sklearn.datasets import load_breast_cancer

    names = load_breast_cancer().feature_names
    return pd.DataFrame(rows, columns=names)


@pytest.mark.parametrize(
    "args",
    [["best"], ["list"], ["best", "--format", "json"], ["export"]],
    ids=lambda a: " ".join(a),
)
def test_read_only_commands_import_no_mlflow(tiny: Finished, args: list[str]) -> None:
    if args == ["export"]:
        args = ["export", str(tiny.config)]
    else:
        args = [*args, str(tiny.config)] if args[0] == "best" else args
    code = (
        "import sys\nfrom sweeps.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit as exc:\n    code = exc.code\n"
        "print('mlflow' in sys.modules, code, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args, "--tracking-uri", tiny.stores.tracking_uri],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stderr.strip().splitlines()[-1] == "False 0", done.stderr
    assert done.stdout


def test_nan_is_read_as_nan(edges: tuple[Stores, str, list[str]]) -> None:
    stores, _experiment, ids = edges
    reader, _tracker, _ = _pair(stores.tracking_uri)
    run = reader.run(ids[1])
    assert run is not None and math.isnan(run.metrics["val_loss"])
    assert reader.run(ids[5]).metrics["val_loss"] == 1.7976931348623157e308  # type: ignore[union-attr]


def test_many_runs_are_read_in_chunks_and_in_order(
    edges: tuple[Stores, str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sweeps.tracking import sqlite_reader

    stores, experiment, ids = edges
    reader, tracker, _ = _pair(stores.tracking_uri)
    monkeypatch.setattr(sqlite_reader, "_CHUNK", 2)
    wanted = [ids[5], "0" * 32, ids[0], ids[6], ids[3], ids[2]]  # unknown and deleted left out
    assert _norm(reader._records(wanted)) == _norm(
        [tracker.run(i) for i in wanted if tracker.run(i)]
    )
    tied = [name for _, name in sorted([(ids[0], "r0"), (ids[1], "r1")])]  # by run id
    found = [r.name for r in reader.search(experiment, runs_of("trial"), [], 100)]
    assert found == ["r5", "r4", "r3", "r2", *tied]  # newest first; r0 and r1 share a start


def test_a_damaged_store_is_one_store_error(stores: Stores) -> None:
    from sweeps.errors import StoreError

    _edge_store(stores)
    reader, _tracker, _ = _pair(stores.tracking_uri)
    with sqlite3.connect(stores.root / "mlflow.db") as conn:
        conn.execute("DROP TABLE latest_metrics")
    with pytest.raises(
        StoreError, match=r"^tracking store sqlite:///.*no such table: latest_metrics"
    ):
        reader.search(reader.experiment_id("edges", False) or "", runs_of("trial"), [], 5)
