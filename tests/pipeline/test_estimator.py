"""Behaviour of MLPClassifier / MLPRegressor: labels, reproducibility, penalties, divergence,
callbacks, early stopping, hyperparameter validation, serialisation."""

from __future__ import annotations

import numpy as np
import pytest
import skops.io
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, make_classification, make_regression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from pipeline import DivergenceError, EpochRecord, MLPClassifier, MLPRegressor, weights_digest
from pipeline.losses import LOSSES

FAST = {"max_epochs": 15, "optimizer": "adam", "learning_rate": 0.01, "random_state": 0}
TRUSTED = ["pipeline.estimator.MLPClassifier", "pipeline.estimator.MLPRegressor"]


@pytest.fixture(scope="module")
def cancer() -> tuple[np.ndarray, np.ndarray]:
    x, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(x), y


@pytest.fixture(scope="module")
def blobs() -> tuple[np.ndarray, np.ndarray]:
    return make_classification(300, 8, n_informative=5, n_classes=3, random_state=0)


@pytest.fixture(scope="module")
def regression() -> tuple[np.ndarray, np.ndarray]:
    x, y = make_regression(300, 6, noise=5.0, random_state=0)
    return x, (y - y.mean()) / y.std()


# -- labels and outputs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "labels",
    [np.array(["no", "yes"]), np.array([False, True]), np.array([-3, 7])],
    ids=["str", "bool", "int"],
)
def test_binary_labels_of_any_kind(labels: np.ndarray, cancer: tuple) -> None:
    x, y = cancer
    model = MLPClassifier(**FAST).fit(x, labels[y])
    np.testing.assert_array_equal(model.classes_, labels)
    assert set(model.predict(x)) <= set(labels) and model.score(x, labels[y]) > 0.9
    proba = model.predict_proba(x)
    assert proba.shape == (len(x), 2) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.coefs_[-1].shape == (16, 1)


def test_multiclass_uses_softmax(blobs: tuple) -> None:
    x, y = blobs
    model = MLPClassifier(**FAST).fit(x, np.array(["a", "b", "c"])[y])
    assert model.coefs_[-1].shape == (16, 3) and model.predict_proba(x).shape == (300, 3)
    assert model.score(x, np.array(["a", "b", "c"])[y]) > 0.8


def test_learned_attributes(cancer: tuple) -> None:
    x, y = cancer
    model = MLPClassifier(hidden_layer_sizes=(8,), **FAST).fit(x, y)
    assert model.n_features_in_ == 30 and model.n_outputs_ == 1
    assert model.n_params_ == 30 * 8 + 8 + 8 * 1 + 1
    assert model.n_epochs_ == len(model.loss_curve_) and model.validation_curve_ == []
    assert 1 <= model.best_epoch_ <= model.n_epochs_
    assert all(w.dtype == np.float32 for w in (*model.coefs_, *model.intercepts_))


def test_linear_model_and_float64(regression: tuple) -> None:
    x, y = regression
    model = MLPRegressor(hidden_layer_sizes=(), dtype="float64", **FAST | {"max_epochs": 60}).fit(
        x, y
    )
    assert [w.shape for w in model.coefs_] == [(6, 1)] and model.coefs_[0].dtype == np.float64
    assert model.score(x, y) > 0.9
    assert model.predict(x).shape == (300,)


def test_multi_output_regression(regression: tuple) -> None:
    x, y = regression
    targets = np.column_stack([y, -2 * y])
    model = MLPRegressor(**FAST).fit(x, targets)
    assert model.predict(x).shape == (300, 2) and model.score(x, targets) > 0.8


def test_works_in_a_sklearn_pipeline_with_clone(cancer: tuple) -> None:
    x, y = cancer
    pipe = make_pipeline(StandardScaler(), MLPClassifier(**FAST))
    fitted = clone(pipe).set_params(mlpclassifier__l2=1e-4).fit(x, y)
    assert fitted.score(x, y) > 0.9


# -- reproducibility ----------------------------------------------------------------------------


def test_same_seed_is_bit_identical_and_other_seeds_differ(cancer: tuple) -> None:
    x, y = cancer
    settings = FAST | {"optimizer": "nesterov", "learning_rate": 0.01}
    a, b = (MLPClassifier(**settings).fit(x, y) for _ in range(2))
    assert a.loss_curve_ == b.loss_curve_
    np.testing.assert_array_equal(a.predict_proba(x), b.predict_proba(x))
    assert weights_digest(a) == weights_digest(b)
    c = MLPClassifier(**settings | {"random_state": 1}).fit(x, y)
    assert c.loss_curve_ != a.loss_curve_ and weights_digest(c) != weights_digest(a)


def test_fit_draws_no_global_randomness(cancer: tuple) -> None:
    x, y = cancer
    state = np.random.get_state()[1].copy()
    MLPClassifier(**FAST | {"random_state": None}).fit(x, y)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_weights_digest_covers_shapes_dtypes_and_values(regression: tuple) -> None:
    x, y = regression
    model = MLPRegressor(**FAST).fit(x, y)
    digest = weights_digest(model)
    assert len(digest) == 64 and int(digest, 16) >= 0
    model.intercepts_[0][0] = np.nextafter(model.intercepts_[0][0], np.float32(1))
    assert weights_digest(model) != digest


# -- penalties ----------------------------------------------------------------------------------


def _weights(model: MLPClassifier) -> np.ndarray:
    return np.concatenate([w.ravel() for w in model.coefs_])


def test_l1_makes_weights_sparse(cancer: tuple) -> None:
    x, y = cancer
    shares = []
    for l1 in (0.0, 1e-3, 1e-2):
        model = MLPClassifier(
            l1=l1, max_epochs=40, early_stopping_patience=None, random_state=0
        ).fit(x, y)
        shares.append(np.mean(np.abs(_weights(model)) < 1e-3))
    assert shares[0] < shares[1] < shares[2] and shares[2] > 0.5


def test_l2_shrinks_the_weight_norm(cancer: tuple) -> None:
    x, y = cancer
    norms = [
        np.linalg.norm(
            _weights(
                MLPClassifier(
                    l2=l2, max_epochs=40, early_stopping_patience=None, random_state=0
                ).fit(x, y)
            )
        )
        for l2 in (0.0, 1e-3, 1e-2)
    ]
    assert norms[0] > norms[1] > norms[2]


# -- divergence ---------------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov"])
def test_huge_learning_rate_raises_divergence(optimizer: str, cancer: tuple) -> None:
    x, y = cancer
    model = MLPClassifier(learning_rate=1e3, optimizer=optimizer, random_state=0)
    with pytest.raises(DivergenceError) as caught:
        model.fit(x, y)
    error = caught.value
    assert error.epoch >= 1
    assert error.last_finite_loss is None or np.isfinite(error.last_finite_loss)


def test_regressor_divergence(regression: tuple) -> None:
    x, y = regression
    with pytest.raises(DivergenceError):
        MLPRegressor(learning_rate=1e3, random_state=0).fit(x, y)


# -- validation data, callbacks, early stopping -------------------------------------------------


def test_callbacks_get_one_record_per_epoch_with_validation(cancer: tuple) -> None:
    x, y = cancer
    records: list[EpochRecord] = []
    model = MLPClassifier(**FAST | {"early_stopping_patience": None}).fit(
        x[:400], y[:400], X_val=x[400:], y_val=y[400:], callbacks=[records.append]
    )
    assert [r.epoch for r in records] == list(range(1, 16))
    assert [r.val_loss for r in records] == model.validation_curve_
    assert [r.train_loss for r in records] == model.loss_curve_
    last = records[-1]
    assert set(last.val_metrics) == {"accuracy"}
    assert last.val_metrics["accuracy"] == pytest.approx(model.score(x[400:], y[400:]))
    assert last.seconds > 0 and last.learning_rate == pytest.approx(0.01, rel=1e-3)


def test_regression_records_r2_and_no_metrics_without_validation(regression: tuple) -> None:
    x, y = regression
    records: list[EpochRecord] = []
    model = MLPRegressor(**FAST | {"early_stopping_patience": None})
    model.fit(x[:200], y[:200], X_val=x[200:], y_val=y[200:], callbacks=[records.append])
    r2 = records[-1].val_metrics["r2"]
    assert r2 == pytest.approx(model.score(x[200:], y[200:]), abs=1e-5)
    plain: list[EpochRecord] = []
    MLPRegressor(**FAST).fit(x, y, callbacks=[plain.append])
    assert plain[0].val_loss is None and plain[0].val_metrics == {}


def test_a_callback_can_stop_training(cancer: tuple) -> None:
    x, y = cancer
    model = MLPClassifier(**FAST).fit(x, y, callbacks=[lambda r: r.epoch == 3])
    assert model.n_epochs_ == 3 and len(model.loss_curve_) == 3


def test_callback_exceptions_leave_fit_unchanged(cancer: tuple) -> None:
    x, y = cancer

    class TrialPruned(Exception):
        pass

    def prune(record: EpochRecord) -> None:
        raise TrialPruned(record.epoch)

    with pytest.raises(TrialPruned, match="1"):
        MLPClassifier(**FAST).fit(x, y, callbacks=[prune])


def test_early_stopping_restores_the_best_validation_weights(regression: tuple) -> None:
    x, y = regression
    model = MLPRegressor(
        hidden_layer_sizes=(64, 64),
        optimizer="adam",
        learning_rate=0.05,
        max_epochs=200,
        early_stopping_patience=3,
        random_state=0,
    )
    model.fit(x[:60], y[:60], X_val=x[200:], y_val=y[200:])
    assert model.n_epochs_ < 200 and 0 <= model.n_epochs_ - model.best_epoch_ <= 3
    best = model.validation_curve_[model.best_epoch_ - 1]
    assert best == min(model.validation_curve_)
    loss = LOSSES["squared_error"].value(model.predict(x[200:])[:, None], y[200:, None])
    assert loss == pytest.approx(best, rel=1e-5)


def test_validation_labels_must_be_known(cancer: tuple) -> None:
    x, y = cancer
    with pytest.raises(ValueError, match="y_val"):
        MLPClassifier(**FAST).fit(x, y, X_val=x[:5], y_val=np.array([0, 1, 2, 0, 1]))
    with pytest.raises(ValueError, match="together"):
        MLPClassifier(**FAST).fit(x, y, X_val=x[:5])


# -- hyperparameter validation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keyword", "value", "allowed"),
    [
        ("hidden_layer_sizes", (32, 0), "integers >= 1"),
        ("hidden_layer_sizes", 32, "tuple"),
        ("activation", "gelu", "'relu', 'tanh', 'sigmoid'"),
        ("optimizer", "rmsprop", "'sgd', 'momentum', 'nesterov', 'adam'"),
        ("learning_rate", 0.0, "(0.0"),
        ("learning_rate", float("nan"), "finite"),
        ("momentum", 1.0, "[0.0, 1.0)"),
        ("decay", -1e-6, "[0.0"),
        ("beta_1", 1.5, "[0.0, 1.0)"),
        ("beta_2", -0.1, "[0.0, 1.0)"),
        ("epsilon", 0, "(0.0"),
        ("batch_size", 0, ">= 1 or None"),
        ("batch_size", 2.5, "integer"),
        ("batch_size", True, "integer"),
        ("l1", -0.1, "[0.0"),
        ("l2", "big", "finite number"),
        ("max_epochs", 0, ">= 1"),
        ("early_stopping_patience", 0, ">= 1 or None"),
        ("tol", -1.0, "[0.0"),
        ("shuffle", "yes", "True or False"),
        ("random_state", np.random.default_rng(0), "integer"),
        ("dtype", "float16", "'float32', 'float64'"),
    ],
)
def test_bad_hyperparameters_raise_at_fit_naming_keyword_and_allowed(
    keyword: str,
    value: object,
    allowed: str,
    cancer: tuple,
) -> None:
    x, y = cancer
    model = MLPClassifier(**{keyword: value})  # nothing is checked in __init__
    with pytest.raises(ValueError, match=keyword) as caught:
        model.fit(x, y)
    assert allowed in str(caught.value)


def test_batch_size_is_clipped_and_none_means_full_batch(cancer: tuple) -> None:
    x, y = cancer
    big = MLPClassifier(**FAST | {"batch_size": 10_000}).fit(x, y)
    full = MLPClassifier(**FAST | {"batch_size": None}).fit(x, y)
    assert big.loss_curve_ == full.loss_curve_


# -- serialisation ------------------------------------------------------------------------------


@pytest.mark.parametrize("estimator", [MLPClassifier, MLPRegressor])
def test_skops_round_trip_trusting_only_our_classes(estimator: type, cancer: tuple) -> None:
    x, y = cancer
    model = estimator(**FAST).fit(x, y, X_val=x[:50], y_val=y[:50])
    data = skops.io.dumps(model)
    assert skops.io.get_untrusted_types(data=data) == [f"pipeline.estimator.{estimator.__name__}"]
    loaded = skops.io.loads(data, trusted=TRUSTED)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert weights_digest(loaded) == weights_digest(model)
    assert loaded.loss_curve_ == model.loss_curve_


def test_estimator_names_are_exported() -> None:
    import pipeline

    for name in ("MLPClassifier", "MLPRegressor", "EpochRecord", "weights_digest"):
        assert name in pipeline.__all__
