"""A fitted MLP kept as plain arrays comes back identical, and tampered arrays are refused."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression

from pipeline import MLPClassifier, MLPRegressor, weights_digest
from pipeline.mlp.fitted import fitted_arrays, restore_fitted

KWARGS = {"hidden_layer_sizes": (6, 3), "max_epochs": 5, "random_state": 3}


def _fitted(task: str) -> tuple[object, np.ndarray, np.ndarray]:
    if task == "classification":
        X, y = make_classification(80, 5, n_classes=3, n_informative=3, random_state=0)
        return MLPClassifier(**KWARGS).fit(X, y), X, y
    X, y = make_regression(80, 5, random_state=0)
    return MLPRegressor(**KWARGS).fit(X, y + 100.0), X, y + 100.0


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_restored_model_predicts_and_hashes_like_the_fitted_one(task: str) -> None:
    model, X, y = _fitted(task)
    arrays = fitted_arrays(model, prefix="fold2_")
    fresh = type(model)(**KWARGS)
    restored = restore_fitted(fresh, arrays, y, X.shape[1], prefix="fold2_")
    assert weights_digest(restored) == weights_digest(model)
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    assert (restored.n_epochs_, restored.best_epoch_) == (model.n_epochs_, model.best_epoch_)
    assert restored.loss_curve_ == model.loss_curve_
    if task == "classification":
        np.testing.assert_array_equal(restored.classes_, model.classes_)


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda a: a.pop("coef_1"), "coef_1 is missing"),
        (lambda a: a.update(coef_0=a["coef_0"][:, :2]), r"coef_0: float32\(5, 2\)"),
        (lambda a: a.update(coef_0=a["coef_0"].astype(np.float64)), "expected float32"),
        (lambda a: a["intercept_2"].__setitem__(0, np.nan), "non-finite"),
        (lambda a: a.update(coef_3=np.zeros((3, 3), np.float32)), "more layers"),
        (lambda a: a.update(best_epoch=np.array(99)), "best_epoch 99 outside"),
        (lambda a: a.update(n_epochs=np.array([1, 2])), "expected one integer"),
    ],
)
def test_tampered_arrays_are_refused(tamper: object, message: str) -> None:
    model, X, y = _fitted("classification")
    arrays = fitted_arrays(model)
    tamper(arrays)  # type: ignore[operator]
    with pytest.raises(ValueError, match=message):
        restore_fitted(MLPClassifier(**KWARGS), arrays, y, X.shape[1])
