"""Small tables for the data-pipeline tests: numbers with gaps, text categories, a target."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


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
