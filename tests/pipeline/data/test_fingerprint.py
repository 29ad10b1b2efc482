"""Fingerprints cover every byte of the data and pin down each split's rows."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline import load_file, split_table
from pipeline.data.fingerprint import arrays_sha256, file_sha256, indices_sha256

MLFLOW_DIGEST_ROWS = 10_000  # MLflow's dataset digest looks at no more rows than this


@pytest.fixture
def long_csv(tmp_path: Path) -> Path:
    """A CSV with more rows than MLflow's digest reads, float feature and integer target."""
    rng = np.random.default_rng(0)
    n = MLFLOW_DIGEST_ROWS + 2_000
    frame = pd.DataFrame({"x": rng.normal(size=n).round(6), "label": np.arange(n) % 2})
    path = tmp_path / "long.csv"
    frame.to_csv(path, index=False)
    return path


def test_file_fingerprint_is_the_sha256_of_all_bytes(long_csv: Path) -> None:
    assert file_sha256(long_csv) == hashlib.sha256(long_csv.read_bytes()).hexdigest()


def test_one_byte_in_the_last_row_changes_the_fingerprint(long_csv: Path) -> None:
    before = load_file(long_csv, target="label")
    data = bytearray(long_csv.read_bytes())
    last_row = data.rstrip(b"\n").rsplit(b"\n", 1)[1]
    assert last_row.endswith((b",0", b",1"))  # the target of row 12,000
    position = len(data.rstrip(b"\n")) - 1
    data[position] = ord("0") if data[position] == ord("1") else ord("1")
    long_csv.write_bytes(bytes(data))
    after = load_file(long_csv, target="label")
    assert len(after) > MLFLOW_DIGEST_ROWS
    assert after.fingerprint != before.fingerprint


def test_array_fingerprint_sees_every_value_name_and_dtype() -> None:
    X = np.arange(30_000, dtype=np.float64).reshape(10_000 + 5_000, 2)
    y = np.arange(len(X)) % 3
    base = arrays_sha256(X, y, ["a", "b"])
    assert arrays_sha256(X.copy(), y.copy(), ["a", "b"]) == base
    changed = X.copy()
    changed[-1, -1] += 1
    assert arrays_sha256(changed, y, ["a", "b"]) != base
    assert arrays_sha256(X, y, ["a", "c"]) != base
    assert arrays_sha256(X.astype(np.float32), y, ["a", "b"]) != base


def test_array_fingerprint_is_independent_of_memory_layout_and_byte_order() -> None:
    X = np.arange(12, dtype=np.float64).reshape(4, 3)
    y = np.array([0, 1, 0, 1])
    base = arrays_sha256(X, y, ["a", "b", "c"])
    assert arrays_sha256(np.asfortranarray(X), y, ["a", "b", "c"]) == base
    assert arrays_sha256(X.astype(">f8"), y.astype(">i8"), ["a", "b", "c"]) == base


def test_index_hash_is_canonical_int64() -> None:
    rows = np.array([3, 1, 4, 15])
    assert indices_sha256(rows.astype(np.int32)) == indices_sha256(rows.astype(np.int64))
    assert indices_sha256(rows) != indices_sha256(rows[:-1])


def test_split_hashes_are_hashes_of_the_row_positions(long_csv: Path) -> None:
    split = split_table(load_file(long_csv, target="label"), seed=0)
    hashes = split.hashes()
    for name in ("train", "validation", "test"):
        expected = hashlib.sha256(getattr(split, name).astype("<i8").tobytes()).hexdigest()
        assert hashes[name] == expected
