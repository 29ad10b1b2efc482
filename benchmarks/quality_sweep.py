"""Our side of the quality benchmark: ``sweeps run`` on a CSV, then its champion on held-out rows.

The sweep file is ``conf/quickstart.yaml`` re-pointed at the user's CSV: its split, fixed model
keywords, search space, objective, pruner and enqueued first trial are kept; only the name, the
seed, the data section and the trial budget change. The sweep runs as a user would run it, in a
subprocess (``python -m sweeps run CONFIG --quiet``) with its own MLflow and Optuna stores in a
temporary folder; its champion is loaded with ``mlflow.pyfunc.load_model`` as the README says.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from quality_scores import Score, holdout_score

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = ROOT / "conf" / "quickstart.yaml"
SWEEP_TIMEOUT_S = 3600
# Set in this process by mlflow.set_tracking_uri / set_registry_uri (to load a champion): a sweep
# must not inherit them, or it registers its model in the previous table's store.
MLFLOW_URI_VARIABLES = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")


def quickstart() -> dict[str, Any]:
    """The quickstart sweep file as plain data."""
    return yaml.safe_load(QUICKSTART.read_text())


def sweep_config(
    name: str, csv: Path, target: str, task: str, *, seed: int, trials: int
) -> dict[str, Any]:
    """The quickstart sweep re-pointed at ``csv`` (absolute path), with an explicit task."""
    cfg = quickstart()
    cfg["name"] = name
    cfg["description"] = f"Quality benchmark: the quickstart sweep on {csv.name}."
    cfg["seed"] = seed
    cfg["data"] = {"source": "file", "path": str(csv), "target": target, "task": task}
    cfg["study"]["n_trials"] = trials
    return cfg


def run_sweep(
    folder: Path, config: Path, trials: int, sets: tuple[str, ...] = ()
) -> tuple[float, str | None]:
    """Run ``sweeps run`` in ``folder`` with stores there (``sets``: extra ``--set`` values);
    return (wall seconds, error line)."""
    cmd = [sys.executable, "-m", "sweeps", "run", str(config), "--quiet"]
    cmd += [arg for item in sets for arg in ("--set", item)]
    cmd += ["--trials", str(trials), "--tracking-uri", tracking_uri(folder)]
    cmd += ["--storage", f"sqlite:///{folder / 'optuna.db'}"]
    env = {k: v for k, v in os.environ.items() if k not in MLFLOW_URI_VARIABLES}
    start = time.perf_counter()
    try:
        done = subprocess.run(
            cmd, cwd=folder, env=env, capture_output=True, text=True, timeout=SWEEP_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, f"sweeps run timed out after {SWEEP_TIMEOUT_S} s"
    seconds = time.perf_counter() - start
    (folder / "sweeps-run.log").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        return seconds, f"sweeps run exit {done.returncode}: {last_line(done.stderr)}"
    return seconds, None


def tracking_uri(folder: Path) -> str:
    """The sweep's MLflow store in ``folder``."""
    return f"sqlite:///{folder / 'mlflow.db'}"


def last_line(text: str) -> str:
    """The last non-empty line of a program's output (its one-line error message)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def score_champion(folder: Path, name: str, task: str, X: pd.DataFrame, y: pd.Series) -> Score:
    """Load ``models:/NAME@champion`` from the folder's store and score it on held-out rows.

    Predictions come from the pyfunc model, as a user gets them; class probabilities (for the
    log loss) from the same loaded model's underlying scikit-learn Pipeline.
    """
    import mlflow
    import mlflow.pyfunc

    uri = tracking_uri(folder)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    model = mlflow.pyfunc.load_model(f"models:/{name}@champion")
    predicted = model.predict(X)
    if task == "regression":
        main, extra = holdout_score(task, y, predicted)
    else:
        raw = model.get_raw_model()
        main, extra = holdout_score(task, y, predicted, raw.predict_proba(X), raw.classes_)
    return Score(main, extra)


def ours(
    folder: Path,
    csv: Path,
    spec: Any,
    X_hold: pd.DataFrame,
    y_hold: pd.Series,
    seed: int,
    trials: int,
    sets: tuple[str, ...] = (),
) -> dict[str, Score]:
    """Write the sweep file, run the sweep, score on the held-out rows its champion
    (``ours``) and its best single trial (``best``: the study's best trial, its fold models
    averaged, as the champion would be without ensemble selection)."""
    name = f"quality-{spec.name}"
    config = folder / f"{name}.yaml"
    cfg = sweep_config(name, csv, spec.target, spec.task, seed=seed, trials=trials)
    config.write_text(yaml.safe_dump(cfg, sort_keys=False))
    seconds, error = run_sweep(folder, config, trials, sets)
    if error is not None:
        return {"ours": Score(seconds=seconds, error=error), "best": Score(error=error)}
    score = score_champion(folder, name, spec.task, X_hold, y_hold)
    members = champion_members(folder, name)
    return {
        "ours": Score(score.main, score.extra, seconds, members=members),
        "best": score_best_trial(folder, config, sets, X_hold, y_hold),
    }


def champion_members(folder: Path, name: str) -> int:
    """How many trials the champion of the sweep in ``folder`` blends."""
    import optuna

    study = optuna.load_study(study_name=name, storage=f"sqlite:///{folder / 'optuna.db'}")
    return len(study.user_attrs["sweeps_champion"]["choice"]["members"])


def score_best_trial(
    folder: Path, config: Path, sets: tuple[str, ...], X: pd.DataFrame, y: pd.Series
) -> Score:
    """The study's best trial alone: its fold models (retrained bit for bit from its logged
    keywords) averaged behind their folds' preprocessing, scored on the held-out rows."""
    import optuna

    from pipeline.models.ensemble import build_ensemble
    from sweeps.core.dataset import load_sweep_data
    from sweeps.core.trial import train_trial
    from sweeps.results.champion_model import estimator_of
    from sweeps.spec.reading import Flags, resolve_config

    cfg = resolve_config(str(config), Flags(sets=tuple(sets)))
    storage = f"sqlite:///{folder / 'optuna.db'}"
    best = optuna.load_study(study_name=cfg.study_name, storage=storage).best_trial
    data = load_sweep_data(cfg)
    models = train_trial(data, estimator_of(best)).models
    groups = data.held_out()
    model = build_ensemble(
        data.task,
        [prepared.preprocessor for _, prepared in groups],
        [[m] for m in models],
        [[1.0 / len(models)] for _ in models],
    )
    if data.task == "regression":
        return Score(*holdout_score("regression", y, model.predict(X)))
    proba = model.predict_proba(X)
    return Score(*holdout_score(data.task, y, model.predict(X), proba, model.classes_))
