"""Stores whose files share a folder keep their artifacts apart: a store ``x/foo.db`` keeps
them in ``x/foo-artifacts/``; the default ``mlruns/mlflow.db`` keeps ``mlruns/artifacts/``."""

from __future__ import annotations

from pathlib import Path

from mlflow import MlflowClient

from sweeps.tracking import artifact_root_for
from tests.sweeps.helpers import run_cli, write_config


def test_artifact_roots_are_named_after_their_store(tmp_path: Path) -> None:
    assert (
        artifact_root_for(f"sqlite:///{tmp_path}/x/foo.db")
        == (tmp_path / "x/foo-artifacts").as_uri()
    )
    assert artifact_root_for(f"sqlite:///{tmp_path}/mlflow.db") == (tmp_path / "artifacts").as_uri()
    assert (
        artifact_root_for("sqlite:///mlruns/mlflow.db")
        == Path("mlruns/artifacts").resolve().as_uri()
    )
    assert artifact_root_for("http://127.0.0.1:5000") is None
    assert (
        artifact_root_for(f"sqlite:///{tmp_path}/a.db", "elsewhere")
        == Path("elsewhere").resolve().as_uri()
    )


def test_two_sweeps_in_one_folder_do_not_mix_artifacts(tmp_path: Path) -> None:
    folder = tmp_path / "stores"
    parents = {}
    for name in ("alpha", "beta"):
        config = write_config(tmp_path, name=name)
        flags = ["--tracking-uri", f"sqlite:///{folder}/{name}.db",
                 "--storage", f"sqlite:///{folder}/{name}-study.db"]  # fmt: skip
        assert run_cli("init", str(config), *flags) == 0
        client = MlflowClient(tracking_uri=f"sqlite:///{folder}/{name}.db")
        [parent] = client.search_runs([client.get_experiment_by_name(name).experiment_id])
        parents[name] = parent.info.run_id
    for name, run_id in parents.items():
        config = folder / f"{name}-artifacts" / run_id / "artifacts" / "config.json"
        assert f'"name": "{name}"' in config.read_text()
        assert {p.name for p in (folder / f"{name}-artifacts").iterdir()} == {run_id}
    assert not (folder / "artifacts").exists()
