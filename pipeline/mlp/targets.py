"""Scaling of regression targets: the network trains on ``(y - center) / scale`` per output and
its outputs are mapped back with ``output * scale + center``.

- ``standard``: mean and standard deviation (scikit-learn's ``StandardScaler``);
- ``robust``: median and interquartile range (``RobustScaler``), for heavy-tailed targets;
- ``none``: center 0 and scale 1, the raw target units.

A constant output gets scale 1 (scikit-learn's convention), so nothing is divided by zero. Center
and scale are plain float64 arrays of shape ``(outputs,)``, learned on the training targets only.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

TARGET_SCALINGS = ("standard", "robust", "none")

F64 = NDArray[np.float64]


def fit_target_scaling(y: NDArray, kind: str) -> tuple[F64, F64]:
    """Per-column ``(center, scale)`` of the targets ``y`` (rows, outputs) for ``kind``."""
    from sklearn.preprocessing import RobustScaler, StandardScaler  # here: hyperparams stays light

    y = np.asarray(y, dtype=np.float64)
    if kind == "none":
        return np.zeros(y.shape[1]), np.ones(y.shape[1])
    if kind == "standard":
        standard = StandardScaler().fit(y)
        return standard.mean_.copy(), standard.scale_.copy()
    if kind == "robust":
        robust = RobustScaler().fit(y)
        return robust.center_.copy(), robust.scale_.copy()
    raise ValueError(
        f"target_scaling must be one of {', '.join(map(repr, TARGET_SCALINGS))}; got {kind!r}"
    )


def scale_targets(y: NDArray, center: F64, scale: F64, dtype: np.dtype) -> NDArray:
    """``(y - center) / scale`` as a C-contiguous array of ``dtype``; ``y`` cast as it is when
    the scaling is the identity (so ``none`` trains on exactly the targets it was given)."""
    if not (center.any() or (scale != 1.0).any()):
        return np.ascontiguousarray(y, dtype=dtype)
    return np.ascontiguousarray((np.asarray(y, dtype=np.float64) - center) / scale, dtype=dtype)


def unscale_outputs(outputs: NDArray, center: F64, scale: F64) -> F64:
    """Network outputs in the targets' own units, as a new float64 array."""
    return outputs.astype(np.float64) * scale + center
