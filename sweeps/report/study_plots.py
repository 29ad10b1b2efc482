"""Pictures of a whole study for the parent run, drawn by ``optuna.visualization.matplotlib``.

Each plot is one PNG (matplotlib's Agg backend, no display needed), plus an interactive HTML
version when plotly is installed. A plot that cannot be drawn for this study (no completed
trial, no searched parameter, a single objective for the Pareto front) is skipped with a reason.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import optuna
from optuna.trial import FrozenTrial, TrialState

from sweeps.study.samplers import experimental_ok

__all__: list[str] = []  # nothing here for other packages

Target = Callable[[FrozenTrial], float]
MAX_LEGEND = 12  # trials named in the learning curves' legend; more are drawn unnamed


@dataclass(frozen=True)
class PlotTarget:
    """The value the single-objective plots show: the objective, or for several objectives
    the one that selects the winner."""

    metrics: tuple[str, ...]
    selected: str
    seed: int = 0
    #: Per-epoch curves from the tracking store, by trial number: ``(state, [(epoch, value)])``.
    #: Optuna keeps only the values reported to it (every ``report_every`` epochs).
    curves: dict[int, tuple[str, list[tuple[int, float]]]] = field(default_factory=dict)

    @property
    def fn(self) -> Target | None:
        """Optuna's ``target``: None for one objective, else the selected objective's value."""
        if len(self.metrics) == 1:
            return None
        index = self.metrics.index(self.selected)
        return lambda trial: trial.values[index]


@dataclass
class StudyPlots:
    """What was drawn: PNG and HTML files by plot name, and why the other plots were not."""

    png: dict[str, Path] = field(default_factory=dict)
    html: dict[str, Path] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PlotSpec:
    """One plot: its file name, title, when it cannot be drawn, and how to draw it."""

    name: str
    title: str
    unavailable: Callable[[optuna.Study, PlotTarget], str | None]
    draw: Callable[[Any, optuna.Study, PlotTarget], Any]


def _complete(study: optuna.Study) -> list[FrozenTrial]:
    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def _needs_complete(study: optuna.Study, _target: PlotTarget) -> str | None:
    return None if _complete(study) else "no trial completed"


def _needs_params(study: optuna.Study, target: PlotTarget) -> str | None:
    if not _complete(study):
        return "no trial completed"
    if not any(t.params for t in _complete(study)):
        return "nothing was searched (no parameters)"
    return None


def _needs_two_with_params(study: optuna.Study, target: PlotTarget) -> str | None:
    reason = _needs_params(study, target)
    if reason is None and len(_complete(study)) < 2:
        return "needs at least 2 completed trials"
    return reason


def _needs_intermediate(study: optuna.Study, target: PlotTarget) -> str | None:
    if target.curves or any(t.intermediate_values for t in study.get_trials(deepcopy=False)):
        return None
    if len(study.directions) > 1:
        return "multi-objective trials report no per-epoch values"
    return "no trial reported per-epoch values"


def _needs_pareto(study: optuna.Study, _target: PlotTarget) -> str | None:
    if len(study.directions) not in (2, 3):
        return "only for studies with 2 or 3 objectives"
    return _needs_complete(study, _target)


def _history(vis: Any, study: optuna.Study, t: PlotTarget) -> Any:
    return vis.plot_optimization_history(study, target=t.fn, target_name=t.selected)


def _importances(vis: Any, study: optuna.Study, t: PlotTarget) -> Any:
    from optuna.importance import FanovaImportanceEvaluator  # imports scikit-learn's forests

    evaluator = FanovaImportanceEvaluator(seed=t.seed)
    return vis.plot_param_importances(
        study, evaluator=evaluator, target=t.fn, target_name=t.selected
    )


def _parallel(vis: Any, study: optuna.Study, t: PlotTarget) -> Any:
    return vis.plot_parallel_coordinate(study, target=t.fn, target_name=t.selected)


def _slice(vis: Any, study: optuna.Study, t: PlotTarget) -> Any:
    return vis.plot_slice(study, target=t.fn, target_name=t.selected)


def _intermediate(vis: Any, study: optuna.Study, t: PlotTarget) -> Any:
    if t.curves and vis.__name__.endswith("matplotlib"):
        return _epoch_curves(t)
    return vis.plot_intermediate_values(study)


def _epoch_curves(t: PlotTarget) -> Any:
    """Every epoch of every trial (complete: solid; pruned or failed: faint), as logged."""
    import matplotlib.pyplot as plt

    _fig, ax = plt.subplots(figsize=(7, 4.5))
    for number, (state, points) in sorted(t.curves.items()):
        steps, values = zip(*points, strict=True) if points else ((), ())
        done = state == "COMPLETE"
        ax.plot(steps, values, lw=1.2 if done else 0.8, alpha=0.9 if done else 0.35,
                label=f"trial {number}" if done else None)  # fmt: skip
    if any(v > 0 for _, pts in t.curves.values() for _, v in pts):
        ax.set_yscale("log")
    ax.set(title="Learning curves of all trials", xlabel="epoch", ylabel=t.selected)
    return ax


def _pareto(vis: Any, study: optuna.Study, t: PlotTarget) -> Any:
    return vis.plot_pareto_front(study, target_names=list(t.metrics))


PLOTS: tuple[PlotSpec, ...] = (
    PlotSpec("optimization_history", "Optimization history", _needs_complete, _history),
    PlotSpec("param_importances", "Parameter importances", _needs_two_with_params, _importances),
    PlotSpec("parallel_coordinate", "Parallel coordinates", _needs_params, _parallel),
    PlotSpec("slice", "Slice plot", _needs_params, _slice),
    PlotSpec(
        "intermediate_values", "Learning curves of all trials", _needs_intermediate, _intermediate
    ),
    PlotSpec("pareto_front", "Pareto front", _needs_pareto, _pareto),
)


def plotly_available() -> bool:
    """Whether interactive HTML versions can be written (plotly is installed)."""
    return importlib.util.find_spec("plotly") is not None


def _figure_of(drawn: Any) -> Any:
    """The figure behind what a matplotlib plot function returned (Axes or array of Axes)."""
    axes = np.asarray(drawn, dtype=object).ravel()[0] if isinstance(drawn, np.ndarray) else drawn
    return axes.get_figure()


def _tidy(fig: Any, name: str, target: PlotTarget) -> None:
    """Unclutter log axes (no minor tick labels); name the learning curves' axes and drop
    their legend when it would list too many trials."""
    from matplotlib import ticker

    for ax in fig.axes:
        for axis, scale in ((ax.xaxis, ax.get_xscale()), (ax.yaxis, ax.get_yscale())):
            if scale == "log":
                axis.set_minor_formatter(ticker.NullFormatter())
    if name == "parallel_coordinate":
        _spread_axes(fig)
    if name == "intermediate_values":
        ax = fig.axes[0]
        which = "every epoch" if target.curves else "reported to Optuna"
        ax.set(xlabel="epoch", ylabel=f"{target.selected} ({which})")
        if len(ax.get_lines()) > MAX_LEGEND and ax.get_legend() is not None:
            ax.get_legend().remove()  # one entry per trial: taller than the plot itself


def _spread_axes(fig: Any) -> None:
    """Parallel coordinates: room between the axes, fewer and smaller tick labels on log axes
    (their labels ran into the next axis)."""
    from matplotlib import ticker

    fig.set_size_inches(max(8.0, 1.3 * len(fig.axes)), 5.0)
    for ax in fig.axes:
        ax.tick_params(labelsize=8)
        if ax.get_yscale() == "log":
            ax.yaxis.set_major_locator(ticker.LogLocator(base=10, numticks=4))


def save_png(spec: PlotSpec, study: optuna.Study, target: PlotTarget, path: Path) -> Path:
    """Draw one plot with matplotlib, save it as PNG and close its figure (Optuna switches
    matplotlib's global style: the rc context restores it)."""
    import matplotlib
    import matplotlib.pyplot as plt

    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg")  # no display needed
    import optuna.visualization.matplotlib as vis

    with matplotlib.rc_context(), experimental_ok(), warnings.catch_warnings():
        # a parameter every shown trial shares gives matplotlib a zero-width axis: it widens it
        warnings.filterwarnings("ignore", "Attempting to set identical", UserWarning)
        fig = _figure_of(spec.draw(vis, study, target))
        try:
            _tidy(fig, spec.name, target)
            fig.savefig(path, dpi=100, bbox_inches="tight")
        finally:
            plt.close(fig)
    return path


def save_html(spec: PlotSpec, study: optuna.Study, target: PlotTarget, path: Path) -> Path:
    """Draw one plot with plotly and save it as HTML (plotly.js loaded from its CDN)."""
    import optuna.visualization as vis

    with experimental_ok():
        figure = spec.draw(vis, study, target)
    figure.write_html(path, include_plotlyjs="cdn")
    return path


def make_study_plots(
    study: optuna.Study, target: PlotTarget, folder: Path, *, html: bool | None = None
) -> StudyPlots:
    """Write every plot that this study allows into ``folder`` as ``NAME.png`` (and
    ``NAME.html`` when ``html``, default: when plotly is installed)."""
    folder.mkdir(parents=True, exist_ok=True)
    html = plotly_available() if html is None else html
    out = StudyPlots()
    for spec in PLOTS:
        reason = spec.unavailable(study, target)
        if reason is not None:
            out.skipped[spec.name] = reason
            continue
        try:
            out.png[spec.name] = save_png(spec, study, target, folder / f"{spec.name}.png")
            if html:
                out.html[spec.name] = save_html(spec, study, target, folder / f"{spec.name}.html")
        except Exception as exc:  # a picture must never cost the sweep its result
            out.failed[spec.name] = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return out
