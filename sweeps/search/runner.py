"""Run a sweep: create the stores once, admit trials within the budget, summarise the result."""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import dataclass

import optuna
from tqdm import tqdm

from sweeps.config import SweepConfig
from sweeps.infra import signals
from sweeps.infra.locks import StorageLock
from sweeps.infra.provenance import provenance_tags
from sweeps.infra.urls import redact
from sweeps.search.dataset import SweepData
from sweeps.search.objective import Objective, SweepContext
from sweeps.study.budget import budget_state, may_start_trial
from sweeps.study.samplers import (
    experimental_ok,
    make_pruner,
    make_sampler,
    pruner_settings,
    sampler_settings,
)
from sweeps.study.storage import StaleCallback, make_storage, open_study
from sweeps.tracking import Tracker
from sweeps.tracking.reaper import close_stale_runs

PARENT_ATTR = "mlflow_parent_run_id"


@dataclass
class Sweep:
    """An initialised sweep: its study, tracker, experiment and parent run."""

    cfg: SweepConfig
    study: optuna.Study
    tracker: Tracker
    storage_url: str
    experiment_id: str
    parent_run_id: str


def init_sweep(
    cfg: SweepConfig, storage_url: str, tracker: Tracker, *, fresh: bool = False
) -> Sweep:
    """Create (or load) study, experiment and parent run, once, under a cross-process lock."""
    with StorageLock(storage_url, "init").hold():
        experiment_id = tracker.experiment_id(cfg.name)
        assert experiment_id is not None
        study = _open_study(cfg, storage_url, close_stale_runs(tracker, experiment_id), fresh)
        parent = _parent_run(cfg, study, tracker, experiment_id, storage_url)
        if not study.get_trials(deepcopy=False):
            for params in cfg.study.enqueue:
                study.enqueue_trial(params, skip_if_exists=True)
    return Sweep(cfg, study, tracker, storage_url, experiment_id, parent)


def _open_study(
    cfg: SweepConfig, storage_url: str, on_stale: StaleCallback, fresh: bool
) -> optuna.Study:
    study_cfg = cfg.study
    storage = make_storage(
        storage_url,
        heartbeat_interval=study_cfg.heartbeat_interval,
        grace_period=study_cfg.grace_period,
        max_retry=study_cfg.max_retry,
        on_stale=on_stale,
    )
    sampler = make_sampler(study_cfg.sampler.type, study_cfg.sampler.options, cfg.seed, cfg.space)
    pruner = make_pruner(study_cfg.pruner.type, study_cfg.pruner.options)
    directions = cfg.objective.directions
    return open_study(storage, cfg.study_name, directions, sampler, pruner, fresh=fresh)


def _parent_run(
    cfg: SweepConfig, study: optuna.Study, tracker: Tracker, experiment_id: str, storage_url: str
) -> str:
    run_id = study.user_attrs.get(PARENT_ATTR)
    if run_id is not None and tracker.run_exists(run_id):
        tracker.reopen(run_id)
        return run_id
    tags = {
        **provenance_tags(),
        "sweeps.storage": redact(storage_url),
        "sweeps.directions": ",".join(cfg.objective.directions),
    }
    run_id = tracker.create_parent(experiment_id, cfg.study_name, tags, parent_params(cfg))
    tracker.client.log_dict(run_id, cfg.public_dict(), "config.json")
    study.set_user_attr(PARENT_ATTR, run_id)
    return run_id


def parent_params(cfg: SweepConfig) -> dict[str, str]:
    """The sweep's stable settings, flattened, as parent-run params."""
    sampler = (cfg.study.sampler.type, cfg.study.sampler.options)
    pruner = (cfg.study.pruner.type, cfg.study.pruner.options)
    flat = {
        "seed": cfg.seed,
        "metric": ",".join(cfg.objective.metric),
        "directions": ",".join(cfg.objective.directions),
        "sampler": cfg.study.sampler.type,
        "pruner": cfg.study.pruner.type,
        **{f"data.{k}": v for k, v in cfg.data.model_dump(mode="json").items()},
        **{f"split.{k}": v for k, v in cfg.split.model_dump().items()},
        **{f"model.{k}": v for k, v in cfg.model.items()},
        **{f"sampler.{k}": v for k, v in sampler_settings(*sampler, cfg.seed).items()},
        **{f"pruner.{k}": v for k, v in pruner_settings(*pruner).items()},
        **{f"space.{k}": v.model_dump_json() for k, v in cfg.space.items()},
    }
    return {k: str(v) for k, v in flat.items()}


@dataclass(frozen=True)
class WorkerOutcome:
    """How a worker's loop ended: trials it ran, and whether the whole study is done."""

    ran: int
    study_done: bool


def run_worker(sweep: Sweep, data: SweepData, *, show_progress: bool = True) -> WorkerOutcome:
    """Run trials until the study's budget or the timeout is reached.

    The study is done when its budget is used up and no trial is still running anywhere.
    """
    cfg = sweep.cfg
    ctx = SweepContext(
        cfg, data, sweep.tracker, sweep.experiment_id, sweep.parent_run_id, trial_tags(sweep, data)
    )
    objective = Objective(ctx)
    admission = StorageLock(sweep.storage_url, "admit")
    deadline = time.monotonic() + cfg.study.timeout if cfg.study.timeout else None
    counted, waiting, running = budget_state(sweep.study)
    ran, done = 0, False
    with tqdm(
        total=cfg.study.n_trials,
        initial=counted - waiting - running,
        disable=not show_progress,
        unit="trial",
    ) as bar:
        while deadline is None or time.monotonic() < deadline:
            signals.check()
            with ExitStack() as held:
                held.enter_context(admission.hold())
                if not may_start_trial(sweep.study, cfg.study.n_trials):
                    done = True
                    break
                objective.on_start = held.close
                _optimize_one(sweep.study, objective)
            ran += 1
            bar.update(1)
    return WorkerOutcome(ran, done)


def _optimize_one(study: optuna.Study, objective: Objective) -> None:
    with experimental_ok():
        study.optimize(objective, n_trials=1, catch=(Exception,), gc_after_trial=False)


def trial_tags(sweep: Sweep, data: SweepData) -> dict[str, str]:
    """Tags every child run carries: study, data fingerprint, split hashes, provenance."""
    return {
        **provenance_tags(),
        **data.fingerprint_tags(),
        "sweeps.study": sweep.cfg.study_name,
        "sweeps.sweep_seed": str(sweep.cfg.seed),
    }
