"""The naive peer of ``sweep_throughput.py``, as one process a user would write and run:
Optuna TPE + scikit-learn's ``MLPClassifier.partial_fit`` epoch by epoch + per-epoch
``mlflow.log_metric`` in nested runs, on breast cancer (same split fractions, standardised on
the training rows), then the best trial retrained, tested once and logged as a model.

Run: ``python benchmarks/naive_peer.py FOLDER TRIALS SEED``; prints one JSON line of phase
seconds (``startup`` = interpreter start to the first line of work).
"""

from __future__ import annotations

import json
import math
import sys
import time

START = time.perf_counter()

import mlflow  # noqa: E402 - importing is part of what the peer's process pays
import mlflow.sklearn  # noqa: E402
import numpy as np  # noqa: E402
import optuna  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.metrics import accuracy_score, log_loss  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

EPOCHS, PATIENCE = 80, 10


def data(seed: int) -> tuple[np.ndarray, ...]:
    """60/20/20 stratified split, standardised on the training rows."""
    X, y = load_breast_cancer(return_X_y=True)
    X_rest, X_test, y_rest, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0
    )
    X_tr, X_val, y_tr, y_val = train_test_split(
        X_rest, y_rest, test_size=0.25, stratify=y_rest, random_state=0
    )
    scaler = StandardScaler().fit(X_tr)
    return (*map(scaler.transform, (X_tr, X_val, X_test)), y_tr, y_val, y_test)


def model(params: dict, seed: int) -> MLPClassifier:
    return MLPClassifier(
        hidden_layer_sizes=(params["width"],) * params["depth"],
        learning_rate_init=params["learning_rate"], batch_size=params["batch_size"],
        alpha=params["l2"], random_state=seed,
    )  # fmt: skip


def objective(trial: optuna.Trial, arrays: tuple[np.ndarray, ...], seed: int) -> float:
    X_tr, X_val, _, y_tr, y_val, _ = arrays
    params = {
        "depth": trial.suggest_int("depth", 1, 4),
        "width": trial.suggest_int("width", 16, 256, log=True),
        "learning_rate": trial.suggest_float("learning_rate", 1e-4, 1e-1, log=True),
        "batch_size": trial.suggest_categorical("batch_size", [16, 32, 64, 128]),
        "l2": trial.suggest_float("l2", 1e-8, 1e-1, log=True),
    }
    mlp, classes, best, stale = (
        model(params, trial.number + 1000 * seed),
        np.unique(y_tr),
        math.inf,
        0,
    )
    with mlflow.start_run(run_name=f"trial-{trial.number}", nested=True):
        mlflow.log_params(params)
        for epoch in range(1, EPOCHS + 1):
            mlp.partial_fit(X_tr, y_tr, classes=classes)
            val_loss = log_loss(y_val, mlp.predict_proba(X_val), labels=classes)
            mlflow.log_metric("train_loss", mlp.loss_, step=epoch)
            mlflow.log_metric("val_loss", val_loss, step=epoch)
            mlflow.log_metric("val_accuracy", accuracy_score(y_val, mlp.predict(X_val)), step=epoch)
            trial.report(val_loss, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
            best, stale = (val_loss, 0) if val_loss < best - 1e-4 else (best, stale + 1)
            if stale >= PATIENCE:
                break
    return best


def main() -> None:
    folder, trials, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    times = {"startup": time.perf_counter() - START}
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    start = time.perf_counter()
    arrays = data(seed)
    mlflow.set_tracking_uri(f"sqlite:///{folder}/peer.db")
    mlflow.set_experiment(f"peer-{seed}")
    study = optuna.create_study(
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=10),
    )
    times["load"] = time.perf_counter() - start
    with mlflow.start_run(run_name="peer-sweep"):
        start = time.perf_counter()
        study.optimize(lambda t: objective(t, arrays, seed), n_trials=trials)
        times["trials"] = time.perf_counter() - start
        start = time.perf_counter()
        conclude(study, arrays, seed)
        times["conclusion"] = time.perf_counter() - start
    print(json.dumps({**times, "best": study.best_value}))


def conclude(study: optuna.Study, arrays: tuple[np.ndarray, ...], seed: int) -> None:
    """The best trial retrained on train + validation, tested once, logged as a model."""
    X_tr, X_val, X_test, y_tr, y_val, y_test = arrays
    final = model(study.best_params, seed).fit(np.vstack([X_tr, X_val]), np.hstack([y_tr, y_val]))
    mlflow.log_metric("test_accuracy", accuracy_score(y_test, final.predict(X_test)))
    requirements = ["scikit-learn", "numpy"]  # given: MLflow's inference takes seconds
    trusted = ["sklearn.neural_network._stochastic_optimizers.AdamOptimizer"]
    mlflow.sklearn.log_model(
        final, name="model", pip_requirements=requirements, skops_trusted_types=trusted
    )


if __name__ == "__main__":
    main()
