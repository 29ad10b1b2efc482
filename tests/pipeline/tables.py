"""Small tables for the data-pipeline tests: numbers with gaps, text categories, a target."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from pipeline import MLPClassifier, MLPRegressor, build_table, prepare, split_table


def mixed_frame(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """``n`` rows: two float columns and one text column with missing values, a binary target.

    The target depends on ``x1`` and on ``colour`` so a linear model can learn it.
    """
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.normal(10.0, 3.0, size=n)
    colour = rng.choice(["red", "green", "blue"], size=n)
    signal = x1 + np.where(colour == "red", 1.5, -0.5) + rng.normal(0, 0.3, size=n)
    frame = pd.DataFrame(
        {
            "x1": x1,
            "x2": x2,
            "colour": colour.astype(object),
            "label": np.where(signal > 0, "yes", "no"),
        }
    )
    frame.loc[::7, "x2"] = np.nan
    frame.loc[3::11, "colour"] = np.nan
    return frame


def write(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` to ``path`` as CSV or Parquet (by suffix), without the index."""
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path


def fitted_pipeline(target: str = "label", task: str | None = None) -> Pipeline:
    """Preprocessing and a 3-epoch MLP fitted on :func:`mixed_frame` plus a text column of
    codes and a numeric ``amount``; ``target`` ``"amount"`` makes it a regressor."""
    frame = mixed_frame(150)
    frame["code"] = np.where(np.arange(150) % 3 == 0, "7", "x12")  # text codes, one of them numeric
    frame["amount"] = frame["x1"] * 3 + 1
    if target != "label":
        frame = frame.drop(columns=["label"])
    table = build_table(frame, target=target, task=task, name="t", fingerprint="f")
    prepared = prepare(table, split_table(table, validation=0.2, test=0.2, seed=0))
    estimator = MLPClassifier if table.task == "classification" else MLPRegressor
    model = estimator(hidden_layer_sizes=(4,), max_epochs=3, random_state=0)
    model.fit(prepared.X_train, prepared.y_train)
    return Pipeline([("preprocess", prepared.preprocessor), ("mlp", model)])


def gap_notices(frame: pd.DataFrame, **more: int) -> tuple[str, ...]:
    """The notices the missing values of :func:`mixed_frame`'s x2 (numeric) and colour
    (categorical) give, then those of numeric columns ``more`` names with their missing
    counts (``horsepower=6``), written out here as a user reads them."""
    rows = len(frame)
    counts = {"x2": int(frame["x2"].isna().sum()), "colour": int(frame["colour"].isna().sum())}
    notices = [gap_notice(name, n, rows, numeric=name != "colour") for name, n in counts.items()]
    return tuple(notices + [gap_notice(name, n, rows) for name, n in more.items()])


def gap_notice(name: str, missing: int, rows: int, *, numeric: bool = True) -> str:
    """``column 'x2': 18 of 120 values missing (15.0%), filled with ...``."""
    how = "median" if numeric else "most frequent level"
    return (
        f"column {name!r}: {missing:,} of {rows:,} values missing ({missing / rows:.1%}), "
        f"filled with the training rows' {how}"
    )
