"""Model quality: the quickstart sweep on real tables, against a tuned scikit-learn MLP and HGB.

For each table (see ``quality_tables.py``; all shipped inside PyPI packages of the ``bench``
extra, nothing downloaded), as a user with their own table would:

1. The table goes through a CSV file once (all methods read the same typed rows); a seeded 20 %
   of its rows (stratified for classification) is held out and never seen by any tuning.
2. **ours**: the other 80 % is written to a CSV and ``sweeps run`` runs the quickstart sweep
   re-pointed at it (same split, model, search space, objective, pruner; task given), with a
   budget of ``--trials`` trials, in a temporary folder with its own stores. Its champion
   ``models:/NAME@champion`` is loaded with ``mlflow.pyfunc`` and scored on the held-out rows.
   **best**: the same sweep's best single trial (its fold models averaged, nothing refitted),
   scored on the same held-out rows: what ensemble selection adds.
3. **mlp**: scikit-learn's MLP tuned by Optuna's TPE with the same budget and ranges
   (see ``quality_peers.py``), scored once on the held-out rows.
4. **hgb**: HistGradientBoosting with defaults, scored once on the held-out rows.

Which of the 80 % rows the peers learn from (``--peer-rows``):

- ``all`` (default, a scikit-learn user's way): the MLP's trials train on 80 % of them and are
  selected on the other 20 % (the sweep's validation fraction); the selected settings are
  fitted again on all of them; HGB is fitted on all of them. Our champion learns from the
  sweep's training split only (60 % of the 80 %: the sweep keeps 20 % for validation and 20 %
  for its own test), so this mode includes the cost of the sweep's split.
- ``sweep``: the peers learn from exactly the sweep's rows (its split recomputed with
  ``pipeline.split_table``): the MLP's trials train on the sweep's training split and are
  selected on its validation split, the selected settings are fitted on the training split
  again; HGB is fitted on training + validation. No method sees the sweep's test split.

Scores: accuracy and log loss (classification), R² and RMSE (regression); ``diff`` columns are
ours minus the peer's main score. Seconds are wall times: ours is the whole ``sweeps run``
command (start-up, store creation, tracking, final test and model registration included).

Run: ``python benchmarks/quality.py [--tables a,b] [--trials 30] [--seed 0] [--keep]
[--peer-rows all|sweep]``. Needs ``pip install -e ".[bench]"``. Takes tens of minutes on 2
cores. Progress goes to stderr, the table to stdout; exits 0 unless the benchmark itself crashed
(a failed table shows ``error: ...`` in its row).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from quality_peers import PeerRows, gradient_boosting, tuned_mlp
from quality_report import render
from quality_scores import Score
from quality_sweep import ours, quickstart
from quality_tables import TABLES, TableSpec
from sklearn.model_selection import train_test_split

from pipeline import infer_task, load_file, split_table

HOLDOUT = 0.2


@dataclass
class Result:
    """One table's row of the report."""

    spec: TableSpec
    rows: int = 0
    features: int = 0
    inferred: str = ""
    scores: dict[str, Score] | None = None
    error: str | None = None


@dataclass(frozen=True)
class Prepared:
    """A table's CSV of the 80 % rows for the sweep, those rows, and the held-out rows."""

    csv: Path
    seen: tuple[pd.DataFrame, pd.Series]
    holdout: tuple[pd.DataFrame, pd.Series]


def split_rows(
    frame: pd.DataFrame, spec: TableSpec, fraction: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A seeded split of ``frame`` (stratified on the target for classification)."""
    strata = frame[spec.target] if spec.task == "classification" else None
    kept, held = train_test_split(frame, test_size=fraction, random_state=seed, stratify=strata)
    return kept, held


def xy(frame: pd.DataFrame, target: str) -> tuple[pd.DataFrame, pd.Series]:
    """Features and target of ``frame``."""
    return frame.drop(columns=[target]), frame[target]


def prepare_table(spec: TableSpec, folder: Path, seed: int) -> Prepared:
    """Round-trip the table through a CSV, hold out 20 %, write the rest for the sweep."""
    full = folder / f"{spec.name}-full.csv"
    spec.frame().to_csv(full, index=False)
    frame = pd.read_csv(full)
    frame = frame[frame[spec.target].notna()]
    seen, held = split_rows(frame, spec, HOLDOUT, seed)
    csv = folder / f"{spec.name}.csv"
    seen.to_csv(csv, index=False)
    return Prepared(csv, xy(seen, spec.target), xy(held, spec.target))


def peer_rows(spec: TableSpec, data: Prepared, mode: str, seed: int) -> PeerRows:
    """The rows the peers learn from in ``mode`` (see the module docstring)."""
    split = quickstart()["split"]
    seen = pd.concat(data.seen, axis=1)
    if mode == "all":
        train, val = split_rows(seen, spec, split["validation"], seed)
        return PeerRows(xy(train, spec.target), xy(val, spec.target), data.seen, data.seen)
    table = load_file(data.csv, target=spec.target, task=spec.task)
    assert len(table) == len(seen), "the sweep dropped rows the peers kept"
    parts = split_table(
        table, validation=split["validation"], test=split["test"], seed=split["seed"]
    )
    train, val = seen.iloc[parts.train], seen.iloc[parts.validation]
    both = seen.iloc[sorted([*parts.train, *parts.validation])]
    target = spec.target
    return PeerRows(xy(train, target), xy(val, target), xy(train, target), xy(both, target))


def guarded(label: str, call: Callable[[], Score]) -> Score:
    """Run one method; a crash becomes an ``error`` score (traceback on stderr)."""
    start = time.perf_counter()
    try:
        return call()
    except Exception as error:  # one method's failure must not hide the others
        traceback.print_exc(file=sys.stderr)
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return Score(seconds=time.perf_counter() - start, error=f"{type(error).__name__}: {reason}")
    finally:
        log(f"  {label} done in {time.perf_counter() - start:.0f} s")


def ours_guarded(call: Callable[[], dict[str, Score]]) -> dict[str, Score]:
    """Our two scores (champion, best single trial); a crash becomes ``error`` scores."""
    scores: dict[str, Score] = {}

    def champion() -> Score:
        scores.update(call())
        return scores["ours"]

    scores["ours"] = guarded("ours (sweeps run)", champion)
    scores.setdefault("best", Score(error="not scored: the sweep failed"))
    return scores


def log(message: str) -> None:
    """Progress on stderr."""
    print(message, file=sys.stderr, flush=True)


def run_table(spec: TableSpec, root: Path, args: argparse.Namespace) -> Result:
    """Prepare one table and run the three methods on it."""
    folder = root / spec.name
    folder.mkdir()
    result = Result(spec)
    try:
        data = prepare_table(spec, folder, args.seed)
        rows = peer_rows(spec, data, args.peer_rows, args.seed)
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        result.error = f"{type(error).__name__}: {error}"
        return result
    X, y = data.seen
    result.rows, result.features = len(X) + len(data.holdout[0]), X.shape[1]
    result.inferred = infer_task(y)
    log(f"{spec.name}: {result.rows} rows, {result.features} features, {spec.task}")
    result.scores = ours_guarded(
        lambda: ours(
            folder, data.csv, spec, *data.holdout, args.seed, args.trials, tuple(args.sets)
        )
    )
    if args.peers:
        result.scores["mlp"] = guarded(
            "tuned sklearn MLP",
            lambda: tuned_mlp(spec.task, rows, data.holdout, args.seed, args.trials),
        )
        result.scores["hgb"] = guarded(
            "HGB", lambda: gradient_boosting(spec.task, rows, data.holdout, args.seed)
        )
    else:
        result.scores.update(mlp=Score(error="not run (--no-peers)"), hgb=Score(error="not run"))
    return result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default=",".join(TABLES), help="comma-separated table names")
    parser.add_argument("--trials", type=int, default=30, help="trial budget of each tuning")
    parser.add_argument("--seed", type=int, default=0, help="holdout, sweep, sampler and MLP seed")
    parser.add_argument("--peer-rows", choices=("all", "sweep"), default="all")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument(
        "--no-peers", dest="peers", action="store_false", help="run only our sweeps (ablations)"
    )
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="passed to our `sweeps run` (ablations, e.g. --set selection.folds=1)",
    )
    args = parser.parse_args(argv)
    unknown = [t for t in args.tables.split(",") if t not in TABLES]
    if unknown:
        parser.error(f"unknown table(s) {unknown}; choose from {', '.join(TABLES)}")
    return args


def main(argv: list[str] | None = None) -> None:
    """Run every chosen table, then print the report."""
    args = parse_args(argv)
    os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = "false"  # loading each champion
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    root = Path(tempfile.mkdtemp(prefix="sweeps-quality-"))
    start = time.perf_counter()
    results = []
    try:
        for name in args.tables.split(","):
            results.append(run_table(TABLES[name], root, args))
    finally:
        if args.keep:
            log(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(render(results, args, time.perf_counter() - start))


if __name__ == "__main__":
    main()
