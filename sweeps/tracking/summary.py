"""What a sweep's parent run receives when a sweep (or a resumed part of it) ends."""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from mlflow.entities import Dataset, DatasetInput, InputTag, Metric

from sweeps.tracking.runs import tags_of
from sweeps.tracking.store import Tracker


@dataclass(frozen=True)
class DatasetRecord:
    """One split of the sweep's data as MLflow will list it, with our full-data digest."""

    name: str
    sha256: str
    split_sha256: str
    rows: int
    source: str


def log_datasets(tracker: Tracker, run_id: str, records: Sequence[DatasetRecord]) -> None:
    """``log_inputs`` for each split. MLflow's digest field (36 characters at most) holds 32 hex
    digits of a SHA-256 over the table's digest and the split's row hash, so another split of the
    same table is another dataset; the full digests are in the profile."""
    inputs = [
        DatasetInput(
            Dataset(
                name=r.name,
                digest=hashlib.sha256(f"{r.sha256}:{r.split_sha256}".encode()).hexdigest()[:32],
                source_type="local",
                source=json.dumps({"uri": r.source}),
                profile=json.dumps(
                    {"num_rows": r.rows, "sha256": r.sha256, "split_sha256": r.split_sha256}
                ),
            ),
            tags=[InputTag("mlflow.data.context", r.name)],
        )
        for r in records
    ]
    tracker.client.log_inputs(run_id, datasets=inputs)


def log_summary(
    tracker: Tracker,
    run_id: str,
    metrics: Mapping[str, float],
    tags: Mapping[str, object],
    trials: pd.DataFrame,
) -> None:
    """Summary metrics, tags and the trials table (CSV) on the parent run."""
    now = int(time.time() * 1000)
    tracker.client.log_batch(
        run_id,
        metrics=[Metric(k, float(v), now, 0) for k, v in metrics.items()],
        tags=tags_of(tags),
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "trials.csv"
        trials.to_csv(path, index=False)
        tracker.client.log_artifact(run_id, str(path))

