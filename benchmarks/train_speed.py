"""Training speed of our numpy MLP against scikit-learn's, in one process.

Prints, for one epoch on ``make_classification(100_000, 50)`` with hidden layers (256, 256, 256)
and batch size 256 in float32:

- our epoch time, scikit-learn's (``solver="sgd"``, momentum 0.9) and the ratio (target >= 2x);
- the achieved GFLOP/s of our epoch against the rate of the same matrix multiplies run bare
  (every GEMM of one epoch, same shapes, preallocated outputs), measured in this run
  (target >= 40 %);
- the per-epoch time on breast_cancer (569 rows, default network, batch 32): a few ms at most;
- against PyTorch's CPU build (``torch_peer.py``; the ``bench`` extra): one epoch of the same
  network, loss, optimizer and dtype at batch 256 and 4096, on 1 and 2 threads (BLAS and torch's
  pool limited alike), with the ratio ours / PyTorch (goal <= 1.1x on 2 threads) and the machine's
  load average before and after. Our side is a whole ``fit`` of one epoch (set-up included).

Run: ``python benchmarks/train_speed.py [--repeats N] [--blas-threads N]``. Not part of the test
suite. Timings are the best of N interleaved rounds; on a shared machine run it when it is idle.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
import warnings
from collections.abc import Callable
from functools import partial

import numpy as np
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkMLP
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits
from torch_peer import set_torch_threads, torch_epoch, torch_version

from pipeline import MLPClassifier

HIDDEN = (256, 256, 256)
BATCH = 256


def best_of(repeats: int, runs: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Smallest wall time of each run over ``repeats`` rounds, the runs interleaved in each round
    (the machine is shared: interleaving keeps a noisy spell from favouring one side)."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in times.items()}


def epoch_flops(n_rows: int, sizes: tuple[int, ...]) -> float:
    """FLOPs of one epoch's GEMMs: forward, weight gradients, deltas (not into the inputs)."""
    macs = [a * b for a, b in itertools.pairwise(sizes)]
    return 2.0 * n_rows * (2 * sum(macs) + sum(macs[1:]))


def bare_gemm_epoch(n_rows: int, sizes: tuple[int, ...], batch: int) -> Callable[[], None]:
    """Every matrix multiply of one training epoch, with the same shapes, and nothing else."""
    rng = np.random.default_rng(0)
    f32 = np.float32
    weights = [rng.standard_normal((a, b), dtype=f32) for a, b in itertools.pairwise(sizes)]
    acts = [rng.standard_normal((batch, w), dtype=f32) for w in sizes]
    grads = [np.empty_like(w) for w in weights]

    def run() -> None:
        for _ in range(n_rows // batch):
            for i, w in enumerate(weights):
                np.matmul(acts[i], w, out=acts[i + 1])
            for i in range(len(weights) - 1, -1, -1):
                np.matmul(acts[i].T, acts[i + 1], out=grads[i])
                if i:
                    np.matmul(acts[i + 1], weights[i].T, out=acts[i])

    return run


def large_table() -> tuple[np.ndarray, np.ndarray]:
    """``make_classification(100_000, 50)`` in float32."""
    x, y = make_classification(100_000, 50, n_informative=20, random_state=0)
    return x.astype(np.float32), y


def our_epoch(batch: int) -> MLPClassifier:
    """Our MLP set to train one epoch of SGD with momentum 0.9 at ``batch``."""
    return MLPClassifier(
        hidden_layer_sizes=HIDDEN,
        optimizer="momentum",
        learning_rate=0.01,
        momentum=0.9,
        decay=0.0,
        batch_size=batch,
        max_epochs=1,
        early_stopping_patience=None,
        random_state=0,
    )


def torch_table(repeats: int, threads: tuple[int, ...], batches: tuple[int, ...]) -> None:
    """Our epoch against PyTorch's, same shapes and thread count, in this run."""
    version = torch_version()
    if version is None:
        print("PyTorch: skipped (torch not installed: pip install -e '.[bench]')")
        return
    x, y = large_table()
    load = os.getloadavg()[0]
    print(f"one epoch, 100k x 50, hidden {HIDDEN}, float32, SGD momentum 0.9, torch {version}:")
    print("  threads  batch     ours   PyTorch   ours/PyTorch")
    for n_threads, batch in itertools.product(threads, batches):
        set_torch_threads(n_threads)
        ours, theirs = our_epoch(batch), torch_epoch(x, y, HIDDEN, batch)
        assert theirs is not None
        with threadpool_limits(limits=n_threads, user_api="blas"):
            best = best_of(repeats, {"ours": partial(ours.fit, x, y), "torch": theirs})
        ratio = best["ours"] / best["torch"]
        print(
            f"  {n_threads:7d} {batch:6d} {best['ours']:7.3f} s {best['torch']:7.3f} s"
            f"   {ratio:5.2f}x"
        )
    print(f"  load average (1 min) before {load:.2f}, after {os.getloadavg()[0]:.2f}")


def large_epoch(repeats: int) -> None:
    """The 100k x 50 comparison."""
    x, y = large_table()
    ours = our_epoch(BATCH)
    theirs = SkMLP(
        hidden_layer_sizes=HIDDEN,
        solver="sgd",
        momentum=0.9,
        nesterovs_momentum=False,
        learning_rate_init=0.01,
        alpha=0.0,
        batch_size=BATCH,
        max_iter=1,
        random_state=0,
    )
    sizes = (x.shape[1], *HIDDEN, 1)
    flops = epoch_flops(x.shape[0], sizes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        best = best_of(
            repeats,
            {
                "ours": lambda: ours.fit(x, y),
                "sklearn": lambda: theirs.fit(x, y),
                "gemm": bare_gemm_epoch(x.shape[0], sizes, BATCH),
            },
        )
    t_ours, t_theirs, t_gemm = best["ours"], best["sklearn"], best["gemm"]
    print(f"one epoch, 100k x 50, hidden {HIDDEN}, batch {BATCH}, float32:")
    print(f"  ours     {t_ours:7.3f} s   {flops / t_ours / 1e9:6.1f} GFLOP/s")
    print(
        f"  sklearn  {t_theirs:7.3f} s   {flops / t_theirs / 1e9:6.1f} GFLOP/s"
        f"   (coefs dtype {theirs.coefs_[0].dtype})"
    )
    print(f"  bare GEMMs of the epoch {t_gemm:7.3f} s   {flops / t_gemm / 1e9:6.1f} GFLOP/s")
    print(f"  speed-up vs sklearn: {t_theirs / t_ours:.2f}x (target >= 2x)")
    print(f"  share of the bare matmul rate: {t_gemm / t_ours:.0%} (target >= 40%)")


def small_epoch(repeats: int) -> None:
    """Per-epoch time on breast_cancer, where per-batch overhead dominates."""
    x, y = load_breast_cancer(return_X_y=True)
    x = StandardScaler().fit_transform(x).astype(np.float32)
    epochs = 100
    ours = MLPClassifier(max_epochs=epochs, early_stopping_patience=None, random_state=0)
    theirs = SkMLP(
        hidden_layer_sizes=(32, 16),
        solver="sgd",
        momentum=0.9,
        batch_size=32,
        learning_rate_init=0.01,
        alpha=0.0,
        max_iter=epochs,
        n_iter_no_change=epochs,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        best = best_of(
            repeats, {"ours": lambda: ours.fit(x, y), "sklearn": lambda: theirs.fit(x, y)}
        )
    t_ours, t_theirs = best["ours"] / epochs, best["sklearn"] / theirs.n_iter_
    print(f"breast_cancer ({x.shape[0]} rows), hidden (32, 16), batch 32, float32:")
    print(
        f"  ours {t_ours * 1e3:.2f} ms/epoch, sklearn {t_theirs * 1e3:.2f} ms/epoch"
        f" ({t_theirs / t_ours:.1f}x)"
    )


def main() -> None:
    """Parse the options and run both benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timings per figure (best kept)")
    parser.add_argument("--only-torch", action="store_true", help="only the PyTorch comparison")
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="limit BLAS threads (both sides alike); default: BLAS's own choice",
    )
    args = parser.parse_args()
    if not args.only_torch:
        with threadpool_limits(limits=args.blas_threads, user_api="blas"):
            run(args.repeats)
    torch_table(args.repeats, threads=(1, 2), batches=(BATCH, 4096))


def run(repeats: int) -> None:
    """Print the BLAS in use, then both benchmarks."""
    blas = [
        f"{i['internal_api']} {i.get('version')} {i.get('architecture')} x{i['num_threads']}"
        for i in threadpool_info()
        if i["user_api"] == "blas"
    ]
    print(f"BLAS: {'; '.join(blas)}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}")
    small_epoch(repeats)
    large_epoch(repeats)


if __name__ == "__main__":
    main()
