"""The champion registered as a model version, and the ``champion`` alias moved to it only
when it beats the current champion.

Each version records the score that chose it (the champion's validation score, see
:mod:`sweeps.results.champion`) and the data it was scored on. On the same data and split the two
recorded scores are compared; on other data the champion is scored on this sweep's validation
rows instead (it never trained on them, unless the tables overlap) and compared with the new
version's recorded score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.models.evaluation import evaluate
from sweeps.core.dataset import SweepData
from sweeps.core.sweep import Sweep
from sweeps.records import (
    DATA_FINGERPRINT_TAG,
    MAXIMIZED,
    SCORE_METRIC_TAG,
    SCORE_TAG,
    STUDY_TAG,
    split_tag,
)
from sweeps.tracking import ModelVersion

__all__: list[str] = []  # nothing here for other packages

#: Version tags that say which data a score was measured on.
DATA_TAGS = (DATA_FINGERPRINT_TAG, split_tag("train"), split_tag("validation"))


@dataclass(frozen=True)
class Score:
    """A version's validation score on the selection metric (``val_*``, or ``n_params``)."""

    metric: str
    value: float

    def beats(self, other: float) -> bool:
        """Strictly better than ``other`` in the metric's direction."""
        return self.value > other if self.metric in MAXIMIZED else self.value < other


def register(sweep: Sweep, run_id: str, score: Score, description: str) -> str:
    """The model version made from the champion run's model: found when an interrupted
    conclusion already registered it, else created (with the score that chose it and the data
    it was scored on), and described."""
    cfg, tracker = sweep.cfg, sweep.tracker
    name = model_name(cfg)
    version = tracker.version_of_run(name, run_id)
    if version is None:
        tags = {
            STUDY_TAG: cfg.study_name,
            SCORE_METRIC_TAG: score.metric,
            SCORE_TAG: repr(score.value),
            **{k: v for k, v in sweep.data.fingerprint_tags().items() if k in DATA_TAGS},
        }
        version = tracker.register(name, run_id, tags)
    tracker.describe_version(name, version, description)
    return version


def model_name(cfg: Any) -> str:
    """The registered model's name: ``tracking.model_name``, else the sweep's name."""
    return str(cfg.tracking.model_name or cfg.name)


def promote_if_better(sweep: Sweep, version: str, score: Score) -> str:
    """Move the champion alias to ``version`` when it beats the current champion on ``score``
    (or there is none); return a note for the user."""
    tracker = sweep.tracker
    name = model_name(sweep.cfg)
    current = tracker.champion(name)
    if current is None:
        tracker.alias_champion(name, version)
        return f"model {name} version {version} is the first champion"
    if current.version == version:
        return f"model {name} version {version} holds the champion alias"
    old = _champion_score(sweep, current, score.metric)
    if old is None:
        return (
            f"champion (version {current.version}) cannot be scored on this validation data; "
            f"alias left unchanged, new version {version} registered"
        )
    verdict = f"{score.metric} {score.value:.6g} vs {old:.6g}"
    if score.beats(old):
        tracker.alias_champion(name, version)
        return f"version {version} beats the champion ({verdict}): alias moved"
    return (
        f"version {version} does not beat champion version {current.version} ({verdict}): "
        "alias unchanged"
    )


def _champion_score(sweep: Sweep, champion: ModelVersion, metric: str) -> float | None:
    """The champion's recorded score when it was scored on this very data, else its score on
    this sweep's validation rows (None when it cannot be scored on them)."""
    same_data = all(
        champion.tags.get(k) == v
        for k, v in sweep.data.fingerprint_tags().items()
        if k in DATA_TAGS
    )
    if same_data and champion.tags.get(SCORE_METRIC_TAG) == metric:
        return float(champion.tags[SCORE_TAG])
    return _score_on_validation(sweep, sweep.data, champion.run_id, metric)


def _score_on_validation(sweep: Sweep, data: SweepData, run_id: str, metric: str) -> float | None:
    if not metric.startswith("val_"):
        return None
    X_val = data.table.X.iloc[data.split.validation]
    y_val = data.table.y.iloc[data.split.validation]
    try:
        model = sweep.tracker.load_model(run_id)
        return evaluate(model, X_val, y_val, data.task, "val_")[metric]
    except Exception:  # a champion trained on another table or task
        return None
