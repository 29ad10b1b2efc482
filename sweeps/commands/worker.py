"""``sweeps worker``: join a sweep's study from any machine and run trials."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from sweeps.commands.options import blas_option, sweep_flags
from sweeps.errors import SweepsError
from sweeps.infra import libraries
from sweeps.infra.timings import phase

if TYPE_CHECKING:
    from sweeps.spec.flags import Flags

__all__ = ["worker"]


@click.command()
@click.argument("config", type=click.Path(dir_okay=False))
@sweep_flags()
@blas_option
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--no-conclude", is_flag=True, help="Leave testing and packaging the winner to another process."
)
def worker(config: str, flags: Flags, blas: int | None, quiet: bool, no_conclude: bool) -> None:
    """Join the sweep of CONFIG and run trials until its budget is used up.

    Start as many as you like, on any machine that reaches the storage and tracking server;
    the budget holds across all of them. The worker that sees the study finish concludes it
    (tests and packages the winner) unless --no-conclude.
    """
    with phase("imports"), libraries.imported():  # what a worker needs, in one go
        from sweeps.commands.show import print_result
        from sweeps.results.conclude import conclude
        from sweeps.search.launch import join_sweep

    sweep, outcome = join_sweep(config, flags, blas=blas, progress=not quiet)
    if outcome.study_done and not no_conclude:
        announce = None if quiet else lambda line: click.echo(line, err=True)
        result = conclude(sweep, announce)
        print_result(result, config)
        if result.failure:
            raise SweepsError(result.failure)
    elif not quiet:
        click.echo(f"worker ran {outcome.ran} trial(s); study done: {outcome.study_done}")
