"""``sweeps run``: one sweep from one YAML file, in this process or in N worker processes."""

from __future__ import annotations

import click

from sweeps.commands.options import blas_option, set_option, store_options
from sweeps.commands.show import print_result
from sweeps.errors import Interrupted
from sweeps.infra import signals
from sweeps.results.conclude import close_parent, conclude
from sweeps.search.parallel import run_workers
from sweeps.search.runner import Sweep, run_worker
from sweeps.search.session import Session, blas_threads, open_session


@click.command()
@click.argument("config", type=click.Path(dir_okay=False))
@click.option("--trials", type=click.IntRange(min=1), help="Total trial budget of the study.")
@click.option(
    "--timeout", type=click.FloatRange(min=0, min_open=True), help="Stop after S seconds."
)
@click.option(
    "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
    help="Worker processes on this machine sharing the study.",
)  # fmt: skip
@set_option
@store_options
@blas_option
@click.option("--fresh", is_flag=True, help="Delete the existing study and start a new one.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def run(
    config: str,
    trials: int | None,
    timeout: float | None,
    jobs: int,
    overrides: tuple[str, ...],
    tracking_uri: str | None,
    storage: str | None,
    study_name: str | None,
    blas: int | None,
    fresh: bool,
    quiet: bool,
) -> None:
    """Run (or resume) the sweep described by CONFIG, then print the best trial.

    Running the same CONFIG again resumes the study toward its trial budget.
    """
    flags = dict(study_name=study_name, storage=storage, tracking_uri=tracking_uri)
    session = open_session(config, overrides, trials=trials, timeout=timeout, **flags)
    signals.install()
    sweep: Sweep | None = None
    with blas_threads(blas):
        try:  # the writer process starts first, so it is ready when the first trial is
            with session.tracker.background(jobs == 1 and session.cfg.tracking.writer_for(1)):
                sweep = session.init(fresh=fresh)
                if jobs == 1:
                    run_worker(sweep, session.data, show_progress=not quiet)
                else:
                    args = _worker_args(session, overrides, jobs)
                    run_workers(sweep, config, jobs, args, blas, show_progress=not quiet)
        except Interrupted:
            if sweep is not None:
                close_parent(sweep, "KILLED")
            raise
        print_result(conclude(sweep, session.data), config)


def _worker_args(session: Session, overrides: tuple[str, ...], jobs: int) -> list[str]:
    """Pin workers to the exact stores, study, budget and writer choice this process
    resolved."""
    cfg = session.cfg
    args = [arg for item in overrides for arg in ("--set", item)]
    args += ["--storage", session.storage_url, "--tracking-uri", session.tracker.uri]
    args += ["--study", cfg.study_name]
    for key, value in (
        ("study.n_trials", cfg.study.n_trials),
        ("study.timeout", cfg.study.timeout),
        ("tracking.background", str(cfg.tracking.writer_for(jobs)).lower()),
    ):
        if value is not None:
            args += ["--set", f"{key}={value}"]
    return args
