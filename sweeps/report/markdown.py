"""Render the sweep report (:class:`sweeps.report.data.ReportData`) as Markdown.

It reads top to bottom: how the champion was chosen and its test score, the top trials it was
chosen from, the optimisation history and learning curves that mark it, what the parameters did,
then the inputs (search space, and the configuration collapsed at the end).
"""

from __future__ import annotations

from typing import Any

import yaml

from sweeps.report.champion_text import champion_section, tested_section
from sweeps.report.data import ReportData
from sweeps.report.study_plots import SPECS
from sweeps.report.tables import fmt, table

__all__: list[str] = []  # nothing here for other packages
#: The report's sections in order (``## `` headings); Pareto front only for several objectives.
SECTIONS = (
    "How the champion was chosen",
    "Test score",
    "Top trials",
    "Optimization history",
    "Learning curves",
    "Parameters",
    "Pareto front",
    "Search space",
    "Configuration",
)


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


def top_section(data: ReportData) -> list[str]:
    """The best completed trials on the selection metric, the champion's members marked."""
    if not data.top:
        return ["No completed trials."]
    names = list(dict.fromkeys(p for t in data.top for p in t.params))
    headers = ["rank", "trial", "champion", *data.metrics, *names, "seconds"]
    weights = data.champion.weights if data.champion is not None else {}
    rows = []
    for rank, trial in enumerate(data.top, start=1):
        seconds = trial.duration.total_seconds() if trial.duration else ""
        params = [trial.params.get(p, "") for p in names]
        rows.append(
            [rank, trial.number, _mark(trial.number, weights), *trial.values, *params, seconds]
        )
    return [_top_note(data, weights), "", *table(headers, rows)]


def _mark(number: int, weights: dict[int, float]) -> str:
    if number not in weights:
        return ""
    return "★" if len(weights) == 1 else f"★ {weights[number]:.2f}"


def _top_note(data: ReportData, weights: dict[int, float]) -> str:
    metric = data.selection_metric
    folds = data.champion.folds if data.champion is not None else 1
    own = f"mean over its {folds} folds" if folds > 1 else "on the validation split"
    note = f"Ranked by each trial's own {metric} ({own}). "
    if len(weights) > 1:
        return note + "★: the champion's members, with their weights."
    return note + ("★: the champion." if weights else "")


def _plot(data: ReportData, plots_dir: str, name: str, caption: str = "") -> list[str]:
    """One plot with its caption, or why it was not drawn."""
    title = SPECS[name].title
    if name in data.plots.png:
        lines = [f"![{title}]({plots_dir}/{name}.png)"]
        if name in data.plots.html:
            lines.append(f"[interactive version]({plots_dir}/{name}.html)")
        return [*lines, "", caption] if caption else lines
    failed = data.plots.failed.get(name)
    reason = f"failed: {failed}" if failed else data.plots.skipped.get(name, "not drawn")
    return [f"{title}: not drawn, {reason}."]


def history_caption(data: ReportData) -> str:
    """What the optimisation history shows, in the words of the champion section."""
    metric = data.selection_metric
    text = (
        f"Each dot: a complete trial's own {metric}; the line: the best single trial so far"
        + (f" (trial {data.top[0].number} at the end, rank 1 above)" if data.top else "")
        + "."
    )
    champion = data.champion
    if champion is None:
        return text
    if len(champion.weights) > 1:
        text += " Red rings: the champion's members (size: weight)."
        return text + (
            f" Dashed: the champion's cross-fitted {metric} {fmt(champion.choice['score'])}, "
            "the score it was chosen on, not comparable with a trial's own score (measured on "
            "the rows that stopped and ranked it)."
        )
    text += " Red ring: the champion."
    if (champion.choice.get("confirmation") or {}).get("candidates"):
        text += f" Dashed: its mean {metric} over the confirmation seeds."
    return text


def curves_caption(data: ReportData) -> str:
    """What the learning curves are: which rows, which fold, which trials."""
    metric = data.selection_metric
    folds = data.champion.folds if data.champion is not None else 1
    rows = (
        f"fold 0 of each trial's {folds}-fold cross-validation (the fold Optuna's pruner watched; "
        "the other folds log only their final values)"
        if folds > 1
        else "the validation split"
    )
    text = (
        f"{metric} after every epoch, as each trial's run logged it, on {rows}. "
        "Thick and coloured: the champion's "
        + (
            "members (weights in the legend)"
            if data.champion and len(data.champion.weights) > 1
            else "trial"
        )
        + "; thin blue: the other complete trials; light grey: pruned trials, stopped where "
        "their line ends."
    )
    return text + (
        " The champion's own run holds `plots/learning_curves.png`: the training and validation "
        "loss of every model it averages."
    )


def importance_caption(data: ReportData) -> str:
    """The importances' method and spread."""
    found = data.plots.importances
    done = data.counts.get("COMPLETE", 0)
    text = (
        "PED-ANOVA (Watanabe et al., 2023): how differently each parameter is spread among the "
        f"best 10% of the {done} complete trials than among all of them. It is Optuna 5's default "
        "evaluator and the one optuna-dashboard shows, so the numbers are the dashboard's for "
        "the same trials (fANOVA, Optuna 4's default, fits random forests and moves with its "
        "seed). Whiskers: the range when any one of the 10 best trials is left out."
    )
    if found:
        name, (value, low, high) = max(found.items(), key=lambda kv: kv[1][2] - kv[1][1])
        text += (
            f" The widest: {name}, {value:.2f} here, from {low:.2f} to {high:.2f} with one "
            "trial fewer"
            + (": a rough guide at this number of trials." if high - low > 0.2 else ".")
        )
    return text


def parameters_section(data: ReportData, plots_dir: str) -> list[str]:
    """Importances, slice and parallel coordinates with their captions."""
    log = [n for n, s in data.config.get("space", {}).items() if s.get("log")]
    scale = f"Log-searched parameters ({', '.join(log)}) on log axes. " if log else ""
    metric = data.selection_metric
    return [
        "### Parameter importances",
        "",
        *_plot(data, plots_dir, "param_importances", importance_caption(data)),
        "",
        "### Slice plot",
        "",
        *_plot(
            data,
            plots_dir,
            "slice",
            f"{metric} of each complete trial against each parameter. {scale}"
            "Colour: trial number (later trials darker).",
        ),
        "",
        "### Parallel coordinates",
        "",
        *_plot(
            data,
            plots_dir,
            "parallel_coordinate",
            f"One line per complete trial, coloured by {metric} (see the bar). {scale}",
        ),
    ]


def header_section(data: ReportData) -> list[str]:
    """Title, description, objective, trials by state and parent run."""
    pairs = zip(data.metrics, data.directions, strict=True)
    objective = ", ".join(f"{metric} ({direction})" for metric, direction in pairs)
    counts = ", ".join(f"{n} {state.lower()}" for state, n in data.counts.items() if n) or "none"
    lines = [f"# Sweep report: {data.study_name}", ""]
    if data.description:
        lines += [data.description, ""]
    return [
        *lines,
        f"Objective: {objective}. Trials: {counts}. Parent run: `{data.parent_run_id}`.",
    ]


def config_section(config: dict[str, Any]) -> list[str]:
    """The resolved config (store passwords redacted) as a YAML block, collapsed."""
    text = yaml.safe_dump(config, sort_keys=False).rstrip()
    return [
        "<details><summary>The resolved configuration (store passwords redacted)</summary>",
        "",
        "```yaml",
        text,
        "```",
        "",
        "</details>",
    ]


def render_report(data: ReportData, plots_dir: str) -> str:
    """The whole report as Markdown; images are linked relative to the report file."""
    body = {
        "How the champion was chosen": champion_section(data),
        "Test score": tested_section(data),
        "Top trials": top_section(data),
        "Optimization history": _plot(
            data, plots_dir, "optimization_history", history_caption(data)
        ),
        "Learning curves": _plot(data, plots_dir, "intermediate_values", curves_caption(data)),
        "Parameters": parameters_section(data, plots_dir),
        "Pareto front": _pareto(data, plots_dir),
        "Search space": space_section(data.config.get("space", {})),
        "Configuration": config_section(data.config),
    }
    sections = [header_section(data)]
    for name in SECTIONS:
        if body[name]:
            sections.append([f"## {_heading(name, data)}", "", *body[name]])
    return "\n\n".join("\n".join(lines).rstrip() for lines in sections) + "\n"


def _heading(name: str, data: ReportData) -> str:
    return (
        f"Top {len(data.top)} trials by {data.selection_metric}" if name == "Top trials" else name
    )


def _pareto(data: ReportData, plots_dir: str) -> list[str]:
    if len(data.metrics) < 2:
        return []
    front = ", ".join(map(str, data.pareto)) or "none yet"
    return [f"Pareto-optimal trials: {front}.", "", *_plot(data, plots_dir, "pareto_front")]
