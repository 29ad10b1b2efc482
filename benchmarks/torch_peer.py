"""PyTorch's CPU build as the reference epoch for ``train_speed.py``: the loop a practitioner
writes (``randperm`` shuffle, index the batch, ``zero_grad``/``backward``/``step``), same network,
loss, optimizer and dtype as ours. ``torch`` is in the ``bench`` extra (``torch==2.13.0``, the CPU
wheel); without it :func:`torch_epoch` returns ``None`` and the column is skipped.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np


def torch_version() -> str | None:
    """The installed torch version, or ``None`` when torch is missing."""
    try:
        import torch
    except ImportError:
        return None
    return str(torch.__version__)


def torch_epoch(
    x: np.ndarray,
    y: np.ndarray,
    hidden: tuple[int, ...],
    batch: int,
    *,
    learning_rate: float = 0.01,
    momentum: float = 0.9,
) -> Callable[[], None] | None:
    """A function training one epoch of a ReLU MLP with one logit output (binary cross-entropy,
    SGD with momentum) on float32 ``x``/``y``; ``None`` without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    sizes = (x.shape[1], *hidden)
    layers: list[torch.nn.Module] = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    net = torch.nn.Sequential(*layers, torch.nn.Linear(sizes[-1], 1))
    opt = torch.optim.SGD(net.parameters(), lr=learning_rate, momentum=momentum)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    yt = torch.from_numpy(np.asarray(y, dtype=np.float32).reshape(-1, 1))
    generator = torch.Generator().manual_seed(0)

    def run() -> None:
        order = torch.randperm(xt.shape[0], generator=generator)
        for start in range(0, xt.shape[0], batch):
            idx = order[start : start + batch]
            opt.zero_grad(set_to_none=True)
            loss_fn(net(xt[idx]), yt[idx]).backward()
            opt.step()

    return run


def set_torch_threads(threads: int) -> None:
    """Limit torch's intra-op pool to ``threads`` (no-op without torch)."""
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(threads)
