"""One sweep in this process: its config, its data and both stores, created once.

:func:`open_sweep` validates the config and loads the data before anything is written, then
creates (or loads) the study, the experiment and the parent run under a cross-process lock:
concurrent first-time creation corrupts SQLite stores. The :class:`Sweep` it returns is the
one context every stage of a sweep shares.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import optuna

from sweeps.core.dataset import SweepData
from sweeps.core.meaning import check_resume, digest, pinned_values
from sweeps.infra.locks import StorageLock
from sweeps.infra.provenance import provenance_tags
from sweeps.infra.urls import redact
from sweeps.records import (
    DATA_INPUT_FEATURES_TAG,
    DATA_ROWS_TAG,
    DATA_TASK_RULE_TAG,
    DATA_TASK_TAG,
    DIRECTIONS_TAG,
    MEANING_ATTR,
    MEANING_TAG,
    PARENT_ATTR,
    SELECTION_FOLDS_TAG,
    STORAGE_TAG,
    STUDY_TAG,
    SWEEP_SEED_TAG,
)
from sweeps.spec.schema import SweepConfig
from sweeps.study.budget import record_budget
from sweeps.study.samplers import make_pruner, make_sampler
from sweeps.study.storage import StaleCallback, make_storage, open_study, recorded_attr
from sweeps.tracking import TrackingStore, close_orphan_runs, close_stale_runs

__all__ = ["Sweep", "check_meaning", "init_sweep"]


@dataclass
class Sweep:
    """An initialised sweep: config, data, both stores, its study, experiment and parent run.

    ``trial_tags`` are the tags every trial's run carries (study, data fingerprint, split
    hashes, provenance)."""

    cfg: SweepConfig
    data: SweepData
    tracker: TrackingStore
    storage_url: str
    study: optuna.Study
    experiment_id: str
    parent_run_id: str
    trial_tags: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.trial_tags = {
            **provenance_tags(),
            **self.data.fingerprint_tags(),
            STUDY_TAG: self.cfg.study_name,
            SWEEP_SEED_TAG: str(self.cfg.seed),
        }

    def close(self, status: str = "FINISHED") -> None:
        """End the parent run; a resumed sweep reopens it."""
        self.tracker.end_run(self.parent_run_id, status)


def init_sweep(
    cfg: SweepConfig,
    data: SweepData,
    tracker: TrackingStore,
    storage_url: str,
    *,
    fresh: bool = False,
    source: str = "<config>",
) -> Sweep:
    """Create (or load) study, experiment and parent run, once, under a cross-process lock.

    A study that exists must have been created with the same pinned settings
    (:mod:`sweeps.core.meaning`): else :class:`~sweeps.errors.ConfigError`, naming
    ``source``, before anything is written."""
    pinned = pinned_values(cfg, data)
    with StorageLock(storage_url, "init").hold():
        if not fresh:
            check_meaning(cfg, data, storage_url, source)
        experiment_id = tracker.experiment_id(cfg.name)
        assert experiment_id is not None
        study = _open_study(cfg, storage_url, close_stale_runs(tracker, experiment_id), fresh)
        close_orphan_runs(tracker, experiment_id, study)
        meaning = {MEANING_TAG: digest(pinned)}
        parent = _parent_run(cfg, data, study, tracker, experiment_id, storage_url, meaning)
        record_budget(study, cfg.study.n_trials)
        if MEANING_ATTR not in study.user_attrs:
            study.set_user_attr(MEANING_ATTR, pinned)
        if not study.get_trials(deepcopy=False):
            for params in cfg.study.enqueue:
                study.enqueue_trial(params, skip_if_exists=True)
    return Sweep(cfg, data, tracker, storage_url, study, experiment_id, parent)


def check_meaning(cfg: SweepConfig, data: SweepData, storage_url: str, source: str) -> None:
    """Raise :class:`~sweeps.errors.ConfigError` if study ``cfg.study_name`` exists at
    ``storage_url`` with other pinned settings than ``cfg`` and ``data`` (nothing is
    written)."""
    recorded = recorded_attr(storage_url, cfg.study_name, MEANING_ATTR)
    check_resume(recorded, pinned_values(cfg, data), f"{source}: study {cfg.study_name!r}")


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
    sampler = make_sampler(study_cfg.sampler.type, cfg.sampler_settings, cfg.space)
    pruner = make_pruner(study_cfg.pruner.type, cfg.pruner_settings, cfg.pruner_scale)
    directions = cfg.objective.directions
    return open_study(storage, cfg.study_name, directions, sampler, pruner, fresh=fresh)


def _parent_run(
    cfg: SweepConfig,
    data: SweepData,
    study: optuna.Study,
    tracker: TrackingStore,
    experiment_id: str,
    storage_url: str,
    extra_tags: dict[str, str],
) -> str:
    run_id = study.user_attrs.get(PARENT_ATTR)
    if run_id is not None and tracker.run(run_id) is not None:
        tracker.reopen(run_id)
        return run_id
    tags = {
        **provenance_tags(),
        **data_tags(data),
        STORAGE_TAG: redact(storage_url),
        DIRECTIONS_TAG: ",".join(cfg.objective.directions),
        **extra_tags,
    }
    run_id = tracker.create_parent(experiment_id, cfg.study_name, tags, parent_params(cfg))
    tracker.log_json(run_id, cfg.public_dict(), "config.json")
    tracker.log_json(run_id, data.description.to_dict(), "data/description.json")
    study.set_user_attr(PARENT_ATTR, run_id)
    return run_id


def data_tags(data: SweepData) -> dict[str, str]:
    """What the sweep decided about its table: the task and how, the model's input features,
    the folds."""
    description = data.description
    return {
        DATA_TASK_TAG: description.task,
        DATA_TASK_RULE_TAG: description.task_rule,
        DATA_ROWS_TAG: str(description.rows),
        DATA_INPUT_FEATURES_TAG: str(description.input_features),
        SELECTION_FOLDS_TAG: str(len(data.folds) or 1),
    }


def parent_params(cfg: SweepConfig) -> dict[str, str]:
    """The sweep's stable settings, flattened, as parent-run params."""
    flat = {
        "seed": cfg.seed,
        "metric": ",".join(cfg.objective.metric),
        "directions": ",".join(cfg.objective.directions),
        "sampler": cfg.study.sampler.type,
        "pruner": cfg.study.pruner.type,
        **{f"data.{k}": v for k, v in cfg.data.model_dump(mode="json").items()},
        **{f"split.{k}": v for k, v in cfg.split.model_dump().items()},
        **{f"model.{k}": v for k, v in cfg.model.items()},
        **{f"sampler.{k}": v for k, v in cfg.sampler_settings.items()},
        **{f"pruner.{k}": v for k, v in cfg.pruner_settings.items()},
        **{f"space.{k}": v.model_dump_json() for k, v in cfg.space.items()},
    }
    return {k: str(v) for k, v in flat.items()}
