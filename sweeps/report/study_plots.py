"""Pictures of a whole study for the parent run, drawn by ``optuna.visualization.matplotlib``.

Each plot is one PNG (matplotlib's Agg backend, no display needed), plus an interactive HTML
version when plotly is installed. A plot that cannot be drawn for this study (no completed
trial, no searched parameter, a single objective for the Pareto front) is skipped with a reason.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import optuna
from optuna.trial import FrozenTrial, TrialState

from sweeps.study.samplers import experimental_ok

__all__: list[str] = []  # nothing here for other packages

if TYPE_CHECKING:  # optuna.importance imports scikit-learn's forests: loaded when drawing
    from sweeps.report.importances import Importance

#: Resolution of the PNG files, and the margin (inches) around what they draw.
DPI = 100
TIGHT_PAD = 0.1
#: A log axis whose largest value is less than this multiple of its smallest is labelled at
#: 1, 2 and 5 times each power of ten.
SHORT_LOG_SPAN = 100.0
Target = Callable[[FrozenTrial], float]
#: Trial curves: number -> (state name, [(epoch, value)]).
CurveData = dict[int, tuple[str, list[tuple[int, float]]]]


@dataclass(frozen=True)
class ChampionMarks:
    """What the plots mark of the champion: its member trials and weights, and the score it
    was chosen on (drawn across the history when it is not a trial's own value)."""

    weights: dict[int, float]
    score: float | None = None
    label: str = ""

    @classmethod
    def from_choice(cls, choice: dict[str, Any] | None) -> ChampionMarks | None:
        """The marks of a recorded choice (see :class:`sweeps.results.champion.Choice`)."""
        if not isinstance(choice, dict) or not choice.get("members"):
            return None
        weights = {int(m["trial"]): float(m["weight"]) for m in choice["members"]}
        score = choice.get("score")
        if len(weights) > 1:
            label = f"champion (ensemble of {len(weights)}), cross-fitted: {score:.4g}"
        elif choice.get("confirmation"):
            label = f"champion, mean over confirmation seeds: {score:.4g}"
        else:
            return cls(weights)  # one trial scored by its own value: its ring says it all
        return cls(weights, float(score), label)


@dataclass(frozen=True)
class PlotTarget:
    """The value the single-objective plots show: the objective, or for several objectives
    the one that selects the winner; the trials' curves, the champion and the importances."""

    metrics: tuple[str, ...]
    selected: str
    #: Per-epoch curves from the tracking store, by trial number: ``(state, [(epoch, value)])``.
    #: Optuna keeps only the values reported to it (every ``report_every`` epochs).
    curves: CurveData = field(default_factory=dict)
    champion: ChampionMarks | None = None
    #: Filled in before drawing (see :func:`make_study_plots`).
    importances: dict[str, Importance] = field(default_factory=dict)

    @property
    def index(self) -> int:
        """The selected objective's position."""
        return self.metrics.index(self.selected)

    @property
    def fn(self) -> Target | None:
        """Optuna's ``target``: None for one objective, else the selected objective's value."""
        if len(self.metrics) == 1:
            return None
        index = self.index
        return lambda trial: trial.values[index]


@dataclass
class StudyPlots:
    """What was drawn: PNG and HTML files by plot name, why the other plots were not, and the
    importances drawn (name -> ``[value, low, high]``)."""

    png: dict[str, Path] = field(default_factory=dict)
    html: dict[str, Path] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    importances: dict[str, list[float]] = field(default_factory=dict)


@dataclass(frozen=True)
class PlotSpec:
    """One plot: its file name, title, when it cannot be drawn, how to draw it, and whether it
    marks the champion (drawn last: the champion may be chosen while the others are drawn)."""

    name: str
    title: str
    unavailable: Callable[[optuna.Study, PlotTarget], str | None]
    draw: Callable[[Any, optuna.Study, PlotTarget], Any]
    marks_champion: bool = False


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
    ax = vis.plot_optimization_history(study, target=t.fn, target_name=t.selected)
    if not _is_matplotlib(vis):
        return ax
    from sweeps.report.figures import mark_champion

    values = {n.number: float(n.values[t.index]) for n in _complete(study)}
    marks = t.champion
    line = (marks.score, marks.label) if marks and marks.score is not None else None
    mark_champion(ax, values, marks.weights if marks else {}, line)
    ax.set(title="Optimization history", xlabel="trial")
    return ax


def _importances(vis: Any, study: optuna.Study, t: PlotTarget) -> Any:
    from sweeps.report.importances import Recorded

    drawn = vis.plot_param_importances(
        study, evaluator=Recorded(t.importances), target=t.fn, target_name=t.selected
    )
    if _is_matplotlib(vis):
        from sweeps.report.figures import importance_whiskers

        importance_whiskers(drawn, t.importances)
        drawn.set_title(f"Parameter importances for {t.selected}", loc="left")
    return drawn


def _parallel(vis: Any, study: optuna.Study, t: PlotTarget) -> Any:
    drawn = vis.plot_parallel_coordinate(study, target=t.fn, target_name=t.selected)
    if _is_matplotlib(vis):
        from sweeps.report.figures import spread_parallel

        spread_parallel(drawn.get_figure())
    return drawn


def _slice(vis: Any, study: optuna.Study, t: PlotTarget) -> Any:
    drawn = vis.plot_slice(study, target=t.fn, target_name=t.selected)
    if _is_matplotlib(vis):
        from sweeps.report.figures import slice_grid

        slice_grid(_figure_of(drawn))
    return drawn


def _intermediate(vis: Any, study: optuna.Study, t: PlotTarget) -> Any:
    if t.curves and _is_matplotlib(vis):
        return _epoch_curves(t)
    return vis.plot_intermediate_values(study)


def _is_matplotlib(vis: Any) -> bool:
    return str(vis.__name__).endswith("matplotlib")


def _epoch_curves(t: PlotTarget) -> Any:
    """Every epoch of every trial as logged, the champion's members highlighted."""
    import matplotlib.pyplot as plt

    from sweeps.report.curves import draw_curves

    _fig, ax = plt.subplots(figsize=(8.5, 4.5))
    weights = t.champion.weights if t.champion else {}
    title = f"Learning curves: {t.selected} per epoch"
    return draw_curves(ax, t.curves, weights, t.selected, title)


def _pareto(vis: Any, study: optuna.Study, t: PlotTarget) -> Any:
    return vis.plot_pareto_front(study, target_names=list(t.metrics))


PLOTS: tuple[PlotSpec, ...] = (
    PlotSpec("optimization_history", "Optimization history", _needs_complete, _history, True),
    PlotSpec("intermediate_values", "Learning curves", _needs_intermediate, _intermediate, True),
    PlotSpec("param_importances", "Parameter importances", _needs_two_with_params, _importances),
    PlotSpec("slice", "Slice plot", _needs_params, _slice),
    PlotSpec("parallel_coordinate", "Parallel coordinates", _needs_params, _parallel),
    PlotSpec("pareto_front", "Pareto front", _needs_pareto, _pareto),
)
#: Each plot's spec by name.
SPECS = {spec.name: spec for spec in PLOTS}


def plotly_available() -> bool:
    """Whether interactive HTML versions can be written (plotly is installed)."""
    return importlib.util.find_spec("plotly") is not None


def _figure_of(drawn: Any) -> Any:
    """The figure behind what a matplotlib plot function returned (Axes or array of Axes)."""
    axes = np.asarray(drawn, dtype=object).ravel()[0] if isinstance(drawn, np.ndarray) else drawn
    return axes.get_figure()


def _tidy(fig: Any, name: str, target: PlotTarget) -> None:
    """Unclutter log axes (:func:`_log_ticks`); name the axes of Optuna's own learning
    curves (drawn when the tracking store gave none) and drop their legend (one per trial)."""
    for ax in fig.axes:
        for axis, scale in ((ax.xaxis, ax.get_xscale()), (ax.yaxis, ax.get_yscale())):
            if scale == "log":
                _log_ticks(axis)
    if name == "intermediate_values" and not target.curves:
        ax = fig.axes[0]
        ax.set(xlabel="epoch", ylabel=f"{target.selected} (reported to Optuna)")
        if ax.get_legend() is not None:
            ax.get_legend().remove()


def _log_ticks(axis: Any) -> None:
    """No minor ticks on a log axis (matplotlib makes an artist of each: they were a third of
    the slice and parallel plots' time, and the report's style hides them); labels in plain
    text (:func:`power_label`; matplotlib's own go through its TeX parser, a tenth of a
    second per process); an axis spanning less than :data:`SHORT_LOG_SPAN` is labelled at 1,
    2 and 5 times each power of ten instead of at the one power it may hold."""
    from matplotlib import ticker

    axis.set_minor_locator(ticker.NullLocator())
    low, high = sorted(axis.get_view_interval())
    if low > 0 and high / low < SHORT_LOG_SPAN:
        axis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(ticker.FuncFormatter(power_label))


_SUPERSCRIPT = str.maketrans(
    "-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)


def power_label(value: float, _position: int | None = None) -> str:
    """A log axis's tick label: the value as written (``%g``) from 0.001 to 9999, else in
    powers of ten (``10⁻⁴``, ``2×10⁻⁵``)."""
    if not np.isfinite(value) or value <= 0 or 1e-3 <= value < 1e4:
        return f"{value:g}"
    exponent = int(np.floor(np.log10(value) + 1e-9))
    mantissa = value / 10.0**exponent
    power = "10" + str(exponent).translate(_SUPERSCRIPT)
    return power if abs(mantissa - 1) < 1e-9 else f"{mantissa:.3g}\u00d7{power}"


def save_tight(fig: Any, path: Path) -> None:
    """Save ``fig`` cropped to what it draws. Its layout is computed first (matplotlib's
    ``bbox_inches="tight"``): measured before it, axis labels sit where the ticks' labels will
    cover them, and the crop cut them off."""
    fig.savefig(path, dpi=DPI, bbox_inches="tight", pad_inches=TIGHT_PAD)


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
            save_tight(fig, path)
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
    study: optuna.Study,
    target: PlotTarget,
    folder: Path,
    *,
    html: bool | None = None,
    champion: Callable[[], ChampionMarks | None] | None = None,
) -> StudyPlots:
    """Write every plot that this study allows into ``folder`` as ``NAME.png`` (and
    ``NAME.html`` when ``html``, default: when plotly is installed). The plots that mark the
    champion are drawn last, with ``champion()`` when given (it may wait for the choice)."""
    folder.mkdir(parents=True, exist_ok=True)
    html = plotly_available() if html is None else html
    out = StudyPlots()
    todo = []
    for spec in PLOTS:
        reason = spec.unavailable(study, target)
        if reason is not None:
            out.skipped[spec.name] = reason
        else:
            todo.append(spec)
    if SPECS["param_importances"] in todo:
        try:
            target = _with_importances(study, target, out)
        except Exception as exc:  # a picture must never cost the sweep its result
            todo.remove(SPECS["param_importances"])
            out.failed["param_importances"] = f"{type(exc).__name__}: {exc}".splitlines()[0]
    for marks in (False, True):
        if marks and champion is not None:
            target = dataclasses.replace(target, champion=champion())
        for spec in (s for s in todo if s.marks_champion == marks):
            _draw(spec, study, target, folder, html, out)
    out.png = {s.name: out.png[s.name] for s in PLOTS if s.name in out.png}  # report order
    return out


def _with_importances(study: optuna.Study, target: PlotTarget, out: StudyPlots) -> PlotTarget:
    """``target`` with the study's importances (recorded in ``out``)."""
    from sweeps.report.importances import param_importances

    found = param_importances(study, target.fn, target.index)
    out.importances = {k: [v.value, v.low, v.high] for k, v in found.items()}
    return dataclasses.replace(target, importances=found)


def _draw(
    spec: PlotSpec,
    study: optuna.Study,
    target: PlotTarget,
    folder: Path,
    html: bool,
    out: StudyPlots,
) -> None:
    try:
        out.png[spec.name] = save_png(spec, study, target, folder / f"{spec.name}.png")
        if html:
            out.html[spec.name] = save_html(spec, study, target, folder / f"{spec.name}.html")
    except Exception as exc:  # a picture must never cost the sweep its result
        out.failed[spec.name] = f"{type(exc).__name__}: {exc}".splitlines()[0]
