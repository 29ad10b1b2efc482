"""``sweeps best``: the top trials of a sweep as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import Any

import click

from sweeps.commands.options import sweep_flags
from sweeps.config import safe_name
from sweeps.results.best import (
    BestTrial,
    Ranking,
    ranking_from_config,
    ranking_from_parent,
    top_trials,
)
from sweeps.sweepfile import Flags, resolve_config
from sweeps.tracking import open_existing, resolve_tracking_uri

FORMATS = ("table", "json", "csv")


@click.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option("--experiment", help="Rank the latest sweep of this MLflow experiment (no CONFIG).")
@click.option("--top", "k", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@sweep_flags(storage=False)
def best(config: str | None, experiment: str | None, k: int, fmt: str, flags: Flags) -> None:
    """List the top K COMPLETE trials of a sweep by its selection metric, with run ids,
    searched params and final metrics. Give the sweep's CONFIG, or --experiment NAME to rank
    by the metric and direction its parent run recorded."""
    if (config is None) == (experiment is None):
        raise click.UsageError("give either CONFIG or --experiment NAME")
    if config is not None:
        cfg = resolve_config(config, flags)
        tracker = open_existing(resolve_tracking_uri(None, cfg.tracking.uri))
        ranking = ranking_from_config(cfg)
    else:
        assert experiment is not None
        if flags.sets:
            raise click.UsageError("--set needs CONFIG")
        if flags.study_name is not None:
            try:
                safe_name(flags.study_name)
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--study") from None
        tracker = open_existing(resolve_tracking_uri(flags.tracking_uri, None))
        ranking = ranking_from_parent(tracker, experiment, flags.study_name)
    trials = top_trials(tracker, ranking, k)
    click.echo(RENDER[fmt](ranking, trials), nl=fmt != "csv")


def as_json(ranking: Ranking, trials: list[BestTrial]) -> str:
    """The ranking and its trials as one JSON document."""
    doc = {
        "experiment": ranking.experiment,
        "study": ranking.study,
        "metric": ranking.metric,
        "direction": ranking.direction,
        "trials": [asdict(t) for t in trials],
    }
    return json.dumps(doc, indent=2)


def _rows(ranking: Ranking, trials: list[BestTrial]) -> tuple[list[str], list[list[Any]]]:
    params = list(dict.fromkeys(p for t in trials for p in t.params))
    metrics = list(dict.fromkeys(m for t in trials for m in t.metrics if m != ranking.column))
    header = ["rank", "trial", "run_id", ranking.column, *params, *metrics]
    rows = [
        [t.rank, t.number, t.run_id, t.value]
        + [t.params.get(p, "") for p in params]
        + [t.metrics.get(m, "") for m in metrics]
        for t in trials
    ]
    return header, rows


def as_csv(ranking: Ranking, trials: list[BestTrial]) -> str:
    """One header line, then one line per trial (floats at full precision)."""
    header, rows = _rows(ranking, trials)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def as_table(ranking: Ranking, trials: list[BestTrial]) -> str:
    """Aligned columns for a terminal, numbers to 6 significant digits."""
    header, rows = _rows(ranking, trials)
    cells = [header] + [[f"{v:.6g}" if isinstance(v, float) else str(v) for v in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    title = f"study {ranking.study}: top {len(trials)} by {ranking.metric} ({ranking.direction})"
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join([title, *(line.rstrip() for line in lines)])


RENDER = {"table": as_table, "json": as_json, "csv": as_csv}
