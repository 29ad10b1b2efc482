"""The champion's run: a child of the sweep's parent run, named ``champion``, that holds the
champion model, its validation and test scores and how it was chosen; its members' trial runs
and the parent are tagged and described so that every view names the same champion.

Opening it is idempotent: an interrupted conclusion finds the run it created (by the choice's
key), and the study's user attribute :data:`~sweeps.records.CHAMPION_ATTR` is written
only once the run exists.
"""

from __future__ import annotations

from typing import Any

from sweeps.core.sweep import Sweep
from sweeps.records import (
    BEST_RUN_TAG,
    BEST_TRIAL,
    BEST_TRIAL_TAG,
    CHAMPION,
    CHAMPION_ATTR,
    CHAMPION_KEY_TAG,
    CHAMPION_KIND_TAG,
    CHAMPION_MARKER_TAG,
    CHAMPION_MEMBERS_TAG,
    CHAMPION_RUN_TAG,
    CHAMPION_SCORE_TAG,
    CHAMPION_WEIGHT_TAG,
    IN_SAMPLE,
    NOTE_TAG,
    PARENT_RUN_TAG,
    ROLE_TAG,
    RUN_ID_ATTR,
    runs_of,
    spread_metric,
)
from sweeps.results.champion import Choice, recorded_choice

__all__: list[str] = []  # nothing here for other packages


def champion_run_id(sweep: Sweep) -> str | None:
    """The champion run the study records, if it still exists."""
    data = sweep.study.user_attrs.get(CHAMPION_ATTR)
    run_id = data.get("run_id") if isinstance(data, dict) else None
    return run_id if run_id and sweep.tracker.run(run_id) is not None else None


def open_champion_run(sweep: Sweep, choice: Choice) -> str:
    """The run of ``choice`` (found or created, RUNNING), recorded on the study."""
    previous = recorded_choice(sweep)
    run_id = champion_run_id(sweep) if previous is not None and previous.key == choice.key else None
    run_id = run_id or _find(sweep, choice) or _create(sweep, choice)
    sweep.tracker.reopen(run_id)
    sweep.study.set_user_attr(CHAMPION_ATTR, {"choice": choice.as_dict(), "run_id": run_id})
    return run_id


def _find(sweep: Sweep, choice: Choice) -> str | None:
    where = runs_of(CHAMPION, **{CHAMPION_KEY_TAG: choice.key, PARENT_RUN_TAG: sweep.parent_run_id})
    found = sweep.tracker.search(sweep.experiment_id, where, ["attributes.start_time ASC"], 1)
    return found[0].run_id if found else None


def _create(sweep: Sweep, choice: Choice) -> str:
    tags = {
        **sweep.trial_tags,
        ROLE_TAG: CHAMPION,
        CHAMPION_KEY_TAG: choice.key,
        CHAMPION_KIND_TAG: choice.kind,
        CHAMPION_MEMBERS_TAG: members_text(choice),
        CHAMPION_MARKER_TAG: champion_marker(choice),
        NOTE_TAG: describe(sweep, choice),
    }
    params = {
        "kind": choice.kind,
        "metric": choice.metric,
        "members": members_text(choice),
        "how": choice.how[:500],
    }
    if choice.kind == "trial":  # its keywords, as the trial's run logged them
        member = sweep.tracker.run(choice.members[0].run_id)
        params = {**(member.params if member is not None else {}), **params}
    run_id = sweep.tracker.create_child(
        sweep.experiment_id, "champion", tags, params, sweep.parent_run_id
    )
    sweep.tracker.log_values(run_id, validation_metrics(choice))
    sweep.tracker.log_json(run_id, choice.as_dict(), "champion.json")
    # what `sweeps predict` reads the table's reader settings from, as on a trial's run
    sweep.tracker.log_json(run_id, {"config": sweep.cfg.public_dict()}, "trial_config.json")
    return run_id


def champion_marker(choice: Choice) -> str:
    """The champion run's marker (short: a column of the runs list)."""
    return "★ champion"


def member_marker(weight: float, ensemble: bool) -> str:
    """A member trial's marker: ``★ member 0.44`` (its weight in an ensemble)."""
    return f"★ member {weight:.2g}" if ensemble else "★ member"


def members_text(choice: Choice) -> str:
    """``12:0.44,7:0.32``: member trials and their weights."""
    return ",".join(f"{m.trial}:{m.weight:.4g}" for m in choice.members)


def validation_metrics(choice: Choice) -> dict[str, float]:
    """The champion's validation numbers under plain names: ``val_loss`` (its score), the
    score on the rows its weights were chosen on, the spread, and the best single trial's."""
    metric = choice.metric
    out = {metric: choice.score, f"{BEST_TRIAL}{metric}": choice.best_score}
    if choice.fit_score is not None:
        out[f"{IN_SAMPLE}{metric}"] = choice.fit_score
    if choice.spread is not None:
        out[spread_metric(metric)] = choice.spread
    return out


def describe(sweep: Sweep, choice: Choice) -> str:
    """One paragraph: what the champion is, how it was chosen, its validation score."""
    what = (
        f"Weighted ensemble of {len(choice.members)} trial(s): {choice.weights_text()}"
        if choice.kind == "ensemble"
        else f"Trial {choice.members[0].trial}"
    )
    fold = len(sweep.data.folds)
    models = f"each trial's {fold} fold models averaged" if fold else "each trial's own model"
    score = f"{choice.metric} {choice.score:.6g}"
    if choice.kind == "ensemble":
        score += " (weights chosen on other rows: cross-fitted out-of-fold score)"
    return (
        f"Champion of sweep {sweep.cfg.study_name}. {what}; {models}. Chosen by {choice.how}. "
        f"Validation {score}; best single trial {choice.best_trial}: "
        f"{choice.metric} {choice.best_score:.6g}."
    )


def tag_members(sweep: Sweep, run_id: str, choice: Choice, previous: Choice | None) -> None:
    """Member trial runs carry their weight and a description; former members lose theirs;
    the parent names the champion run."""
    tracker = sweep.tracker
    current = {m.run_id for m in choice.members}
    for old in previous.members if previous is not None else ():
        if old.run_id not in current and tracker.run(old.run_id) is not None:
            tracker.delete_tags(old.run_id, [CHAMPION_WEIGHT_TAG, NOTE_TAG, CHAMPION_MARKER_TAG])
    ensemble = choice.kind == "ensemble"
    for member in choice.members:
        note = (
            f"Member of the champion of sweep {sweep.cfg.study_name} "
            f"(weight {member.weight:.4g}; champion run {run_id})."
        )
        tags = {
            CHAMPION_WEIGHT_TAG: f"{member.weight:.6g}",
            CHAMPION_MARKER_TAG: member_marker(member.weight, ensemble),
            NOTE_TAG: note,
        }
        tracker.log_values(member.run_id, tags=tags)
    tracker.log_values(sweep.parent_run_id, tags=parent_tags(sweep, run_id, choice))


def parent_tags(sweep: Sweep, run_id: str, choice: Choice) -> dict[str, Any]:
    """The parent's champion tags and description, and the best single trial (what
    ``sweeps export`` exports)."""
    trials = {t.number: t for t in sweep.study.get_trials(deepcopy=False)}
    best = trials.get(choice.best_trial)
    return {
        CHAMPION_RUN_TAG: run_id,
        CHAMPION_MEMBERS_TAG: members_text(choice),
        CHAMPION_SCORE_TAG: f"{choice.metric}={choice.score!r}",
        BEST_TRIAL_TAG: choice.best_trial,
        BEST_RUN_TAG: best.user_attrs.get(RUN_ID_ATTR) if best else None,
        NOTE_TAG: describe(sweep, choice),
    }
