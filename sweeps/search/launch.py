"""Start a sweep from its file: validate config and data first (bad input writes nothing),
then create or join the study and run trials, here or in worker processes.

``sweeps run``, ``sweeps worker`` and ``sweeps init`` each make one call here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from sweeps.core.dataset import SweepData, load_sweep_data
from sweeps.core.sweep import Sweep, check_meaning, init_sweep
from sweeps.errors import Interrupted, StoreError, SweepsError
from sweeps.infra import signals
from sweeps.infra.databases import require_tool
from sweeps.infra.threads import blas_limit
from sweeps.infra.timings import phase
from sweeps.search.parallel import run_workers, writer_for
from sweeps.search.runner import WorkerOutcome, run_worker
from sweeps.spec.reading import Flags, resolve_config
from sweeps.spec.schema import SweepConfig
from sweeps.study.budget import trials_left
from sweeps.study.samplers import check_components
from sweeps.study.storage import resolve_storage_url, storage_errors
from sweeps.tracking import Tracker, open_tracker, resolve_tracking_uri
from sweeps.tracking.probe import probe

__all__ = ["RunOptions", "join_sweep", "load_inputs", "run_sweep"]


@dataclass(frozen=True)
class Inputs:
    """A sweep file resolved and its data loaded: nothing has been written yet."""

    config_path: str
    cfg: SweepConfig
    data: SweepData
    tracker: Tracker
    storage_url: str

    def init(self, *, fresh: bool = False) -> Sweep:
        """Create (or load) the study, the experiment and the parent run."""
        return init_sweep(
            self.cfg, self.data, self.tracker, self.storage_url, fresh=fresh,
            source=self.config_path,
        )  # fmt: skip


def load_inputs(config_path: str, flags: Flags) -> Inputs:
    """Resolve the sweep file with the command line's values and load its data."""
    cfg = resolve_config(config_path, flags)
    check_components(cfg, str(Path(config_path)))  # what fails only in use fails now
    data = load_sweep_data(cfg, config_path)
    storage_url = resolve_storage_url(None, cfg.study.storage)
    probe(storage_url, "study storage")  # before the tracking store is written to
    require_tool(storage_url, "optuna")  # before either store is opened, created or migrated
    require_tool(resolve_tracking_uri(None, cfg.tracking.uri), "mlflow")
    tracker = open_tracker(cfg.tracking.uri, cfg.tracking.artifact_location)
    return Inputs(config_path, cfg, data, tracker, storage_url)


@dataclass(frozen=True)
class RunOptions:
    """How ``sweeps run`` runs: worker processes, BLAS threads, a fresh study, a progress bar."""

    jobs: int = 1
    blas: int | None = 1
    fresh: bool = False
    progress: bool = True
    announce: Callable[[str], None] | None = None  # shown before the first trial


def run_sweep(config_path: str, flags: Flags, options: RunOptions) -> Sweep:
    """Run (or resume) a sweep until its budget or timeout; the parent run is closed KILLED
    if interrupted. In one process the tracking writer starts first (when ``auto`` finds a
    free core), so it is ready for the first trial."""
    with phase("load"):
        inputs = load_inputs(config_path, flags)
    if not options.fresh:  # a resume that changes the study stops before the data is shown
        check_meaning(inputs.cfg, inputs.data, inputs.storage_url, config_path)
    for line in inputs.data.lines() if options.announce else ():
        options.announce(line)
    signals.install()
    writer = options.jobs == 1 and writer_for(inputs.cfg.tracking.background, 1)
    sweep: Sweep | None = None
    try:
        with (
            storage_errors(inputs.storage_url),
            blas_limit(options.blas),
            inputs.tracker.background(writer),
        ):
            with phase("stores"):
                sweep = inputs.init(fresh=options.fresh)
            with phase("trials"):
                if options.jobs == 1:
                    run_worker(sweep, show_progress=options.progress)
                else:
                    run_workers(sweep, options.jobs, options.blas, show_progress=options.progress)
    except Interrupted as exc:
        if sweep is not None:
            sweep.close("KILLED")
            with contextlib.suppress(SweepsError, SQLAlchemyError):  # the line is a courtesy
                exc.progress, exc.resume = trials_left(sweep.study, sweep.cfg.study.n_trials)
        raise
    except StoreError:
        if sweep is not None:  # if the failed store is the tracking one, this fails too
            with contextlib.suppress(SweepsError):
                sweep.close("FAILED")
        raise
    return sweep


def join_sweep(
    config_path: str, flags: Flags, *, blas: int | None, progress: bool
) -> tuple[Sweep, WorkerOutcome]:
    """Join a sweep's study as one more worker and run trials until its budget is used.

    ``tracking.background: auto`` forks no writer here: workers are started one per core,
    so none is left for a writer."""
    inputs = load_inputs(config_path, flags)
    signals.install()
    background = inputs.cfg.tracking.background is True
    with (
        storage_errors(inputs.storage_url),
        blas_limit(blas),
        inputs.tracker.background(background),
    ):
        sweep = inputs.init()
        try:
            return sweep, run_worker(sweep, show_progress=progress)
        except Interrupted as exc:  # say what the whole study has done and left, as run does
            with contextlib.suppress(SweepsError, SQLAlchemyError):  # the line is a courtesy
                exc.progress, exc.resume = trials_left(sweep.study, sweep.cfg.study.n_trials)
            raise
