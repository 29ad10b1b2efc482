"""The Optuna objective: sample, train one MLP, report per epoch, record the trial in MLflow."""

from __future__ import annotations

import contextlib
import math
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import optuna

from pipeline import DivergenceError, EpochRecord, MLPClassifier, MLPRegressor, weights_digest
from sweeps.config import SweepConfig
from sweeps.errors import StoreError
from sweeps.infra import signals
from sweeps.search.dataset import SweepData
from sweeps.space import hidden_layers, suggest
from sweeps.tracking import Tracker, TrialRun

PER_EPOCH = ("val_loss", "val_accuracy", "val_r2")
WORKER = f"{socket.gethostname()}:{os.getpid()}"
STATUS = {"COMPLETE": "FINISHED", "PRUNED": "KILLED", "FAIL": "FAILED"}


class NonFiniteObjective(ArithmeticError):
    """The trial produced a NaN or infinite objective value; it must not be COMPLETE."""


def trial_seed(sweep_seed: int, trial_number: int) -> int:
    """A reproducible per-trial seed derived from the sweep seed and the trial number."""
    return int(np.random.SeedSequence([sweep_seed, trial_number]).generate_state(1)[0])


def estimator_kwargs(fixed: dict[str, Any], sampled: dict[str, Any], seed: int) -> dict[str, Any]:
    """The MLP's keywords: fixed ones, sampled ones, depth x width mapped, and the seed."""
    return {**hidden_layers({**fixed, **sampled}), "random_state": seed}


def make_estimator(task: str, kwargs: dict[str, Any]) -> MLPClassifier | MLPRegressor:
    """An unfitted MLP for ``task``."""
    cls = MLPClassifier if task == "classification" else MLPRegressor
    return cls(**kwargs)


def epoch_metrics(record: EpochRecord) -> dict[str, float]:
    """The per-epoch metrics logged to MLflow and reported to Optuna."""
    values = {"train_loss": record.train_loss}
    if record.val_loss is not None:
        values["val_loss"] = record.val_loss
    values.update({f"val_{k}": v for k, v in record.val_metrics.items()})
    return values


@dataclass
class EpochReporter:
    """Fit callback: buffers each epoch to the run and reports/prunes through Optuna."""

    trial: optuna.Trial
    run: TrialRun
    metric: str | None
    report_every: int = 1
    records: list[EpochRecord] = field(default_factory=list)
    linked: bool = False

    def link(self, wait: bool) -> None:
        """Record the run's id on the trial once the tracking store has returned it."""
        if self.linked:
            return
        run_id = self.run.resolved_id(wait)
        if run_id is not None:
            self.trial.set_user_attr("mlflow_run_id", run_id)
            self.linked = True

    def __call__(self, record: EpochRecord) -> None:
        """Buffer the epoch's metrics; report to Optuna and raise TrialPruned if it says so."""
        signals.check()
        self.link(wait=False)
        self.records.append(record)
        values = epoch_metrics(record)
        self.run.add_metrics(values, step=record.epoch)
        if self.metric is None or self.metric not in values or record.epoch % self.report_every:
            return
        self.trial.report(values[self.metric], record.epoch)
        if self.trial.should_prune():
            value = values[self.metric]
            raise optuna.TrialPruned(f"pruned at epoch {record.epoch}: {self.metric}={value:.6g}")


@dataclass
class SweepContext:
    """What every trial of a sweep shares: config, data, tracking handles and base tags."""

    cfg: SweepConfig
    data: SweepData
    tracker: Tracker
    experiment_id: str
    parent_run_id: str
    base_tags: dict[str, str]


class Objective:
    """Callable objective for ``study.optimize``; ``on_start`` runs first (admission release)."""

    def __init__(self, ctx: SweepContext, on_start: Callable[[], None] | None = None) -> None:
        self.ctx = ctx
        self.on_start = on_start
        metrics = ctx.cfg.objective.metric
        self.report_metric = metrics[0] if len(metrics) == 1 and metrics[0] in PER_EPOCH else None
        self.public_config = ctx.cfg.public_dict()  # once per sweep, not per trial

    def __call__(self, trial: optuna.Trial) -> float | tuple[float, ...]:
        """Train one trial's MLP and return its objective value(s); the run ends with a status."""
        if self.on_start is not None:
            self.on_start()
        cfg = self.ctx.cfg
        sampled = suggest(trial, cfg.space)
        seed = trial_seed(cfg.seed, trial.number)
        kwargs = estimator_kwargs(cfg.model, sampled, seed)
        run = self._open_run(trial, kwargs, seed)
        reporter = EpochReporter(trial, run, self.report_metric, cfg.study.report_every)
        try:
            self._link(trial, reporter, kwargs)
            model = self._fit(kwargs, reporter)
            values = self._values(model, reporter)
        except BaseException as exc:
            raise _close_failed(trial, run, reporter, exc) from None
        _close_complete(run, model, reporter)
        return values[0] if len(values) == 1 else values

    def _open_run(self, trial: optuna.Trial, kwargs: dict[str, Any], seed: int) -> TrialRun:
        ctx = self.ctx
        tags = {
            **ctx.base_tags,
            "sweeps.trial_number": str(trial.number),
            "sweeps.seed": str(seed),
            "sweeps.state": "RUNNING",
            "sweeps.worker": WORKER,
        }
        params = {**ctx.cfg.model, **trial.params, **kwargs}
        name = f"trial-{trial.number:03d}"
        return ctx.tracker.start_run(ctx.experiment_id, name, tags, params, ctx.parent_run_id)

    def _link(self, trial: optuna.Trial, reporter: EpochReporter, kwargs: dict[str, Any]) -> None:
        """Record on the trial its worker, exact keywords (for reproduce) and, once known,
        its run."""
        reporter.run.add_json(
            {"config": self.public_config, "estimator": kwargs}, "trial_config.json"
        )
        reporter.link(wait=False)
        trial.set_user_attr("worker", WORKER)
        trial.set_user_attr("estimator", _jsonable(kwargs))

    def _fit(self, kwargs: dict[str, Any], reporter: EpochReporter) -> Any:
        prepared = self.ctx.data.prepared
        model = make_estimator(self.ctx.data.task, kwargs)
        start = time.perf_counter()
        model.fit(
            prepared.X_train,
            prepared.y_train,
            X_val=prepared.X_val,
            y_val=prepared.y_val,
            callbacks=[reporter],
        )
        model.fit_seconds_ = time.perf_counter() - start
        return model

    def _values(self, model: Any, reporter: EpochReporter) -> tuple[float, ...]:
        final = selected_metrics(model, reporter.records)
        values = tuple(final[m] for m in self.ctx.cfg.objective.metric)
        if not all(math.isfinite(v) for v in values):
            raise NonFiniteObjective(f"objective is not finite: {values}")
        return values


def selected_metrics(model: Any, records: list[EpochRecord]) -> dict[str, float]:
    """Metrics of the model as selected (the restored best epoch), plus its size."""
    best = records[model.best_epoch_ - 1]
    return {**epoch_metrics(best), "n_params": float(model.n_params_)}


def _close_complete(run: TrialRun, model: Any, reporter: EpochReporter) -> None:
    reporter.link(wait=True)
    final = selected_metrics(model, reporter.records)
    metrics = {f"final_{k}": v for k, v in final.items() if k != "n_params"}
    metrics.update(
        n_params=final["n_params"],
        n_epochs=model.n_epochs_,
        best_epoch=model.best_epoch_,
        fit_seconds=model.fit_seconds_,
    )
    arrays = {f"coef_{i}": w for i, w in enumerate(model.coefs_)}
    arrays.update({f"intercept_{i}": b for i, b in enumerate(model.intercepts_)})
    run.add_arrays(arrays, "weights.npz")
    tags = {"sweeps.state": "COMPLETE", "sweeps.weights_sha256": weights_digest(model)}
    run.finish(STATUS["COMPLETE"], metrics, tags)


def _close_failed(
    trial: optuna.Trial, run: TrialRun, reporter: EpochReporter, exc: BaseException
) -> BaseException:
    """Close the run for a trial that did not complete; return the exception to raise."""
    reached = reporter.records[-1].epoch if reporter.records else 0
    if isinstance(exc, optuna.TrialPruned | DivergenceError):
        state, status, reason = "PRUNED", "KILLED", str(exc)
        exc = exc if isinstance(exc, optuna.TrialPruned) else optuna.TrialPruned(reason)
    elif isinstance(exc, KeyboardInterrupt):
        state, status, reason = "FAIL", "KILLED", "interrupted"
    else:
        state, status, reason = "FAIL", "FAILED", f"{type(exc).__name__}: {exc}"
    trial.set_user_attr("reason", reason[:1000])
    with contextlib.suppress(StoreError):  # a dead writer: the run is closed by tags later
        reporter.link(wait=True)
    tags = {"sweeps.state": state, "sweeps.reason": reason[:5000], "sweeps.epochs_reached": reached}
    run.finish(status, tags=tags)
    return exc


def _jsonable(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Keywords as JSON-friendly values (tuples become lists) for Optuna's user attrs."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()}
