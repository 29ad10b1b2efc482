"""The report's account of the champion: how it was chosen, with the numbers it was chosen on,
and its one test score.

The words follow :class:`sweeps.results.champion.Choice` as the study records it: an ensemble
(Caruana et al., 2004) compared with one trial alone on cross-fitted out-of-fold scores, or a
single trial (the study's best, or the best after seed confirmation).
"""

from __future__ import annotations

import math
from typing import Any

from sweeps.report.data import Champion, ReportData
from sweeps.report.tables import fmt, table

__all__: list[str] = []  # nothing here for other packages


def _members_table(champion: Champion, data: ReportData) -> list[str]:
    ranks = {t.number: i for i, t in enumerate(data.top, start=1)}
    values = {t.number: t.values[data.metric_index] for t in data.top}
    metric = data.selection_metric
    rows = [
        (n, f"{w:.2f}", ranks.get(n, "-"), values.get(n, "-"))
        for n, w in sorted(champion.weights.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return table(("member trial", "weight", "rank below", f"its own {metric}"), rows)


def _comparison(choice: dict[str, Any], size: int) -> list[str]:
    """The two cross-fitted scores the ensemble was chosen on, and the in-sample ones."""
    metric, alternatives = choice["metric"], choice.get("alternatives") or {}
    ensemble_won = choice["kind"] == "ensemble"
    members = len(choice["members"])
    names = (
        f"ensemble ({members} trials, {size} greedy steps)"
        + (": the champion" if ensemble_won else ""),
        "one trial alone" + ("" if ensemble_won else ": the champion"),
    )
    in_sample = (
        fmt(choice.get("fit_score")) if ensemble_won else "-",
        f"{fmt(choice['best_score'])} (trial {choice['best_trial']})",
    )
    scores = (alternatives.get("ensemble"), alternatives.get("single"))
    rows = [
        (f"**{n}**" if i == (0 if ensemble_won else 1) else n, fmt(s), ins)
        for i, (n, s, ins) in enumerate(zip(names, scores, in_sample, strict=True))
    ]
    headers = ("candidate", f"{metric}, cross-fitted", f"{metric} on the rows that chose it")
    return table(headers, rows)


def _ensemble_lines(champion: Champion, data: ReportData) -> list[str]:
    choice = champion.choice
    setting = data.config.get("selection", {}).get("ensemble") or {}
    top, size = setting.get("top", len(choice.get("candidates", []))), setting.get("size", "?")
    winner = (
        f"a **weighted ensemble of {len(champion.weights)} trials' models**"
        if choice["kind"] == "ensemble"
        else f"**trial {next(iter(champion.weights))}** alone"
    )
    return [
        f"The champion is {winner}{_models(data)}. It was chosen by ensemble selection "
        f"(Caruana et al., 2004; `selection.ensemble: {{top: {top}, size: {size}}}`): greedy "
        f"forward selection with replacement over the out-of-fold predictions of the top "
        f"{len(choice.get('candidates', []))} trials below, against one trial alone.",
        "",
        *_members_table(champion, data),
        "",
        *_comparison(choice, size if isinstance(size, int) else 0),
        "",
        "Cross-fitted: each fifth of the rows is scored by weights (or a trial) chosen on the "
        "other four fifths, the fair comparison; the scores on the rows that chose them flatter "
        f"both. The lower cross-fitted {choice['metric']} won.{_spread(choice, data)}",
    ]


def _models(data: ReportData) -> str:
    folds = data.champion.folds if data.champion is not None else 1
    return f" (each trial's model: its {folds} fold models averaged)" if folds > 1 else ""


def _spread(choice: dict[str, Any], data: ReportData) -> str:
    spread = choice.get("spread")
    if spread is None:
        return ""
    folds = data.champion.folds if data.champion is not None else 1
    over = f"its {folds} folds" if folds > 1 else "bootstrap draws of the validation rows"
    return f" Spread of the champion's {choice['metric']} over {over}: {fmt(spread)}."


def _single_lines(champion: Champion, data: ReportData) -> list[str]:
    choice = champion.choice
    number = next(iter(champion.weights))
    what = f"The champion is **trial {number}**{_models(data)}"
    metric = choice["metric"]
    if data.pareto:
        what += f", Pareto-optimal and best on `{metric}` among the Pareto front"
    confirmation = choice.get("confirmation") or {}
    if not confirmation.get("candidates"):
        why = f"the study's best trial on {metric} (rank 1 below): {fmt(choice['score'])}"
        return [f"{what}: {why}.{_spread(choice, data)}", "", *_params(champion)]
    return [
        f"{what}: the best mean {metric} when the top {len(confirmation['candidates'])} trials "
        f"were retrained with fresh seeds (`selection.confirm`); a trial's own value is one "
        "seed's luck.",
        "",
        *_confirmation_table(confirmation, number),
        "",
        *_params(champion),
    ]


def _confirmation_table(confirmation: dict[str, Any], champion: int) -> list[str]:
    rows = []
    for c in confirmation["candidates"]:
        values = [v for v in c["values"] if not math.isnan(v)]
        mean = sum(values) / len(values) if values else float("nan")
        mark = "**champion**" if c["trial"] == champion else ""
        rows.append((c["trial"], mark, c["value"], mean, len(values)))
    metric = confirmation["metric"]
    return table(("trial", "", f"its own {metric}", "mean over seeds", "seeds"), rows)


def _params(champion: Champion) -> list[str]:
    return table(("parameter", "value"), champion.params.items()) if champion.params else []


def champion_section(data: ReportData) -> list[str]:
    """How the champion was chosen, with the numbers, and where its run is."""
    champion = data.champion
    if champion is None:
        return ["No trial completed: there is no champion yet."]
    ensemble = bool(champion.choice.get("alternatives"))
    lines = _ensemble_lines(champion, data) if ensemble else _single_lines(champion, data)
    return [*lines, "", f"Its MLflow run: `{champion.run_id}` (the model, `champion.json`, plots)."]


def tested_section(data: ReportData) -> list[str]:
    """The champion's one evaluation on the test split and its gap to validation."""
    champion = data.champion
    if champion is None or not champion.test:
        return ["Not tested: no champion, or its test step has not run."]
    choice = champion.choice
    metric = choice["metric"]
    lines = [
        "Evaluated once, after the study, on the test rows no trial saw:",
        "",
        *table(("metric", "value"), champion.test.items()),
        "",
    ]
    test_name = "test_" + metric.removeprefix("val_")
    if test_name in champion.test:
        val, test = float(choice["score"]), champion.test[test_name]
        lines.append(
            f"Gap: {metric} {fmt(val)} (validation) → {test_name} {fmt(test)}: {test - val:+.4g}."
        )
    if champion.gap_warning:
        lines += ["", f"**Warning:** {champion.gap_warning}."]
    elif test_name in champion.test:
        lines += [
            "",
            "No gap warning: the test score is within what the validation spread explains.",
        ]
    return lines
