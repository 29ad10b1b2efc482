"""Where tables come from: scikit-learn's bundled data sets, generated data, CSV and Parquet files.

Nothing here touches the network: the bundled data sets ship inside scikit-learn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn import datasets

from pipeline.data.columns import missing_tokens
from pipeline.data.fingerprint import arrays_sha256, file_sha256
from pipeline.data.levels import DEFAULT_MAX_LEVELS, DEFAULT_MIN_LEVEL_ROWS
from pipeline.data.readers import read_frame
from pipeline.data.table import Table, build_table
from pipeline.errors import DataError

BUILTIN: dict[str, Callable[..., Any]] = {
    "breast_cancer": datasets.load_breast_cancer,
    "wine": datasets.load_wine,
    "iris": datasets.load_iris,
    "digits": datasets.load_digits,
    "diabetes": datasets.load_diabetes,
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
    na_values: Sequence[str] = (),
    on_junk: str = "coerce",
    columns: Mapping[str, str] | None = None,
    max_levels: int | None = DEFAULT_MAX_LEVELS,
    min_level_rows: int = DEFAULT_MIN_LEVEL_ROWS,
) -> Table:
    """Load a CSV (``.csv``) or Parquet (``.parquet``, ``.pq``) file with a named target column.

    The fingerprint is the SHA-256 of every byte of the file. Columns in ``drop_columns`` (row
    identifiers, leaky columns) are removed before any check. ``na_values`` are extra values read
    as missing (CSV: besides pandas' defaults such as ``NA`` and ``n/a``); ``on_junk``,
    ``columns``, ``max_levels`` and ``min_level_rows`` are described in
    :func:`~pipeline.data.table.build_table`. The table is a pure function of the file's bytes and
    these options.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if not path.is_file():
        raise DataError(f"{path}: not a file")
    frame = read_frame(path, na_values=missing_tokens(na_values))
    return build_table(
        frame,
        target=target,
        task=task,
        name=str(path),
        fingerprint=file_sha256(path),
        path=path,
        drop_columns=drop_columns,
        na_values=na_values,
        on_junk=on_junk,
        columns=columns,
        max_levels=max_levels,
        min_level_rows=min_level_rows,
    )


def _generate(
    kind: str,
    n_samples: int,
    n_features: int,
    informative: int,
    n_classes: int,
    noise: float,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Call scikit-learn's generator for ``kind`` with a local seed (no global RNG)."""
    if kind == "classification":
        if not 0.0 <= noise <= 1.0:
            raise ValueError(f"noise is the fraction of flipped labels, in [0, 1]; got {noise}")
        return datasets.make_classification(
            n_samples=n_samples,
            n_features=n_features,
            n_informative=informative,
            n_redundant=0,
            n_classes=n_classes,
            flip_y=noise,
            shuffle=False,
            random_state=seed,
        )
    if kind == "regression":
        return datasets.make_regression(
            n_samples=n_samples,
            n_features=n_features,
            n_informative=informative,
            noise=noise,
            shuffle=False,
            random_state=seed,
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
