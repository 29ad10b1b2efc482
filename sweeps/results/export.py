"""A trial as a sweep file of its own: one trial, nothing searched, every value pinned.

The file is built from what the trial's run logged (``trial_config.json``: the resolved config
it ran with and its exact MLP keywords), not from today's copy of the sweep file: same data,
split, folds and seed; every keyword the trial trained with fixed in ``model:``
(``hidden_layer_sizes`` rather than ``depth`` x ``width``), ``space: {}``,
``study.n_trials: 1``, no confirmation (one trial has nothing to confirm), and a new name, so
its study, experiment and registered model are its own.

``random_state`` is pinned too (a seed fixed in ``model:`` wins over the one derived from
``seed`` and the trial's number), so the single trial retrains the original bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from sweeps.errors import ReproductionError, RunNotFoundError
from sweeps.records import (
    PARENT,
    PARENT_RUN_TAG,
    TRIAL,
    TRIAL_NUMBER_TAG,
    ParentTags,
    TrialTags,
    runs_of,
)
from sweeps.spec.schema import SweepConfig
from sweeps.tracking import RunRecord, TrackingStore, experiment_named, fetch_run

__all__ = ["choose_trial", "export_trial"]

REDACTED = "***"
#: Top-level keys in the order a person writes them.
ORDER = ("name", "description", "seed", "data", "split", "model", "space", "objective")
ORDER += ("selection", "study", "tracking")
SHOWN_IN_FULL = ("seed", "split", "space")


@dataclass(frozen=True)
class Export:
    """The pinned sweep file's text, its name, and whether it retrains the trial bit for bit."""

    text: str
    name: str


def choose_trial(
    tracker: TrackingStore,
    *,
    run_id: str | None = None,
    experiment: str | None = None,
    study: str | None = None,
    number: int | None = None,
) -> RunRecord:
    """The trial run ``run_id``, else trial ``number`` of the experiment's study, else the
    study's winner."""
    if run_id is not None:
        return fetch_run(tracker, run_id)
    assert experiment is not None and study is not None
    parent = latest_parent(tracker, experiment, study)
    return winner_run(tracker, parent) if number is None else trial_run(tracker, parent, number)


def latest_parent(tracker: TrackingStore, experiment: str, study: str) -> RunRecord:
    """The latest parent run of ``study`` in ``experiment``."""
    experiment_id = experiment_named(tracker, experiment)
    where = runs_of(PARENT, study)
    found = tracker.search(experiment_id, where, ["attributes.start_time DESC"], 1)
    if not found:
        raise RunNotFoundError(f"experiment {experiment!r} has no sweep of study {study!r}")
    return found[0]


def winner_run(tracker: TrackingStore, parent: RunRecord) -> RunRecord:
    """The run of the sweep's winner, as its last conclusion recorded it."""
    run_id = ParentTags.read(parent.tags).best_run_id
    if run_id is None:
        raise RunNotFoundError(
            f"sweep {parent.name!r} has no winner yet (not concluded): give --trial N"
        )
    return fetch_run(tracker, run_id)


def trial_run(tracker: TrackingStore, parent: RunRecord, number: int) -> RunRecord:
    """The run of trial ``number`` of the parent's study."""
    study = ParentTags.read(parent.tags).study or parent.name
    where = runs_of(TRIAL, study, **{TRIAL_NUMBER_TAG: number})
    found = tracker.search(parent.experiment_id, where, ["attributes.start_time DESC"], 1)
    if not found:
        raise RunNotFoundError(f"study {study!r} has no trial {number}")
    return found[0]


def export_trial(tracker: TrackingStore, run: RunRecord, name: str | None = None) -> Export:
    """The trial logged on ``run`` as a one-trial sweep file named ``name`` (default:
    ``<sweep>-best`` for the sweep's winner, ``<sweep>-trial-<N>`` otherwise)."""
    record = TrialTags.read(run.tags)
    if record.role != TRIAL:
        raise RunNotFoundError(f"run {run.run_id} is not a sweep trial")
    logged = tracker.read_json(run.run_id, "trial_config.json")
    try:
        cfg = SweepConfig.model_validate(logged["config"])
        estimator = dict(logged["estimator"])
        seed = int(estimator["random_state"])
    except (KeyError, TypeError, ValueError, ValidationError) as exc:
        where = f"run {run.run_id}: trial_config.json"
        raise ReproductionError(f"{where} is unusable ({exc})") from None
    number = -1 if record.number is None else record.number
    name = name or _default_name(tracker, run, cfg.name, number)
    raw, dropped = pinned(cfg, estimator, name, number, run.run_id)
    header = _header(cfg, run, number, seed, dropped)
    return Export(header + _dump(raw), name)


def _default_name(tracker: TrackingStore, run: RunRecord, sweep: str, number: int) -> str:
    parent = tracker.run(run.tags.get(PARENT_RUN_TAG, ""))
    winner = parent is not None and ParentTags.read(parent.tags).best_run_id == run.run_id
    return f"{sweep}-best" if winner else f"{sweep}-trial-{number}"


def pinned(
    cfg: SweepConfig, estimator: dict[str, Any], name: str, number: int, run_id: str
) -> tuple[dict[str, Any], list[str]]:
    """The pinned config as plain data (validated), and the store keys dropped because the
    log redacted their password."""
    raw = cfg.model_dump(mode="json")
    raw.update(
        name=name,
        description=f"Trial {number} of sweep {cfg.name} (run {run_id}), pinned.",
        model=estimator,
        space={},
    )
    raw["selection"]["confirm"]["top"] = 0
    study = raw["study"]
    study.update(name=None, n_trials=1, timeout=None, enqueue=[])
    study.update(sampler={"type": "random"}, pruner={"type": "none"})
    raw["tracking"]["model_name"] = None
    dropped = [
        f"{section}.{key}"
        for section, key in (("study", "storage"), ("tracking", "uri"))
        if REDACTED in str(raw[section][key] or "")
    ]
    for path in dropped:
        section, key = path.split(".")
        raw[section][key] = None
    SweepConfig.model_validate(raw)  # what `sweeps run` will accept
    return raw, dropped


def _dump(raw: dict[str, Any]) -> str:
    """YAML without the keys left at their defaults, except the seeds and the (empty) space,
    shown in full."""
    compact = SweepConfig.model_validate(raw).model_dump(mode="json", exclude_defaults=True)
    ordered = {key: raw[key] if key in SHOWN_IN_FULL else compact.get(key) for key in ORDER}
    ordered = {k: v for k, v in ordered.items() if v is not None}
    return yaml.safe_dump(ordered, sort_keys=False, default_flow_style=None, width=100)


def _header(cfg: SweepConfig, run: RunRecord, number: int, seed: int, dropped: list[str]) -> str:
    lines = [
        f"Trial {number} of sweep {cfg.name} (run {run.run_id}) as a one-trial sweep file:",
        "every value it trained with is fixed in `model`, its seed too (random_state",
        f"{seed}); nothing is searched. Run it with: sweeps run FILE; it retrains bit for bit.",
    ]
    lines += [f"{key} dropped: its password was redacted in the log." for key in dropped]
    return "".join(f"# {line}\n" for line in lines)
