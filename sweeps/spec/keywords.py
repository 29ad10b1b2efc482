"""The MLP keywords a sweep file fixes (``model:``) or searches (``space:``), checked against
the MLP's own table of keywords and values before anything is built: unknown names (with the
nearest valid one), values the MLP would refuse, enqueued points outside the space, and the
logged keywords ``reproduce`` is asked to train with."""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from pipeline.mlp.hyperparams import DEFAULTS as MLP_DEFAULTS
from pipeline.mlp.hyperparams import REGRESSION_ONLY
from pipeline.mlp.hyperparams import validate as validate_hyperparameters
from sweeps.spec.space import CategoricalParam, ParamSpec, hidden_layers, outside

__all__ = ["check_estimator"]


def did_you_mean(word: str, names: Iterable[str]) -> str:
    """``"; did you mean n_trials?"`` when one of ``names`` is close to ``word``, else ``""``."""
    close = difflib.get_close_matches(word, list(names), n=1)
    return f"; did you mean {close[0]}?" if close else ""


@cache
def mlp_keywords() -> frozenset[str]:
    """Every constructor keyword of either MLP, plus the ``depth`` x ``width`` shorthand."""
    return frozenset(MLP_DEFAULTS) | {"depth", "width"}


def check_model_keys(model: dict[str, Any], space: dict[str, Any]) -> None:
    """Raise ValueError for a name that is no MLP keyword (suggesting the nearest)."""
    for section, keys in (("model", model), ("space", space)):
        unknown = sorted(set(keys) - mlp_keywords())
        if unknown:
            hint = did_you_mean(unknown[0], mlp_keywords())
            allowed = hint or f"; allowed: {sorted(mlp_keywords())}"
            raise ValueError(f"{section}: unknown MLP keyword(s) {unknown}{allowed}")


def check_model_overlap(model: dict[str, Any], space: dict[str, Any]) -> None:
    """Raise ValueError for a keyword both fixed and searched, or a searched seed."""
    both = sorted(set(model) & set(space))
    if both:
        raise ValueError(f"{both} both fixed in model and searched in space: keep one")
    if "random_state" in space:  # fixed in model: every trial uses it (an exported trial)
        raise ValueError("random_state is derived from the sweep seed: set `seed` instead")


def check_model_values(model: dict[str, Any], space: dict[str, ParamSpec]) -> None:
    """Validate fixed values, and each searched keyword's bounds or choices, as the MLP would."""
    defaults = dict(MLP_DEFAULTS)  # every keyword of either task
    candidates: list[tuple[str, dict[str, Any]]] = [("model", dict(model))]
    for name, spec in space.items():
        values = spec.choices if isinstance(spec, CategoricalParam) else [spec.low, spec.high]
        candidates += [(f"space.{name}", {**model, name: v}) for v in values]
    corner = _warmup_corner(model, space)
    if corner is not None:  # the one keyword checked against another: warmup < max_epochs
        candidates.append(corner)
    for section, values in candidates:
        try:
            validate_hyperparameters({**defaults, **_one_layer_per_width(values)})
        except ValueError as exc:
            raise ValueError(f"{section}: {exc}") from None


def _warmup_corner(
    model: Mapping[str, Any], space: Mapping[str, ParamSpec]
) -> tuple[str, dict[str, Any]] | None:
    """The most warm-up epochs beside the fewest epochs, when either is searched: every
    sampled pair must satisfy ``warmup_epochs < max_epochs``, not only each bound alone."""
    if not {"warmup_epochs", "max_epochs"} & set(space):
        return None
    most = _bound(model, space, "warmup_epochs", max)
    fewest = _bound(model, space, "max_epochs", min)
    section = "space.warmup_epochs" if "warmup_epochs" in space else "space.max_epochs"
    return section, {**model, "warmup_epochs": most, "max_epochs": fewest}


def _bound(model: Mapping[str, Any], space: Mapping[str, ParamSpec], name: str, pick: Any) -> Any:
    """``pick`` (min or max) of the values keyword ``name`` can take: searched, or fixed."""
    spec = space.get(name)
    if spec is None:
        return model.get(name, MLP_DEFAULTS[name])
    values = spec.choices if isinstance(spec, CategoricalParam) else [spec.low, spec.high]
    numbers_only = [v for v in values if isinstance(v, numbers.Real) and not isinstance(v, bool)]
    return pick(numbers_only) if len(numbers_only) == len(values) else values[0]


def _one_layer_per_width(values: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`~sweeps.spec.space.hidden_layers` for validation: ``depth`` and ``width`` must be
    integers (>= 0, >= 1); every layer has the same width, so one layer stands for ``depth``
    of them and no deep tuple is built (the limits bound the real depth)."""
    if "depth" not in values and "width" not in values:
        return hidden_layers(values)
    for name, least in (("depth", 0), ("width", 1)):
        value = values.get(name, least)
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < least:
            raise ValueError(f"{name} must be an integer >= {least}; got {value!r}")
    return hidden_layers({**values, "depth": min(values.get("depth", 1), 1)})


def check_enqueued(enqueue: Sequence[Mapping[str, Any]], space: Mapping[str, ParamSpec]) -> None:
    """Raise ValueError naming ``study.enqueue[i].param`` unless every enqueued value is a
    point of the searched space (a parameter left out is sampled)."""
    for i, params in enumerate(enqueue):
        for name, value in params.items():
            where = f"study.enqueue[{i}].{name}"
            spec = space.get(name)
            if spec is None:
                raise ValueError(
                    f"{where}: not a searched parameter{did_you_mean(name, space)} "
                    f"(searched: {', '.join(space) or 'none'})"
                )
            problem = outside(spec, value)
            if problem:
                raise ValueError(f"{where}: {problem}")


def check_estimator(kwargs: Mapping[str, Any], task: str) -> None:
    """Raise ValueError unless ``kwargs`` (logged MLP keywords) are keywords of ``task``'s
    MLP with valid values (check the sizes against the limits first)."""
    allowed = set(MLP_DEFAULTS) - (REGRESSION_ONLY if task == "classification" else set())
    unknown = sorted(set(kwargs) - allowed)
    if unknown:
        hint = did_you_mean(unknown[0], allowed)
        raise ValueError(f"unknown keyword(s) of the {task} MLP {unknown}{hint}")
    validate_hyperparameters({**MLP_DEFAULTS, **kwargs})
