"""Behaviour of MLPClassifier / MLPRegressor: labels, reproducibility, target scaling, penalties,
dropout, schedules, divergence, callbacks, early stopping, hyperparameter validation,
serialisation."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
import skops.io
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, make_classification, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from pipeline import (
    DivergenceError,
    EpochRecord,
    MLPClassifier,
    MLPRegressor,
    weights_digest,
    zero_weight_share,
)
from pipeline.mlp.losses import LOSSES

FAST = {"max_epochs": 15, "optimizer": "adam", "learning_rate": 0.01, "random_state": 0}
TRUSTED = ["pipeline.mlp.estimator.MLPClassifier", "pipeline.mlp.estimator.MLPRegressor"]


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


# -- target scaling -----------------------------------------------------------------------------


def test_standard_target_scaling_is_learned_per_output(regression: tuple) -> None:
    x, y = regression
    targets = np.column_stack([3e4 + 1e4 * y, -7.0 + 0.01 * y])
    model = MLPRegressor(**FAST).fit(x, targets)
    np.testing.assert_allclose(model.target_center_, targets.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(model.target_scale_, targets.std(axis=0), rtol=1e-12)
    assert model.target_center_.dtype == np.float64 and model.target_scale_.shape == (2,)
    assert model.score(x, targets) > 0.8


def test_robust_and_no_target_scaling(regression: tuple) -> None:
    x, y = regression
    robust = MLPRegressor(**FAST, target_scaling="robust").fit(x, y)
    q1, median, q3 = np.percentile(y, [25, 50, 75])
    assert robust.target_center_ == pytest.approx(
        [median]
    ) and robust.target_scale_ == pytest.approx([q3 - q1])
    raw = MLPRegressor(**FAST, target_scaling="none").fit(x, y)
    assert raw.target_center_.tolist() == [0.0] and raw.target_scale_.tolist() == [1.0]


def test_standard_scaling_makes_training_blind_to_target_units(regression: tuple) -> None:
    """Fitting ``a * y + b`` gives ``a * f(x) + b`` and the same curves, up to float32 rounding."""
    x, y = regression
    settings = FAST | {"early_stopping_patience": None}
    unit = MLPRegressor(**settings).fit(x[:200], y[:200], X_val=x[200:], y_val=y[200:])
    big = MLPRegressor(**settings).fit(
        x[:200], 5e4 + 3e4 * y[:200], X_val=x[200:], y_val=5e4 + 3e4 * y[200:]
    )
    np.testing.assert_allclose(big.predict(x), 5e4 + 3e4 * unit.predict(x), rtol=1e-4)
    np.testing.assert_allclose(big.validation_curve_, unit.validation_curve_, rtol=1e-3)
    assert big.score(x[200:], 5e4 + 3e4 * y[200:]) == pytest.approx(
        unit.score(x[200:], y[200:]), abs=1e-4
    )


def test_raw_targets_in_large_units_train_worse_than_scaled_ones(regression: tuple) -> None:
    x, y = regression
    price = 2e5 + 5e4 * y
    settings = FAST | {"optimizer": "nesterov", "max_epochs": 30}
    scaled = MLPRegressor(**settings).fit(x[:200], price[:200])
    assert scaled.score(x[200:], price[200:]) > 0.9
    try:
        raw = MLPRegressor(**settings, target_scaling="none").fit(x[:200], price[:200])
        assert raw.score(x[200:], price[200:]) < 0.5
    except DivergenceError:
        pass  # also the usual outcome of squared errors in the 1e10s


def test_a_constant_target_is_not_divided_by_zero(regression: tuple) -> None:
    x, _ = regression
    model = MLPRegressor(**FAST).fit(x, np.full(len(x), 42.0))
    assert model.target_center_.tolist() == [42.0] and model.target_scale_.tolist() == [1.0]
    np.testing.assert_allclose(model.predict(x), 42.0, atol=0.5)


def test_target_scaling_must_be_known(regression: tuple) -> None:
    x, y = regression
    with pytest.raises(
        ValueError, match="target_scaling must be one of 'standard', 'robust', 'none'"
    ):
        MLPRegressor(target_scaling="minmax").fit(x, y)
    assert "target_scaling" not in MLPClassifier().get_params()
    assert MLPRegressor().get_params()["target_scaling"] == "standard"


# -- penalties ----------------------------------------------------------------------------------


def _weights(model: MLPClassifier) -> np.ndarray:
    return np.concatenate([w.ravel() for w in model.coefs_])


@pytest.mark.parametrize("optimizer", ["nesterov", "adam"])
def test_l1_sets_weights_to_exactly_zero_more_so_as_it_grows(optimizer: str, cancer: tuple) -> None:
    x, y = cancer
    shares = []
    for l1 in (0.0, 1e-3, 1e-2, 1e-1):
        model = MLPClassifier(
            optimizer=optimizer, l1=l1, max_epochs=40, early_stopping_patience=None, random_state=0
        ).fit(x, y)
        shares.append(zero_weight_share(model))
        assert all(np.count_nonzero(b) > 0 for b in model.intercepts_[:1])  # biases not shrunk
    assert shares[0] == 0.0 and shares[1] > 0.0 and shares[2] > 0.5 and shares[3] > 0.9
    assert shares == sorted(shares) and len(set(shares)) == 4


def test_training_loss_includes_the_l1_penalty(cancer: tuple) -> None:
    """One full-batch epoch: the data loss is measured at the initial weights (the same with or
    without l1), the penalty at the final ones."""
    x, y = cancer
    settings = {"batch_size": None, "max_epochs": 1, "random_state": 0, "dtype": "float64"}
    plain = MLPClassifier(**settings).fit(x, y)
    l1 = 0.01
    sparse = MLPClassifier(**settings, l1=l1).fit(x, y)
    penalty = l1 * np.abs(_weights(sparse)).sum()
    assert penalty > 0.01
    assert sparse.loss_curve_[0] == pytest.approx(plain.loss_curve_[0] + penalty, rel=1e-12)


def test_zero_weight_share_counts_weights_not_biases(cancer: tuple) -> None:
    x, y = cancer
    model = MLPClassifier(hidden_layer_sizes=(8,), **FAST).fit(x, y)
    assert zero_weight_share(model) == 0.0
    model.coefs_[1][:] = 0.0  # 8 of 30 * 8 + 8 weights
    model.intercepts_[0][:] = 0.0
    assert zero_weight_share(model) == 8 / 248
    with pytest.raises(NotFittedError):
        zero_weight_share(MLPClassifier())


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


# -- dropout and schedules ----------------------------------------------------------------------


def test_dropout_is_reproducible_trains_differently_and_leaves_prediction_alone(
    cancer: tuple,
) -> None:
    x, y = cancer
    settings = FAST | {"dropout": 0.3}
    state = np.random.get_state()[1].copy()
    a, b = (MLPClassifier(**settings).fit(x, y) for _ in range(2))
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    assert weights_digest(a) == weights_digest(b) and a.loss_curve_ == b.loss_curve_
    plain = MLPClassifier(**FAST).fit(x, y)
    assert weights_digest(plain) != weights_digest(a)
    np.testing.assert_array_equal(a.predict_proba(x), a.predict_proba(x))
    hidden = np.maximum(x @ a.coefs_[0] + a.intercepts_[0], 0)  # no mask, no rescaling
    hidden = np.maximum(hidden @ a.coefs_[1] + a.intercepts_[1], 0)
    logits = hidden @ a.coefs_[2] + a.intercepts_[2]
    expected = 1 / (1 + np.exp(-logits[:, 0]))
    np.testing.assert_allclose(a.predict_proba(x)[:, 1], expected, rtol=1e-3, atol=1e-6)
    assert a.score(x, y) > 0.9


def test_cosine_schedule_with_warm_up_is_what_the_records_report(cancer: tuple) -> None:
    x, y = cancer
    records: list[EpochRecord] = []
    MLPClassifier(
        batch_size=None,  # one update per epoch
        lr_schedule="cosine",
        warmup_epochs=2,
        max_epochs=6,
        learning_rate=0.1,
        early_stopping_patience=None,
        random_state=0,
    ).fit(x, y, callbacks=[records.append])
    cosine = [0.05 * (1 + math.cos(math.pi * k / 4)) for k in range(4)]
    assert [r.learning_rate for r in records] == pytest.approx([0.05, 0.1, *cosine], rel=1e-12)


def test_default_time_decay_is_what_the_records_report(cancer: tuple) -> None:
    x, y = cancer
    records: list[EpochRecord] = []
    MLPClassifier(**FAST | {"optimizer": "nesterov", "decay": 1e-2}).fit(
        x, y, callbacks=[records.append]
    )
    updates = math.ceil(len(x) / 32)  # per epoch
    expected = [0.01 / (1 + 1e-2 * (updates * epoch - 1)) for epoch in range(1, 16)]
    assert [r.learning_rate for r in records] == expected


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


@pytest.mark.parametrize("outputs", [1, 2])
def test_regression_records_metrics_in_target_units_and_none_without_validation(
    outputs: int, regression: tuple
) -> None:
    x, y = regression
    y = 5e4 + 2e4 * (y if outputs == 1 else np.column_stack([y, y**2]))  # house-price units
    records: list[EpochRecord] = []
    model = MLPRegressor(**FAST | {"early_stopping_patience": None})
    model.fit(x[:200], y[:200], X_val=x[200:], y_val=y[200:], callbacks=[records.append])
    metrics, predicted = records[-1].val_metrics, model.predict(x[200:])
    assert set(metrics) == {"r2", "rmse", "mae"}
    assert metrics["r2"] == pytest.approx(r2_score(y[200:], predicted), abs=1e-6)
    assert metrics["rmse"] == pytest.approx(root_mean_squared_error(y[200:], predicted), rel=1e-6)
    assert metrics["mae"] == pytest.approx(mean_absolute_error(y[200:], predicted), rel=1e-6)
    assert metrics["rmse"] > 100  # target units, not scaled ones
    assert records[-1].val_loss == model.validation_curve_[-1] < 1  # scaled units
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
    # the validation loss is in the scaled units the network trains in
    center, scale = model.target_center_, model.target_scale_
    scaled = ((model.predict(x[200:]) - center) / scale)[:, None]
    loss = LOSSES["squared_error"].value(scaled, ((y[200:] - center) / scale)[:, None])
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
        ("dropout", 1.0, "[0.0, 1.0)"),
        ("dropout", -0.1, "[0.0, 1.0)"),
        ("lr_schedule", "step", "'time', 'cosine'"),
        ("warmup_epochs", -1, "[0, max_epochs)"),
        ("warmup_epochs", 200, "[0, 200)"),
        ("warmup_epochs", 1.5, "integer"),
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
    assert skops.io.get_untrusted_types(data=data) == [
        f"pipeline.mlp.estimator.{estimator.__name__}"
    ]
    loaded = skops.io.loads(data, trusted=TRUSTED)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert weights_digest(loaded) == weights_digest(model)
    assert loaded.loss_curve_ == model.loss_curve_
    if estimator is MLPRegressor:
        np.testing.assert_array_equal(loaded.target_scale_, model.target_scale_)
        np.testing.assert_array_equal(loaded.target_center_, model.target_center_)


def test_estimator_names_are_exported() -> None:
    import pipeline

    for name in (
        "MLPClassifier",
        "MLPRegressor",
        "EpochRecord",
        "weights_digest",
        "zero_weight_share",
    ):
        assert name in pipeline.__all__


def _documented(cls: type, section: str) -> list[str]:
    """The names a numpydoc ``section`` of ``cls``'s docstring lists, in order."""
    lines = inspect.cleandoc(cls.__doc__ or "").splitlines()
    start = lines.index(section) + 2
    assert set(lines[start - 1]) == {"-"}, f"{section} has no underline"
    names: list[str] = []
    for line in lines[start:]:
        if line and not line.startswith(" "):
            if " : " not in line:
                break
            names += line.split(" : ")[0].split(", ")
    return names


@pytest.mark.parametrize(("cls", "own"), [(MLPClassifier, []), (MLPRegressor, ["target_scaling"])])
def test_every_keyword_is_documented_in_a_numpydoc_parameters_section(
    cls: type, own: list[str]
) -> None:
    from pipeline.mlp.estimator import BaseMLP

    keywords = [k for k in inspect.signature(cls.__init__).parameters if k != "self"]
    assert _documented(BaseMLP, "Parameters") + own == keywords
    if own:
        assert _documented(cls, "Parameters") == own
