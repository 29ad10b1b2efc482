"""SHA-256 fingerprints that prove a run saw the same data and the same split.

- :func:`file_sha256` hashes every byte of a file (MLflow's dataset digest stops at 10,000 rows).
- :func:`arrays_sha256` hashes built-in and generated data through a canonical byte layout: a JSON
  header (feature names, dtypes, shapes) followed by the little-endian, row-major bytes of X and y.
- :func:`indices_sha256` hashes the row positions of one split.

All three stream their input; none copies a contiguous array.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

_CHUNK_BYTES = 1 << 20


def file_sha256(path: str | Path) -> str:
    """Return the hex SHA-256 of the whole file at ``path``, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def arrays_sha256(X: np.ndarray, y: np.ndarray, feature_names: Sequence[str]) -> str:
    """Return the hex SHA-256 of numeric arrays ``X`` (n, p) and ``y`` (n,) in canonical form.

    The same values under the same names give the same digest on every little- or big-endian
    machine; a different value, name, dtype or shape gives a different one.
    """
    if X.dtype.hasobject or y.dtype.hasobject:
        raise TypeError("arrays_sha256 takes numeric arrays only")
    X_le, y_le = _little_endian(X), _little_endian(y)
    header = {
        "feature_names": [str(name) for name in feature_names],
        "X": {"dtype": X_le.dtype.str, "shape": list(X_le.shape)},
        "y": {"dtype": y_le.dtype.str, "shape": list(y_le.shape)},
    }
    digest = hashlib.sha256(json.dumps(header, sort_keys=True).encode())
    digest.update(X_le)
    digest.update(y_le)
    return digest.hexdigest()


def indices_sha256(indices: np.ndarray) -> str:
    """Return the hex SHA-256 of row positions, canonicalised as little-endian int64."""
    return hashlib.sha256(_little_endian(np.asarray(indices, dtype=np.int64))).hexdigest()


def _little_endian(array: np.ndarray) -> np.ndarray:
    """``array`` as a C-contiguous little-endian array (no copy when it already is one)."""
    return np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
