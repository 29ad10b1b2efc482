"""The Optuna objective: sample, train one MLP, report per epoch, record the trial in MLflow."""

from __future__ import annotations

import contextlib
import math
import os
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import optuna
from optuna.trial import TrialState

from pipeline import DivergenceError, EpochRecord
from sweeps.core.dataset import SweepData
from sweeps.core.sweep import Sweep
from sweeps.core.trial import (
    OOF_ARTIFACT,
    WEIGHTS_ARTIFACT,
    TrainedTrial,
    curve_metrics,
    epoch_metrics,
    estimator_kwargs,
    oof_arrays,
    train_trial,
    trial_seed,
)
from sweeps.errors import StoreError
from sweeps.infra import signals
from sweeps.infra.urls import redact_text
from sweeps.records import (
    ESTIMATOR_ATTR,
    PER_EPOCH,
    REASON_ATTR,
    RUN_ID_ATTR,
    WORKER_ATTR,
    run_name,
    trial_completed_tags,
    trial_ended_tags,
    trial_opened_tags,
)
from sweeps.search.pruning import pruned_reason
from sweeps.study.suggest import suggest
from sweeps.tracking import TrialRun

__all__: list[str] = []  # nothing here for other packages

WORKER = f"{socket.gethostname()}:{os.getpid()}"
#: MLflow status of a trial's run by Optuna state. A pruned trial did its job (it was scored
#: and stopped early): FINISHED, not an error; its name and ``sweeps.state`` say pruned.
STATUS = {"COMPLETE": "FINISHED", "PRUNED": "FINISHED", "FAIL": "FAILED"}
#: The pruner's kind, its settings and whether the objective is minimised.
Pruning = tuple[str, dict[str, Any], bool]


class NonFiniteObjective(ArithmeticError):
    """The trial produced a NaN or infinite objective value; it must not be COMPLETE."""


@dataclass
class EpochReporter:
    """Fit callback: buffers each epoch to the run and reports/prunes through Optuna."""

    trial: optuna.Trial
    run: TrialRun
    metric: str | None
    report_every: int = 1
    ask_from: int = 0  # the pruner cannot prune before this step: no need to ask it
    pruner: Pruning | None = None  # what the pruner compares, for the reason
    reached: int = 0
    reported: dict[int, float] = field(default_factory=dict)
    folds: int = 0  # the trial's folds: its curves are the first fold's (``fold0/``)

    def __call__(self, record: EpochRecord) -> None:
        """Buffer the epoch's metrics; report to Optuna and raise TrialPruned if it says so.
        A signal raises here, before the stores are written, or at the next epoch: never
        inside a store's call, where it would cut a write halfway."""
        signals.check()
        with signals.deferred():
            self._record(record)

    def _record(self, record: EpochRecord) -> None:
        self.reached = record.epoch
        values = epoch_metrics(record)
        self.run.add_metrics(curve_metrics(record, self.folds), step=record.epoch)
        if record.epoch == 1:  # params and the first epoch on record at once: a killed
            self.run.flush()  # worker's run keeps them
        if self.metric is None or self.metric not in values or record.epoch % self.report_every:
            return
        self.trial.report(values[self.metric], record.epoch)
        self.reported[record.epoch] = values[self.metric]
        if record.epoch >= self.ask_from and self.trial.should_prune():
            raise optuna.TrialPruned(self.reason(record.epoch))

    def reason(self, epoch: int) -> str:
        """Why the trial is pruned at ``epoch``, against what (:mod:`~sweeps.search.pruning`)."""
        assert self.metric is not None
        if self.pruner is None:
            return f"pruned at epoch {epoch}: {self.metric} {self.reported[epoch]:.6g}"
        complete = self.trial.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        kind, settings, minimize = self.pruner
        return pruned_reason(kind, settings, minimize, epoch, self.metric, self.reported, complete)


def log10_params(sweep: Sweep, trial: optuna.Trial) -> dict[str, float]:
    """``log10_<name>`` of each parameter searched on a log scale: MLflow's charts (parallel
    coordinates, scatter, contour) draw params on linear axes only, where a learning rate
    from 1e-4 to 0.1 is squeezed against zero."""
    return {
        f"log10_{name}": round(math.log10(trial.params[name]), 6)
        for name, spec in sweep.cfg.space.items()
        if getattr(spec, "log", False) and trial.params.get(name, 0) > 0
    }


def silent_steps(kind: str, settings: dict[str, Any]) -> int:
    """The first step at which pruner ``kind`` built with ``settings`` may prune: Optuna's
    median and percentile pruners never prune a step below their ``n_warmup_steps``, yet
    read every finished trial to say so. Not asking them there saves those reads and changes
    no decision (tested)."""
    return int(settings.get("n_warmup_steps", 0)) if kind in ("median", "percentile") else 0


class Objective:
    """Callable objective for ``study.optimize``."""

    def __init__(self, sweep: Sweep) -> None:
        self.sweep = sweep
        metrics = sweep.cfg.objective.metric
        self.report_metric = metrics[0] if len(metrics) == 1 and metrics[0] in PER_EPOCH else None
        self.public_config = sweep.cfg.public_dict()  # once per sweep, not per trial
        self.ask_from = silent_steps(sweep.cfg.study.pruner.type, sweep.cfg.pruner_settings)
        minimize = sweep.cfg.objective.directions[0] == "minimize"
        self.pruning: Pruning = (sweep.cfg.study.pruner.type, sweep.cfg.pruner_settings, minimize)

    def __call__(
        self, trial: optuna.Trial, on_start: Callable[[], None] | None = None
    ) -> float | tuple[float, ...]:
        """Train one trial's MLP and return its objective value(s); the run ends with a status.
        ``on_start`` runs first, once the trial exists (the worker loop's admission ends)."""
        cfg = self.sweep.cfg
        seed = cfg.model.get("random_state", trial_seed(cfg.seed, trial.number))
        with signals.deferred():  # a signal waits until the run exists: the trial is on record
            if on_start is not None:
                on_start()
            try:
                sampled = suggest(trial, cfg.space)
            except BaseException as exc:  # the sampler failed: still on record
                run = self._open_run(trial, {}, seed)
                raise _close_failed(trial, run, EpochReporter(trial, run, None), exc) from None
            kwargs = estimator_kwargs(cfg.model, sampled, seed)
            run = self._open_run(trial, kwargs, seed)
        reporter = EpochReporter(
            trial, run, self.report_metric, cfg.study.report_every, self.ask_from, self.pruning
        )
        reporter.folds = len(self.sweep.data.folds)
        try:
            self._link(trial, reporter, kwargs)
            with signals.allowed():  # the training; raises one that arrived before it
                trained = train_trial(self.sweep.data, kwargs, [reporter])
            values = self._values(trained)
        except BaseException as exc:
            raise _close_failed(trial, run, reporter, exc) from None
        with signals.deferred():  # a completed trial is closed whole; the worker loop stops next
            _close_complete(run, trained, reporter, self.sweep.data)
            run.wait_written()  # a COMPLETE trial's artifacts are in the store, or it fails
        return values[0] if len(values) == 1 else values

    def _open_run(self, trial: optuna.Trial, kwargs: dict[str, Any], seed: int) -> TrialRun:
        sweep = self.sweep
        tags = {**sweep.trial_tags, **trial_opened_tags(trial.number, seed, WORKER)}
        params = {**sweep.cfg.model, **trial.params, **kwargs, **log10_params(sweep, trial)}
        name = run_name(trial.number)
        run = sweep.tracker.start_run(sweep.experiment_id, name, tags, params, sweep.parent_run_id)
        run.on_id(lambda run_id: trial.set_user_attr(RUN_ID_ATTR, run_id))  # once it exists
        return run

    def _link(self, trial: optuna.Trial, reporter: EpochReporter, kwargs: dict[str, Any]) -> None:
        """Record on the trial its worker and exact keywords (for reproduce)."""
        reporter.run.add_json(
            {"config": self.public_config, "estimator": kwargs}, "trial_config.json"
        )
        trial.set_user_attr(WORKER_ATTR, WORKER)
        trial.set_user_attr(ESTIMATOR_ATTR, _jsonable(kwargs))

    def _values(self, trained: TrainedTrial) -> tuple[float, ...]:
        selected = trained.selected()
        values = tuple(selected[m] for m in self.sweep.cfg.objective.metric)
        if not all(math.isfinite(v) for v in values):
            raise NonFiniteObjective(f"objective is not finite: {values}")
        return values


def _close_complete(
    run: TrialRun, trained: TrainedTrial, reporter: EpochReporter, data: SweepData
) -> None:
    """Every fit's weights and the out-of-fold predictions (what the conclusion chooses the
    champion from), the final metrics, then the run closed."""
    run.add_arrays(trained.arrays(), WEIGHTS_ARTIFACT)
    run.add_arrays(oof_arrays(trained, data), OOF_ARTIFACT)
    tags = trial_completed_tags(trained.digest())
    final = {**trained.final_metrics(), "fit_seconds": trained.seconds}
    run.finish(STATUS["COMPLETE"], final, tags)


def _close_failed(
    trial: optuna.Trial, run: TrialRun, reporter: EpochReporter, exc: BaseException
) -> BaseException:
    """Close the run for a trial that did not complete; return the exception to raise."""
    reached = reporter.reached
    if isinstance(exc, optuna.TrialPruned | DivergenceError):
        state, status, reason = "PRUNED", STATUS["PRUNED"], str(exc)
        exc = exc if isinstance(exc, optuna.TrialPruned) else optuna.TrialPruned(reason)
    elif isinstance(exc, KeyboardInterrupt):
        state, status, reason = "FAIL", "KILLED", "interrupted"
    else:
        state, status, reason = "FAIL", "FAILED", f"{type(exc).__name__}: {exc}"
    with contextlib.suppress(Exception):  # the study storage may be the store that failed
        trial.set_user_attr(REASON_ATTR, redact_text(reason)[:1000])
    if isinstance(exc, StoreError):  # the run cannot be written now: closed on resume
        return exc
    reason = redact_text(reason)
    tags = trial_ended_tags(trial.number, state, reason[:5000], reached)
    if state == "FAIL" and not isinstance(exc, KeyboardInterrupt):
        run.add_text(redact_text("".join(traceback.format_exception(exc))), "error.txt")
    run.finish(status, tags=tags)
    return exc


def _jsonable(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Keywords as JSON-friendly values (tuples become lists) for Optuna's user attrs."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()}
