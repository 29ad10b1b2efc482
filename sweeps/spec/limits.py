"""The size caps of a sweep (its file's ``limits:`` section), and the arithmetic that checks a
sweep against them before anything is allocated.

A few characters of YAML (``width: {type: int, low: 1, high: 1000000000}``) can ask for more
memory than a machine has. The caps turn that into one line naming the key when the file is
validated. The largest network a sweep can sample is worked out from its bounds without being
built; where the model's input width depends on the data, the sweep checks again once the
data is loaded (:mod:`sweeps.core.dataset`).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict

from pipeline.mlp.hyperparams import DEFAULTS as MLP_DEFAULTS
from sweeps.spec.space import CategoricalParam, ParamSpec, grid_size

__all__ = ["Limits", "check_network"]

#: Hidden layers as blocks of ``(width, layers)``, input side first.
LayerBlocks = tuple[tuple[int, int], ...]
#: Rows per forward pass when the MLP predicts (``pipeline.mlp.network.predict_logits``' chunk).
EVAL_CHUNK = 4096
#: ``depth`` and ``width`` when only the other one is given
#: (:func:`sweeps.spec.space.hidden_layers`).
SHORTHAND_DEFAULTS = {"depth": 1, "width": 32}

Cap = Annotated[int, Strict(), Field(gt=0)]


class Limits(BaseModel):
    """Caps on what one sweep may allocate; a sweep file raises any of them in ``limits:``.

    ``max_width`` / ``max_depth``: hidden units per layer / hidden layers. ``max_params``: the
    weights and biases of the largest network the space allows (float32: 4 bytes each, and an
    optimizer keeps up to 3 more copies). ``max_activations``: rows per pass (the batch, or
    :data:`EVAL_CHUNK` rows when predicting) x (hidden units + outputs), the buffers a trial
    preallocates. ``max_grid``: points the grid sampler lists. ``max_choices``: choices of one
    categorical parameter. ``max_generated_cells``: ``n_samples x n_features`` of generated
    data (float64: 8 bytes each).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_width: Cap = 4096
    max_depth: Cap = 64
    max_params: Cap = 10_000_000
    max_activations: Cap = 100_000_000
    max_grid: Cap = 100_000
    max_choices: Cap = 1000
    max_generated_cells: Cap = 100_000_000

    def check_space(self, space: Mapping[str, ParamSpec], *, grid: bool) -> None:
        """Raise ValueError naming the key unless every categorical has at most
        ``max_choices`` choices and, for the grid sampler, the grid ``max_grid`` points."""
        for name, spec in space.items():
            if isinstance(spec, CategoricalParam) and len(spec.choices) > self.max_choices:
                raise ValueError(
                    f"space.{name}: {len(spec.choices):,} choices, above limits.max_choices "
                    f"({self.max_choices:,})"
                )
        if grid:
            points = grid_size(space)  # counted, not listed
            if points > self.max_grid:
                raise ValueError(
                    f"study.sampler: the grid has {points:,} points, above limits.max_grid "
                    f"({self.max_grid:,})"
                )

    def check_generated(self, n_samples: int, n_features: int) -> None:
        """Raise ValueError unless a generated table of this shape fits ``max_generated_cells``."""
        cells = n_samples * n_features
        if cells > self.max_generated_cells:
            raise ValueError(
                f"data: n_samples x n_features = {n_samples:,} x {n_features:,} = {cells:,} "
                f"cells, above limits.max_generated_cells ({self.max_generated_cells:,})"
            )


def check_network(
    limits: Limits,
    model: Mapping[str, Any],
    space: Mapping[str, ParamSpec],
    *,
    inputs: int | None = None,
    outputs: int = 1,
    rows: int | None = None,
) -> None:
    """Raise ValueError naming the key unless the largest network that ``model`` (fixed MLP
    keywords) and ``space`` allow fits ``limits``: its width and depth; its parameters for
    ``inputs`` features (None: not known yet, so only the hidden layers count) and
    ``outputs``; with ``rows`` training rows, the activations of one pass. Sizes that are not
    integers are left to the value checks."""
    blocks = largest_hidden(model, space)
    if blocks is None:
        return
    width_key, depth_key = size_keys(model, space)
    widest, deepest = max((w for w, _ in blocks), default=0), sum(n for _, n in blocks)
    if widest > limits.max_width:
        raise ValueError(
            f"{width_key}: {widest:,} is above limits.max_width ({limits.max_width:,})"
        )
    if deepest > limits.max_depth:
        raise ValueError(
            f"{depth_key}: {deepest:,} is above limits.max_depth ({limits.max_depth:,})"
        )
    _check_params(limits, blocks, inputs, outputs, f"{depth_key}, {width_key}")
    if rows is not None:
        _check_activations(
            limits, blocks, outputs, _rows_per_pass(model, space, rows), model, space
        )


def _check_params(
    limits: Limits, blocks: LayerBlocks, inputs: int | None, outputs: int, keys: str
) -> None:
    params = n_params(inputs or 0, blocks, outputs)  # unknown inputs: the hidden layers alone
    if params > limits.max_params:
        shape = f"{inputs:,} inputs, " if inputs else ""
        raise ValueError(
            f"{keys}: the largest network ({shape}hidden layers {describe(blocks)}, {outputs} "
            f"output(s)) has {params:,} parameters, above limits.max_params "
            f"({limits.max_params:,})"
        )


def _check_activations(
    limits: Limits,
    blocks: LayerBlocks,
    outputs: int,
    rows: int,
    model: Mapping[str, Any],
    space: Mapping[str, ParamSpec],
) -> None:
    cells = rows * (hidden_units(blocks) + outputs)
    if cells > limits.max_activations:
        key = "space.batch_size" if "batch_size" in space else "model.batch_size"
        raise ValueError(
            f"{key}: passes of {rows:,} rows through {hidden_units(blocks):,} hidden units hold "
            f"{cells:,} activations, above limits.max_activations ({limits.max_activations:,})"
        )


def n_params(inputs: int, blocks: LayerBlocks, outputs: int) -> int:
    """Weights and biases of an MLP with these hidden ``blocks``, computed without building it
    (as ``pipeline.mlp.network.Layout.n_params`` counts them)."""
    total, previous = 0, inputs
    for width, layers in blocks:
        if layers > 0:
            total += previous * width + width + (layers - 1) * (width * width + width)
            previous = width
    return total + previous * outputs + outputs


def hidden_units(blocks: LayerBlocks) -> int:
    """Hidden units of all layers."""
    return sum(width * layers for width, layers in blocks)


def describe(blocks: LayerBlocks) -> str:
    """``4 x 256`` (depth x width) for one block of equal layers, ``(64, 32)`` otherwise."""
    if len(blocks) == 1 and blocks[0][1] != 1:
        return f"{blocks[0][1]:,} x {blocks[0][0]:,}"
    return "(" + ", ".join(f"{width:,}" for width, _ in blocks) + ")"


def largest_hidden(model: Mapping[str, Any], space: Mapping[str, ParamSpec]) -> LayerBlocks | None:
    """The widest and deepest hidden layers the fixed ``model`` keywords and the searched
    ``space`` allow, as blocks; None when a size is not an integer (the value checks say why)."""
    if {"depth", "width"} & (set(model) | set(space)):
        depth, width = (_top(name, model, space) for name in ("depth", "width"))
        if depth is None or width is None:
            return None
        return ((width, max(depth, 0)),)
    sizes = model.get("hidden_layer_sizes", MLP_DEFAULTS["hidden_layer_sizes"])
    if not isinstance(sizes, list | tuple) or not all(map(_is_int, sizes)):
        return None
    return tuple((int(s), 1) for s in sizes)


def size_keys(model: Mapping[str, Any], space: Mapping[str, ParamSpec]) -> tuple[str, str]:
    """The key paths that set the width and the depth of the hidden layers."""
    if not {"depth", "width"} & (set(model) | set(space)):
        return ("model.hidden_layer_sizes",) * 2
    width, depth = ("space" if n in space else "model" for n in ("width", "depth"))
    return f"{width}.width", f"{depth}.depth"


def _top(name: str, model: Mapping[str, Any], space: Mapping[str, ParamSpec]) -> int | None:
    """The largest value ``name`` can take: searched, fixed, or the shorthand's default."""
    spec = space.get(name)
    if spec is None:
        values = [model.get(name, SHORTHAND_DEFAULTS[name])]
    else:
        values = spec.choices if isinstance(spec, CategoricalParam) else [spec.high]
    if not values or not all(map(_is_int, values)):
        return None
    return int(max(values))  # type: ignore[type-var]


def _rows_per_pass(model: Mapping[str, Any], space: Mapping[str, ParamSpec], rows: int) -> int:
    """The most rows one forward pass holds: the largest batch (``None``: all ``rows``), or
    the prediction chunk."""
    spec = space.get("batch_size")
    if spec is None:
        values = [model.get("batch_size", MLP_DEFAULTS["batch_size"])]
    else:
        values = spec.choices if isinstance(spec, CategoricalParam) else [spec.high]
    batch = rows if None in values else max((int(v) for v in values if _is_int(v)), default=1)
    return max(min(batch, rows), min(EVAL_CHUNK, rows))


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
