"""Score a CSV or Parquet file with a sweep's model: a registered version (by alias or number)
or a run's logged model. Only reads the tracking store.

The file is read as the training table was, with the missing-value tokens (``na_values``) of
the config the model's run logged (``trial_config.json``), then typed and checked as the model
takes its inputs (see :mod:`pipeline.data.scoring`), block by block: memory holds one block of rows
(:func:`pipeline.data.scoring.block_rows`) and the output goes to a temporary file
(:mod:`~sweeps.results.scored_output`). Its columns must be the model's input columns; the
target and the columns the sweep dropped (``drop_columns``, ``drop`` roles) may be there too:
the target is ignored (not even read), dropped columns (row identifiers) are passed through, as
their exact text in a CSV file, in front of the predictions, so that rows can be matched.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import DataError
from pipeline.data.chunks import blocks, header
from pipeline.data.columns import missing_tokens
from pipeline.data.scoring import (
    JunkTally,
    block_rows,
    check_columns,
    input_columns,
    is_classifier,
    model_rows,
    predictions,
)
from sweeps.errors import InputDataError, RunNotFoundError
from sweeps.infra.urls import redact
from sweeps.records import BEST_RUN_TAG, PARENT, ROLE_TAG
from sweeps.results.scored_output import ScoredOutput
from sweeps.tracking import TrackingStore, fetch_run

__all__ = ["choose_model", "load_scorer"]

CHAMPION = "champion"


@dataclass(frozen=True)
class ModelChoice:
    """The run whose logged model scores, how to name it to the user, and the tags of the
    model version chosen (its files are checked against their digest; None: the run's)."""

    run_id: str
    label: str
    version_tags: dict[str, str] | None = None


def parse_model_ref(text: str) -> tuple[str, str | None, str | None]:
    """``NAME``, ``NAME@ALIAS`` or ``NAME/VERSION`` (optionally ``models:/``-prefixed) as
    ``(name, version, alias)``; a bare name means its champion."""
    text = text.removeprefix("models:/")
    if "@" in text:
        name, alias = text.rsplit("@", 1)
        return name, None, alias
    if "/" in text:
        name, version = text.rsplit("/", 1)
        return name, version, None
    return text, None, CHAMPION


def choose_model(tracker: TrackingStore, *, model: str | None, run_id: str | None) -> ModelChoice:
    """The run of ``--run``, or of the model version ``--model`` names."""
    if run_id is not None:
        run = fetch_run(tracker, run_id)
        if run.tags.get(ROLE_TAG) == PARENT:
            winner = run.tags.get(BEST_RUN_TAG, "not chosen yet")
            raise RunNotFoundError(
                f"run {run_id} is the parent run of sweep {run.name!r}, which logs no model; "
                f"its winner's run: {winner}"
            )
        return ModelChoice(run.run_id, f"run {run_id}")
    assert model is not None
    name, version, alias = parse_model_ref(model)
    found = tracker.model_version(name, version, alias)
    if found is None:
        which = f"alias {alias!r}" if alias else f"version {version!r}"
        raise RunNotFoundError(
            f"no registered model {name!r} with {which} in tracking store {redact(tracker.uri)}"
        )
    via = f" (alias {alias})" if alias else ""
    return ModelChoice(found.run_id, f"model {name} version {found.version}{via}", found.tags)


@dataclass(frozen=True)
class Scored:
    """How many rows were scored, and notes for the user."""

    rows: int
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Scorer:
    """A loaded model and the data options of the config it was trained with."""

    model: Any
    target: str
    dropped: tuple[str, ...]
    na_values: tuple[str, ...]

    @property
    def classifier(self) -> bool:
        """Whether the model predicts classes (and so has class probabilities)."""
        return is_classifier(self.model)

    def score(self, path: Path, output: ScoredOutput, *, proba: bool = False) -> Scored:
        """Write a prediction for every row of the file at ``path`` to ``output``, block by
        block; a file the model cannot take is an :class:`InputDataError` naming the column."""
        source = str(path)
        try:
            columns = header(path)
            ignored = [self.target, *self.dropped]
            check_columns(self.model, pd.DataFrame(columns=columns), ignored, source)
            kept = [c for c in self.dropped if c in columns]
            tally = JunkTally(source)
            rows = 0
            for block in self._blocks(path, len(columns), kept):
                if block.empty:  # a file of only a header
                    continue
                X, _ = model_rows(
                    self.model, block, source=source, na_values=self.na_values, tally=tally
                )
                scores = predictions(self.model, X, proba=proba)
                output.write(pd.concat([block[kept], scores], axis=1))
                rows += len(block)
        except DataError as exc:
            raise InputDataError(str(exc)) from None
        if not rows:
            raise InputDataError(f"{path}: no rows to score")
        notes = tally.notices()
        notes += [f"column {c!r} passed through (the sweep dropped it)" for c in kept]
        if self.target in columns:
            notes.append(f"column {self.target!r} ignored (the model's target)")
        return Scored(rows, notes)

    def _blocks(self, path: Path, n_columns: int, kept: list[str]) -> Iterator[pd.DataFrame]:
        """The passed-through and input columns of the file, in blocks."""
        return blocks(
            path,
            block_rows(self.model, n_columns),
            columns=[*kept, *input_columns(self.model)],
            text=kept,
            na_values=self.na_values,
        )


def load_scorer(tracker: TrackingStore, choice: ModelChoice) -> Scorer:
    """The chosen model and the data options its run's ``trial_config.json`` holds."""
    run_id = choice.run_id
    logged = tracker.read_json(run_id, "trial_config.json")
    try:
        data: dict[str, Any] = dict(logged["config"]["data"])
    except (KeyError, TypeError):
        raise RunNotFoundError(f"run {run_id}: trial_config.json holds no data section") from None
    roles = data.get("columns") or {}
    dropped = [*(data.get("drop_columns") or ()), *(c for c, r in roles.items() if r == "drop")]
    return Scorer(
        model=tracker.load_model(run_id, choice.version_tags),
        target=str(data.get("target", "target")),  # built-in and generated tables: "target"
        dropped=tuple(map(str, dropped)),
        na_values=missing_tokens(data.get("na_values") or ()),
    )
