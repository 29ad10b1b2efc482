"""The search space as data (:func:`sweeps.study.suggest.suggest` turns it into
``trial.suggest_*`` calls)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator, model_validator

__all__ = ["CategoricalParam", "FloatParam", "IntParam", "ParamSpec", "grid_of", "hidden_layers"]

Scalar = int | float | str | bool | None
#: An integer as the file wrote it: ``true`` or ``3.0`` is not one.
Int = Annotated[int, Strict()]
#: A finite number (an integer is one); ``true``, ``.inf`` and ``.nan`` are not.
Real = Annotated[float, Strict(), Field(allow_inf_nan=False)]


class _Param(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FloatParam(_Param):
    """A float sampled from [low, high], optionally on a log scale or a step grid."""

    type: Literal["float"]
    low: Real
    high: Real
    log: bool = False
    step: Real | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _check_bounds(self) -> FloatParam:
        _check_range(self.low, self.high, self.log)
        if self.log and self.step is not None:
            raise ValueError("log and step cannot both be set")
        return self


class IntParam(_Param):
    """An integer sampled from [low, high], optionally on a log scale or with a step."""

    type: Literal["int"]
    low: Int
    high: Int
    log: bool = False
    step: Int = 1

    @model_validator(mode="after")
    def _check_bounds(self) -> IntParam:
        _check_range(self.low, self.high, self.log)
        if self.step < 1:
            raise ValueError("step must be >= 1")
        if self.log and self.step != 1:
            raise ValueError("log and step cannot both be set")
        return self


class CategoricalParam(_Param):
    """One of a non-empty list of choices."""

    type: Literal["categorical"]
    choices: list[Scalar] = Field(min_length=1)

    @field_validator("choices", mode="before")
    @classmethod
    def _scalars(cls, value: Any) -> Any:
        """One message naming the first choice that is a list or a mapping."""
        for i, choice in enumerate(value if isinstance(value, list) else []):
            if not isinstance(choice, Scalar):
                raise ValueError(
                    f"choices[{i}] is {choice!r}: a choice is a number, text, true, false or null"
                )
        return value


ParamSpec = Annotated[FloatParam | IntParam | CategoricalParam, Field(discriminator="type")]


def _check_range(low: float, high: float, log: bool) -> None:
    if low > high:
        raise ValueError(f"low ({low}) must be <= high ({high})")
    if log and low <= 0:
        raise ValueError(f"log scale needs low > 0 (got {low})")


def outside(spec: ParamSpec, value: Any) -> str | None:
    """Why ``value`` is not a point ``spec`` can sample (an enqueued trial's), or None."""
    if isinstance(spec, CategoricalParam):
        if any(_same(value, choice) for choice in spec.choices):
            return None
        return f"{value!r} is not one of the choices {spec.choices}"
    integer = isinstance(value, int) and not isinstance(value, bool)
    if isinstance(spec, IntParam) and not integer:
        return f"{value!r} is not an integer"
    if not integer and not (isinstance(value, float) and math.isfinite(value)):
        return f"{value!r} is not a finite number"
    if not spec.low <= value <= spec.high:
        return f"{value!r} is outside the searched range [{spec.low}, {spec.high}]"
    if spec.step is not None and not _on_step(value, spec.low, spec.step):
        return f"{value!r} is not on the grid {spec.low} + k * {spec.step}"
    return None


def _same(value: Any, choice: Scalar) -> bool:
    """Equal and of the same kind: ``true`` is not the choice ``1``."""
    return isinstance(value, bool) == isinstance(choice, bool) and value == choice


def _on_step(value: float, low: float, step: float) -> bool:
    if isinstance(value, int) and isinstance(low, int) and isinstance(step, int):
        return (value - low) % step == 0
    steps = (value - low) / step
    return math.isclose(steps, round(steps), abs_tol=1e-9)


def grid_of(space: Mapping[str, ParamSpec]) -> dict[str, list[Scalar]]:
    """The grid the grid sampler walks: categorical choices, or every step of an int range."""
    grid: dict[str, list[Scalar]] = {}
    for name, spec in space.items():
        if isinstance(spec, CategoricalParam):
            grid[name] = list(spec.choices)
        elif isinstance(spec, IntParam) and not spec.log:
            grid[name] = list(range(spec.low, spec.high + 1, spec.step))
        else:
            raise _not_on_a_grid(name)
    return grid


def grid_size(space: Mapping[str, ParamSpec]) -> int:
    """How many points :func:`grid_of` would list, counted without listing them."""
    sizes = []
    for name, spec in space.items():
        if isinstance(spec, CategoricalParam):
            sizes.append(len(spec.choices))
        elif isinstance(spec, IntParam) and not spec.log:
            sizes.append((spec.high - spec.low) // spec.step + 1)
        else:
            raise _not_on_a_grid(name)
    return math.prod(sizes)


def _not_on_a_grid(name: str) -> ValueError:
    return ValueError(f"space.{name}: the grid sampler needs categorical or linear int params")


def hidden_layers(params: Mapping[str, Any]) -> dict[str, Any]:
    """Map ``depth`` x ``width`` onto the MLP's ``hidden_layer_sizes``; other keys pass through."""
    out = {k: v for k, v in params.items() if k not in ("depth", "width")}
    if "depth" in params or "width" in params:
        if "hidden_layer_sizes" in params:
            raise ValueError("give either depth/width or hidden_layer_sizes, not both")
        depth, width = int(params.get("depth", 1)), int(params.get("width", 32))
        out["hidden_layer_sizes"] = (width,) * depth
    elif "hidden_layer_sizes" in out:
        out["hidden_layer_sizes"] = tuple(int(w) for w in out["hidden_layer_sizes"])
    return out
