"""The schema of a sweep file: one sweep's data, split, model, space, objective, study and
tracking, as frozen pydantic v2 models (read and overridden by :mod:`sweeps.spec.reading`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    field_validator,
    model_validator,
)

from pipeline.data.levels import DEFAULT_MAX_LEVELS, DEFAULT_MIN_LEVEL_ROWS
from pipeline.mlp.hyperparams import DEFAULTS as MLP_DEFAULTS
from pipeline.mlp.hyperparams import REGRESSION_ONLY
from sweeps.infra.urls import redact
from sweeps.records import MAXIMIZED, TASK_METRICS, Task
from sweeps.spec.components import (
    PRUNER_NAMES,
    SAMPLER_NAMES,
    SINGLE_OBJECTIVE,
    pruner_settings,
    sampler_settings,
)
from sweeps.spec.keywords import (
    check_enqueued,
    check_model_keys,
    check_model_overlap,
    check_model_values,
)
from sweeps.spec.limits import Limits, check_network
from sweeps.spec.space import CategoricalParam, Int, ParamSpec, Real

__all__ = ["BuiltinData", "Direction", "FileData", "SweepConfig", "Task", "check_task", "safe_name"]

Direction = Literal["minimize", "maximize"]
#: ``selection.folds: auto`` cross-validates tables with fewer non-test rows than this.
AUTO_FOLDS_BELOW = 2000
AUTO_FOLDS = 5


class BuiltinSet(NamedTuple):
    """A built-in data set (loaded by :func:`pipeline.load_builtin`): its task, and the
    model's inputs and outputs (two classes: one output), known without loading it."""

    task: Task
    inputs: int
    outputs: int


#: Every built-in data set by name (a test checks them against the data pipeline loads).
BUILTIN_SETS: dict[str, BuiltinSet] = {
    "breast_cancer": BuiltinSet("classification", 30, 1),
    "wine": BuiltinSet("classification", 13, 3),
    "iris": BuiltinSet("classification", 4, 3),
    "digits": BuiltinSet("classification", 64, 10),
    "diabetes": BuiltinSet("regression", 10, 1),
}
#: A name that becomes a path or a registry name: ``name``, ``study.name``,
#: ``tracking.model_name`` (the report folder is named after the study).
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
MAX_NAME_LENGTH = 100
#: ``description`` is copied into every trial's logged config and the report.
MAX_DESCRIPTION = 10_000
#: ``selection.confirm``: at most this many trials, and seeds each (every one a retraining).
MAX_CONFIRM = 100
#: ``selection.ensemble``: candidate trials, and greedy steps.
MAX_ENSEMBLE_TOP = 100
MAX_ENSEMBLE_SIZE = 1000
#: ``study.heartbeat_interval`` at most an hour, ``study.grace_period`` at most a day (seconds):
#: larger values overflow the heartbeat thread's clock arithmetic long before they make sense.
MAX_HEARTBEAT = 3600
MAX_GRACE = 86_400
#: ``study.max_retry``: a trial whose worker keeps dying is not retried without end.
MAX_RETRY = 100
#: A seed NumPy, scikit-learn and Optuna all accept.
Seed = Annotated[int, Strict(), Field(ge=0, lt=2**32)]


def refuse_in_memory(url: str | None, example: str) -> str | None:
    """``url``, unless it names an in-memory SQLite database (``sqlite://``,
    ``sqlite:///:memory:``): a store that vanishes with the process cannot be resumed, shared
    by workers or read by another command."""
    if url is None or not url.startswith("sqlite:"):
        return url
    database = url.removeprefix("sqlite:").lstrip("/").split("?")[0]
    if database in ("", ":memory:") or "mode=memory" in url or database.startswith(":memory:"):
        raise ValueError(
            f"{url} is an in-memory database: it vanishes with this process, so the sweep "
            f"could not be resumed, joined by workers or read by other commands; use a file "
            f"(e.g. {example})"
        )
    return url


def safe_name(value: str) -> str:
    """``value`` if it is a safe file and registry name: letters, digits, ``_ . -``, not
    starting with ``.``, ``-`` or ``_``, at most :data:`MAX_NAME_LENGTH` characters."""
    if len(value) <= MAX_NAME_LENGTH and SAFE_NAME.fullmatch(value):
        return value
    shown = value if len(value) <= 40 else value[:40] + "..."
    raise ValueError(
        f"{shown!r} is not a safe name: use letters, digits, _ . - (starting with a letter or "
        f"digit), at most {MAX_NAME_LENGTH} characters"
    )


SafeName = Annotated[str, AfterValidator(safe_name)]


def _one_of(value: str, names: Iterable[str]) -> str:
    if value not in names:
        raise ValueError(f"Input should be one of {', '.join(map(repr, names))}")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BuiltinData(_Strict):
    """A dataset bundled with scikit-learn."""

    source: Literal["builtin"]
    name: Literal["breast_cancer", "wine", "iris", "digits", "diabetes"]

    @property
    def task(self) -> Task:
        """The task this dataset is for."""
        return BUILTIN_SETS[self.name].task


class FileData(_Strict):
    """A CSV or Parquet file with a named target column (path relative to the working directory)."""

    source: Literal["file"]
    path: Path
    target: str
    task: Task | None = None
    drop_columns: tuple[str, ...] = ()
    na_values: tuple[str, ...] = ()
    on_junk: Literal["coerce", "error"] = "coerce"
    columns: dict[str, Literal["numeric", "categorical", "drop"]] = Field(default_factory=dict)
    max_levels: Int | None = Field(default=DEFAULT_MAX_LEVELS, ge=2)
    min_level_rows: Int = Field(default=DEFAULT_MIN_LEVEL_ROWS, ge=1)

    @field_validator("na_values", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        """Missing-value tokens are compared as text: ``-999`` and ``"-999"`` are the same."""
        if isinstance(value, str | int | float):
            value = [value]
        if isinstance(value, list | tuple):
            return [_token(v) for v in value]
        return value


def _token(value: Any) -> Any:
    """A missing-value token as text. A bare ``?`` in a YAML list is YAML's "complex key"
    marker and parses as ``{None: None}``: read it as the ``?`` the user typed."""
    if value == {None: None}:
        return "?"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


class GeneratedData(_Strict):
    """``make_classification`` / ``make_regression`` with given sizes."""

    source: Literal["generated"]
    task: Task
    n_samples: Int = Field(gt=0)
    n_features: Int = Field(gt=0)
    n_informative: Int | None = Field(default=None, gt=0)
    n_classes: Int = Field(default=2, ge=2)
    noise: Real = Field(default=0.0, ge=0)
    seed: Seed = 0

    @model_validator(mode="after")
    def _consistent(self) -> GeneratedData:
        """Checked here, not by scikit-learn: its arrays would be allocated first."""
        informative, features = self.n_informative, self.n_features
        if informative is not None and informative > features:
            raise ValueError(f"n_informative ({informative}) must be <= n_features ({features})")
        if self.n_classes > self.n_samples:
            raise ValueError(
                f"n_classes ({self.n_classes}) must be <= n_samples ({self.n_samples})"
            )
        return self

    @property
    def shape(self) -> tuple[int, int]:
        """The model's inputs and outputs (two classes, or a regression target: one output)."""
        outputs = self.n_classes if self.task == "classification" and self.n_classes > 2 else 1
        return self.n_features, outputs


DataConfig = Annotated[BuiltinData | FileData | GeneratedData, Field(discriminator="source")]


class SplitConfig(_Strict):
    """Fractions of the table held out for validation and test, and the split's own seed."""

    validation: Real = Field(default=0.15, gt=0, lt=1)
    test: Real = Field(default=0.15, gt=0, lt=1)
    seed: Seed = 0

    @model_validator(mode="after")
    def _leaves_training_rows(self) -> SplitConfig:
        if self.validation + self.test >= 1:
            raise ValueError("validation + test must be < 1")
        return self


class ConfirmConfig(_Strict):
    """Seed confirmation of a single-trial champion (off by default): the ``top`` trials
    retrained with ``seeds`` fresh seeds each; the best mean wins (``top`` 0 or 1: off)."""

    top: Int = Field(default=0, ge=0, le=MAX_CONFIRM)
    seeds: Int = Field(default=3, ge=2, le=MAX_CONFIRM)


class EnsembleConfig(_Strict):
    """Ensemble selection (Caruana et al., 2004) over the out-of-fold predictions of the best
    ``top`` complete trials, in at most ``size`` greedy steps with replacement."""

    top: Int = Field(default=10, ge=1, le=MAX_ENSEMBLE_TOP)
    size: Int = Field(default=25, ge=1, le=MAX_ENSEMBLE_SIZE)


class SelectionConfig(_Strict):
    """How each trial is scored and how the champion is chosen.

    ``folds``: ``1`` scores on the validation split; ``K >= 2`` by K-fold cross-validation on
    the non-test rows (stratified for classification, preprocessing fitted in each fold);
    ``auto`` uses :data:`AUTO_FOLDS` folds below :data:`AUTO_FOLDS_BELOW` non-test rows, one
    split above. ``ensemble``: the champion is a weighted ensemble of the best trials' models
    (each trial's model: its fold models averaged), chosen on their out-of-fold predictions;
    ``false``: the study's best trial alone. ``confirm`` (single trial only): retrain the top
    trials with fresh seeds first. ``refit``: ``none`` hands back the validated models;
    ``all`` refits the single winner on every non-test row for its mean kept epochs (a model
    nothing validated).
    """

    folds: Literal["auto"] | Int = "auto"
    ensemble: EnsembleConfig | None = EnsembleConfig()
    confirm: ConfirmConfig = ConfirmConfig()
    refit: Literal["none", "all"] = "none"

    @field_validator("folds", mode="before")
    @classmethod
    def _auto_or_count(cls, value: Any) -> Any:
        """One message for every bad value (``true`` included), not one per union member."""
        if value == "auto" or (type(value) is int and value >= 1):
            return value
        raise ValueError(f"folds must be auto, 1 (one validation split) or K >= 2; got {value!r}")

    @field_validator("ensemble", mode="before")
    @classmethod
    def _on_or_off(cls, value: Any) -> Any:
        """``true``: the defaults; ``false`` or ``null``: a single-trial champion."""
        if value is True:
            return {}
        if value is False or value is None:
            return None
        if isinstance(value, dict):
            return value
        raise ValueError(f"ensemble must be true, false or a mapping (top, size); got {value!r}")

    @field_validator("refit", mode="before")
    @classmethod
    def _refit_choice(cls, value: Any) -> Any:
        """``train`` (the trial's own model) is what ``none`` now always does."""
        if value == "train":
            raise ValueError("refit: train is gone: the validated models are kept (refit: none)")
        return value

    @model_validator(mode="after")
    def _single_trial_options(self) -> SelectionConfig:
        if self.ensemble is not None and self.confirm.top >= 2:
            raise ValueError("confirm applies to a single-trial champion: set ensemble: false")
        if self.ensemble is not None and self.refit == "all":
            raise ValueError("refit: all refits one trial: set ensemble: false")
        return self

    def folds_for(self, non_test_rows: int) -> int:
        """The number of folds for a table with ``non_test_rows`` rows outside the test split."""
        if self.folds != "auto":
            return int(self.folds)
        return AUTO_FOLDS if non_test_rows < AUTO_FOLDS_BELOW else 1


SamplerName = Annotated[str, AfterValidator(lambda value: _one_of(value, SAMPLER_NAMES))]
PrunerName = Annotated[str, AfterValidator(lambda value: _one_of(value, PRUNER_NAMES))]


class SamplerConfig(_Strict):
    """An Optuna sampler by name; ``options`` are its constructor keywords."""

    type: SamplerName = "tpe"
    options: dict[str, Any] = Field(default_factory=dict)


class PrunerConfig(_Strict):
    """An Optuna pruner by name; ``options`` are its constructor keywords.

    ``patient`` wraps another pruner: ``options: {patience: 3, wrapped: median}``.
    """

    type: PrunerName = "median"
    options: dict[str, Any] = Field(default_factory=dict)


class StudyConfig(_Strict):
    """How the Optuna study runs: budget, sampler, pruner, storage and fault tolerance.

    The validation metric is reported to Optuna, and the pruner asked, every ``report_every``
    epochs: each report is a write and each question reads the study's trials, a few
    milliseconds apiece on a database storage, which tiny trials feel. MLflow still receives
    every epoch.
    """

    name: SafeName | None = None
    n_trials: Int | None = Field(default=20, gt=0)
    timeout: Real | None = Field(default=None, gt=0)
    sampler: SamplerConfig = SamplerConfig()
    pruner: PrunerConfig = PrunerConfig()
    storage: str | None = None
    heartbeat_interval: Int = Field(default=10, gt=0, le=MAX_HEARTBEAT)
    grace_period: Int | None = Field(default=None, gt=0, le=MAX_GRACE)
    max_retry: Int = Field(default=1, ge=0, le=MAX_RETRY)
    report_every: Int = Field(default=1, ge=1)
    enqueue: tuple[dict[str, Any], ...] = ()

    @field_validator("storage")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        """A SQLAlchemy database URL, checked now: a bad one would fail after MLflow's store
        had been created."""
        from sqlalchemy.engine import make_url  # only when a storage is given
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(value) if value is not None else None
        except ArgumentError:
            raise ValueError(
                "not a database URL (e.g. sqlite:///mlruns/optuna.db, postgresql://...)"
            ) from None
        return refuse_in_memory(value, "sqlite:///mlruns/optuna.db")

    @model_validator(mode="after")
    def _has_budget(self) -> StudyConfig:
        if self.n_trials is None and self.timeout is None:
            raise ValueError("give n_trials, timeout or both")
        grace = self.grace_period
        if grace is not None and grace <= self.heartbeat_interval:
            raise ValueError(
                f"grace_period ({grace} s) must be longer than heartbeat_interval "
                f"({self.heartbeat_interval} s), or every live trial is reaped as stale "
                "(the default is 3 intervals)"
            )
        return self


class ObjectiveConfig(_Strict):
    """What the study optimises: one metric, or several for a multi-objective sweep.

    For several, the selected trial is the Pareto-optimal one best on ``select_by``
    (default: the first metric).
    """

    metric: tuple[str, ...] = ("val_loss",)
    direction: tuple[Direction, ...] | None = None
    select_by: str | None = None

    @field_validator("metric", "direction", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _consistent(self) -> ObjectiveConfig:
        if len(set(self.metric)) != len(self.metric) or not self.metric:
            raise ValueError("metric must name one or more distinct metrics")
        if self.direction is not None and len(self.direction) != len(self.metric):
            raise ValueError("direction needs one entry per metric")
        for metric, direction in zip(self.metric, self.direction or (), strict=False):
            natural = natural_direction(metric)
            if direction != natural:
                raise ValueError(
                    f"direction: {metric} is best {'high' if natural == 'maximize' else 'low'}, "
                    f"so {direction} would search for the worst models; leave direction out "
                    "(it follows from the metric)"
                )
        if self.select_by is not None and self.select_by not in self.metric:
            raise ValueError(f"select_by must be one of {list(self.metric)}")
        return self

    @property
    def directions(self) -> tuple[Direction, ...]:
        """Explicit directions, or inferred: accuracy and r2 are maximised, the rest minimised."""
        if self.direction is not None:
            return self.direction
        return tuple(natural_direction(m) for m in self.metric)

    @property
    def selection_metric(self) -> str:
        """The metric that picks the winner (from the Pareto front when multi-objective)."""
        return self.select_by or self.metric[0]


def natural_direction(metric: str) -> Direction:
    """Accuracy and r2 are maximised; losses, errors and sizes minimised."""
    return "maximize" if metric in MAXIMIZED else "minimize"


class TrackingConfig(_Strict):
    """Where MLflow records the sweep, and under which name the champion model is registered."""

    uri: str | None = None
    artifact_location: str | None = None
    register_model: bool = True
    model_name: SafeName | None = None
    background: Literal["auto"] | bool = "auto"

    @field_validator("uri")
    @classmethod
    def _not_in_memory(cls, value: str | None) -> str | None:
        return refuse_in_memory(value, "sqlite:///mlruns/mlflow.db")

    @field_validator("background", mode="before")
    @classmethod
    def _auto_or_bool(cls, value: Any) -> Any:
        """One message for every bad value, not one per union member."""
        if value == "auto" or isinstance(value, bool):
            return value
        raise ValueError(f"background must be auto, true or false; got {value!r}")


class SweepConfig(_Strict):
    """One sweep: data, split, fixed model keywords, search space, objective, study, tracking."""

    name: SafeName
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    seed: Seed = 0
    data: DataConfig
    split: SplitConfig = SplitConfig()
    model: dict[str, Any] = Field(default_factory=dict)
    space: dict[str, ParamSpec] = Field(default_factory=dict)
    objective: ObjectiveConfig = ObjectiveConfig()
    selection: SelectionConfig = SelectionConfig()
    study: StudyConfig = StudyConfig()
    tracking: TrackingConfig = TrackingConfig()
    limits: Limits = Limits()

    @model_validator(mode="after")
    def _consistent(self) -> SweepConfig:
        """Keywords known, sizes within the limits (checked before any value is built),
        values valid, enqueued trials inside the space, metrics suited to the task."""
        check_model_keys(self.model, self.space)
        self._check_sizes()
        check_model_values(self.model, self.space)
        check_model_overlap(self.model, self.space)
        check_enqueued(self.study.enqueue, self.space)
        if self.known_task is not None:
            check_task(self, self.known_task)
        self._check_objectives()
        self._check_stores()
        return self

    def _check_objectives(self) -> None:
        """A multi-objective sweep needs a sampler that handles several objectives."""
        kind, metrics = self.study.sampler.type, self.objective.metric
        if len(metrics) > 1 and kind in SINGLE_OBJECTIVE:
            raise ValueError(
                f"study.sampler.type: {kind} optimises one objective, and objective.metric "
                f"names {len(metrics)} ({', '.join(metrics)}); use tpe, nsga2, random, qmc or "
                "grid, or one metric"
            )

    def _check_stores(self) -> None:
        """MLflow and Optuna cannot share one database: both keep an ``alembic_version``."""
        storage, uri = self.study.storage, self.tracking.uri
        if storage and uri and same_database(storage, uri):
            raise ValueError(
                "tracking.uri: the same database as study.storage; MLflow and Optuna each "
                "need their own (both keep an alembic_version table)"
            )

    def _check_sizes(self) -> None:
        limits, data = self.limits, self.data
        limits.check_space(self.space, grid=self.study.sampler.type == "grid")
        inputs, outputs = None, 1
        if isinstance(data, GeneratedData):
            limits.check_generated(data.n_samples, data.n_features)
            inputs, outputs = data.shape
        elif isinstance(data, BuiltinData):
            _, inputs, outputs = BUILTIN_SETS[data.name]
        check_network(limits, self.model, self.space, inputs=inputs, outputs=outputs)

    @property
    def known_task(self) -> Task | None:
        """The task, when the config fixes it without reading the data."""
        return getattr(self.data, "task", None)

    @property
    def max_epochs(self) -> int:
        """The most epochs a trial can train: fixed, the searched range's top, or the MLP's
        default."""
        spec = self.space.get("max_epochs")
        if spec is not None:
            return int(max(spec.choices) if isinstance(spec, CategoricalParam) else spec.high)
        return int(self.model.get("max_epochs", MLP_DEFAULTS["max_epochs"]))  # type: ignore[call-overload]

    @property
    def pruner_scale(self) -> tuple[int | None, int]:
        """``(n_trials, max_epochs)``: what the pruner's defaults scale with."""
        return self.study.n_trials, self.max_epochs

    @property
    def pruner_settings(self) -> dict[str, Any]:
        """The keywords the study's pruner is built with: its defaults scaled to the sweep
        (:func:`~sweeps.spec.components.pruner_settings`), then the file's options."""
        pruner = self.study.pruner
        return pruner_settings(pruner.type, pruner.options, *self.pruner_scale)

    @property
    def sampler_settings(self) -> dict[str, Any]:
        """The keywords the study's sampler is built with: the seed, pinned defaults, then
        the file's options."""
        return sampler_settings(self.study.sampler.type, self.study.sampler.options, self.seed)

    @property
    def study_name(self) -> str:
        """The Optuna study name (defaults to the sweep name)."""
        return self.study.name or self.name

    def public_dict(self) -> dict[str, Any]:
        """The resolved config as plain data, with the secrets of store URLs redacted."""
        out = self.model_dump(mode="json")
        for section, key in (
            ("study", "storage"),
            ("tracking", "uri"),
            ("tracking", "artifact_location"),
        ):
            if out[section][key]:
                out[section][key] = redact(out[section][key])
        return out


def same_database(a: str, b: str) -> bool:
    """Whether two database URLs name one database (driver and password aside)."""
    from sqlalchemy.engine import make_url  # only when both stores are given
    from sqlalchemy.exc import ArgumentError

    try:
        left, right = make_url(a), make_url(b)
    except ArgumentError:
        return False  # not a database URL (e.g. an http:// tracking server)
    if left.get_backend_name() != right.get_backend_name():
        return False
    if left.get_backend_name() == "sqlite":
        return Path(left.database or "").resolve() == Path(right.database or "").resolve()
    where = ("host", "port", "database")
    return all(getattr(left, k) == getattr(right, k) for k in where)


def check_task(cfg: SweepConfig, task: Task) -> None:
    """Raise ValueError unless the objective's metrics and the MLP keywords suit ``task``."""
    if task == "classification":
        for section, keys in (("model", cfg.model), ("space", cfg.space)):
            wrong = sorted(set(keys) & REGRESSION_ONLY)
            if wrong:
                raise ValueError(f"{section}.{wrong[0]} applies to regression targets only")
    check_metrics(cfg.objective.metric, task)


def check_metrics(metrics: Sequence[str], task: Task) -> None:
    """Raise ValueError unless every metric is produced by ``task``."""
    bad = [m for m in metrics if m not in TASK_METRICS[task]]
    if bad:
        raise ValueError(
            f"objective.metric {bad} is not produced by {task}; "
            f"choose from {list(TASK_METRICS[task])}"
        )
