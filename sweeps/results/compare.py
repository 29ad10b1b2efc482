"""Two sweeps, or two runs, side by side.

Each side is a sweep (a sweep file, or an experiment's name: its latest sweep) or a run (its
id). A sweep is compared through its summary (see :mod:`sweeps.results.listing`: trials by
state as concluded, best value, champion), its settings (the parent run's params: data,
split, fixed keywords, space, sampler, pruner) and its winner's run; a run through itself.
Settings and params are shown where they differ (params as the model trained with them:
``hidden_layer_sizes``, not the ``depth`` and ``width`` searched for it); final and test
metrics all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sweeps.errors import RunNotFoundError
from sweeps.infra.urls import redact
from sweeps.records import FINAL_EXTRA, TRIAL_NUMBER_TAG, TrialTags, is_kept_metric
from sweeps.results.listing import SweepSummary, sweep_of
from sweeps.spec.reading import load_config
from sweeps.spec.space import hidden_layers
from sweeps.tracking import RunRecord, TrackingStore

__all__ = ["Pair", "SideBySide", "compare", "parse_refs", "resolve_side"]

CONFIG_SUFFIXES = (".yaml", ".yml", ".json")
Pair = tuple[Any, Any]
#: Searched stand-ins for ``hidden_layer_sizes`` (see :func:`sweeps.space.hidden_layers`).
SEARCHED_SIZES = ("depth", "width")


@dataclass(frozen=True)
class SweepRef:
    """A sweep named by its experiment (and study, when a sweep file gave it)."""

    experiment: str
    study: str | None = None


@dataclass(frozen=True)
class Side:
    """One side: what was asked for, the sweep (if a sweep) and the run compared (a sweep's
    winner, or the run itself), with the sweep's settings."""

    ref: str
    kind: Literal["sweep", "run"]
    experiment: str
    run: RunRecord | None
    sweep: SweepSummary | None = None
    settings: dict[str, str] = field(default_factory=dict)

    def facts(self) -> dict[str, Any]:
        """What identifies the side and, for a sweep, how it went."""
        run, sweep = self.run, self.sweep
        record = TrialTags.read(run.tags if run is not None else {})
        facts: dict[str, Any] = {
            "kind": self.kind,
            "experiment": self.experiment,
            "study": sweep.study if sweep else record.study,
            "run": run.run_id if run else None,
            "trial": run.tags.get(TRIAL_NUMBER_TAG) if run else None,
            "state": record.state or (run.status if run else None),
        }
        if sweep is not None:
            counts = sweep.counts or {}
            facts["status"] = sweep.status
            facts["trials"] = ", ".join(f"{n} {s.lower()}" for s, n in counts.items() if n) or None
            facts["metric"], facts["best"] = sweep.metric, sweep.best
            champion = sweep.champion
            facts["champion"] = f"{champion.model} v{champion.version}" if champion else None
        return facts


@dataclass(frozen=True)
class SideBySide:
    """Both sides and, by name, the differing settings and params and every final and test
    metric, as (A, B) pairs (None where a side has none)."""

    a: Side
    b: Side
    facts: dict[str, Pair]
    settings: dict[str, Pair]
    params: dict[str, Pair]
    final: dict[str, Pair]
    test: dict[str, Pair]


def parse_refs(refs: Sequence[str]) -> tuple[list[str | SweepRef], str | None]:
    """Sweep files read as :class:`SweepRef` (experiment and study), other references kept as
    given; and the tracking URI the first sweep file configures, if any."""
    parsed: list[str | SweepRef] = []
    configured = None
    for ref in refs:
        path = Path(ref)
        if path.suffix.lower() in CONFIG_SUFFIXES and path.is_file():
            cfg = load_config(path)
            configured = configured or cfg.tracking.uri
            parsed.append(SweepRef(cfg.name, cfg.study_name))
        else:
            parsed.append(ref)
    return parsed, configured


def resolve_side(tracker: TrackingStore, ref: str | SweepRef) -> Side:
    """A sweep (a :class:`SweepRef`, or an experiment's name) or a run (its id)."""
    experiments = tracker.experiments()
    if isinstance(ref, str) and ref in experiments:
        ref = SweepRef(ref)
    if isinstance(ref, SweepRef):
        return _sweep_side(tracker, ref, experiments)
    run = tracker.run(ref)
    if run is None:
        raise RunNotFoundError(
            f"{ref!r} is neither a sweep file, an experiment nor a run in tracking store "
            f"{redact(tracker.uri)}"
        )
    names = {eid: name for name, eid in experiments.items()}
    return Side(ref, "run", names.get(run.experiment_id, run.experiment_id), run)


def _sweep_side(tracker: TrackingStore, ref: SweepRef, experiments: dict[str, str]) -> Side:
    if ref.experiment not in experiments:
        raise RunNotFoundError(
            f"no experiment {ref.experiment!r} in tracking store {redact(tracker.uri)}"
        )
    sweep = sweep_of(tracker, ref.experiment, experiments[ref.experiment], ref.study)
    if sweep is None:
        which = f"study {ref.study!r}" if ref.study else "sweep"
        raise RunNotFoundError(f"experiment {ref.experiment!r} has no {which} (no parent run)")
    parent = tracker.run(sweep.parent_run_id)
    winner = tracker.run(sweep.champion_run_id) if sweep.champion_run_id else None
    settings = dict(parent.params) if parent is not None else {}
    label = (
        ref.experiment if ref.study in (None, ref.experiment) else f"{ref.experiment}/{ref.study}"
    )
    return Side(label, "sweep", ref.experiment, winner, sweep, settings)


def compare(a: Side, b: Side) -> SideBySide:
    """The two sides' facts, differing settings and params, final and test metrics."""
    facts_a, facts_b = a.facts(), b.facts()
    facts = {k: (facts_a.get(k), facts_b.get(k)) for k in dict.fromkeys([*facts_a, *facts_b])}
    params_a, params_b = (trained_params(s.run.params) if s.run else {} for s in (a, b))
    metrics_a, metrics_b = (s.run.metrics if s.run else {} for s in (a, b))
    return SideBySide(
        a,
        b,
        facts,
        settings=_differing(a.settings, b.settings) if a.sweep and b.sweep else {},
        params=_differing(params_a, params_b),
        final=_pairs(metrics_a, metrics_b, _is_final),
        test=_pairs(metrics_a, metrics_b, lambda name: name.startswith("test_")),
    )


def trained_params(params: dict[str, str]) -> dict[str, str]:
    """A run's params as the model trained with them: the searched ``depth`` and ``width``
    give way to the ``hidden_layer_sizes`` they became (logged beside them, or derived), so a
    trial searched by depth and width compares equal to its retrain with the sizes fixed. The
    ``log10_*`` copies of log-searched params (for MLflow's charts) are left out."""
    params = {k: v for k, v in params.items() if not k.startswith("log10_")}
    if "depth" not in params and "width" not in params:
        return params
    out = {k: v for k, v in params.items() if k not in SEARCHED_SIZES}
    if "hidden_layer_sizes" not in out:
        try:
            sizes = {k: int(params[k]) for k in SEARCHED_SIZES if k in params}
        except ValueError:
            return params  # not numbers: show them as logged
        out["hidden_layer_sizes"] = str(hidden_layers(sizes)["hidden_layer_sizes"])
    return out


def _differing(a: dict[str, str], b: dict[str, str]) -> dict[str, Pair]:
    names = sorted(set(a) | set(b))
    return {n: (a.get(n), b.get(n)) for n in names if a.get(n) != b.get(n)}


def _pairs(a: dict[str, float], b: dict[str, float], keep: Any) -> dict[str, Pair]:
    names = sorted(n for n in set(a) | set(b) if keep(n))
    return {n: (a.get(n), b.get(n)) for n in names}


def _is_final(name: str) -> bool:
    return is_kept_metric(name) or name in FINAL_EXTRA
