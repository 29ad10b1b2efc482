"""The sweep summaries behind ``sweeps list``, on the in-memory store: where counts and best
values come from, which parent run is a sweep's, the champion, and the number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sweeps.results.listing import list_sweeps, sweep_of
from sweeps.study.overview import StudyOverview
from sweeps.tracking import MemoryTracker, RunRecord


@dataclass
class CountingTracker(MemoryTracker):
    """The memory store, counting the searches made of it."""

    searches: list[str] = field(default_factory=list)

    def search(
        self,
        experiment_id: str | Sequence[str],
        where: str,
        order_by: Sequence[str],
        max_results: int,
    ) -> list[RunRecord]:
        self.searches.append(where)
        return super().search(experiment_id, where, order_by, max_results)


def _sweep(tracker: MemoryTracker, name: str, trials: int, direction: str = "minimize") -> str:
    """An experiment ``name`` with a parent run of study ``name`` and ``trials`` trial runs."""
    experiment = tracker.experiment_id(name)
    assert experiment is not None
    study = name
    tags = {"sweeps.directions": direction}
    parent = tracker.create_parent(experiment, study, tags, {"metric": "val_loss"})
    for number in range(trials):
        run = tracker.start_run(
            experiment, f"trial-{number}", {"sweeps.study": study}, {}, parent_run_id=parent
        )
        run.finish("FINISHED", {"val_loss": 1.0 / (number + 1)}, {"sweeps.state": "COMPLETE"})
    return parent


def _conclude(tracker: MemoryTracker, parent: str, counts: dict[str, int], best: float) -> None:
    metrics = {f"trials_{state.lower()}": n for state, n in counts.items()}
    tracker.log_values(
        parent, {**metrics, "champion_val_loss": best}, {"sweeps.champion_run_id": "w1"}
    )


def test_queries_do_not_grow_with_trials() -> None:
    tracker = CountingTracker()
    _sweep(tracker, "big", 300)
    _sweep(tracker, "small", 2)
    listed = list_sweeps(tracker)
    assert [s.experiment for s in listed] == ["big", "small"]
    # one search for every parent run, then one per sweep for its latest run
    assert len(tracker.searches) == 3
    assert tracker.searches[0] == "tags.`sweeps.role` = 'parent'"
    big = listed[0]
    latest = max(r.start_time for r in tracker.runs.values() if r.tags.get("sweeps.study") == "big")
    assert big.last_activity == latest


def test_counts_and_best_as_concluded_then_live() -> None:
    tracker = MemoryTracker()
    parent = _sweep(tracker, "s", 3)
    (running,) = list_sweeps(tracker)
    assert (running.counts, running.counts_from, running.best, running.best_from) == (
        None, None, None, None,
    )  # fmt: skip
    assert running.status == "RUNNING"
    _conclude(tracker, parent, {"COMPLETE": 3, "PRUNED": 1}, 0.25)
    (concluded,) = list_sweeps(tracker)
    assert concluded.counts == {"COMPLETE": 3, "PRUNED": 1, "FAIL": 0, "RUNNING": 0, "WAITING": 0}
    assert (concluded.counts_from, concluded.best, concluded.best_from) == (
        "parent run",
        0.25,
        "champion",
    )
    assert concluded.champion_run_id == "w1"
    live = StudyOverview("s", {"COMPLETE": 5, "RUNNING": 2}, lowest=0.1, highest=0.9, attr=parent)
    (now,) = list_sweeps(tracker, {"s": live})
    assert now.counts == {"COMPLETE": 5, "PRUNED": 0, "FAIL": 0, "RUNNING": 2, "WAITING": 0}
    assert now.counts_from == "study"
    assert (now.best, now.best_from) == (0.25, "champion")  # not the best so far


def test_best_so_far_follows_the_direction() -> None:
    tracker = MemoryTracker()
    parent = _sweep(tracker, "acc", 1, "maximize")
    live = StudyOverview("acc", lowest=0.5, highest=0.75, attr=parent)
    (summary,) = list_sweeps(tracker, {"acc": live})
    assert (summary.direction, summary.best, summary.best_from) == ("maximize", 0.75, "study")


def test_a_study_of_the_same_name_from_another_sweep_is_not_used() -> None:
    tracker = MemoryTracker()
    _sweep(tracker, "s", 1)
    stranger = StudyOverview("s", {"COMPLETE": 40}, lowest=0.01, highest=0.02, attr="other-run")
    (summary,) = list_sweeps(tracker, {"s": stranger})
    assert (summary.counts, summary.best) == (None, None)


def test_only_the_latest_parent_of_a_study_is_listed() -> None:
    tracker = MemoryTracker()
    _sweep(tracker, "s", 1)
    experiment = tracker.experiment_id("s")
    assert experiment is not None
    newer = tracker.create_parent(experiment, "s", {}, {"metric": "val_loss"})
    other = tracker.create_parent(experiment, "s-v2", {}, {"metric": "val_loss"})
    listed = list_sweeps(tracker)
    assert [(s.study, s.parent_run_id) for s in listed] == [("s", newer), ("s-v2", other)]
    found = sweep_of(tracker, "s", experiment, "s")
    assert found is not None and found.parent_run_id == newer


def test_champion_by_sweep_name_or_by_the_study_that_registered_it() -> None:
    tracker = MemoryTracker()
    _sweep(tracker, "named", 1)
    _sweep(tracker, "custom", 1)
    _sweep(tracker, "none", 1)
    tracker.register("named", "run-a", {"sweeps.study": "named"})
    tracker.register("named", "run-b", {"sweeps.study": "named"})
    tracker.alias_champion("named", "2")
    tracker.register("shared-model", "run-c", {"sweeps.study": "custom"})
    tracker.alias_champion("shared-model", "1")
    champions = {s.experiment: s.champion for s in list_sweeps(tracker)}
    assert champions["named"] is not None
    assert (champions["named"].model, champions["named"].version) == ("named", "2")
    assert champions["named"].run_id == "run-b"
    assert champions["custom"] is not None and champions["custom"].model == "shared-model"
    assert champions["none"] is None


def test_an_empty_store_lists_nothing() -> None:
    tracker = MemoryTracker()
    tracker.experiment_id("Default")
    assert list_sweeps(tracker) == []
