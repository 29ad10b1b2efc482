"""The Optuna side of a sweep: storage, study creation and the exact trial budget."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import optuna
from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.trial import FrozenTrial, TrialState
from sqlalchemy.exc import SQLAlchemyError

from sweeps.config import SweepConfig
from sweeps.errors import StoreError
from sweeps.infra.sqlite import engine_kwargs
from sweeps.infra.urls import redact
from sweeps.samplers import experimental_ok, make_pruner, make_sampler

DEFAULT_STORAGE = "sqlite:///mlruns/optuna.db"
StaleCallback = Callable[[optuna.Study, FrozenTrial], None]


def resolve_storage_url(flag: str | None, configured: str | None) -> str:
    """``--storage``, else the config's, else the local SQLite study beside MLflow's store.

    ``postgresql://`` URLs are sent through psycopg 3 (SQLAlchemy 2.1's default would be
    psycopg2, which we do not install).
    """
    url = flag or configured or DEFAULT_STORAGE
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class SweepStorage(RDBStorage):
    """Optuna's RDB storage, but a trial's first heartbeat is recorded the moment it starts
    running, not when ``optimize`` starts its heartbeat thread after ``ask()`` has sampled.

    Otherwise a worker killed while the sampler works (tens of milliseconds of TPE every
    trial) leaves a RUNNING trial with no heartbeat at all, which Optuna never finds stale:
    it would hold the budget forever and the last worker would wait on it for ever.
    """

    def _create_new_trial(
        self, study_id: int, template_trial: FrozenTrial | None = None
    ) -> FrozenTrial:
        """Create the trial; one that starts RUNNING gets its first heartbeat at once.

        (Optuna's cached storage calls this private method, not ``create_new_trial``.)
        """
        trial = super()._create_new_trial(study_id, template_trial)
        if trial.state == TrialState.RUNNING:
            self._first_heartbeat(trial._trial_id)
        return trial

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        """Set the state; a WAITING trial taken to RUNNING gets its first heartbeat at once."""
        changed = super().set_trial_state_values(trial_id, state, values)
        if changed and state == TrialState.RUNNING:
            self._first_heartbeat(trial_id)
        return changed

    def _first_heartbeat(self, trial_id: int) -> None:
        if self.heartbeat_interval is not None:
            self.record_heartbeat(trial_id)


def make_storage(url: str, cfg: SweepConfig, on_stale: StaleCallback | None) -> RDBStorage:
    """An RDB storage with heartbeats; stale trials are retried a bounded number of times."""
    with experimental_ok():
        retry = RetryHeartbeatStaleTrialCallback(max_retry=cfg.study.max_retry)

    def stale(study: optuna.Study, trial: FrozenTrial) -> None:
        if on_stale is not None:
            on_stale(study, trial)
        retry(study, trial)

    interval = cfg.study.heartbeat_interval
    try:
        with experimental_ok():
            return SweepStorage(
                url,
                heartbeat_interval=interval,
                grace_period=cfg.study.grace_period or 3 * interval,
                heartbeat_stale_trial_callback=stale,
                engine_kwargs=engine_kwargs(url),
            )
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(f"study storage {redact(url)}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def open_study(cfg: SweepConfig, storage: RDBStorage, fresh: bool = False) -> optuna.Study:
    """Load the sweep's study, or create it (``fresh`` deletes an existing one first)."""
    name = cfg.study_name
    if fresh and name in optuna.get_all_study_names(storage):
        optuna.delete_study(study_name=name, storage=storage)
    return optuna.create_study(
        storage=storage,
        study_name=name,
        directions=list(cfg.objective.directions),
        sampler=make_sampler(cfg.study.sampler, cfg.seed, cfg.space),
        pruner=make_pruner(cfg.study.pruner),
        load_if_exists=True,
    )


def retried_numbers(trials: list[FrozenTrial]) -> set[int]:
    """Numbers of trials that went stale and were retried as a new trial."""
    return {n for t in trials for n in t.system_attrs.get("retry_history", [])}


def budget_state(study: optuna.Study) -> tuple[int, int, int]:
    """``(counted, waiting, running)``: each logical trial once, retries not double-counted."""
    trials = study.get_trials(deepcopy=False)
    retried = retried_numbers(trials)
    counted = sum(1 for t in trials if t.number not in retried)
    waiting = sum(1 for t in trials if t.state == TrialState.WAITING)
    running = sum(1 for t in trials if t.state == TrialState.RUNNING)
    return counted, waiting, running


def may_start_trial(study: optuna.Study, n_trials: int | None, poll: float = 1.0) -> bool:
    """Whether one more trial fits the budget, waiting while other trials may still go stale.

    A WAITING trial (enqueued, or a retry of a stale one) always may run: it was already
    counted. With the budget used up but trials still RUNNING, this waits and fails stale
    ones, so that a killed worker's last trial is retried rather than lost.
    """
    while True:
        counted, waiting, running = budget_state(study)
        if waiting or n_trials is None or counted < n_trials:
            return True
        if not running:
            return False
        with experimental_ok():
            optuna.storages.fail_stale_trials(study)
        time.sleep(poll)
