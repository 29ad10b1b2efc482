"""What Optuna alone costs a trial: the floor under sweeps' per-trial overhead.

A no-op objective with the quickstart's space (six parameters), sampler (multivariate TPE,
constant liar, 10 start-up trials), pruner (median, 20 warm-up steps), four reports and three
user attributes per trial, the way sweeps calls Optuna (``optimize`` one trial at a time), on:

- ``memory``: Optuna's in-memory storage (no database);
- ``sqlite``: the RDB storage on a SQLite file, with sweeps' own engine settings (WAL,
  ``synchronous=NORMAL``, heartbeat) from :func:`sweeps.study.storage.make_storage`.

Each runs in its own process. Reports milliseconds per trial; ``sweep_throughput.py`` prints
them beside sweeps' own overhead per trial.

Run: ``python benchmarks/optuna_floor.py [--trials 40]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time

STORAGES = ("memory", "sqlite")


def _objective(trial: object) -> float:
    """The quickstart's space sampled, four reports, three user attributes; no training."""
    import optuna

    assert isinstance(trial, optuna.Trial)
    lr = trial.suggest_float("learning_rate", 1e-4, 0.1, log=True)
    trial.suggest_categorical("batch_size", [16, 32, 64, 128])
    trial.suggest_int("depth", 1, 4)
    trial.suggest_int("width", 16, 256, log=True)
    trial.suggest_float("l1", 1e-8, 1e-4, log=True)
    trial.suggest_float("l2", 1e-8, 1e-3, log=True)
    for key in ("mlflow_run_id", "worker", "estimator"):
        trial.set_user_attr(key, key)
    for epoch in (5, 10, 15, 20):
        trial.report(lr * epoch, epoch)
        if trial.should_prune():
            raise optuna.TrialPruned
    return lr


def measure(storage: str, trials: int, folder: str) -> float:
    """Milliseconds per trial of ``trials`` trials on ``storage`` (in this process)."""
    import optuna

    from sweeps.study.samplers import experimental_ok
    from sweeps.study.storage import make_storage

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    if storage == "memory":
        store: object = optuna.storages.InMemoryStorage()
    else:
        store = make_storage(f"sqlite:///{folder}/optuna.db", heartbeat_interval=60)
    with experimental_ok():
        sampler = optuna.samplers.TPESampler(
            seed=0, multivariate=True, constant_liar=True, n_startup_trials=10
        )
    pruner = optuna.pruners.MedianPruner(n_warmup_steps=20)
    study = optuna.create_study(storage=store, sampler=sampler, pruner=pruner)  # type: ignore[arg-type]
    start = time.perf_counter()
    for _ in range(trials):
        with experimental_ok():
            study.optimize(_objective, n_trials=1, gc_after_trial=False)
    return 1000 * (time.perf_counter() - start) / trials


def floors(trials: int) -> dict[str, float]:
    """Milliseconds per trial on each storage, each measured in a fresh process."""
    found = {}
    for storage in STORAGES:
        with tempfile.TemporaryDirectory(prefix="sweeps-optuna-floor-") as tmp:
            done = subprocess.run(
                [sys.executable, __file__, "--one", storage, "--trials", str(trials), tmp],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            found[storage] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--one", choices=STORAGES, help=argparse.SUPPRESS)
    parser.add_argument("folder", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.trials, args.folder)))
        return
    for storage, ms in floors(args.trials).items():
        print(f"Optuna alone, {storage:6} storage: {ms:6.1f} ms per trial ({args.trials} trials)")


if __name__ == "__main__":
    main()
