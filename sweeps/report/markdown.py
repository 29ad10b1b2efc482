"""Render the sweep report (:class:`sweeps.report.write.ReportData`) as Markdown."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import yaml

from sweeps.report.data import Champion, ReportData
from sweeps.report.study_plots import PLOTS

__all__: list[str] = []  # nothing here for other packages


def fmt(value: Any) -> str:
    """A table cell: floats to 6 significant digits, pipes escaped, newlines flattened."""
    text = f"{value:.6g}" if isinstance(value, float) else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(map(fmt, headers)) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(map(fmt, row)) + " |" for row in rows]
    return lines


def _space_range(spec: dict[str, Any]) -> str:
    if spec["type"] == "categorical":
        return ", ".join(map(str, spec["choices"]))
    text = f"[{spec['low']}, {spec['high']}]"
    if spec.get("log"):
        text += " log"
    if spec.get("step") not in (None, 1):
        text += f" step {spec['step']}"
    return text


def space_section(space: dict[str, dict[str, Any]]) -> list[str]:
    """The search space as a table (or a line saying nothing was searched)."""
    if not space:
        return ["Nothing searched: every trial uses the fixed model settings."]
    rows = [(name, spec["type"], _space_range(spec)) for name, spec in space.items()]
    return table(("parameter", "type", "range or choices"), rows)


def champion_section(champion: Champion | None, data: ReportData) -> list[str]:
    """What the champion is, how it was chosen (with the numbers), its validation and test
    scores."""
    if champion is None:
        return ["No trial completed: there is no champion yet."]
    choice = champion.choice
    members = sorted(champion.weights.items(), key=lambda item: -item[1])
    if len(members) == 1:
        what = f"Trial **{members[0][0]}**"
        if data.pareto:
            what += f" (Pareto-optimal, best on `{data.selection_metric}`)"
    else:
        what = f"A weighted ensemble of **{len(members)} trials**"
    lines = [f"{what}, chosen by {choice.get('how', '?')}. MLflow run `{champion.run_id}`.", ""]
    if len(members) > 1:
        lines += [*table(("trial", "weight"), members), ""]
    if champion.params:
        lines += [*table(("parameter", "value"), champion.params.items()), ""]
    lines += [_score_sentence(choice), ""]
    if champion.validation:
        lines += [*table(("validation metric", "value"), champion.validation.items()), ""]
    if champion.test:
        lines += ["Test (evaluated once, after the study):", ""]
        lines += table(("metric", "value"), champion.test.items())
    else:
        lines.append("Test metrics: not recorded.")
    return lines


def _score_sentence(choice: dict[str, Any]) -> str:
    """The champion's validation score and what it means."""
    metric, score = choice.get("metric", "?"), choice.get("score")
    text = f"Validation `{metric}`: **{fmt(score)}**"
    if len(choice.get("members", [])) > 1:
        text += (
            " (cross-fitted: each row predicted by weights chosen on other rows; "
            f"{fmt(choice.get('fit_score'))} on the rows that chose them)"
        )
    if choice.get("spread") is not None:
        text += f", spread over folds {fmt(choice['spread'])}"
    best = choice.get("best_trial")
    return text + f". Best single trial: {best} ({metric} {fmt(choice.get('best_score'))})."


def top_section(data: ReportData) -> list[str]:
    """The best completed trials on the selection metric."""
    if not data.top:
        return ["No completed trials."]
    names = list(dict.fromkeys(p for t in data.top for p in t.params))
    headers = ["rank", "trial", "weight in champion", *data.metrics, *names, "seconds"]
    weights = data.champion.weights if data.champion is not None else {}
    rows = []
    for rank, trial in enumerate(data.top, start=1):
        seconds = trial.duration.total_seconds() if trial.duration else ""
        params = [trial.params.get(p, "") for p in names]
        weight = f"{weights[trial.number]:.2f}" if trial.number in weights else ""
        rows.append([rank, trial.number, weight, *trial.values, *params, seconds])
    return table(headers, rows)


def plots_section(data: ReportData, plots_dir: str) -> list[str]:
    """Each drawn plot embedded as an image; the ones not drawn listed with the reason."""
    lines: list[str] = []
    for spec in PLOTS:
        if spec.name in data.plots.png:
            lines += [f"### {spec.title}", "", f"![{spec.title}]({plots_dir}/{spec.name}.png)"]
            if spec.name in data.plots.html:
                lines.append(f"[interactive version]({plots_dir}/{spec.name}.html)")
            lines.append("")
    failed = {k: f"failed: {v}" for k, v in data.plots.failed.items()}
    reasons = {**data.plots.skipped, **failed}
    for spec in PLOTS:
        if spec.name in reasons:
            lines.append(f"- {spec.title}: not drawn, {reasons[spec.name]}")
    return lines


def header_section(data: ReportData) -> list[str]:
    """Title, description, objective and parent run."""
    pairs = zip(data.metrics, data.directions, strict=True)
    objective = ", ".join(f"{metric} ({direction})" for metric, direction in pairs)
    lines = [f"# Sweep report: {data.study_name}", ""]
    if data.description:
        lines += [data.description, ""]
    return [*lines, f"Objective: {objective}. Parent run: `{data.parent_run_id}`."]


def config_section(config: dict[str, Any]) -> list[str]:
    """The resolved config (store passwords redacted) as a YAML block."""
    return ["```yaml", yaml.safe_dump(config, sort_keys=False).rstrip(), "```"]


def render_report(data: ReportData, plots_dir: str) -> str:
    """The whole report as Markdown; images are linked relative to the report file.

    Results come first (states, champion, top trials, plots), the inputs last (space, config).
    """
    counts = [(state, n) for state, n in data.counts.items() if n]
    sections = [
        header_section(data),
        ["## Trials by state", "", *table(("state", "trials"), counts)],
        ["## Champion", "", *champion_section(data.champion, data)],
        [f"## Top {len(data.top)} trials by {data.selection_metric}", "", *top_section(data)],
        ["## Plots", "", *plots_section(data, plots_dir)],
        ["## Search space", "", *space_section(data.config.get("space", {}))],
        ["## Configuration", "", *config_section(data.config)],
    ]
    if data.pareto:
        front = ", ".join(map(str, data.pareto))
        sections.insert(3, ["## Pareto front", "", f"Pareto-optimal trials: {front}."])
    return "\n\n".join("\n".join(lines).rstrip() for lines in sections) + "\n"
