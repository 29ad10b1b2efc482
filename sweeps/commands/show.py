"""How results are printed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from sweeps.infra.sqlite import sqlite_file
from sweeps.infra.text import WIDTH, wrapped
from sweeps.infra.urls import redact

if TYPE_CHECKING:
    from sweeps.results.champion import Choice
    from sweeps.results.summary import SweepResult

__all__: list[str] = []  # nothing here for other packages


#: The row holding the command that opens the UI.
UI_KEY = "open the UI"


def _fmt(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def print_result(result: SweepResult, config: str) -> None:
    """The end-of-sweep table: the champion, how it was chosen, its validation and test
    scores, its run and model version, and how to open the UI."""
    counts = ", ".join(f"{n} {s.lower()}" for s, n in result.counts.items() if n)
    rows: list[tuple[str, str]] = [("study", result.study_name), ("trials", counts or "none")]
    if result.champion is None:
        rows.append(("champion", "none: no trial completed"))
    else:
        rows += champion_rows(result)
    if result.pareto_numbers:
        rows.append(("pareto front", ", ".join(map(str, result.pareto_numbers))))
    rows.append(("parent run id", result.parent_run_id))
    rows.append((UI_KEY, ui_command(result.tracking_uri, config)))
    click.echo("")
    for line in table_lines(rows):
        click.echo(line)
    lines = [f"note: {note}" for note in result.notes]
    if result.tested is not None and result.tested.warning:
        lines.append(f"warning: {result.tested.warning}")
    for line in lines:
        click.echo("\n".join(wrapped(line)))


def table_lines(rows: list[tuple[str, str]]) -> list[str]:
    """``key  value`` lines with the values aligned; a value too long for the line goes on
    under itself, cut between words (a command, between its arguments, each line but the
    last ending in `` \\`` so that it still pastes into a shell)."""
    width = max(len(k) for k, _ in rows)
    room = WIDTH - width - 2
    lines = []
    for key, value in rows:
        if key == UI_KEY:
            parts = wrapped(value, room - 2, indent="  ")
            parts = [f"{part} \\" for part in parts[:-1]] + parts[-1:]
        else:
            parts = wrapped(value, room, indent="")
        pad = [key.ljust(width)] + [" " * width] * (len(parts) - 1)
        lines += [f"{p}  {part}" for p, part in zip(pad, parts, strict=True)]
    return lines


def champion_rows(result: SweepResult) -> list[tuple[str, str]]:
    """What the champion is, how it was chosen, its scores, run and model version."""
    choice = result.champion
    assert choice is not None
    what = (
        f"ensemble of {len(choice.members)} trial(s): {choice.weights_text()}"
        if choice.kind == "ensemble"
        else f"trial {choice.members[0].trial}"
    )
    rows = [("champion", what), ("  chosen by", choice.how)]
    if choice.kind == "trial":
        rows += [(f"  {k}", _fmt(v)) for k, v in result.best_params.items()]
    rows.append((choice.metric, score_text(choice)))
    if choice.members[0].trial != choice.best_trial or choice.kind == "ensemble":
        best = f"{choice.best_trial}: {choice.metric} {choice.best_score:.6g}"
        rows.append(("best trial", f"{best} (its own score, on the rows that ranked it)"))
    rows += [(k, _fmt(v)) for k, v in result.test_metrics.items()]
    gap = result.tested.gap if result.tested is not None else None
    if gap is not None:
        val_name, val, test_name, test = gap
        rows.append(("gap", f"{val_name} {val:.4g} -> {test_name} {test:.4g} ({test - val:+.4g})"))
    rows.append(("champion run", str(result.champion_run_id)))
    if result.version is not None:
        rows.append(("model version", str(result.version)))
    return rows


def score_text(choice: Choice) -> str:
    """The champion's validation score and what it means."""
    text = _fmt(choice.score)
    if choice.kind == "ensemble":
        text += " (cross-fitted out-of-fold"
        if choice.fit_score is not None:
            text += f"; {choice.fit_score:.6g} on the rows that chose the weights"
        text += ")"
    if choice.spread is not None:
        text += f", fold spread {choice.spread:.3g}"
    return text


def ui_command(tracking_uri: str, config: str) -> str:
    """The command (or URL) that shows this store in the MLflow UI."""
    if sqlite_file(tracking_uri) is not None:
        return f"sweeps ui {config} --tracking-uri {tracking_uri}"
    return redact(tracking_uri)
