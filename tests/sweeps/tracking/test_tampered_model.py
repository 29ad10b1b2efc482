"""A tampered model never runs code and never loads: `sweeps predict` (and every load through
the tracking store) checks the model's files against the digest recorded in the store when it
was logged, reads only the skops file by its fixed name and only our trusted types; a refusal is
one line and exit 1.

One model is logged and registered for real (MLflow SQLite store, skops flavour) once per
module; each test tampers with its own copy of that store.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import skops.io as sio
from mlflow import MlflowClient
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from sweeps.errors import UntrustedModelError
from sweeps.records import MODEL_DIGEST_TAG
from sweeps.tracking import Tracker
from sweeps.tracking.model_digest import folder_sha256
from sweeps.tracking.trusted import SKOPS_FILE
from tests.pipeline.tables import fitted_pipeline, mixed_frame
from tests.sweeps.helpers import run_cli

pytestmark = pytest.mark.slow
MODEL = "amounts"
#: Where MLflow's SQLite store keeps absolute artifact locations.
PATH_COLUMNS = (
    ("experiments", "artifact_location"),
    ("runs", "artifact_uri"),
    ("model_versions", "storage_location"),
)


@dataclass(frozen=True)
class Logged:
    """A store holding one logged, registered, crowned model and a file of rows to score."""

    root: Path
    run_id: str
    rows: Path

    @property
    def uri(self) -> str:
        """The store's tracking URI."""
        return f"sqlite:///{self.root / 'mlflow.db'}"

    def client(self) -> MlflowClient:
        """A client on the store."""
        return MlflowClient(tracking_uri=self.uri)

    def model_dir(self) -> Path:
        """The model's folder in the artifact store (on disk)."""
        return next(self.root.rglob("MLmodel")).parent

    def predict(self, *choice: str) -> int:
        """``sweeps predict`` of the rows with the model ``choice`` names; the exit code."""
        return run_cli("predict", str(self.rows), *choice, "--tracking-uri", self.uri)

    def record(self, digest: str) -> None:
        """What an attacker who can also write the tracking store does: record ``digest`` on
        the run and on the champion version."""
        client = self.client()
        client.set_tag(self.run_id, MODEL_DIGEST_TAG, digest)
        version = client.get_model_version_by_alias(MODEL, "champion").version
        client.set_model_version_tag(MODEL, version, MODEL_DIGEST_TAG, digest)


def _rows_frame() -> pd.DataFrame:
    frame = mixed_frame(150)
    frame["code"] = "7"
    frame["amount"] = frame["x1"] * 3 + 1
    return frame.head(20)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, migrated_mlflow_db: Path) -> Logged:
    root = tmp_path_factory.mktemp("logged") / "mlruns"
    root.mkdir()
    shutil.copy(migrated_mlflow_db, root / "mlflow.db")
    tracker = Tracker(f"sqlite:///{root / 'mlflow.db'}")
    experiment = tracker.experiment_id(MODEL)
    assert experiment is not None
    parent = tracker.create_parent(experiment, MODEL, {}, {})
    run = tracker.start_run(experiment, "trial-000", {}, {}, parent_run_id=parent)
    data = {"source": "file", "path": "t.csv", "target": "label"}
    run.add_json({"config": {"data": data}, "estimator": {}}, "trial_config.json")
    run.finish("FINISHED")
    run_id = run.resolved_id()
    assert run_id is not None
    pipe = fitted_pipeline()
    example = _rows_frame().drop(columns=["label"]).head(5)
    tracker.log_model(run_id, pipe, example, pipe.predict(example))
    tracker.alias_champion(MODEL, tracker.register(MODEL, run_id, {}))
    rows = root.parent / "rows.csv"
    _rows_frame().to_csv(rows, index=False)
    return Logged(root, run_id, rows)


@pytest.fixture
def logged(template: Logged, tmp_path: Path) -> Logged:
    """A copy of the template's store whose artifacts live in the copy."""
    root = tmp_path / "mlruns"
    shutil.copytree(template.root, root)
    old, new = template.root.as_uri(), root.as_uri()
    with sqlite3.connect(root / "mlflow.db") as db:
        for table, column in PATH_COLUMNS:
            db.execute(f"UPDATE {table} SET {column} = replace({column}, ?, ?)", (old, new))
    rows = shutil.copy(template.rows, tmp_path / "rows.csv")
    return Logged(root, template.run_id, Path(rows))


def _refused(capsys: pytest.CaptureFixture[str], *fragments: str) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1, captured.err
    for fragment in fragments:
        assert fragment in captured.err, captured.err
    return captured.err


def _rewrite_skops(model_dir: Path, edit: Callable[[dict], None]) -> None:
    """Edit the schema inside the model's skops file, keeping its arrays."""
    path = model_dir / SKOPS_FILE
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    schema = json.loads(members["schema.json"])
    edit(schema)
    members["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)


def _append(path: Path, text: str) -> None:
    path.write_text((path.read_text() if path.exists() else "") + text)


def _flip_a_bit(path: Path) -> None:
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 1
    path.write_bytes(bytes(blob))


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (os.system, (f"touch {self.marker}",))


def _plant_pickle(model_dir: Path, marker: Path) -> None:
    """The attack of issue 22: a pickle that runs a command, named by MLmodel as the model."""
    (model_dir / "model.pkl").write_bytes(pickle.dumps(_Payload(marker)))
    mlmodel = model_dir / "MLmodel"
    text = mlmodel.read_text().replace("pickled_model: model.skops", "pickled_model: model.pkl")
    text = text.replace("serialization_format: skops", "serialization_format: cloudpickle")
    mlmodel.write_text(text)


# ---- the untampered model -------------------------------------------------------------------


def test_the_logged_digest_is_recorded_on_the_run_and_the_version(logged: Logged) -> None:
    client = logged.client()
    digest = client.get_run(logged.run_id).data.tags[MODEL_DIGEST_TAG]
    version = client.get_model_version_by_alias(MODEL, "champion")
    assert version.tags[MODEL_DIGEST_TAG] == digest == folder_sha256(logged.model_dir())
    assert len(digest) == 64


def test_an_untouched_model_loads_by_run_and_by_version(logged: Logged) -> None:
    tracker = Tracker(logged.uri)
    version = logged.client().get_model_version_by_alias(MODEL, "champion")
    by_run = tracker.load_model(logged.run_id)
    by_version = tracker.load_model(logged.run_id, dict(version.tags))
    X = _rows_frame().drop(columns=["label"])
    expected = list(fitted_pipeline().predict(X))
    assert list(by_run.predict(X)) == list(by_version.predict(X)) == expected


# ---- artifact store tampered, tracking store intact: the digest refuses ---------------------


@pytest.mark.parametrize("choice", [["--model", MODEL], ["--run", "RUN"]])
def test_a_planted_pickle_never_runs(
    logged: Logged, tmp_path: Path, choice: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "pwned"
    _plant_pickle(logged.model_dir(), marker)
    choice = [logged.run_id if c == "RUN" else c for c in choice]
    assert logged.predict(*choice) == 1
    holder = "the model version" if choice[0] == "--model" else "the run"
    _refused(capsys, "differ from the digest recorded on " + holder, "refusing to load it")
    assert not marker.exists()


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda d: _append(d / "MLmodel", "\n# x\n"), id="MLmodel-edited"),
        pytest.param(lambda d: (d / "extra.txt").write_text("x"), id="file-added"),
        pytest.param(lambda d: (d / "input_example.json").unlink(), id="file-removed"),
        pytest.param(lambda d: _append(d / "code/pipeline/evil.py", "import os"), id="code-added"),
        pytest.param(
            lambda d: _append(d / "code/pipeline/mlp/estimator.py", "1/0"), id="code-changed"
        ),
        pytest.param(lambda d: (d / SKOPS_FILE).rename(d / "model.sk"), id="skops-renamed"),
        pytest.param(lambda d: _flip_a_bit(d / "conda.yaml"), id="one-bit"),
    ],
)
def test_any_change_to_the_model_files_is_refused(
    logged: Logged, tamper: Callable[[Path], None], capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(logged.model_dir())
    assert logged.predict("--model", MODEL) == 1
    _refused(capsys, f"sweeps: error: run {logged.run_id}: the model's files differ")


def test_the_version_digest_wins_over_a_rewritten_run_tag(
    logged: Logged, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whoever rewrote the run's tag to match a changed model still fails by model name."""
    _rewrite_skops(logged.model_dir(), lambda s: s)  # re-zipped: other bytes, same content
    logged.client().set_tag(logged.run_id, MODEL_DIGEST_TAG, folder_sha256(logged.model_dir()))
    assert logged.predict("--model", MODEL) == 1
    _refused(capsys, "differ from the digest recorded on the model version")
    assert logged.predict("--run", logged.run_id) == 0  # the run's own tag now matches


@pytest.mark.parametrize("value", [None, "", "not-a-digest", "0" * 63, "A" * 64])
def test_a_missing_or_malformed_run_digest_is_refused(
    logged: Logged, value: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    client = logged.client()
    if value is None:
        client.delete_tag(logged.run_id, MODEL_DIGEST_TAG)
    else:
        client.set_tag(logged.run_id, MODEL_DIGEST_TAG, value)
    assert logged.predict("--run", logged.run_id) == 1
    _refused(capsys, "no digest of the model's files is recorded on the run")


def test_a_version_without_a_digest_is_refused(
    logged: Logged, capsys: pytest.CaptureFixture[str]
) -> None:
    version = logged.client().get_model_version_by_alias(MODEL, "champion").version
    logged.client().delete_model_version_tag(MODEL, version, MODEL_DIGEST_TAG)
    assert logged.predict("--model", f"{MODEL}/{version}") == 1
    _refused(capsys, "no digest of the model's files is recorded on the model version")


# ---- both stores tampered (digest re-recorded): the format and the types refuse -------------


def test_a_planted_pickle_never_runs_even_with_its_digest_recorded(
    logged: Logged, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "pwned"
    model_dir = logged.model_dir()
    _plant_pickle(model_dir, marker)
    (model_dir / SKOPS_FILE).unlink()
    logged.record(folder_sha256(model_dir))
    assert logged.predict("--model", MODEL) == 1
    _refused(capsys, f"the model has no {SKOPS_FILE}; refusing to load it")
    assert not marker.exists()


def _replace_model(logged: Logged, obj: object) -> None:
    (logged.model_dir() / SKOPS_FILE).write_bytes(sio.dumps(obj))
    logged.record(folder_sha256(logged.model_dir()))


def test_a_class_outside_the_trusted_list_is_refused_by_name(
    logged: Logged, capsys: pytest.CaptureFixture[str]
) -> None:
    _replace_model(logged, Pipeline([("clf", LogisticRegression())]))
    assert logged.predict("--model", MODEL) == 1
    _refused(capsys, "trusted list (sklearn.linear_model._logistic.LogisticRegression")


def test_a_function_node_is_refused_before_skops_sees_it(
    logged: Logged, capsys: pytest.CaptureFixture[str]
) -> None:
    def call_system(schema: dict) -> None:
        schema["content"]["steps"] = {
            "__class__": "system", "__module__": "posix", "__loader__": "FunctionNode",
            "content": {"module_path": "posix", "function": "system"},
        }  # fmt: skip

    _rewrite_skops(logged.model_dir(), call_system)
    logged.record(folder_sha256(logged.model_dir()))
    assert logged.predict("--model", MODEL) == 1
    _refused(capsys, "holds a FunctionNode node, which sweeps never writes")


def test_a_type_reference_to_a_function_is_refused(
    logged: Logged, capsys: pytest.CaptureFixture[str]
) -> None:
    def os_system(schema: dict) -> None:
        schema["content"]["memory"] = {
            "__class__": "system", "__module__": "os", "__loader__": "TypeNode",
            "__id__": 999999,
        }  # fmt: skip

    _rewrite_skops(logged.model_dir(), os_system)
    logged.record(folder_sha256(logged.model_dir()))
    assert logged.predict("--model", MODEL) == 1
    _refused(capsys, "outside sweeps' trusted list (os.system)")


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"not a zip file", "model.skops is not a skops file"),
        (b"", "model.skops is not a skops file"),
        ("schema.json", "model.skops is not a skops file"),  # member holds broken JSON
        ("deep", "model.skops is not a skops file"),  # nested past the parser's recursion
        ("noschema", "model.skops is not a skops file"),
    ],
)
def test_a_broken_skops_file_is_one_line(
    logged: Logged, blob: bytes | str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if isinstance(blob, str):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            if blob == "schema.json":
                archive.writestr("schema.json", "{not json")
            elif blob == "deep":
                archive.writestr("schema.json", "[" * 200_000 + "]" * 200_000)
            else:
                archive.writestr("other.json", "{}")
        blob = buffer.getvalue()
    (logged.model_dir() / SKOPS_FILE).write_bytes(blob)
    logged.record(folder_sha256(logged.model_dir()))
    assert logged.predict("--model", MODEL) == 1
    _refused(capsys, message)


def test_loading_raises_a_named_error(logged: Logged) -> None:
    (logged.model_dir() / "extra.txt").write_text("x")
    with pytest.raises(UntrustedModelError, match="differ from the digest recorded on the run"):
        Tracker(logged.uri).load_model(logged.run_id)


# ---- what loading imports -------------------------------------------------------------------

LOAD = """
import sys
from sweeps.tracking import Tracker
model = Tracker(sys.argv[1]).load_model(sys.argv[2])
unused = [m for m in ("sklearn.neural_network", "sklearn.gaussian_process",
                      "sklearn.naive_bayes", "sklearn.semi_supervised") if m in sys.modules]
print(type(model).__name__, unused)
import scipy, skops.io._trusted_types as defaults
print(len(defaults.SCIPY_UFUNC_TYPE_NAMES), len(defaults.SKLEARN_ESTIMATOR_TYPE_NAMES),
      scipy.special is sys.modules["scipy.special"], "erf" in dir(scipy.special))
"""


def test_loading_imports_only_the_trusted_part_of_scikit_learn(logged: Logged) -> None:
    done = subprocess.run(
        [sys.executable, "-c", LOAD, logged.uri, logged.run_id],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    loaded, defaults = done.stdout.splitlines()
    assert loaded == "Pipeline []"
    # skops's default trust: no scipy ufunc, scikit-learn's estimators reduced to our five;
    # scipy.special the real module again (its names listed) once skops.io is imported
    assert defaults == "0 5 True True"
