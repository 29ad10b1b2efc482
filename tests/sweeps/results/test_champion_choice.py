"""The champion is chosen on out-of-fold predictions and built from the validated models
(in-memory stores: fast tests of our own seams; the MLflow path has its own tests)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from pipeline.models.ensemble import model_output
from pipeline.models.ensemble_selection import cross_fitted, make_scorer
from sweeps.core.sweep import Sweep
from sweeps.core.trial import OOF_ARTIFACT, WEIGHTS_ARTIFACT, train_trial
from sweeps.errors import StoreError
from sweeps.results.champion import CROSS_FIT_PARTS, choose_champion
from sweeps.results.champion_model import build_champion, estimator_of
from sweeps.results.conclude import conclude
from sweeps.tracking import MemoryTracker
from tests.sweeps.search.test_objective import _run_study, memory_sweep


def _oof(sweep: Sweep, number: int) -> np.ndarray:
    tracker = sweep.tracker
    assert isinstance(tracker, MemoryTracker)
    run_id = sweep.study.trials[number].user_attrs["mlflow_run_id"]
    return tracker.artifacts[run_id][OOF_ARTIFACT]["predictions"]


@pytest.mark.parametrize("folds", [3, 1])
def test_out_of_fold_predictions_never_come_from_a_model_that_saw_the_row(folds: int) -> None:
    sweep = memory_sweep(selection={"folds": folds})
    _run_study(sweep, 1)
    data, trial = sweep.data, sweep.study.trials[0]
    logged = _oof(sweep, 0)
    assert logged.dtype == np.float32 and logged.shape == (len(data.scored_rows), 2)
    fits = train_trial(data, estimator_of(trial)).models
    held = data.held_out()
    assert len(held) == len(fits) == folds
    predicted_by = np.full(len(data.scored_rows), -1)
    for i, (positions, prepared) in enumerate(held):
        rows = data.scored_rows[positions]
        if data.fold_rows is not None:
            assert not set(rows) & set(data.fold_rows[i].train)  # the fit never trained on them
        else:
            assert not set(rows) & set(data.split.train)
        assert (predicted_by[positions] == -1).all()  # each row predicted once
        predicted_by[positions] = i
        expected = model_output(fits[i], prepared.X_val, data.classes).astype(np.float32)
        np.testing.assert_array_equal(logged[positions], expected)
    assert (predicted_by >= 0).all()
    assert not set(data.scored_rows) & set(data.split.test)


def test_the_choice_is_deterministic_and_its_score_is_cross_fitted() -> None:
    sweep = memory_sweep(selection={"folds": 3, "ensemble": {"top": 4, "size": 10}})
    _run_study(sweep, 6)
    first = choose_champion(sweep)
    assert first is not None
    again = choose_champion(sweep)  # nothing recorded yet: chosen again from scratch
    assert again is not None and again.as_dict() == first.as_dict()
    ranked = sorted(sweep.study.trials, key=lambda t: (t.values[0], t.number))[:4]
    assert first.candidates == tuple(t.number for t in ranked)
    assert {m.trial for m in first.members} <= set(first.candidates)
    assert sum(m.weight for m in first.members) == pytest.approx(1.0)
    scorer = make_scorer("val_loss", "classification", sweep.data.scored_targets())
    preds = [_oof(sweep, n) for n in first.candidates]
    steps = 10 if first.kind == "ensemble" else 1
    honest = cross_fitted(preds, scorer, steps, parts=CROSS_FIT_PARTS, seed=sweep.cfg.seed)
    assert first.score == pytest.approx(scorer.value(honest))
    assert set(first.alternatives) == {"single", "ensemble"}
    assert first.score == min(first.alternatives.values())
    assert first.best_trial == ranked[0].number


def test_without_the_ensemble_the_champion_is_the_studys_best_trial() -> None:
    sweep = memory_sweep(selection={"folds": 3, "ensemble": False})
    _run_study(sweep, 4)
    choice = choose_champion(sweep)
    assert choice is not None and choice.kind == "trial"
    best = sweep.study.best_trial
    assert [m.trial for m in choice.members] == [best.number]
    assert choice.score == best.value


def test_one_complete_trial_is_the_champion_without_a_word_of_blending() -> None:
    sweep = memory_sweep(selection={"folds": 3, "ensemble": {"top": 10, "size": 25}})
    _run_study(sweep, 1)
    choice = choose_champion(sweep)
    assert choice is not None and choice.kind == "trial"
    assert [m.trial for m in choice.members] == [0]
    assert choice.how == "the only trial with out-of-fold predictions (nothing to blend; val_loss)"


def test_the_champion_model_reproduces_its_out_of_fold_predictions() -> None:
    sweep = memory_sweep(selection={"folds": 3, "ensemble": {"top": 3, "size": 5}})
    _run_study(sweep, 4)
    choice = choose_champion(sweep)
    assert choice is not None
    model, _ = build_champion(sweep, choice)
    data = sweep.data
    # on the validation rows of fold 0, the fold-0 models' share of the blend is out-of-fold
    positions, prepared = data.held_out()[0]
    raw = data.table.X.iloc[data.scored_rows[positions]]
    expected = sum(
        m.weight * _oof(sweep, m.trial)[positions].astype(np.float64) for m in choice.members
    )
    fold0 = sum(
        w * model_output(mlp, prepared.X_val, data.classes)
        for mlp, w in zip(model.models[0], model.weights[0], strict=True)
    ) * len(data.held_out())
    np.testing.assert_allclose(fold0, expected, atol=1e-6)
    assert model.predict_proba(raw).shape == (len(raw), 2)


def test_a_tampered_weights_artifact_is_replaced_by_an_identical_retraining() -> None:
    sweep = memory_sweep(selection={"folds": 3, "ensemble": {"top": 2, "size": 3}})
    _run_study(sweep, 2)
    choice = choose_champion(sweep)
    assert choice is not None
    tracker = sweep.tracker
    assert isinstance(tracker, MemoryTracker)
    clean, _ = build_champion(sweep, choice)
    for member in choice.members:
        arrays = tracker.artifacts[member.run_id][WEIGHTS_ARTIFACT]
        arrays["fold1_coef_0"] = arrays["fold1_coef_0"] + 1.0  # no longer the validated weights
    rebuilt, _ = build_champion(sweep, choice)
    X = sweep.data.table.X.iloc[:20]
    np.testing.assert_array_equal(rebuilt.predict_proba(X), clean.predict_proba(X))
    member = choice.members[0]
    tags = dict(tracker.runs[member.run_id].tags, **{"sweeps.weights_sha256": "0" * 64})
    tracker.runs[member.run_id] = dataclasses.replace(tracker.runs[member.run_id], tags=tags)
    with pytest.raises(StoreError, match=f"trial {member.trial}: neither its logged weights"):
        build_champion(sweep, choice)


def test_one_champion_everywhere_after_a_conclusion() -> None:
    sweep = memory_sweep(selection={"folds": 3, "ensemble": {"top": 3, "size": 5}})
    _run_study(sweep, 4)
    lines: list[str] = []
    result = conclude(sweep, lines.append)
    assert result.champion is not None
    tracker = sweep.tracker
    assert isinstance(tracker, MemoryTracker)
    record = sweep.study.user_attrs["sweeps_champion"]
    run_id = record["run_id"]
    assert result.champion_run_id == run_id
    assert record["choice"]["score"] == result.champion.score
    champion_run = tracker.runs[run_id]
    assert champion_run.status == "FINISHED" and champion_run.tags["sweeps.role"] == "champion"
    assert champion_run.metrics["val_loss"] == result.champion.score
    parent = tracker.runs[sweep.parent_run_id]
    assert parent.status == "FINISHED" and parent.tags["sweeps.champion_run_id"] == run_id
    assert parent.metrics["champion_val_loss"] == result.champion.score
    for member in result.champion.members:
        weight = tracker.runs[member.run_id].tags["sweeps.champion.weight"]
        assert float(weight) == pytest.approx(member.weight, rel=1e-5)
    (version,) = tracker.models["fast"]
    assert version.run_id == run_id and tracker.aliases["fast"] == version.version
    assert version.tags["sweeps.score"] == repr(result.champion.score)
    assert f"{result.champion.score:.6g}" in tracker.descriptions[("fast", version.version)]
    steps = [line.split(": ", 1)[1].split()[0] for line in lines]
    expected = ["choosing", "testing", "writing", "logging", "logging", "registering", "moving"]
    assert steps == expected


@pytest.mark.parametrize(
    ("metric", "test", "warned"),
    [
        ("val_loss", 0.30, False),  # worse by 0.10, within 2 x 0.06
        ("val_loss", 0.33, True),  # worse by 0.13
        ("val_loss", 0.05, False),  # better
        ("val_accuracy", 0.85, False),  # worse by 0.05
        ("val_accuracy", 0.70, True),  # worse by 0.20
        ("val_accuracy", 0.99, False),
    ],
)
def test_a_test_score_worse_than_the_folds_spread_explains_is_warned_about(
    metric: str, test: float, warned: bool
) -> None:
    from sweeps.results.champion import Choice, Member
    from sweeps.results.testing import judged

    score = 0.2 if metric == "val_loss" else 0.9
    choice = Choice("trial", metric, (Member(1, "r", 1.0),), score, "how", 1, score)
    name = "test_" + metric.removeprefix("val_")
    tested = judged({name: test, "test_other": 1.0}, choice, spread=0.06)
    assert tested.gap == (metric, score, name, test)
    assert (tested.warning is not None) == warned
    if warned:
        assert tested.warning.startswith(f"the champion's {name} {test:.4g} is worse than")
        assert "2 x the spread its folds measured (0.06)" in tested.warning
    assert judged({name: test}, choice, spread=None).warning is None
