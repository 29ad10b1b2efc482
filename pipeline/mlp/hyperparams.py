"""Validation of the MLP's hyperparameters, done once at ``fit`` time.

:func:`validate` turns the estimator's raw keyword values into a typed, frozen
:class:`Hyperparameters`, or raises ``ValueError`` naming the keyword and what it allows.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from pipeline.mlp.activations import ACTIVATIONS
from pipeline.mlp.optimizers import OPTIMIZERS
from pipeline.mlp.schedules import SCHEDULES
from pipeline.mlp.targets import TARGET_SCALINGS

DTYPES = ("float32", "float64")
#: Every keyword of the MLP estimators and its default (``target_scaling``: the regressor's
#: only). The estimators' signatures say the same (a test holds them together); this table
#: lets a caller check keywords without importing scikit-learn.
DEFAULTS: dict[str, object] = {
    "hidden_layer_sizes": (32, 16),
    "activation": "relu",
    "optimizer": "nesterov",
    "learning_rate": 0.01,
    "momentum": 0.9,
    "decay": 1e-6,
    "beta_1": 0.9,
    "beta_2": 0.999,
    "epsilon": 1e-8,
    "batch_size": 32,
    "l1": 0.0,
    "l2": 0.0,
    "dropout": 0.0,
    "lr_schedule": "time",
    "warmup_epochs": 0,
    "max_epochs": 200,
    "early_stopping_patience": 10,
    "tol": 1e-4,
    "shuffle": True,
    "random_state": None,
    "dtype": "float32",
    "target_scaling": "standard",
}
REGRESSION_ONLY = frozenset({"target_scaling"})


@dataclass(frozen=True)
class Hyperparameters:
    """Validated hyperparameters (see the estimator's docstring for their meaning)."""

    hidden_layer_sizes: tuple[int, ...]
    activation: str
    optimizer: str
    learning_rate: float
    momentum: float
    decay: float
    beta_1: float
    beta_2: float
    epsilon: float
    batch_size: int | None
    l1: float
    l2: float
    dropout: float
    lr_schedule: str
    warmup_epochs: int
    max_epochs: int
    early_stopping_patience: int | None
    tol: float
    shuffle: bool
    random_state: int | None
    dtype: np.dtype
    target_scaling: str = "none"


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value


def _real(
    name: str,
    value: object,
    low: float,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = (value > low if low_open else value >= low) and (
            value < high if high_open else value <= high
        )
    if not ok:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(
            f"{name} must be a finite number in {left}{low}, {high}{right}; got {value!r}"
        )
    return float(value)


def _int(name: str, value: object, minimum: int, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= minimum:
        return int(value)
    none = " or None" if allow_none else ""
    raise ValueError(f"{name} must be an integer >= {minimum}{none}; got {value!r}")


def _hidden(value: object) -> tuple[int, ...]:
    sizes = value if isinstance(value, (tuple, list)) else None
    if sizes is None or not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1 for s in sizes
    ):
        raise ValueError(
            "hidden_layer_sizes must be a tuple of integers >= 1 (() for a linear "
            f"model); got {value!r}"
        )
    return tuple(int(s) for s in sizes)


def _dtype(value: object) -> np.dtype:
    name = (
        value
        if isinstance(value, str)
        else getattr(value, "__name__", getattr(value, "name", None))
    )
    if name not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(map(repr, DTYPES))}; got {value!r}")
    return np.dtype(name)


def _bool(name: str, value: object) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def _warmup(value: object, max_epochs: int) -> int:
    integral = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if integral and 0 <= value < max_epochs:
        return int(value)
    raise ValueError(
        f"warmup_epochs must be an integer in [0, max_epochs) = [0, {max_epochs}); got {value!r}"
    )


def validate(p: Mapping[str, object]) -> Hyperparameters:
    """Check every hyperparameter in ``p`` (the estimator's ``get_params()``).

    ``target_scaling`` is a regressor keyword: when ``p`` has none, it is ``"none"``.
    """
    max_epochs = _int("max_epochs", p["max_epochs"], 1)
    return Hyperparameters(
        hidden_layer_sizes=_hidden(p["hidden_layer_sizes"]),
        activation=_choice("activation", p["activation"], tuple(ACTIVATIONS)),
        optimizer=_choice("optimizer", p["optimizer"], tuple(OPTIMIZERS)),
        learning_rate=_real("learning_rate", p["learning_rate"], 0.0, low_open=True),
        momentum=_real("momentum", p["momentum"], 0.0, 1.0, high_open=True),
        decay=_real("decay", p["decay"], 0.0),
        beta_1=_real("beta_1", p["beta_1"], 0.0, 1.0, high_open=True),
        beta_2=_real("beta_2", p["beta_2"], 0.0, 1.0, high_open=True),
        epsilon=_real("epsilon", p["epsilon"], 0.0, low_open=True),
        batch_size=_int("batch_size", p["batch_size"], 1, allow_none=True),
        l1=_real("l1", p["l1"], 0.0),
        l2=_real("l2", p["l2"], 0.0),
        dropout=_real("dropout", p["dropout"], 0.0, 1.0, high_open=True),
        lr_schedule=_choice("lr_schedule", p["lr_schedule"], SCHEDULES),
        warmup_epochs=_warmup(p["warmup_epochs"], max_epochs),
        max_epochs=max_epochs,
        early_stopping_patience=_int(
            "early_stopping_patience", p["early_stopping_patience"], 1, allow_none=True
        ),
        tol=_real("tol", p["tol"], 0.0),
        shuffle=_bool("shuffle", p["shuffle"]),
        random_state=_int("random_state", p["random_state"], 0, allow_none=True),
        dtype=_dtype(p["dtype"]),
        target_scaling=_choice("target_scaling", p.get("target_scaling", "none"), TARGET_SCALINGS),
    )
