"""Sweep throughput: our quickstart sweep against a naive Optuna + scikit-learn + MLflow peer.

Both run in this process, on the same data (breast cancer, same split, same standardisation),
with the same trial count, epoch cap (80) and patience (10), TPE and a median pruner:

- **ours**: ``sweeps`` as ``sweeps run conf/quickstart.yaml`` runs it (numpy MLP, per-epoch
  metrics batched into one ``log_batch``, child runs by explicit id, SQLite stores in WAL mode);
- **peer**: ``sklearn.neural_network.MLPClassifier`` trained epoch by epoch with ``partial_fit``,
  each trial a nested ``mlflow.start_run``, per-epoch ``mlflow.log_metric`` calls for train loss,
  validation loss and accuracy, an in-memory Optuna study (the peer's most favourable storage).

Prints trials per minute of both, the ratio, our share of wall time spent in MLflow calls, and
the best validation loss of each. Run: ``python benchmarks/sweep_throughput.py [--trials N]``.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import optuna
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, log_loss
from sklearn.neural_network import MLPClassifier as SkMLP

from sweeps.cli import quiet_libraries
from sweeps.infra.threads import blas_limit
from sweeps.search.launch import load_inputs
from sweeps.search.runner import run_worker
from sweeps.sweepfile import Flags

ROOT = Path(__file__).resolve().parents[1]
EPOCHS, PATIENCE = 80, 10


def run_ours(folder: Path, trials: int, seed: int) -> dict[str, float]:
    """The quickstart sweep through sweeps' own code path; returns timings and the best value."""
    flags = Flags(
        sets=(f"seed={seed}",),
        tracking_uri=f"sqlite:///{folder}/mlflow.db",
        storage=f"sqlite:///{folder}/optuna.db",
        trials=trials,
    )
    inputs = load_inputs(str(ROOT / "conf/quickstart.yaml"), flags)
    tracker = inputs.tracker
    with blas_limit(1), tracker.background():  # as `sweeps run` does: writer, then init
        sweep = inputs.init()
        writer = tracker.writer
        tracked_before = tracker.client.seconds + writer.seconds
        start = time.perf_counter()
        run_worker(sweep, show_progress=False)
        writer.sync()  # every write performed: the peer's writes are all synchronous
        wall = time.perf_counter() - start
    tracking = tracker.client.seconds + writer.seconds - tracked_before
    return {"wall": wall, "tracking": tracking, "best": sweep.study.best_value}


def _peer_objective(data: object, seed: int, trial: optuna.Trial) -> float:
    import mlflow

    prepared = data.prepared  # type: ignore[attr-defined]
    depth, width = trial.suggest_int("depth", 1, 4), trial.suggest_int("width", 16, 256, log=True)
    model = SkMLP(
        hidden_layer_sizes=(width,) * depth,
        learning_rate_init=trial.suggest_float("learning_rate", 1e-4, 1e-1, log=True),
        batch_size=trial.suggest_categorical("batch_size", [16, 32, 64, 128]),
        alpha=trial.suggest_float("l2", 1e-8, 1e-1, log=True),
        random_state=trial.number + 1000 * seed,
    )
    classes = np.unique(prepared.y_train)
    best, since_best = math.inf, 0
    with mlflow.start_run(run_name=f"trial-{trial.number}", nested=True):
        mlflow.log_params(trial.params)
        for epoch in range(1, EPOCHS + 1):
            model.partial_fit(prepared.X_train, prepared.y_train, classes=classes)
            proba = model.predict_proba(prepared.X_val)
            val_loss = log_loss(prepared.y_val, proba, labels=classes)
            mlflow.log_metric("train_loss", model.loss_, step=epoch)
            mlflow.log_metric("val_loss", val_loss, step=epoch)
            mlflow.log_metric(
                "val_accuracy",
                accuracy_score(prepared.y_val, model.predict(prepared.X_val)),
                step=epoch,
            )
            trial.report(val_loss, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
            best, since_best = (val_loss, 0) if val_loss < best - 1e-4 else (best, since_best + 1)
            if since_best >= PATIENCE:
                break
    return best


def run_peer(folder: Path, trials: int, data: object, seed: int) -> dict[str, float]:
    """The naive peer; returns timings and the best value."""
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{folder}/peer.db")
    mlflow.set_experiment(f"peer-{seed}")
    study = optuna.create_study(
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=10),
    )
    start = time.perf_counter()
    with mlflow.start_run(run_name="peer-sweep"):
        study.optimize(lambda t: _peer_objective(data, seed, t), n_trials=trials)
    return {"wall": time.perf_counter() - start, "best": study.best_value}


def main() -> None:
    """Run both sweeps for each seed, interleaved, and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--seeds", type=int, default=3, help="sweep seeds (best loss is noisy)")
    args = parser.parse_args()
    quiet_libraries()
    warnings.simplefilter("ignore", ConvergenceWarning)
    ours, peer = [], []
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        data = load_inputs(str(ROOT / "conf/quickstart.yaml"), Flags()).data
        for seed in range(args.seeds):
            ours.append(run_ours(Path(tmp) / f"ours-{seed}", args.trials, seed))
            peer.append(run_peer(Path(tmp), args.trials, data, seed))
    n = args.trials * args.seeds
    ours_rate = 60 * n / sum(r["wall"] for r in ours)
    peer_rate = 60 * n / sum(r["wall"] for r in peer)
    share = sum(r["tracking"] for r in ours) / sum(r["wall"] for r in ours)
    print(f"{args.seeds} sweeps x {args.trials} trials, epoch cap {EPOCHS}, patience {PATIENCE}")
    for name, rate, runs in (("ours", ours_rate, ours), ("peer", peer_rate, peer)):
        bests = [r["best"] for r in runs]
        print(
            f"{name}  {rate:7.1f} trials/min  best val_loss per seed "
            f"{', '.join(f'{b:.4f}' for b in bests)}  (mean {np.mean(bests):.4f})"
        )
    print(f"ratio (ours / peer)             {ours_rate / peer_rate:.2f}x   (target >= 4x)")
    print(f"tracking share of our wall time {share:.1%}  (target < 5%)")


if __name__ == "__main__":
    main()
