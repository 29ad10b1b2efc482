"""``sweeps run``: one sweep from one YAML file, in this process or in N worker processes."""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING

import click

from sweeps.commands.options import blas_option, sweep_flags
from sweeps.errors import Interrupted, SweepsError
from sweeps.infra import libraries
from sweeps.infra.timings import phase

if TYPE_CHECKING:
    from sweeps.spec.flags import Flags

__all__ = ["run"]


@click.command()
@click.argument("config", type=click.Path(dir_okay=False))
@click.option("--trials", type=click.IntRange(min=1), help="Total trial budget of the study.")
@click.option(
    "--timeout", type=click.FloatRange(min=0, min_open=True), help="Stop after S seconds."
)
@click.option(
    "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
    help="Worker processes on this machine sharing the study (at most its cores).",
)  # fmt: skip
@click.option("--force-jobs", is_flag=True, help="Allow more --jobs than this process has cores.")
@sweep_flags()
@blas_option
@click.option("--fresh", is_flag=True, help="Delete the existing study and start a new one.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def run(
    config: str,
    trials: int | None,
    timeout: float | None,
    jobs: int,
    force_jobs: bool,
    flags: Flags,
    blas: int | None,
    fresh: bool,
    quiet: bool,
) -> None:
    """Run (or resume) the sweep described by CONFIG, then print the best trial.

    Running the same CONFIG again resumes the study toward its trial budget.
    """
    cores = len(os.sched_getaffinity(0))
    if jobs > cores and not force_jobs:  # each worker holds its own copy of the data
        raise click.BadParameter(
            f"{jobs} is more than the {cores} core(s) this process may use; "
            "pass --force-jobs to start them anyway",
            param_hint="'--jobs'",
        )
    with phase("imports"), libraries.imported():  # what a sweep needs, in one go
        from sweeps.commands.show import print_result
        from sweeps.report.plot_job import cool_down, warm_up
        from sweeps.results.conclude import conclude
        from sweeps.search.launch import RunOptions, run_sweep
        from sweeps.study.budget import trials_left

    flags = dataclasses.replace(flags, trials=trials, timeout=timeout)
    announce = None if quiet else lambda line: click.echo(line, err=True)
    options = RunOptions(jobs=jobs, blas=blas, fresh=fresh, progress=not quiet, announce=announce)
    warm_up()  # the conclusion's plots child imports matplotlib while the trials run
    try:
        sweep = run_sweep(config, flags, options)  # an interruption says what is done and left
        try:
            result = conclude(sweep, announce)
        except Interrupted as exc:
            exc.progress, exc.resume = trials_left(sweep.study, sweep.cfg.study.n_trials)
            raise
    finally:
        cool_down()
    print_result(result, config)
    if result.failure:
        raise SweepsError(result.failure)
