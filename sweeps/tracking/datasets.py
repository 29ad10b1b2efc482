"""A sweep's data splits as MLflow dataset inputs of its parent run."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from mlflow.entities import Dataset, DatasetInput, InputTag

from sweeps.tracking.interface import DatasetRecord

__all__: list[str] = []  # nothing here for other packages


def log_datasets(client: Any, run_id: str, records: Sequence[DatasetRecord]) -> None:
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
    client.log_inputs(run_id, datasets=inputs)
