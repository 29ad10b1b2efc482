"""The one function that turns the search space into ``trial.suggest_*`` calls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import optuna

from sweeps.spec.space import FloatParam, IntParam, ParamSpec

__all__ = ["suggest"]


def suggest(trial: optuna.Trial, space: Mapping[str, ParamSpec]) -> dict[str, Any]:
    """Sample one value per searched parameter, in the order of ``space``."""
    values: dict[str, Any] = {}
    for name, spec in space.items():
        if isinstance(spec, FloatParam):
            values[name] = trial.suggest_float(
                name, spec.low, spec.high, log=spec.log, step=spec.step
            )
        elif isinstance(spec, IntParam):
            values[name] = trial.suggest_int(
                name, spec.low, spec.high, log=spec.log, step=spec.step
            )
        else:
            values[name] = trial.suggest_categorical(name, spec.choices)
    return values
