"""Choosing and loading the model that scores a file, on the in-memory store: model references,
the data options of the logged config, a regressor's scores."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sweeps.errors import RunNotFoundError
from sweeps.results.predict import choose_model, load_scorer, parse_model_ref
from sweeps.results.scored_output import ScoredOutput
from sweeps.tracking import MemoryTracker
from tests.pipeline.tables import fitted_pipeline


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("churn", ("churn", None, "champion")),
        ("churn@staging", ("churn", None, "staging")),
        ("churn/3", ("churn", "3", None)),
        ("models:/churn@champion", ("churn", None, "champion")),
        ("my.model-2/12", ("my.model-2", "12", None)),
    ],
)
def test_model_references(text: str, parsed: tuple[str, str | None, str | None]) -> None:
    assert parse_model_ref(text) == parsed


def _store() -> tuple[MemoryTracker, str]:
    tracker = MemoryTracker()
    experiment = tracker.experiment_id("amounts")
    assert experiment is not None
    parent = tracker.create_parent(experiment, "amounts", {}, {})
    run = tracker.start_run(experiment, "trial-000", {}, {}, parent_run_id=parent)
    data = {"source": "file", "path": "t.csv", "target": "amount", "na_values": [-1]}
    data["drop_columns"], data["columns"] = ["id"], {"label": "drop"}
    run.add_json({"config": {"data": data}, "estimator": {}}, "trial_config.json")
    run_id = run.resolved_id()
    assert run_id is not None
    tracker.log_model(
        run_id, fitted_pipeline(target="amount", task="regression"), pd.DataFrame(), None
    )
    tracker.log_values(parent, tags={"sweeps.best_run_id": run_id})
    tracker.alias_champion("amounts", tracker.register("amounts", run_id, {}))
    return tracker, run_id


def test_the_champion_and_the_logged_data_options(tmp_path: Path) -> None:
    tracker, run_id = _store()
    choice = choose_model(tracker, model="amounts", run_id=None)
    assert (choice.run_id, choice.label) == (run_id, "model amounts version 1 (alias champion)")
    scorer = load_scorer(tracker, choice)
    assert (scorer.target, scorer.dropped, scorer.na_values) == ("amount", ("id", "label"), ("-1",))
    assert not scorer.classifier
    path = tmp_path / "rows.csv"
    rows = pd.DataFrame(
        {"id": [7, 8], "x1": [0.1, -1], "x2": [9.5, 11.0], "colour": ["red", "blue"],
         "code": ["7", "x12"], "label": ["yes", "no"]}
    )  # fmt: skip
    rows.to_csv(path, index=False)
    out = tmp_path / "scores.csv"
    with ScoredOutput(out) as output:
        scored = scorer.score(path, output)
        output.commit(print)
    assert scored.rows == 2
    table = pd.read_csv(out, dtype={"id": str})
    assert list(table.columns) == ["id", "label", "prediction"]
    assert table["id"].tolist() == ["7", "8"]
    expected = rows.drop(columns=["id", "label"]).assign(x1=[0.1, float("nan")])  # -1: missing
    assert table["prediction"].tolist() == list(scorer.model.predict(expected))


def test_a_parent_run_is_refused_with_its_winner() -> None:
    tracker, run_id = _store()
    parent = next(r.run_id for r in tracker.runs.values() if r.tags["sweeps.role"] == "parent")
    with pytest.raises(RunNotFoundError, match=f"its winner's run: {run_id}$"):
        choose_model(tracker, model=None, run_id=parent)
