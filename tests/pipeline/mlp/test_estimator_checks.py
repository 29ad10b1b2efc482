"""scikit-learn's API contract, checked by its own test generator on both estimators."""

from __future__ import annotations

from collections.abc import Callable

from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

from pipeline import MLPClassifier, MLPRegressor

# Few epochs keep the ~50 checks per estimator fast; Adam reaches the checks' accuracy bars.
SETTINGS = {"max_epochs": 30, "optimizer": "adam", "learning_rate": 0.01, "random_state": 0}
# Every optional stage on: dropout masks, the L1 proximal step, cosine schedule with warm-up.
EXTRAS = {"dropout": 0.1, "l1": 1e-5, "lr_schedule": "cosine", "warmup_epochs": 2}


def expected_failed(estimator: BaseEstimator) -> dict[str, str]:
    """Checks we knowingly fail, with the reason. Empty: every check runs and passes."""
    return {}


@parametrize_with_checks(
    [
        MLPClassifier(**SETTINGS),
        MLPRegressor(**SETTINGS),
        MLPClassifier(**SETTINGS, **EXTRAS),
        MLPRegressor(**SETTINGS, **EXTRAS, target_scaling="robust"),
    ],
    expected_failed_checks=expected_failed,
)
def test_sklearn_estimator_contract(
    estimator: BaseEstimator,
    check: Callable[[BaseEstimator], None],
) -> None:
    check(estimator)
