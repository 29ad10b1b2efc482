"""The peers of the quality benchmark: scikit-learn's MLP tuned by Optuna, and gradient boosting.

- **Tuned MLP**: ``sklearn.neural_network.MLPClassifier`` / ``MLPRegressor`` in a Pipeline after
  a ColumnTransformer (numbers: median imputation, standardisation; text: most-frequent
  imputation, one-hot ignoring unseen values); a regression target is standardised with
  ``TransformedTargetRegressor``. Optuna's TPE (seeded, with the settings sweeps pins) searches
  the quickstart's ranges: ``learning_rate_init``, ``batch_size``, ``depth`` x ``width`` hidden
  layers, and ``alpha`` for the quickstart's ``l2`` range. scikit-learn has no L1 penalty, so
  ``l1`` is not searched; its ``alpha`` is an L2 penalty scaled by the row count, unlike our
  Keras-style ``l2``. Fixed like the quickstart: relu, adam, at most 80 epochs; otherwise
  scikit-learn's defaults (it stops after 10 epochs without a training-loss improvement).
  The first trial is the quickstart's enqueued one. Each trial trains on the tuning rows and is
  scored on the validation rows with the sweep's objective (log loss, or mean squared error);
  the best settings are then fitted once on the final rows.
- **Gradient boosting**: ``HistGradientBoostingClassifier`` / ``Regressor`` with defaults; text
  columns ordinal-encoded and declared categorical (a text column with more distinct training
  values than the 255 bins HGB allows is left as ordinal numbers).

Both run with one BLAS and one OpenMP thread, as ``sweeps run`` trains with one BLAS thread
(the machine's cores are shared; more threads only spin against each other).
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import optuna
import pandas as pd
from quality_scores import Score, score_estimator
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.metrics import log_loss, mean_squared_error
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from threadpoolctl import threadpool_limits

EPOCHS = 80  # the quickstart's max_epochs
FIRST_TRIAL = {"learning_rate": 0.01, "batch_size": 32, "depth": 2, "width": 32, "l2": 1e-8}
HGB_MAX_CATEGORIES = 255


@dataclass(frozen=True)
class PeerRows:
    """The rows a peer learns from: tuning trials fit ``train`` and are scored on ``val``; the
    selected settings are fitted on ``final``; gradient boosting is fitted on ``boost``."""

    train: tuple[pd.DataFrame, pd.Series]
    val: tuple[pd.DataFrame, pd.Series]
    final: tuple[pd.DataFrame, pd.Series]
    boost: tuple[pd.DataFrame, pd.Series]


def preprocessor() -> ColumnTransformer:
    """Numbers median-imputed and standardised; text most-frequent-imputed and one-hot."""
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    text = make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(handle_unknown="ignore", sparse_output=False),
    )
    return ColumnTransformer(
        [
            ("numeric", numeric, make_column_selector(dtype_include="number")),
            ("text", text, make_column_selector(dtype_exclude="number")),
        ],
        sparse_threshold=0.0,
    )


def mlp(task: str, params: dict[str, Any], seed: int) -> Any:
    """The peer MLP for one trial's settings, as a Pipeline over raw rows."""
    kwargs = {
        "hidden_layer_sizes": (params["width"],) * params["depth"],
        "learning_rate_init": params["learning_rate"],
        "batch_size": params["batch_size"],
        "alpha": params["l2"],
        "activation": "relu",
        "solver": "adam",
        "max_iter": EPOCHS,
        "random_state": seed,
    }
    if task == "classification":
        return Pipeline([("preprocess", preprocessor()), ("mlp", MLPClassifier(**kwargs))])
    net = Pipeline([("preprocess", preprocessor()), ("mlp", MLPRegressor(**kwargs))])
    return TransformedTargetRegressor(regressor=net, transformer=StandardScaler())


def suggest(trial: optuna.Trial) -> dict[str, Any]:
    """The quickstart's search space, minus ``l1`` (scikit-learn has none)."""
    return {
        "learning_rate": trial.suggest_float("learning_rate", 1e-4, 1e-1, log=True),
        "batch_size": trial.suggest_categorical("batch_size", [16, 32, 64, 128]),
        "depth": trial.suggest_int("depth", 1, 4),
        "width": trial.suggest_int("width", 16, 256, log=True),
        "l2": trial.suggest_float("l2", 1e-8, 1e-3, log=True),
    }


def val_loss(model: Any, task: str, X: pd.DataFrame, y: pd.Series) -> float:
    """The sweep's objective on validation rows: log loss, or mean squared error."""
    if task == "classification":
        return float(log_loss(y, model.predict_proba(X), labels=model.classes_))
    predicted = model.predict(X)
    if not np.isfinite(predicted).all():
        return math.nan
    return float(mean_squared_error(y, predicted))


def fit_quietly(model: Any, X: pd.DataFrame, y: pd.Series) -> Any:
    """Fit, silencing scikit-learn's warning that the epoch cap was reached."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def tuned_mlp(
    task: str, rows: PeerRows, holdout: tuple[pd.DataFrame, pd.Series], seed: int, trials: int
) -> Score:
    """Tune the peer MLP with Optuna, fit the best settings on the final rows, score them once
    on the held-out rows."""
    sampler = optuna.samplers.TPESampler(
        seed=seed, n_startup_trials=10, multivariate=True, constant_liar=True
    )
    study = optuna.create_study(direction="minimize", sampler=sampler)
    study.enqueue_trial(FIRST_TRIAL)

    def objective(trial: optuna.Trial) -> float:
        model = fit_quietly(mlp(task, suggest(trial), seed), *rows.train)
        return val_loss(model, task, *rows.val)

    start = time.perf_counter()
    with threadpool_limits(limits=1):
        study.optimize(objective, n_trials=trials, catch=(ValueError, FloatingPointError))
        model = fit_quietly(mlp(task, study.best_params, seed), *rows.final)
    return score_estimator(model, task, *holdout, time.perf_counter() - start)


def boosting(task: str, X: pd.DataFrame, seed: int) -> Pipeline:
    """HGB with defaults behind an ordinal encoder of the text columns of ``X``."""
    text = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c].dtype)]
    few = [c for c in text if X[c].nunique() <= HGB_MAX_CATEGORIES]
    encoder = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan)
    encode = ColumnTransformer(
        [("text", encoder, text)], remainder="passthrough", sparse_threshold=0.0
    )
    kind = (
        HistGradientBoostingClassifier
        if task == "classification"
        else HistGradientBoostingRegressor
    )
    hgb = kind(categorical_features=[text.index(c) for c in few] or None, random_state=seed)
    return Pipeline([("encode", encode), ("hgb", hgb)])


def gradient_boosting(
    task: str, rows: PeerRows, holdout: tuple[pd.DataFrame, pd.Series], seed: int
) -> Score:
    """Fit HGB with defaults on the boosting rows and score it once on the held-out rows."""
    X, y = rows.boost
    start = time.perf_counter()
    with threadpool_limits(limits=1):
        model = boosting(task, X, seed).fit(X, y)
    return score_estimator(model, task, *holdout, time.perf_counter() - start)
