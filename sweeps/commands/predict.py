"""``sweeps predict``: score a CSV or Parquet file with a sweep's champion, a model version or
a run's logged model."""

from __future__ import annotations

import os
from pathlib import Path

import click

from sweeps.commands.options import open_store, output_option, tracking_option
from sweeps.errors import InputDataError
from sweeps.infra import libraries

__all__ = ["predict"]

#: The output files ``--output`` may name (the same as ``sweeps.results.scored_output``'s, which
#: imports pandas: a usage error is found without it).
OUTPUT_SUFFIXES = (".csv", ".parquet", ".pq")
#: Arrow's buffers (pandas' text columns, Parquet batches) from the C library's allocator,
#: unless the user chose: pyarrow's default pool (mimalloc) keeps the pages of the blocks it
#: freed, 9 MiB more at the peak of scoring a 2e6-row CSV (``benchmarks/predict_memory.py``).
ARROW_POOL = "ARROW_DEFAULT_MEMORY_POOL"


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    help="The sweep file: score with its champion (alias champion of its model name).",
)
@click.option(
    "--model", help="A registered model: NAME (its champion), NAME@ALIAS or NAME/VERSION."
)
@click.option("--run", "run_id", help="A run whose logged model scores (a sweep's winner run).")
@output_option("Write to this .csv or .parquet file (default: CSV on standard output).")
@click.option("--proba", is_flag=True, help="Add one proba_<class> column per class.")
@tracking_option
def predict(
    file: Path,
    config: str | None,
    model: str | None,
    run_id: str | None,
    out: Path | None,
    proba: bool,
    tracking_uri: str | None,
) -> None:
    """Score the rows of FILE (CSV or Parquet, raw columns as the sweep's table had them) with
    the champion of --config's sweep, a --model version or a --run's logged model. Writes a
    prediction per row (passed-through identifier columns first) and, with --proba, class
    probabilities; nothing when a row cannot be scored. Reads the tracking store; writes
    nothing to it."""
    if sum(x is not None for x in (config, model, run_id)) != 1:
        raise click.UsageError("give exactly one of --config, --model and --run")
    _check_paths(file, out)
    os.environ.setdefault(ARROW_POOL, "system")  # read when pyarrow makes its pool: see above
    with libraries.imported():
        from sweeps.results.predict import choose_model, load_scorer
        from sweeps.results.scored_output import ScoredOutput

    if config is not None:
        with libraries.imported():  # the sweep file's schema: only to find its model's name
            from sweeps.spec.reading import Flags, resolve_config

        cfg = resolve_config(config, Flags(tracking_uri=tracking_uri))
        tracking_uri, model = cfg.tracking.uri, cfg.tracking.model_name or cfg.name
    tracker = open_store(tracking_uri, read_only=True)
    choice = choose_model(tracker, model=model, run_id=run_id)
    scorer = load_scorer(tracker, choice)
    if proba and not scorer.classifier:
        raise click.UsageError(f"--proba: {choice.label} is a regressor: it has no classes")
    with ScoredOutput(out) as output:
        scored = scorer.score(file, output, proba=proba)
        for note in scored.notes:
            click.echo(f"sweeps: note: {note}", err=True)
        output.commit(lambda text: click.echo(text, nl=False))
    where = out or "standard output"
    click.echo(f"sweeps: {scored.rows} rows scored by {choice.label} to {where}", err=True)


def _check_paths(file: Path, out: Path | None) -> None:
    """Refuse, before anything is read, a missing input and an output that cannot be written or
    would overwrite the input."""
    if not file.is_file():
        raise InputDataError(f"{file}: file not found")
    if out is None:
        return
    if out.suffix.lower() not in OUTPUT_SUFFIXES:
        raise click.BadParameter(f"{out}: use a .csv or .parquet file", param_hint="--output")
    folder = out.parent
    if not folder.is_dir():
        raise click.BadParameter(f"{out}: folder {folder} does not exist", param_hint="--output")
    if out.is_dir():
        raise click.BadParameter(f"{out} is a folder", param_hint="--output")
    if out.exists() and os.path.samefile(out, file):
        raise click.BadParameter(
            f"{out} is the input file: it would be overwritten", param_hint="--output"
        )
    if not os.access(folder, os.W_OK):
        raise click.BadParameter(f"{out}: folder {folder} is not writable", param_hint="--output")
