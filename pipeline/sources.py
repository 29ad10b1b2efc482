"""Where tables come from: scikit-learn's bundled data sets, generated data, CSV and Parquet files.

Nothing here touches the network: the bundled data sets ship inside scikit-learn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn import datasets

from pipeline.errors import DataError
from pipeline.fingerprint import arrays_sha256, file_sha256
from pipeline.table import Table, build_table

BUILTIN: dict[str, Callable[..., Any]] = {
    "breast_cancer": datasets.load_breast_cancer,
    "wine": datasets.load_wine,
    "iris": datasets.load_iris,
    "digits": datasets.load_digits,
    "diabetes": datasets.load_diabetes,
}
CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet", ".pq")
# Halves the peak of reading a large Parquet file (measured: 2.7x -> 1.4x the table's size):
# no read-ahead of the whole file, and Arrow buffers released column by column as pandas takes
# them over (pandas does not touch the Arrow table after converting it).
_PARQUET_OPTIONS: dict[str, Any] = {
    "pre_buffer": False,
    "to_pandas_kwargs": {"split_blocks": True, "self_destruct": True},
}


def load_builtin(name: str, *, task: str | None = None) -> Table:
    """Load one of scikit-learn's bundled data sets by name (see :data:`BUILTIN`).

    ``diabetes`` is a regression target; the others are classification targets.
    """
    if name not in BUILTIN:
        raise DataError(f"{name}: unknown built-in data set; choose one of {', '.join(BUILTIN)}")
    bunch = BUILTIN[name]()
    names = [str(n) for n in getattr(bunch, "feature_names", range(bunch.data.shape[1]))]
    return _from_arrays(bunch.data, bunch.target, names, name=name, task=task)


def load_generated(
    kind: Literal["classification", "regression"],
    *,
    n_samples: int,
    n_features: int,
    n_informative: int | None = None,
    n_classes: int = 2,
    noise: float = 0.0,
    seed: int = 0,
) -> Table:
    """Generate a table with ``make_classification`` or ``make_regression``, seeded by ``seed``.

    Every feature is informative unless ``n_informative`` says otherwise (no redundant ones);
    informative features come first, named ``x0, x1, ...``. ``noise`` is the standard deviation
    of the Gaussian noise added to a regression target, and the fraction of randomly flipped
    labels for classification. Rows are not shuffled (classification rows come grouped by class;
    the split shuffles them): scikit-learn's shuffle copies the table twice, which would push the
    peak memory of a 1,000,000 x 100 table above 3x its size.
    """
    informative = n_features if n_informative is None else n_informative
    try:
        X, y = _generate(kind, n_samples, n_features, informative, n_classes, noise, seed)
    except ValueError as error:
        raise DataError(f"make_{kind}: {error}") from None
    names = [f"x{i}" for i in range(n_features)]
    return _from_arrays(X, y, names, name=f"make_{kind}", task=kind)


def load_file(
    path: str | Path,
    *,
    target: str,
    task: str | None = None,
    drop_columns: Sequence[str] = (),
) -> Table:
    """Load a CSV (``.csv``) or Parquet (``.parquet``, ``.pq``) file with a named target column.

    The fingerprint is the SHA-256 of every byte of the file. Columns in ``drop_columns`` (row
    identifiers, leaky columns) are removed before any check.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if not path.is_file():
        raise DataError(f"{path}: not a file")
    frame = _read(path)
    return build_table(
        frame,
        target=target,
        task=task,
        name=str(path),
        fingerprint=file_sha256(path),
        path=path,
        drop_columns=drop_columns,
    )


def _read(path: Path) -> pd.DataFrame:
    """Read a CSV or Parquet file into a DataFrame, turning reader failures into DataError."""
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + PARQUET_SUFFIXES:
        known = ", ".join(CSV_SUFFIXES + PARQUET_SUFFIXES)
        raise DataError(f"{path}: unsupported file type {suffix!r}; use one of {known}")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty")
    kind = "CSV" if suffix in CSV_SUFFIXES else "Parquet"
    try:
        if kind == "CSV":
            return pd.read_csv(path)
        frame = pd.read_parquet(path, engine="pyarrow", **_PARQUET_OPTIONS)
        _release_arrow_memory()
        return frame
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty") from None
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DataError(f"{path}: cannot be read as {kind}: {reason}") from None


def _release_arrow_memory() -> None:
    """Return the memory Arrow's allocator kept after reading Parquet to the operating system.

    pandas reads Parquet through Arrow, whose allocator otherwise holds on to the freed read
    buffers (measured: about 0.4x the table's size for a 1,000,000 x 100 float file) for the
    rest of the process. This is the only use of pyarrow itself in :mod:`pipeline`.
    """
    import pyarrow  # pandas' Parquet engine, already imported by the read

    pyarrow.default_memory_pool().release_unused()


def _generate(
    kind: str, n_samples: int, n_features: int, informative: int, n_classes: int,
    noise: float, seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Call scikit-learn's generator for ``kind`` with a local seed (no global RNG)."""
    if kind == "classification":
        if not 0.0 <= noise <= 1.0:
            raise ValueError(f"noise is the fraction of flipped labels, in [0, 1]; got {noise}")
        return datasets.make_classification(
            n_samples=n_samples, n_features=n_features, n_informative=informative,
            n_redundant=0, n_classes=n_classes, flip_y=noise, shuffle=False, random_state=seed,
        )
    if kind == "regression":
        return datasets.make_regression(
            n_samples=n_samples, n_features=n_features, n_informative=informative,
            noise=noise, shuffle=False, random_state=seed,
        )
    raise ValueError(f"kind must be 'classification' or 'regression', got {kind!r}")


def _from_arrays(
    X: np.ndarray, y: np.ndarray, names: list[str], *, name: str, task: str | None
) -> Table:
    """Wrap arrays in a Table without copying them; fingerprint their canonical bytes."""
    fingerprint = arrays_sha256(X, y, names)
    frame = pd.DataFrame(X, columns=names, copy=False)
    frame["target"] = y
    return build_table(frame, target="target", task=task, name=name, fingerprint=fingerprint)
