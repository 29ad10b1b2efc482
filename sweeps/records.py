"""What a sweep records: every tag, user attribute and metric name it writes, in one place.

Writers and readers (the objective, the conclusion, the reaper, ``list``, ``best``,
``compare``, ``export``, ``reproduce``...) agree through these names, never through string
literals (a test fails when a ``sweeps.`` tag name is written out anywhere else in ``sweeps/``).

- Tags (``*_TAG``, ``*_PREFIX``) are MLflow run and model-version tags. A run's role
  (:data:`ROLE_TAG`) is one of :data:`PARENT`, :data:`TRIAL`, :data:`CHAMPION`,
  :data:`REPRODUCTION`.
- User attributes (``*_ATTR``) are Optuna's, on the study or on a trial.
- Metric names: the kept model's values have the plain names (``val_loss``, ``train_loss``,
  ...), and every detail sits under a prefix that says what it is, so that picking
  ``val_loss`` in MLflow is not a choice among look-alikes: the per-epoch curves are
  :data:`CURVE` (``epoch/val_loss``) or, with folds, :data:`FOLD0_CURVE` (``fold0/val_loss``:
  the first fold's, the one Optuna prunes on); the final values beside them are
  :data:`FINAL_EXTRA`; with folds, each fold's value is ``folds/val_loss_fold<i>`` and the
  spread ``folds/val_loss_std``; a reproduction's other seeds ``seeds/val_loss_mean`` and
  ``seeds/val_loss_std``; the champion's best single trial ``best_trial/val_loss``. Test
  metrics are ``test_*``, the champion's validation-to-test difference ``gap_*``. Names an
  older sweeps wrote (``fold_<i>_<name>``, ``<name>_std``) are read through
  :func:`current_metric`.

:class:`TrialTags` and :class:`ParentTags` read a trial's and a parent's record; the
``*_tags`` functions write them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

# --- roles -------------------------------------------------------------------------------
ROLE_TAG = "sweeps.role"
PARENT, TRIAL, CHAMPION, REPRODUCTION = "parent", "trial", "champion", "reproduction"
#: The study a run belongs to (every run of a sweep, and a registered model version).
STUDY_TAG = "sweeps.study"
#: The registered model alias that names a sweep's champion version.
CHAMPION_ALIAS = "champion"

# --- a trial's run -----------------------------------------------------------------------
TRIAL_NUMBER_TAG = "sweeps.trial_number"
SEED_TAG = "sweeps.seed"
SWEEP_SEED_TAG = "sweeps.sweep_seed"
STATE_TAG = "sweeps.state"
WORKER_TAG = "sweeps.worker"
REASON_TAG = "sweeps.reason"
EPOCHS_REACHED_TAG = "sweeps.epochs_reached"
WEIGHTS_DIGEST_TAG = "sweeps.weights_sha256"

# --- the data a run trained on -----------------------------------------------------------
DATA_FINGERPRINT_TAG = "sweeps.data.fingerprint"
DATA_NAME_TAG = "sweeps.data.name"
DATA_TASK_TAG = "sweeps.data.task"
DATA_TASK_RULE_TAG = "sweeps.data.task_rule"
DATA_ROWS_TAG = "sweeps.data.rows"
DATA_INPUT_FEATURES_TAG = "sweeps.data.input_features"
#: ``sweeps.split.train``, ``.validation``, ``.test``: the split's row hashes.
SPLIT_PREFIX = "sweeps.split."
SPLIT_SEED_TAG = f"{SPLIT_PREFIX}seed"
#: ``sweeps.folds.<i>``: the folds' row hashes.
FOLDS_PREFIX = "sweeps.folds."
FOLDS_K_TAG = f"{FOLDS_PREFIX}k"
SELECTION_FOLDS_TAG = "sweeps.selection.folds"

# --- provenance (every run) --------------------------------------------------------------
GIT_PREFIX = "sweeps.git_"
GIT_COMMIT_TAG = f"{GIT_PREFIX}commit"
GIT_DIRTY_TAG = f"{GIT_PREFIX}dirty"
PLATFORM_TAG = "sweeps.platform"
#: ``sweeps.version.<package>``.
VERSION_PREFIX = "sweeps.version."
#: ``sweeps.blas``, ``sweeps.blas_threads``, ``sweeps.blas_arch``.
BLAS_PREFIX = "sweeps.blas"
BLAS_THREADS_TAG = f"{BLAS_PREFIX}_threads"
#: The tags that say where and with what a run trained (compared, never required, by reproduce).
PROVENANCE_PREFIXES = (VERSION_PREFIX, BLAS_PREFIX, GIT_PREFIX, PLATFORM_TAG)

# --- the parent run ----------------------------------------------------------------------
STORAGE_TAG = "sweeps.storage"
DIRECTIONS_TAG = "sweeps.directions"
MEANING_TAG = "sweeps.meaning"
BEST_TRIAL_TAG = "sweeps.best_trial"
BEST_RUN_TAG = "sweeps.best_run_id"
CHAMPION_RUN_TAG = "sweeps.champion_run_id"
PARETO_FRONT_TAG = "sweeps.pareto_front"
GAP_WARNING_TAG = "sweeps.gap_warning"
#: ``sweeps.conclusion.<step>``: a conclusion step that completed.
CONCLUSION_PREFIX = "sweeps.conclusion."

# --- the champion run (members' and parent's tags too) -------------------------------------
CHAMPION_KEY_TAG = "sweeps.champion.key"
CHAMPION_KIND_TAG = "sweeps.champion.kind"
CHAMPION_MEMBERS_TAG = "sweeps.champion.members"
CHAMPION_SCORE_TAG = "sweeps.champion.score"
CHAMPION_WEIGHT_TAG = "sweeps.champion.weight"
#: The marker of the champion's run and its members' runs (``★ champion: trial 12``): a
#: column of the sweep's runs list in the MLflow UI.
CHAMPION_MARKER_TAG = "sweeps.champion"
#: The SHA-256 of a logged model's files.
MODEL_DIGEST_TAG = "sweeps.model_sha256"
#: ``sweeps.sha256.<artifact path>``: the SHA-256 of a logged artifact.
ARTIFACT_DIGEST_PREFIX = "sweeps.sha256."

# --- a registered model version ------------------------------------------------------------
SCORE_METRIC_TAG = "sweeps.score_metric"
SCORE_TAG = "sweeps.score"

# --- a reproduction's run ----------------------------------------------------------------
REPRODUCES_TAG = "sweeps.reproduces"
REPRODUCES_TRIAL_TAG = f"{REPRODUCES_TAG}.trial_number"
REPRODUCES_STATE_TAG = f"{REPRODUCES_TAG}.state"
VERDICT_TAG = "sweeps.verdict"
DIFFERS_TAG = "sweeps.differs"
PROVENANCE_DIFFERS_TAG = "sweeps.provenance_differs"

# --- MLflow's own tags a sweep writes ------------------------------------------------------
PARENT_RUN_TAG = "mlflow.parentRunId"
RUN_NAME_TAG = "mlflow.runName"
NOTE_TAG = "mlflow.note.content"  # the run description MLflow shows
#: ``mlflow.sharedViewState.<key>``: an experiment tag holding a view of its runs list.
SHARED_VIEW_PREFIX = "mlflow.sharedViewState."

# --- Optuna user attributes ----------------------------------------------------------------
#: On a trial: its MLflow run, its worker (``host:pid``), its exact MLP keywords, why it ended.
RUN_ID_ATTR = "mlflow_run_id"
WORKER_ATTR = "worker"
ESTIMATOR_ATTR = "estimator"
REASON_ATTR = "reason"
#: On the study: the parent run, the pinned settings, the budget, the winner, the champion.
PARENT_ATTR = "mlflow_parent_run_id"
MEANING_ATTR = "sweeps_meaning"
BUDGET_ATTR = "sweeps_n_trials"
WINNER_ATTR = "sweeps_winner"
CHAMPION_ATTR = "sweeps_champion"

# --- metric names --------------------------------------------------------------------------
Task = Literal["classification", "regression"]
#: The metrics ``objective.metric`` may name, by task.
TASK_METRICS: dict[Task, tuple[str, ...]] = {
    "classification": ("val_loss", "val_accuracy", "n_params"),
    "regression": ("val_loss", "val_rmse", "val_mae", "val_r2", "n_params"),
}
#: Metrics reported every epoch (the others exist once a trial has ended).
PER_EPOCH = frozenset({"val_loss", "val_accuracy", "val_rmse", "val_mae", "val_r2"})
#: Metrics that are best high (every other one is best low).
MAXIMIZED = frozenset({"val_accuracy", "val_r2"})
#: Final values logged beside the kept model's metrics of a complete trial.
FINAL_EXTRA = ("n_params", "n_epochs", "best_epoch", "zero_weight_share")
#: The prefix of the per-epoch curves of a trial scored on one validation split...
CURVE = "epoch/"
#: ... and of a trial scored on folds: the curves are its first fold's (the fold Optuna
#: prunes on), and say so.
FOLD0_CURVE = "fold0/"
#: Per-fold detail, out of the way of the plain names: each fold's kept value
#: ``folds/val_loss_fold3`` and the spread over the folds ``folds/val_loss_std``.
FOLDS = "folds/"
#: A reproduction's spread over other seeds: ``seeds/val_loss_mean``, ``seeds/val_loss_std``.
SEEDS = "seeds/"
#: The champion run's best single trial's score (``best_trial/val_loss``) and its score on the
#: rows its ensemble weights were chosen on (``in_sample/val_loss``).
BEST_TRIAL = "best_trial/"
IN_SAMPLE = "in_sample/"
#: The parent run's best objective value so far, step = trial number (``best_so_far/val_loss``).
BEST_SO_FAR = "best_so_far/"
_LEGACY_FOLD = re.compile(r"fold_(\d+)_(.+)")


def is_kept_metric(name: str) -> bool:
    """Whether ``name`` is one of the kept model's metrics (``train_loss``, ``val_*``)."""
    return name == "train_loss" or (name.startswith("val_") and not name.endswith("_std"))


def curve_prefix(folds: int) -> str:
    """The curves' prefix of a trial scored on ``folds`` folds (0 or 1: one split)."""
    return FOLD0_CURVE if folds > 1 else CURVE


def is_curve(name: str) -> bool:
    """Whether ``name`` is a per-epoch curve (either prefix)."""
    return name.startswith((CURVE, FOLD0_CURVE))


def curve_names(values: dict[str, float], folds: int = 0) -> dict[str, float]:
    """One epoch's metrics under their curve names (``epoch/val_loss``, or ``fold0/val_loss``
    with folds)."""
    prefix = curve_prefix(folds)
    return {f"{prefix}{k}": v for k, v in values.items()}


def fold_metric(name: str, fold: int) -> str:
    """Fold ``fold``'s kept value of ``name``: ``folds/val_loss_fold3``."""
    return f"{FOLDS}{name}_fold{fold}"


def spread_metric(name: str) -> str:
    """The spread of ``name`` over the folds: ``folds/val_loss_std``."""
    return f"{FOLDS}{name}_std"


def current_metric(name: str, folds: int) -> str:
    """A metric's name as this version writes it, from a store an older sweeps wrote
    (``fold_3_val_loss``, ``val_loss_std``, and ``epoch/val_loss`` of a trial on folds)."""
    legacy = _LEGACY_FOLD.fullmatch(name)
    if legacy:
        return fold_metric(legacy.group(2), int(legacy.group(1)))
    if name.endswith("_std") and "/" not in name:
        return spread_metric(name.removesuffix("_std"))
    if name.startswith(CURVE):
        return curve_prefix(folds) + name.removeprefix(CURVE)
    return name


# --- filters -------------------------------------------------------------------------------
def quote(value: str) -> str:
    """A string literal for an MLflow filter: single quotes unless the value holds one."""
    return f'"{value}"' if "'" in value else f"'{value}'"


def tag_is(tag: str, value: object) -> str:
    """An MLflow filter clause: run tag ``tag`` equals ``value``."""
    return f"tags.`{tag}` = {quote(str(value))}"


def runs_of(role: str, study: str | None = None, **tags: object) -> str:
    """A filter for the runs of ``role`` (of ``study``, when given) with the given ``tags``
    (keyword: the tag's name)."""
    clauses = [tag_is(ROLE_TAG, role)]
    if study is not None:
        clauses.append(tag_is(STUDY_TAG, study))
    clauses.extend(tag_is(tag, value) for tag, value in tags.items())
    return " and ".join(clauses)


# --- writers -------------------------------------------------------------------------------
def split_tag(part: str) -> str:
    """The tag of a split part's row hash (``train``, ``validation``, ``test``)."""
    return f"{SPLIT_PREFIX}{part}"


def fold_tag(name: str) -> str:
    """The tag of fold ``name``'s row hash."""
    return f"{FOLDS_PREFIX}{name}"


def artifact_digest_tag(path: str) -> str:
    """The run tag holding the SHA-256 of artifact ``path`` (``sweeps.sha256.config.json``)."""
    return f"{ARTIFACT_DIGEST_PREFIX}{path}"


def provenance_tag(name: str) -> str:
    """A provenance tag: ``git_commit``, ``platform``, ``blas_threads``... with its prefix."""
    return f"sweeps.{name}"


def parent_run_tags(study: str) -> dict[str, str]:
    """The tags that make a run the parent run of the sweep of ``study``."""
    return {ROLE_TAG: PARENT, STUDY_TAG: study}


def child_run_tags(tags: Mapping[str, Any], parent_run_id: str) -> dict[str, Any]:
    """``tags`` for a child run of ``parent_run_id``: a trial's, unless they name a role."""
    return ordered_tags({ROLE_TAG: TRIAL, **tags, PARENT_RUN_TAG: parent_run_id})


#: The tags a reader looks for first, in this order; the MLflow UI lists a run's tags in the
#: order they were written, so a run is opened with these before the data's and provenance's.
FIRST_TAGS = (
    ROLE_TAG, STUDY_TAG, TRIAL_NUMBER_TAG, STATE_TAG, CHAMPION_MARKER_TAG, CHAMPION_KIND_TAG,
    SEED_TAG, SWEEP_SEED_TAG, WORKER_TAG, DIRECTIONS_TAG, STORAGE_TAG,
)  # fmt: skip


def ordered_tags(tags: Mapping[str, Any]) -> dict[str, Any]:
    """``tags`` in the order a run is opened with: :data:`FIRST_TAGS`, then the data's (split,
    folds, fingerprint), then provenance (git, platform, versions, BLAS) and MLflow's own."""

    def rank(key: str) -> tuple[int, int]:
        if key in FIRST_TAGS:
            return 0, FIRST_TAGS.index(key)
        if key.startswith((*PROVENANCE_PREFIXES, "mlflow.")):
            return 2, 0
        return 1, 0

    return {key: tags[key] for key in sorted(tags, key=rank)}


def run_name(number: int, state: str | None = None) -> str:
    """A trial run's name: ``trial-007``, with its ending state once it ended unusually."""
    name = f"trial-{number:03d}"
    return name if state is None else f"{name} {state.lower()}"


def trial_opened_tags(number: int, seed: int, worker: str) -> dict[str, str]:
    """A trial run's tags as it opens (RUNNING)."""
    return {
        TRIAL_NUMBER_TAG: str(number),
        SEED_TAG: str(seed),
        STATE_TAG: "RUNNING",
        WORKER_TAG: worker,
    }


def trial_completed_tags(weights_digest: str) -> dict[str, str]:
    """A COMPLETE trial's closing tags."""
    return {STATE_TAG: "COMPLETE", WEIGHTS_DIGEST_TAG: weights_digest}


def trial_ended_tags(
    number: int, state: str, reason: str, epochs_reached: int | None = None
) -> dict[str, Any]:
    """The closing tags of a trial that did not complete (PRUNED or FAIL), its run renamed."""
    tags: dict[str, Any] = {STATE_TAG: state, REASON_TAG: reason}
    if epochs_reached is not None:
        tags[EPOCHS_REACHED_TAG] = epochs_reached
    tags[RUN_NAME_TAG] = run_name(number, state)
    return tags


# --- readers -------------------------------------------------------------------------------
def _int(value: object) -> int | None:
    text = str(value)
    return int(text) if value is not None and text.lstrip("-").isdigit() else None


@dataclass(frozen=True)
class TrialTags:
    """What a trial's run (or any run of a sweep) says of itself through its tags."""

    role: str | None
    study: str | None
    number: int | None
    state: str | None
    seed: str | None
    worker: str
    epochs_reached: int | None
    weights_digest: str | None
    blas_threads: int | None

    @classmethod
    def read(cls, tags: Mapping[str, str]) -> TrialTags:
        """The record of a run with ``tags``; a tag missing or unreadable is None."""
        threads = tags.get(BLAS_THREADS_TAG, "")
        return cls(
            role=tags.get(ROLE_TAG),
            study=tags.get(STUDY_TAG),
            number=_int(tags.get(TRIAL_NUMBER_TAG)),
            state=tags.get(STATE_TAG),
            seed=tags.get(SEED_TAG),
            worker=tags.get(WORKER_TAG, ""),
            epochs_reached=_int(tags.get(EPOCHS_REACHED_TAG)),
            weights_digest=tags.get(WEIGHTS_DIGEST_TAG),
            blas_threads=int(threads) if threads.isdigit() else None,
        )


@dataclass(frozen=True)
class ParentTags:
    """What a sweep's parent run says of the sweep through its tags."""

    study: str | None
    direction: str | None
    best_run_id: str | None
    champion_run_id: str | None
    champion_members: str | None
    champion_score: str | None

    @classmethod
    def read(cls, tags: Mapping[str, str]) -> ParentTags:
        """The record of a parent run with ``tags`` (``direction``: the first objective's)."""
        directions = tags.get(DIRECTIONS_TAG)
        best = tags.get(BEST_RUN_TAG)
        return cls(
            study=tags.get(STUDY_TAG),
            direction=directions.split(",")[0] if directions is not None else None,
            best_run_id=best if best and best != "None" else None,
            champion_run_id=tags.get(CHAMPION_RUN_TAG),
            champion_members=tags.get(CHAMPION_MEMBERS_TAG),
            champion_score=tags.get(CHAMPION_SCORE_TAG),
        )
