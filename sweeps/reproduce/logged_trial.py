"""A logged trial as its run recorded it, checked against the data, and trained again.

The run's ``trial_config.json`` holds the resolved config and the exact MLP keywords (seed
included); its tags hold the data fingerprint and split hashes, which must match the data as
it loads now. A COMPLETE trial is retrained in full and compared on its final metrics and
weight digest; a PRUNED or FAILED one is trained to the epoch it reached and compared on that
epoch's values. Training runs with the BLAS thread count the trial logged. The test split is
never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ValidationError

from pipeline import EpochRecord
from sweeps.core.dataset import SweepData, check_capacity
from sweeps.core.trial import curve_metrics, train_trial
from sweeps.errors import ConfigError, ReproductionError, RunNotFoundError
from sweeps.records import (
    DATA_FINGERPRINT_TAG,
    EPOCHS_REACHED_TAG,
    FINAL_EXTRA,
    FOLDS,
    FOLDS_K_TAG,
    ROLE_TAG,
    SEED_TAG,
    TRIAL,
    TrialTags,
    current_metric,
    is_curve,
    is_kept_metric,
    split_tag,
)
from sweeps.spec.keywords import check_estimator
from sweeps.spec.limits import Limits
from sweeps.spec.reading import describe_validation_error
from sweeps.spec.schema import SweepConfig
from sweeps.tracking import TrackingStore, fetch_run

__all__: list[str] = []  # nothing here for other packages

DATA_TAGS = {
    DATA_FINGERPRINT_TAG: "fingerprint",
    split_tag("train"): "train split",
    split_tag("validation"): "validation split",
    split_tag("test"): "test split",
}


@dataclass(frozen=True)
class LoggedTrial:
    """A logged trial: its run, resolved config, MLP keywords, tags, params and metrics."""

    run_id: str
    experiment_id: str
    run_name: str
    cfg: SweepConfig
    estimator: dict[str, Any]
    tags: dict[str, str]
    params: dict[str, str]
    metrics: dict[str, float]

    @property
    def record(self) -> TrialTags:
        """What the run's tags say of the trial."""
        return TrialTags.read(self.tags)

    @property
    def state(self) -> str:
        """COMPLETE, PRUNED or FAIL, as the sweep recorded it."""
        return self.record.state or "unknown"

    @property
    def seed(self) -> int:
        """The MLP's ``random_state``."""
        return int(self.estimator["random_state"])

    @property
    def epochs(self) -> int | None:
        """For a trial that did not complete: the last epoch it finished (None otherwise)."""
        return None if self.state == "COMPLETE" else int(self.tags[EPOCHS_REACHED_TAG])

    @property
    def folds(self) -> int:
        """How many folds the trial was scored on (1: one validation split)."""
        return _folds(self.tags)

    def compared(self) -> dict[str, float]:
        """The logged values a reproduction must match: final metrics, or the last epoch's."""
        complete = self.state == "COMPLETE"
        return {k: v for k, v in self.metrics.items() if _is_compared(k, complete)}

    def blas_threads(self) -> int | None:
        """The BLAS thread count the trial trained with, when logged."""
        return self.record.blas_threads


def _is_compared(name: str, complete: bool) -> bool:
    if complete:
        return name in FINAL_EXTRA or is_kept_metric(name) or name.startswith(FOLDS)
    return is_curve(name)  # the last epoch's curves


def _folds(tags: dict[str, str]) -> int:
    value = tags.get(FOLDS_K_TAG, "1")
    return int(value) if value.isdigit() else 1


def current_metrics(metrics: dict[str, float], tags: dict[str, str]) -> dict[str, float]:
    """A run's metrics under the names this version writes (a run an older sweeps logged has
    ``fold_<i>_*``, ``*_std`` and, on folds, ``epoch/*`` curves): reproduced values compare."""
    folds = _folds(tags)
    return {current_metric(name, folds): value for name, value in metrics.items()}


@dataclass(frozen=True)
class Outcome:
    """One retraining: the seed, per-epoch records, the compared values, the weights and,
    for a complete trial, its out-of-fold predictions."""

    seed: int
    records: list[EpochRecord]
    values: dict[str, float]
    digest: str
    oof: np.ndarray | None = None


def load_original(tracker: TrackingStore, run_id: str) -> LoggedTrial:
    """Read a trial's run and its ``trial_config.json``; refuse runs that cannot be retrained."""
    run = fetch_run(tracker, run_id)
    tags = dict(run.tags)
    if tags.get(ROLE_TAG) != TRIAL:
        role = tags.get(ROLE_TAG, "none")
        raise RunNotFoundError(f"run {run_id} is not a sweep trial ({ROLE_TAG}={role})")
    read = tracker.read_logged(run_id, "trial_config.json")  # refused if changed since logged
    logged = read.value
    try:
        cfg = SweepConfig.model_validate(logged["config"])
        estimator = dict(logged["estimator"])
        int(estimator["random_state"])
        if "hidden_layer_sizes" in estimator:
            estimator["hidden_layer_sizes"] = tuple(estimator["hidden_layer_sizes"])
    except ValidationError as exc:  # exit 2, one line: a bad config, as a sweep file's is
        detail = describe_validation_error(exc)
        raise ConfigError(f"run {run_id}: trial_config.json: config.{detail}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"run {run_id}: trial_config.json is unusable ({exc})") from None
    if not read.verified:
        check_default_limits(cfg.limits, f"run {run_id}: trial_config.json")
    original = LoggedTrial(
        run_id, run.experiment_id, run.name, cfg, estimator, tags,
        dict(run.params), current_metrics(dict(run.metrics), tags),
    )  # fmt: skip
    _check_retrainable(original)
    return original


def check_default_limits(limits: Limits, where: str) -> None:
    """Raise :class:`ConfigError` for a size cap above its default in a logged config whose
    digest the run did not record (logged before digests were): nothing proves the raised cap
    was the sweep's rather than an edit made together with the sizes it lets through."""
    defaults = Limits()
    for name in Limits.model_fields:
        value, default = getattr(limits, name), getattr(defaults, name)
        if value > default:
            raise ConfigError(
                f"{where}: limits.{name} is {value:,}, above its default {default:,}, and the "
                "run recorded no digest of the file to prove it was logged so"
            )


def _check_retrainable(original: LoggedTrial) -> None:
    where = f"run {original.run_id}"
    if original.state not in ("COMPLETE", "PRUNED", "FAIL"):
        raise ReproductionError(f"{where} is {original.state}: nothing to compare with yet")
    if str(original.seed) != original.record.seed:
        raise ReproductionError(f"{where}: trial_config.json and tag {SEED_TAG} disagree")
    if original.state != "COMPLETE":
        if not original.tags.get(EPOCHS_REACHED_TAG, "").isdigit():
            raise ReproductionError(f"{where} ({original.state}) logged no {EPOCHS_REACHED_TAG}")
        if original.epochs == 0:
            raise ReproductionError(f"{where} stopped before its first epoch: nothing to retrain")


def check_data(original: LoggedTrial, data: SweepData) -> None:
    """Refuse (naming the file and what changed) unless fingerprint and splits match the run."""
    now = data.fingerprint_tags()
    changes = []
    for tag, what in DATA_TAGS.items():
        logged = original.tags.get(tag)
        if logged is None:
            changes.append(f"{what} was not logged (tag {tag})")
        elif logged != now[tag]:
            changes.append(f"{what} logged {logged[:12]}, now {now[tag][:12]}")
    if changes:
        name = data.table.path or data.table.name
        raise ReproductionError(
            f"refusing to reproduce run {original.run_id}: data changed: {name}: "
            + "; ".join(changes)
        )


def retrain(data: SweepData, original: LoggedTrial, seed: int | None = None) -> Outcome:
    """Train as the trial did (its keywords and seed unless ``seed`` is given), to the epoch
    it reached when it did not complete; return the values :meth:`LoggedTrial.compared` names."""
    kwargs = trained_keywords(original, seed)
    try:  # sizes first: the values check would read every layer of a tampered network
        check_capacity(data.prepared, data.task, original.cfg.limits, kwargs, {})
        check_estimator(kwargs, data.task)
    except ValueError as exc:
        where = f"run {original.run_id}: trial_config.json: estimator"
        raise ConfigError(f"{where}: {exc}") from None
    trained = train_trial(data, kwargs, scope="trial" if original.epochs is None else "first")
    last = trained.records[-1]
    if original.epochs is None:
        values, oof = trained.final_metrics(), trained.out_of_fold(data)
    else:
        at_end = last.epoch == original.epochs
        values, oof = (curve_metrics(last, original.folds) if at_end else {}), None
    return Outcome(kwargs["random_state"], trained.records, values, trained.digest(), oof)


def trained_keywords(original: LoggedTrial, seed: int | None = None) -> dict[str, Any]:
    """The MLP keywords of a retraining: the logged ones, capped at the epoch reached."""
    kwargs = dict(original.estimator)
    if seed is not None:
        kwargs["random_state"] = seed
    if original.epochs is not None:
        kwargs["max_epochs"] = original.epochs
    return kwargs
