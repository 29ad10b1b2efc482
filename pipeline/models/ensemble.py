"""A weighted ensemble of fitted MLPs that takes raw rows: what a sweep hands back.

The models are grouped by the preprocessing they were trained behind (one group per K-fold:
its preprocessor was fitted on that fold's training rows), so each group transforms the rows
once. A classifier averages class probabilities, a regressor predictions, with weights summing
to one. Everything is already fitted: ``fit`` only checks the parts and learns nothing from data
(like scikit-learn's ``FrozenEstimator``). Learned state is lists of fitted scikit-learn objects
and floats, so ``skops`` loads it trusting only these classes and the MLPs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted


class _Ensemble(BaseEstimator):
    """Shared parts: ``preprocessors[g]`` feeds the models ``models[g]`` weighted by
    ``weights[g]`` (every weight > 0, all of them summing to 1)."""

    def __init__(
        self,
        preprocessors: Sequence[Any] = (),
        models: Sequence[Sequence[Any]] = (),
        weights: Sequence[Sequence[float]] = (),
    ) -> None:
        self.preprocessors = preprocessors
        self.models = models
        self.weights = weights

    def fit(self, X: ArrayLike | None = None, y: ArrayLike | None = None) -> _Ensemble:
        """Check the already fitted parts (``X`` and ``y`` are ignored); return ``self``."""
        groups = (len(self.preprocessors), len(self.models), len(self.weights))
        if not groups[0] or len(set(groups)) != 1:
            raise ValueError(
                f"need as many preprocessors, model groups and weight groups: {groups}"
            )
        flat = [float(w) for group in self.weights for w in group]
        if any(len(m) != len(w) for m, w in zip(self.models, self.weights, strict=True)):
            raise ValueError("each model group needs one weight per model")
        if not flat or min(flat) <= 0 or not np.isclose(sum(flat), 1.0):
            raise ValueError(f"weights must be positive and sum to 1; got {flat}")
        first = self.preprocessors[0]
        self.n_features_in_ = first.n_features_in_
        if hasattr(first, "feature_names_in_"):
            self.feature_names_in_ = first.feature_names_in_
        self._learn_outputs()
        return self

    def _learn_outputs(self) -> None:
        """Task-specific state learned from the models (classes, target scale)."""

    def _combined(self, X: ArrayLike, output: Any) -> NDArray[np.float64]:
        """The weighted sum of ``output(model, rows)`` over every model."""
        check_is_fitted(self, "n_features_in_")
        total: NDArray[np.float64] | None = None
        for prep, group, weights in zip(self.preprocessors, self.models, self.weights, strict=True):
            rows = prep.transform(X)
            for model, weight in zip(group, weights, strict=True):
                part = float(weight) * output(model, rows)
                total = part if total is None else total + part
        assert total is not None
        return total

    def members(self) -> list[Any]:
        """Every model, group by group."""
        return [model for group in self.models for model in group]


class EnsembleClassifier(ClassifierMixin, _Ensemble):
    """Weighted mean of the models' class probabilities; learns ``classes_`` (every model's
    classes, sorted)."""

    def _learn_outputs(self) -> None:
        self.classes_ = np.unique(np.concatenate([m.classes_ for m in self.members()]))

    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """Class probabilities, shape ``(rows, len(classes_))``, in ``classes_`` order."""
        return self._combined(X, self._aligned)

    def _aligned(self, model: Any, rows: NDArray) -> NDArray[np.float64]:
        return model_output(model, rows, self.classes_)

    def predict(self, X: ArrayLike) -> NDArray:
        """The most probable class of each row."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class EnsembleRegressor(RegressorMixin, _Ensemble):
    """Weighted mean of the models' predictions (target units); learns ``target_scale_``, the
    models' weighted mean target scale (so a loss in scaled units reads like the models')."""

    def _learn_outputs(self) -> None:
        scales = [
            float(w) * np.asarray(m.target_scale_, dtype=np.float64)
            for group, weights in zip(self.models, self.weights, strict=True)
            for m, w in zip(group, weights, strict=True)
        ]
        self.target_scale_ = np.sum(scales, axis=0)

    def predict(self, X: ArrayLike) -> NDArray[np.float64]:
        """Predictions in the target's units."""
        combined = self._combined(X, model_output)
        return combined[:, 0] if combined.shape[1] == 1 else combined


def model_output(model: Any, rows: ArrayLike, classes: NDArray | None = None) -> NDArray:
    """What a model contributes to an ensemble, as ``(rows, columns)`` float64: a classifier's
    probabilities in ``classes`` order (classes it never saw get 0), a regressor's predictions."""
    if classes is None:
        predicted = np.asarray(model.predict(rows), dtype=np.float64)
        return predicted.reshape(len(predicted), -1)
    proba = model.predict_proba(rows)
    if len(model.classes_) == len(classes) and np.array_equal(model.classes_, classes):
        return proba
    out = np.zeros((proba.shape[0], len(classes)))
    out[:, np.searchsorted(classes, model.classes_)] = proba
    return out


def build_ensemble(
    task: str,
    preprocessors: Sequence[Any],
    models: Sequence[Sequence[Any]],
    weights: Sequence[Sequence[float]],
) -> EnsembleClassifier | EnsembleRegressor:
    """A fitted ensemble for ``task`` from fitted parts (see :class:`_Ensemble`)."""
    cls = EnsembleClassifier if task == "classification" else EnsembleRegressor
    ensemble = cls(
        preprocessors=list(preprocessors),
        models=[list(group) for group in models],
        weights=[[float(w) for w in group] for group in weights],
    )
    return ensemble.fit()
