"""scikit-learn estimators over the numpy MLP: :class:`MLPClassifier` and :class:`MLPRegressor`.

A thin shell: ``__init__`` only stores keywords; ``fit`` validates them, encodes the targets, builds
the network, the optimizer and the epoch runner, and hands them to
:func:`pipeline.mlp.training.train`. Learned state is plain arrays, numbers, strings and lists,
so ``skops`` can load it trusting only these two classes.

Regression targets are standardised by default (``target_scaling``): the network, its training
loss and its validation loss work in scaled units, while ``predict``, ``score`` and the per-epoch
validation metrics are in the target's own units.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from pipeline.mlp.activations import ACTIVATIONS
from pipeline.mlp.epoch import EpochRunner, batches_per_epoch
from pipeline.mlp.hyperparams import Hyperparameters, validate
from pipeline.mlp.losses import LOSSES, ElasticNet, Loss
from pipeline.mlp.metrics import regression_scores
from pipeline.mlp.network import Layout, init_params, predict_logits
from pipeline.mlp.optimizers import Optimizer, make_optimizer
from pipeline.mlp.schedules import make_schedule
from pipeline.mlp.targets import fit_target_scaling, scale_targets, unscale_outputs
from pipeline.mlp.training import Callback, Evaluate, History, StoppingRule, train

Array = NDArray[np.floating]


class BaseMLP(BaseEstimator, ABC):
    """Shared machinery of the MLP estimators.

    The defaults are the reference network of the project's original brief: Dense(32, relu) ->
    Dense(16, relu) -> output, SGD with Nesterov momentum 0.9, learning rate 0.01, decay 1e-6,
    batch size 32; plus at most 200 epochs with early stopping after 10 epochs without
    improvement. Sweep YAML files use the same keyword names.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(32, 16)
        Widths of the hidden layers; ``()`` makes a linear (logistic / least-squares) model.
    activation : {'relu', 'tanh', 'sigmoid'}, default='relu'
        Activation of every hidden layer.
    optimizer : {'sgd', 'momentum', 'nesterov', 'adam'}, default='nesterov'
        Update rule (see :mod:`pipeline.mlp.optimizers`).
    learning_rate : float > 0, default=0.01
        Rate of the first update, before any decay or warm-up.
    momentum : float in [0, 1), default=0.9
        Momentum of ``'momentum'`` and ``'nesterov'``; unused by the others.
    decay : float >= 0, default=1e-6
        Keras time-based decay: ``lr_t = learning_rate / (1 + decay * t)``, ``t`` = updates made.
        Used by ``lr_schedule='time'`` only.
    lr_schedule : {'time', 'cosine'}, default='time'
        ``'time'``: the decay above. ``'cosine'``: ``learning_rate * (1 + cos(pi * p)) / 2``, ``p``
        going from 0 after warm-up to 1 at ``max_epochs`` epochs' worth of updates (rate ~0 at the
        end; early stopping may end training sooner). See :mod:`pipeline.mlp.schedules`.
    warmup_epochs : int in [0, max_epochs), default=0
        Linear warm-up of either schedule over this many epochs' worth of updates.
    beta_1, beta_2 : float in [0, 1), default=0.9, 0.999
        Adam's decay rates of its first and second moment estimates.
    epsilon : float > 0, default=1e-8
        Adam's term added to the denominator.
    batch_size : int >= 1 or None, default=32
        Clipped to the training size; ``None`` means full-batch gradient descent.
    l1, l2 : float >= 0, default=0
        Penalty ``l1 * sum|W| + l2 * sum W**2`` on weights (not biases), Keras's convention: added
        to each batch's mean loss. ``l2`` enters the gradient; ``l1`` is a proximal soft-threshold
        step after each update, so it sets weights to exactly 0 (threshold ``lr_t * l1``, per
        coordinate ``lr_t * l1 / (sqrt(v_hat) + epsilon)`` for Adam; see
        :mod:`pipeline.mlp.optimizers` and :func:`zero_weight_share`).
    dropout : float in [0, 1), default=0
        Inverted dropout on every hidden layer's activations while training (masks drawn from
        the fit's Generator); no effect on predictions.
    max_epochs : int >= 1, default=200
        Most epochs a fit trains.
    early_stopping_patience : int >= 1 or None, default=10
        Stop after this many epochs without an improvement larger than ``tol`` of the validation
        loss (or the training loss without validation data) and restore the weights of the epoch
        with the lowest such loss. ``None`` trains ``max_epochs`` epochs and keeps the last
        weights.
    tol : float >= 0, default=1e-4
        The least decrease of that loss that counts as an improvement.
    shuffle : bool, default=True
        Reshuffle the training rows every epoch.
    random_state : int or None, default=None
        Seeds the one local ``np.random.Generator`` used for initialisation, shuffling and
        dropout masks.
    dtype : {'float32', 'float64'}, default='float32'
        Precision of the weights and of training.

    Attributes
    ----------
    coefs_, intercepts_ : list of ndarray
        Weights and biases of each layer, input side first.
    loss_curve_ : list of float
        Training objective per epoch: data loss plus penalty.
    validation_curve_ : list of float
        Validation data loss per epoch (empty without validation data).
    n_epochs_, best_epoch_ : int
        Epochs trained, and the epoch whose weights the model holds.
    n_params_, n_outputs_, n_features_in_ : int
        Weights and biases counted together, network outputs, input features.
    """

    def __init__(
        self,
        hidden_layer_sizes: Sequence[int] = (32, 16),
        activation: str = "relu",
        optimizer: str = "nesterov",
        learning_rate: float = 0.01,
        momentum: float = 0.9,
        decay: float = 1e-6,
        lr_schedule: str = "time",
        warmup_epochs: int = 0,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        batch_size: int | None = 32,
        l1: float = 0.0,
        l2: float = 0.0,
        dropout: float = 0.0,
        max_epochs: int = 200,
        early_stopping_patience: int | None = 10,
        tol: float = 1e-4,
        shuffle: bool = True,
        random_state: int | None = None,
        dtype: str = "float32",
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.decay = decay
        self.lr_schedule = lr_schedule
        self.warmup_epochs = warmup_epochs
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.batch_size = batch_size
        self.l1 = l1
        self.l2 = l2
        self.dropout = dropout
        self.max_epochs = max_epochs
        self.early_stopping_patience = early_stopping_patience
        self.tol = tol
        self.shuffle = shuffle
        self.random_state = random_state
        self.dtype = dtype

    # -- task hooks ---------------------------------------------------------------------------

    @abstractmethod
    def _validate_xy(self, X: ArrayLike, y: ArrayLike, dtype: np.dtype) -> tuple[Array, Any]:
        """Validate the training data (sets ``n_features_in_``)."""

    @abstractmethod
    def _encode(self, y: Any, dtype: np.dtype, *, fitting: bool, name: str = "y") -> Array:
        """Targets as a float array ``(rows, outputs)``; learns the label set when ``fitting``."""

    @abstractmethod
    def _loss(self) -> Loss:
        """The data loss of this fitted task."""

    @abstractmethod
    def _metric_targets(self, y: Any, encoded: Array) -> Array:
        """What :meth:`_metrics` compares the validation logits with (computed once per fit)."""

    @abstractmethod
    def _metrics(self, logits: Array, reference: Array) -> dict[str, float]:
        """Validation metrics from logits and the output of :meth:`_metric_targets`."""

    # -- fitting ------------------------------------------------------------------------------

    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        *,
        X_val: ArrayLike | None = None,
        y_val: ArrayLike | None = None,
        callbacks: Sequence[Callback] = (),
    ) -> BaseMLP:
        """Train on ``(X, y)``; watch ``(X_val, y_val)`` per epoch if given; return ``self``.

        Each callback receives one :class:`~pipeline.mlp.training.EpochRecord` per epoch; a truthy
        return value stops training; exceptions it raises propagate unchanged.
        Raises :class:`~pipeline.errors.DivergenceError` if the loss or weights become non-finite.
        """
        hp = validate(self.get_params(deep=False))
        x, y = self._validate_xy(X, y, hp.dtype)
        targets = self._encode(y, hp.dtype, fitting=True)
        validation = self._validation_set(X_val, y_val, hp.dtype)
        layout = Layout((x.shape[1], *hp.hidden_layer_sizes, targets.shape[1]))
        runner = self._runner(hp, layout, x, targets)
        evaluate = (
            None if validation is None else self._evaluator(layout, runner.params, hp, validation)
        )
        history = train(
            runner.run,
            runner.params,
            StoppingRule(hp.max_epochs, hp.early_stopping_patience, hp.tol),
            evaluate=evaluate,
            learning_rate=lambda: runner.optimizer.last_learning_rate,
            callbacks=callbacks,
        )
        self._store(layout, runner.params, history)
        return self

    def _runner(
        self,
        hp: Hyperparameters,
        layout: Layout,
        x: Array,
        targets: Array,
    ) -> EpochRunner:
        """Fresh parameters, optimizer and epoch runner, all drawing on one seeded Generator."""
        rng = np.random.default_rng(hp.random_state)
        params = init_params(layout, rng, hp.dtype)
        optimizer = _optimizer(hp, layout.n_params, batches_per_epoch(x.shape[0], hp.batch_size))
        return EpochRunner(
            x,
            targets,
            params,
            layout,
            activation=hp.activation,
            loss=self._loss(),
            penalty=ElasticNet(hp.l1, hp.l2),
            optimizer=optimizer,
            batch_size=hp.batch_size,
            shuffle=hp.shuffle,
            rng=rng,
            dropout=hp.dropout,
        )

    def _validation_set(
        self,
        X_val: ArrayLike | None,
        y_val: ArrayLike | None,
        dtype: np.dtype,
    ) -> tuple[Array, Array, Array] | None:
        """``(x, encoded targets, metric targets)`` of the validation data, or ``None``."""
        if (X_val is None) != (y_val is None):
            raise ValueError("X_val and y_val must be given together")
        if X_val is None:
            return None
        x = validate_data(self, X_val, reset=False, dtype=dtype, order="C")
        y = np.asarray(y_val)
        if y.shape[0] != x.shape[0]:
            raise ValueError(f"X_val has {x.shape[0]} rows but y_val has {y.shape[0]}")
        encoded = self._encode(y, dtype, fitting=False, name="y_val")
        return x, encoded, self._metric_targets(y, encoded)

    def _evaluator(
        self,
        layout: Layout,
        params: Array,
        hp: Hyperparameters,
        validation: tuple[Array, Array, Array],
    ) -> Evaluate:
        coefs, intercepts = layout.unpack(params)
        activation, loss = ACTIVATIONS[hp.activation], self._loss()
        x_val, t_val, reference = validation

        def evaluate() -> tuple[float, dict[str, float]]:
            with np.errstate(all="ignore"):
                logits = predict_logits(coefs, intercepts, x_val, activation)
                return loss.value(logits, t_val), self._metrics(logits, reference)

        return evaluate

    def _store(self, layout: Layout, params: Array, history: History) -> None:
        coefs, intercepts = layout.unpack(params)
        self.coefs_ = [w.copy() for w in coefs]
        self.intercepts_ = [b.copy() for b in intercepts]
        self.n_outputs_ = int(layout.layer_sizes[-1])
        self.n_params_ = int(layout.n_params)
        self.loss_curve_ = list(history.loss_curve)
        self.validation_curve_ = list(history.validation_curve)
        self.n_epochs_ = int(history.n_epochs)
        self.best_epoch_ = int(history.best_epoch)

    # -- prediction ---------------------------------------------------------------------------

    def _logits(self, X: ArrayLike) -> Array:
        """Logits of the rows of ``X``, computed in float64 whatever the model's dtype.

        A float32 product's rounding depends on where a row falls in BLAS's blocks, so a
        float32 forward gives a row slightly different outputs (~1e-6 relative) in another
        batch or order; in float64 those differences are far below any tolerance, and a row's
        prediction does not depend on the rows beside it (scikit-learn's invariance checks).
        Training and its validation scores stay in the model's dtype."""
        check_is_fitted(self, "coefs_")
        x = validate_data(self, X, reset=False, dtype=[np.float64, np.float32], order="C")
        coefs = [w.astype(np.float64) for w in self.coefs_]
        intercepts = [b.astype(np.float64) for b in self.intercepts_]
        with np.errstate(all="ignore"):
            return predict_logits(coefs, intercepts, x, ACTIVATIONS[self.activation])


def _optimizer(hp: Hyperparameters, n_params: int, updates_per_epoch: int) -> Optimizer:
    """The optimizer of ``hp`` with its learning-rate schedule."""
    schedule = make_schedule(
        hp.lr_schedule,
        hp.learning_rate,
        decay=hp.decay,
        max_epochs=hp.max_epochs,
        updates_per_epoch=updates_per_epoch,
        warmup_epochs=hp.warmup_epochs,
    )
    return make_optimizer(
        hp.optimizer,
        n_params,
        hp.dtype,
        schedule,
        momentum=hp.momentum,
        beta_1=hp.beta_1,
        beta_2=hp.beta_2,
        epsilon=hp.epsilon,
    )


class MLPClassifier(ClassifierMixin, BaseMLP):
    """Multilayer perceptron classifier: sigmoid + binary cross-entropy for two classes, softmax +
    categorical cross-entropy for more. Labels may be strings, integers or booleans
    (``classes_ = np.unique(y)``). Validation metric: ``accuracy``. See :class:`BaseMLP` for the
    parameters; also learns ``classes_``.
    """

    def _validate_xy(self, X: ArrayLike, y: ArrayLike, dtype: np.dtype) -> tuple[Array, Any]:
        x, y = validate_data(self, X, y, dtype=dtype, order="C")
        check_classification_targets(y)
        return x, y

    def _encode(self, y: Any, dtype: np.dtype, *, fitting: bool, name: str = "y") -> Array:
        if fitting:
            self.classes_, index = np.unique(y, return_inverse=True)
            if len(self.classes_) < 2:
                raise ValueError(
                    f"MLPClassifier needs at least 2 classes in y; got 1 class: {self.classes_[0]}"
                )
        else:
            index = np.searchsorted(self.classes_, y).clip(0, len(self.classes_) - 1)
            unseen = self.classes_[index] != y
            if unseen.any():
                raise ValueError(f"{name} contains labels not seen in y: {np.unique(y[unseen])}")
        if len(self.classes_) == 2:
            return index.reshape(-1, 1).astype(dtype)
        return np.eye(len(self.classes_), dtype=dtype)[index]

    def _loss(self) -> Loss:
        binary = len(self.classes_) == 2
        return LOSSES["binary_cross_entropy" if binary else "categorical_cross_entropy"]

    def _metric_targets(self, y: Any, encoded: Array) -> Array:
        return encoded

    def _metrics(self, logits: Array, reference: Array) -> dict[str, float]:
        if logits.shape[1] == 1:
            hits = (logits[:, 0] > 0) == (reference[:, 0] > 0.5)
        else:
            hits = logits.argmax(axis=1) == reference.argmax(axis=1)
        return {"accuracy": float(hits.mean())}

    def predict_proba(self, X: ArrayLike) -> Array:
        """Class probabilities (float64), shape ``(rows, len(classes_))``, in ``classes_`` order.

        Computed in float64 even for a float32 model (see :meth:`_logits`), so each row sums
        to one to float64 precision (scikit-learn's metrics warn about float32 softmax rows)."""
        logits = self._logits(X)
        proba = self._loss().link(logits)
        if proba.shape[1] == 1:
            return np.hstack([1.0 - proba, proba])
        return proba

    def predict(self, X: ArrayLike) -> NDArray:
        """Most probable class label of each row."""
        logits = self._logits(X)
        index = (logits[:, 0] > 0).astype(np.intp) if logits.shape[1] == 1 else logits.argmax(1)
        return self.classes_[index]


class MLPRegressor(RegressorMixin, BaseMLP):
    """Multilayer perceptron regressor: identity output, half squared error
    (``0.5 * mean_i ||z_i - t_i||^2`` on the scaled targets ``t``); one or several outputs.
    See :class:`BaseMLP` for the shared parameters and attributes.

    Parameters
    ----------
    target_scaling : {'standard', 'robust', 'none'}, default='standard'
        The network learns ``t = (y - target_center_) / target_scale_`` per output: mean and
        standard deviation (``standard``), median and interquartile range (``robust``), or the raw
        units (``none``, center 0 and scale 1). A constant output gets scale 1. ``predict`` maps
        back to the target's units; ``loss_curve_``, ``validation_curve_`` and the records'
        ``val_loss`` are in scaled units, while the records' ``val_metrics`` (``r2``, ``rmse``,
        ``mae``, uniform averages over outputs) are in the target's units.

    Attributes
    ----------
    target_center_, target_scale_ : ndarray of float64, shape (outputs,)
        The scaling learned from the training targets.
    """

    def __init__(
        self,
        hidden_layer_sizes: Sequence[int] = (32, 16),
        activation: str = "relu",
        optimizer: str = "nesterov",
        learning_rate: float = 0.01,
        momentum: float = 0.9,
        decay: float = 1e-6,
        lr_schedule: str = "time",
        warmup_epochs: int = 0,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        batch_size: int | None = 32,
        l1: float = 0.0,
        l2: float = 0.0,
        dropout: float = 0.0,
        max_epochs: int = 200,
        early_stopping_patience: int | None = 10,
        tol: float = 1e-4,
        shuffle: bool = True,
        random_state: int | None = None,
        dtype: str = "float32",
        target_scaling: str = "standard",
    ) -> None:
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            optimizer=optimizer,
            learning_rate=learning_rate,
            momentum=momentum,
            decay=decay,
            lr_schedule=lr_schedule,
            warmup_epochs=warmup_epochs,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            batch_size=batch_size,
            l1=l1,
            l2=l2,
            dropout=dropout,
            max_epochs=max_epochs,
            early_stopping_patience=early_stopping_patience,
            tol=tol,
            shuffle=shuffle,
            random_state=random_state,
            dtype=dtype,
        )
        self.target_scaling = target_scaling

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _validate_xy(self, X: ArrayLike, y: ArrayLike, dtype: np.dtype) -> tuple[Array, Any]:
        return validate_data(self, X, y, dtype=dtype, order="C", multi_output=True, y_numeric=True)

    def _encode(self, y: Any, dtype: np.dtype, *, fitting: bool, name: str = "y") -> Array:
        """Scaled targets; learns the scaling (``target_scaling`` is validated) when fitting."""
        targets = _columns(y)
        if fitting:
            self.n_outputs_ = targets.shape[1]
            self.target_center_, self.target_scale_ = fit_target_scaling(
                targets, self.target_scaling
            )
        elif targets.shape[1] != self.n_outputs_:
            raise ValueError(f"{name} has {targets.shape[1]} outputs; y had {self.n_outputs_}")
        return scale_targets(targets, self.target_center_, self.target_scale_, dtype)

    def _loss(self) -> Loss:
        return LOSSES["squared_error"]

    def _metric_targets(self, y: Any, encoded: Array) -> Array:
        return _columns(y).astype(np.float64)

    def _metrics(self, logits: Array, reference: Array) -> dict[str, float]:
        predicted = unscale_outputs(logits, self.target_center_, self.target_scale_)
        return regression_scores(reference, predicted)

    def predict(self, X: ArrayLike) -> Array:
        """Predictions (float64) in the target's units, shape ``(rows,)`` for one output, else
        ``(rows, outputs)``."""
        out = unscale_outputs(self._logits(X), self.target_center_, self.target_scale_)
        return out[:, 0] if out.shape[1] == 1 else out


def _columns(y: Any) -> NDArray:
    """Targets as a 2-D array ``(rows, outputs)``."""
    y = np.asarray(y)
    return y.reshape(-1, 1) if y.ndim == 1 else y


def zero_weight_share(model: BaseMLP) -> float:
    """Share of the fitted weights (not biases) that are exactly zero, in ``[0, 1]``."""
    check_is_fitted(model, "coefs_")
    zeros = sum(int(np.count_nonzero(w == 0)) for w in model.coefs_)
    return zeros / sum(w.size for w in model.coefs_)


def weights_digest(model: BaseMLP) -> str:
    """SHA-256 (hex) of every weight and bias array, in order, with its dtype and shape."""
    check_is_fitted(model, "coefs_")
    digest = hashlib.sha256()
    for array in (*model.coefs_, *model.intercepts_):
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()
