"""The timed MLflow client: every call counted; a run it created uploads its artifacts to the
location its creation returned, without reading the run back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mlflow import MlflowClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from sweeps.tracking.timing import TimedClient
from tests.conftest import Stores


def _staged(folder: Path) -> str:
    folder.mkdir()
    (folder / "a.json").write_text('{"x": 1}')
    (folder / "b.txt").write_text("b")
    return str(folder)


@contextmanager
def _statements() -> Iterator[list[str]]:
    """The SQL statements any engine runs in the block (MLflow's store included)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def test_a_run_created_here_uploads_without_reading_the_run(stores: Stores, tmp_path: Path) -> None:
    client = TimedClient(MlflowClient(tracking_uri=stores.tracking_uri))
    experiment = client.create_experiment("e", artifact_location=(tmp_path / "art").as_uri())
    run = client.create_run(experiment)
    calls = client.calls
    with _statements() as seen:
        client.upload_and_remove(run.info.run_id, _staged(tmp_path / "stage"))
    assert seen == []  # files copied; the store not asked
    assert client.calls == calls + 1 and client.seconds > 0
    assert not (tmp_path / "stage").exists()
    listed = MlflowClient(stores.tracking_uri).list_artifacts(run.info.run_id)
    assert sorted(f.path for f in listed) == ["a.json", "b.txt"]


def test_another_run_uploads_through_mlflow_and_a_closed_run_is_forgotten(
    stores: Stores, tmp_path: Path
) -> None:
    plain = MlflowClient(tracking_uri=stores.tracking_uri)
    experiment = plain.create_experiment("e", artifact_location=(tmp_path / "art").as_uri())
    elsewhere = plain.create_run(experiment).info.run_id
    client = TimedClient(plain)
    closed = client.create_run(experiment).info.run_id
    client.set_terminated(closed, "FINISHED")
    for run_id, stage in ((elsewhere, "one"), (closed, "two")):
        with _statements() as seen:
            client.upload_and_remove(run_id, _staged(tmp_path / stage))
        assert any("FROM runs" in s for s in seen), run_id  # MLflow's path reads the run
    for run_id in (elsewhere, closed):
        assert sorted(f.path for f in plain.list_artifacts(run_id)) == ["a.json", "b.txt"]
    assert plain.get_run(closed).info.status == "FINISHED"
