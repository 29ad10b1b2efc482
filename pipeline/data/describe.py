"""What a sweep shows and logs about its table: task and how it was decided, roles, features.

:func:`describe_table` gives a :class:`TableDescription`; its
:meth:`~TableDescription.lines` are one-line strings to print, its
:meth:`~TableDescription.to_dict` is JSON-ready to log. Nothing here prints.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

if TYPE_CHECKING:
    from pipeline.data.table import Table

#: Characters a printed line takes at most (lists are cut to fit, ending in "and N more").
WIDTH = 100
#: How :func:`~pipeline.data.tasks.decide_task` starts the rule of an inferred task.
INFERRED = "inferred: "


@dataclass(frozen=True)
class EncodedColumn:
    """How a fitted one-hot encoder encoded one categorical column.

    Attributes:
        column: the column's name.
        levels: distinct levels in the training rows (after imputing missing values).
        kept: levels with a feature of their own.
        features: one-hot features the column became (``kept``, plus one if any were grouped).
    """

    column: str
    levels: int
    kept: int
    features: int


@dataclass(frozen=True)
class TableDescription:
    """A table as a sweep should print it at the start and log it on the parent run.

    Attributes:
        name: the file path or the data set's name.
        rows: rows with a target.
        target: the target column's name.
        task: ``"classification"`` or ``"regression"``.
        task_rule: ``"given"`` or ``"inferred: "`` and the rule (see :mod:`pipeline.data.tasks`).
        classes: ``(label, rows)`` of each class, most frequent first (classification only).
        target_mean: the target's mean (regression only).
        target_std: the target's standard deviation (regression only).
        numeric: numeric feature columns.
        categorical: ``(column, distinct levels over the whole table)`` of categorical columns.
        dropped_columns: columns dropped by ``drop_columns`` or a ``"drop"`` role.
        dropped_rows: rows dropped because their target was missing.
        max_levels: one-hot features per categorical column at most (``None``: no cap).
        min_level_rows: training rows a level needs to get its own feature.
        notices: one-line findings from loading (see ``Table.notices``).
        input_features: model input features, once the preprocessor is fitted (else ``None``).
        encoded: how each categorical column was encoded, once the preprocessor is fitted.
    """

    name: str
    rows: int
    target: str
    task: str
    task_rule: str
    classes: tuple[tuple[Any, int], ...]
    target_mean: float | None
    target_std: float | None
    numeric: tuple[str, ...]
    categorical: tuple[tuple[str, int], ...]
    dropped_columns: tuple[str, ...]
    dropped_rows: int
    max_levels: int | None
    min_level_rows: int
    notices: tuple[str, ...]
    input_features: int | None = None
    encoded: tuple[EncodedColumn, ...] = ()

    def lines(self) -> list[str]:
        """One-line strings to print, each at most about :data:`WIDTH` characters (long lists
        end in ``and N more``; a detail goes on its own indented line), e.g.
        ``["data: mpg.csv: 398 rows", "task: regression (given)", "target: 'mpg': mean 23.5,
        std 7.8", ...]``; notices come last, each as ``"notice: ..."``."""
        lines = [f"data: {self.name}: {self.rows:,} rows", *self._task_lines()]
        lines += self._columns_lines()
        if self.input_features is not None:
            lines.append(f"input features: {self.input_features} (fitted on the training rows)")
        lines += [
            f"encoded: {e.column!r}: {e.levels} levels in the training rows, {e.kept} kept, "
            f"{e.levels - e.kept} grouped as one feature"
            for e in self.encoded
            if e.kept < e.levels
        ]
        return lines + [f"notice: {notice}" for notice in self.notices]

    def to_dict(self) -> dict[str, Any]:
        """The description as JSON-ready plain values (lists for tuples)."""
        return _plain(dataclasses.asdict(self))

    def _task_lines(self) -> list[str]:
        """The task and how it was decided (the rule on a line of its own), then the target's
        classes or mean and spread."""
        rule = self.task_rule.removeprefix(INFERRED)
        if rule == self.task_rule:  # given
            lines = [f"task: {self.task} ({rule})"]
        else:
            lines = [f"task: {self.task}", f"  inferred from: {rule}"]
        head = f"target: {self.target!r}"
        if self.task != "classification":
            return [*lines, f"{head}: mean {self.target_mean:.4g}, std {self.target_std:.4g}"]
        head += f": {len(self.classes)} classes: "
        shown = [f"{label!r}: {n} rows" for label, n in self.classes]
        return [*lines, head + listed(shown, WIDTH - len(head))]

    def _columns_lines(self) -> list[str]:
        """How many numeric, categorical and dropped columns, then their names (with level
        counts) one kind per line."""
        counts = [f"{len(self.numeric)} numeric", f"{len(self.categorical)} categorical"]
        if self.dropped_columns:
            counts.append(f"{len(self.dropped_columns)} dropped")
        kinds = (
            ("numeric", list(self.numeric)),
            ("categorical", [f"{c} ({n} level{'s' * (n != 1)})" for c, n in self.categorical]),
            ("dropped", list(self.dropped_columns)),
        )
        lines = ["columns: " + ", ".join(counts)]
        for kind, names in kinds:
            if names:
                head = f"  {kind}: "
                lines.append(head + listed(names, WIDTH - len(head)))
        return lines


def describe_table(table: Table, preprocessor: ColumnTransformer | None = None) -> TableDescription:
    """Describe ``table``; with a fitted ``preprocessor``, add its input features and encoding."""
    roles, y = table.roles, table.y
    classification = table.task == "classification"
    counts = y.value_counts(sort=False) if classification else None
    classes = () if counts is None else _class_counts(counts)
    return TableDescription(
        name=table.name,
        rows=len(table),
        target=table.target,
        task=table.task,
        task_rule=table.task_rule,
        classes=classes,
        target_mean=None if classification else float(y.mean()),
        target_std=None if classification else float(y.std(ddof=0)),
        numeric=tuple(map(str, roles.numeric)),
        categorical=tuple(zip(map(str, roles.categorical), roles.levels, strict=True)),
        dropped_columns=tuple(map(str, roles.dropped)),
        dropped_rows=table.dropped_rows,
        max_levels=table.limits.max_levels,
        min_level_rows=table.limits.min_level_rows,
        notices=table.notices,
        input_features=None if preprocessor is None else feature_count(preprocessor),
        encoded=() if preprocessor is None else encoded_columns(preprocessor),
    )


def feature_count(preprocessor: ColumnTransformer) -> int:
    """Number of model input features a fitted preprocessor makes of each row."""
    return len(preprocessor.get_feature_names_out())


def encoded_columns(preprocessor: ColumnTransformer) -> tuple[EncodedColumn, ...]:
    """How each column of a fitted preprocessor's one-hot encoders was encoded."""
    found: list[EncodedColumn] = []
    for _, step, columns in preprocessor.transformers_:
        encoder = _one_hot(step)
        if encoder is None:
            continue
        infrequent = getattr(encoder, "infrequent_categories_", [None] * len(columns))
        for column, categories, rare in zip(columns, encoder.categories_, infrequent, strict=True):
            grouped = 0 if rare is None else len(rare)
            kept = len(categories) - grouped
            found.append(EncodedColumn(str(column), len(categories), kept, kept + (grouped > 0)))
    return tuple(found)


def _one_hot(step: object) -> OneHotEncoder | None:
    """The OneHotEncoder that is ``step`` or ends the Pipeline ``step``, if any."""
    if isinstance(step, Pipeline):
        step = step.steps[-1][1]
    return step if isinstance(step, OneHotEncoder) else None


def _class_counts(counts: Any) -> tuple[tuple[Any, int], ...]:
    """``(label, rows)`` pairs, most frequent first, ties in label order; labels as plain values."""
    pairs = [(_scalar(label), int(count)) for label, count in counts.items()]
    return tuple(sorted(pairs, key=lambda pair: (-pair[1], str(pair[0]))))


def _scalar(value: Any) -> Any:
    """A numpy scalar as the Python value it holds; anything else unchanged."""
    return value.item() if isinstance(value, np.generic) else value


def listed(items: list[str], room: int) -> str:
    """``items`` joined by commas within ``room`` characters: as many as fit, then ``and N
    more`` (at least one item is shown, however long)."""
    text = ""
    for shown, item in enumerate(items):
        rest = len(items) - shown - 1
        candidate = f"{text}, {item}" if text else item
        more = f", and {rest} more" if rest else ""
        if text and len(candidate) + len(more) > room:
            return f"{text}, and {len(items) - shown} more"
        text = candidate
    return text


def _plain(value: Any) -> Any:
    """Tuples as lists and numpy scalars as Python values, all the way down."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return _scalar(value)
