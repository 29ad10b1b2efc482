"""Quality parity with scikit-learn's MLPClassifier under matching settings.

Matching: hidden (32, 16), relu, Adam (lr 1e-3), batch 32, at most 200 epochs, stop after 10
epochs without a training-loss improvement of 1e-4. scikit-learn's ``alpha`` penalty,
``alpha / 2 * ||W||^2 / batch``, is our ``l2 = alpha / (2 * batch)``. Data standardized on the
training part of a fixed stratified split; accuracy on the held-out 30 %, averaged over two seeds.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLP
from sklearn.preprocessing import StandardScaler

from pipeline import MLPClassifier

ALPHA, BATCH, SEEDS = 1e-4, 32, (0, 1)


def _split(loader: Callable) -> tuple[np.ndarray, ...]:
    x, y = loader(return_X_y=True)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)
    scaler = StandardScaler().fit(x_tr)
    return scaler.transform(x_tr), scaler.transform(x_te), y_tr, y_te


def _theirs(seed: int) -> SklearnMLP:
    return SklearnMLP(
        (32, 16),
        solver="adam",
        learning_rate_init=1e-3,
        batch_size=BATCH,
        alpha=ALPHA,
        max_iter=200,
        n_iter_no_change=10,
        tol=1e-4,
        random_state=seed,
    )


def _ours(seed: int) -> MLPClassifier:
    return MLPClassifier(
        (32, 16),
        optimizer="adam",
        learning_rate=1e-3,
        decay=0.0,
        batch_size=BATCH,
        l2=ALPHA / (2 * BATCH),
        max_epochs=200,
        early_stopping_patience=10,
        tol=1e-4,
        random_state=seed,
    )


@pytest.mark.parametrize(
    "loader", [load_breast_cancer, load_wine, load_digits], ids=["breast_cancer", "wine", "digits"]
)
def test_accuracy_within_two_points_of_sklearn(loader: Callable) -> None:
    x_tr, x_te, y_tr, y_te = _split(loader)
    ours = np.mean([_ours(s).fit(x_tr, y_tr).score(x_te, y_te) for s in SEEDS])
    with warnings.catch_warnings():  # sklearn warns when it stops at max_iter
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = np.mean([_theirs(s).fit(x_tr, y_tr).score(x_te, y_te) for s in SEEDS])
    assert abs(ours - theirs) <= 0.02, f"ours {ours:.4f} vs sklearn {theirs:.4f}"
