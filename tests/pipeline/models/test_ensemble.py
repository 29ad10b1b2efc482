"""The champion's ensemble: weighted means of fitted models behind their own preprocessing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import StandardScaler

from pipeline import MLPClassifier, MLPRegressor
from pipeline.models.ensemble import EnsembleClassifier, build_ensemble, model_output

RNG = np.random.default_rng(0)
X = pd.DataFrame(RNG.normal(size=(60, 4)), columns=list("abcd"))


def _prep(rows: slice) -> StandardScaler:
    return StandardScaler().fit(X.iloc[rows])


def test_regressor_is_the_weighted_mean_of_its_models_behind_their_preprocessing() -> None:
    y = X["a"] * 3 + 10
    preps = [_prep(slice(0, 30)), _prep(slice(30, 60))]
    models = [
        [MLPRegressor(hidden_layer_sizes=(4,), max_epochs=3, random_state=s).fit(
            preps[g].transform(X), y) for s in (1, 2)]
        for g in range(2)
    ]  # fmt: skip
    weights = [[0.1, 0.2], [0.3, 0.4]]
    ensemble = build_ensemble("regression", preps, models, weights)
    expected = sum(
        weights[g][j] * models[g][j].predict(preps[g].transform(X))
        for g in range(2)
        for j in range(2)
    )
    np.testing.assert_allclose(ensemble.predict(X), expected)
    scales = [m.target_scale_ for group in models for m in group]
    np.testing.assert_allclose(ensemble.target_scale_, np.dot([0.1, 0.2, 0.3, 0.4], scales))


def test_classifier_averages_probabilities_in_one_class_order() -> None:
    y = np.where(X["a"] > 0.5, "high", np.where(X["a"] < -0.5, "low", "mid"))
    prep = _prep(slice(0, 60))
    full = MLPClassifier(hidden_layer_sizes=(4,), max_epochs=3, random_state=1)
    full.fit(prep.transform(X), y)
    two = y != "mid"  # a model that never saw "mid"
    partial = MLPClassifier(hidden_layer_sizes=(4,), max_epochs=3, random_state=1)
    partial.fit(prep.transform(X)[two], y[two])
    ensemble = build_ensemble("classification", [prep], [[full, partial]], [[0.5, 0.5]])
    assert isinstance(ensemble, EnsembleClassifier)
    assert list(ensemble.classes_) == ["high", "low", "mid"]
    proba = ensemble.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    aligned = model_output(partial, prep.transform(X), ensemble.classes_)
    assert (aligned[:, 2] == 0).all()
    np.testing.assert_allclose(proba, 0.5 * full.predict_proba(prep.transform(X)) + 0.5 * aligned)
    np.testing.assert_array_equal(ensemble.predict(X), ensemble.classes_[proba.argmax(1)])


@pytest.mark.parametrize(
    ("weights", "message"),
    [([[0.5, 0.6]], "sum to 1"), ([[1.0, 0.0]], "positive"), ([[1.0]], "one weight per model")],
)
def test_inconsistent_parts_are_refused(weights: list[list[float]], message: str) -> None:
    prep = _prep(slice(0, 60))
    model = MLPRegressor(hidden_layer_sizes=(2,), max_epochs=1).fit(prep.transform(X), X["b"])
    with pytest.raises(ValueError, match=message):
        build_ensemble("regression", [prep], [[model, model]], weights)
