"""Notices for feature columns with missing values and for columns holding one value."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.data.coverage import share
from pipeline.data.table import build_table


def _table(**columns: object) -> tuple[str, ...]:
    frame = pd.DataFrame({**columns, "y": [0, 1] * 2_000})
    return build_table(frame, target="y", task=None, name="t.csv", fingerprint="").notices


def test_each_column_with_missing_values_gets_its_count_share_and_fill() -> None:
    age = np.arange(4_000, dtype=float)
    age[:1_160] = np.nan  # 29%
    colour = np.array(["red", "green", "blue", "red"] * 1_000, dtype=object)
    colour[::400] = None
    assert _table(age=age, colour=colour, full=np.arange(4_000) % 7 * 1.5) == (
        "column 'age': 1,160 of 4,000 values missing (29.0%), filled with the training rows' "
        "median",
        "column 'colour': 10 of 4,000 values missing (0.2%), filled with the training rows' "
        "most frequent level",
    )


def test_a_constant_column_is_said_once_with_what_happens_to_it() -> None:
    flag = np.full(4_000, 3.0)
    flag[7] = np.nan
    notices = _table(bluecol=["blue"] * 4_000, flag=flag, x=np.arange(4_000) % 5 * 0.5)
    assert notices == (
        "column 'bluecol': one level ('blue') in every row: a constant input that cannot help "
        "the model; drop it (drop_columns=['bluecol'])",
        "column 'flag': one value (3) in every row (1 missing, filled with it): a constant "
        "input that cannot help the model; drop it (drop_columns=['flag'])",
    )


def test_shares_never_print_as_zero() -> None:
    assert (share(1, 10_000), share(5, 10_000), share(0, 10), share(1, 3)) == (
        "<0.1%", "0.1%", "0.0%", "33.3%",
    )  # fmt: skip
