"""How results are printed."""

from __future__ import annotations

from typing import Any

import click

from sweeps.infra.sqlite import sqlite_file
from sweeps.infra.urls import redact
from sweeps.results.conclude import SweepResult


def _fmt(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def print_result(result: SweepResult, config: str) -> None:
    """The end-of-sweep table: best trial, params, metrics, run id and how to open the UI."""
    counts = ", ".join(f"{n} {s.lower()}" for s, n in result.counts.items() if n)
    rows: list[tuple[str, str]] = [("study", result.study_name), ("trials", counts or "none")]
    if result.best_number is None:
        rows.append(("best trial", "none completed"))
    else:
        rows.append(("best trial", str(result.best_number)))
        rows += [(f"  {k}", _fmt(v)) for k, v in result.best_params.items()]
        rows += [(k, _fmt(v)) for k, v in result.best_values.items()]
        rows += [(k, _fmt(v)) for k, v in result.test_metrics.items()]
        rows += _confirmation_rows(result)
        rows.append(("best run id", str(result.best_run_id)))
    if result.pareto_numbers:
        rows.append(("pareto front", ", ".join(map(str, result.pareto_numbers))))
    rows.append(("parent run id", result.parent_run_id))
    rows.append(("open the UI", ui_command(result.tracking_uri, config)))
    width = max(len(k) for k, _ in rows)
    click.echo("")
    for key, value in rows:
        click.echo(f"{key.ljust(width)}  {value}")
    for note in result.notes:
        click.echo(f"note: {note}")


def _confirmation_rows(result: SweepResult) -> list[tuple[str, str]]:
    """How the winner was confirmed, and its validation-to-test gap."""
    rows = []
    confirmation = result.confirmation
    if confirmation is not None and confirmation.candidates:
        means = ", ".join(
            f"trial {c.number} {c.mean:.4g} ± {c.std:.2g}" for c in confirmation.candidates
        )
        seeds = len(confirmation.candidates[0].seeds)
        rows.append(
            ("confirmed", f"best mean {confirmation.metric} over {seeds} new seeds: {means}")
        )
    if result.gap is not None:
        val_name, val, test_name, test = result.gap
        rows.append(("gap", f"{val_name} {val:.4g} -> {test_name} {test:.4g} ({test - val:+.4g})"))
    return rows


def ui_command(tracking_uri: str, config: str) -> str:
    """The command (or URL) that shows this store in the MLflow UI."""
    if sqlite_file(tracking_uri) is not None:
        return f"sweeps ui {config} --tracking-uri {tracking_uri}"
    return redact(tracking_uri)
