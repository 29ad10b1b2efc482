"""What a sweep records has one home: :mod:`sweeps.records`. No other module of ``sweeps/``
writes a tag or user-attribute name out, and the typed readers read what the writers write."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sweeps import records
from sweeps.records import ParentTags, TrialTags

ROOT = Path(__file__).resolve().parents[2]
#: A tag name (``sweeps.state``) or one in a filter (``tags.`sweeps.role```), anywhere in a string.
TAG_NAME = re.compile(r"(?<![\w.])sweeps\.[a-z_]")
#: A user attribute's whole name (``mlflow_run_id``, ``sweeps_champion``).
ATTR_NAME = re.compile(r"mlflow_(parent_)?run_id|sweeps_[a-z_]+")
#: Calls whose string argument names a module, not a record: ``getLogger("sweeps.x")``.
MODULE_NAME_CALLS = {"getLogger", "import_module"}


def recorded_names(source: str) -> list[tuple[int, str]]:
    """Each string of ``source`` (with its line) that writes out a tag or user-attribute
    name; docstrings and module names given to :data:`MODULE_NAME_CALLS` are not records."""
    tree = ast.parse(source)
    skipped = {id(node) for node in _docstrings(tree)}
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and _called(call) in MODULE_NAME_CALLS:
            skipped.update(id(node) for arg in call.args for node in ast.walk(arg))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in skipped
        and (TAG_NAME.search(node.value) or ATTR_NAME.fullmatch(node.value))
    ]  # fmt: skip


def _docstrings(tree: ast.Module) -> list[ast.AST]:
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    ]


def _called(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


MODULES = sorted(p for p in (ROOT / "sweeps").rglob("*.py") if p.name != "records.py")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_but_records_writes_a_recorded_name(path: Path) -> None:
    found = recorded_names(path.read_text())
    assert not found, f"{path.relative_to(ROOT)}: names belong in sweeps/records.py: {found}"


def test_the_check_finds_tags_filters_and_attributes_but_not_module_names() -> None:
    source = '''"""Module docstring naming sweeps.state is prose."""
import importlib, logging
TAG = "sweeps.state"
QUERY = f"tags.`sweeps.role` = '{1}'"
ATTR = "mlflow_run_id"
MESSAGE = f"logged no sweeps.epochs_reached ({2})"
logger = logging.getLogger("sweeps.search")
module = importlib.import_module(f"sweeps.commands.{3}")
PLAIN = "not.sweeps.state, mlflow_run_id_here", "mlflow_ui"
'''
    assert sorted(line for line, _ in recorded_names(source)) == [3, 4, 5, 6]


def test_the_records_module_holds_the_names() -> None:
    source = (ROOT / "sweeps" / "records.py").read_text()
    assert len(recorded_names(source)) > 40


def test_a_trial_reads_back_what_its_writers_wrote() -> None:
    tags = {
        **records.child_run_tags({records.STUDY_TAG: "s"}, "parent-id"),
        **records.trial_opened_tags(7, 1234, "host:99"),
        records.BLAS_THREADS_TAG: "4",
    }
    opened = TrialTags.read(tags)
    assert (opened.role, opened.study, opened.number, opened.seed) == ("trial", "s", 7, "1234")
    assert (opened.state, opened.worker, opened.blas_threads) == ("RUNNING", "host:99", 4)
    assert tags[records.PARENT_RUN_TAG] == "parent-id"
    ended = TrialTags.read({**tags, **records.trial_ended_tags(7, "PRUNED", "pruned", 3)})
    assert (ended.state, ended.epochs_reached) == ("PRUNED", 3)
    assert records.trial_ended_tags(7, "FAIL", "x")[records.RUN_NAME_TAG] == "trial-007 fail"
    done = TrialTags.read({**tags, **records.trial_completed_tags("abc")})
    assert (done.state, done.weights_digest) == ("COMPLETE", "abc")


def test_a_missing_or_unreadable_tag_reads_as_none() -> None:
    empty = TrialTags.read({records.TRIAL_NUMBER_TAG: "x", records.BLAS_THREADS_TAG: "unknown"})
    assert (empty.number, empty.blas_threads, empty.state, empty.worker) == (None, None, None, "")


def test_a_parent_reads_back_its_study_direction_and_winner() -> None:
    tags = {
        **records.parent_run_tags("s"),
        records.DIRECTIONS_TAG: "maximize,minimize",
        records.BEST_RUN_TAG: "None",  # logged before a winner was chosen
    }
    parent = ParentTags.read(tags)
    assert (parent.study, parent.direction, parent.best_run_id) == ("s", "maximize", None)
    assert ParentTags.read({records.BEST_RUN_TAG: "r1"}).best_run_id == "r1"


def test_filters_quote_values_and_join_clauses() -> None:
    where = records.runs_of(records.TRIAL, "it's", **{records.TRIAL_NUMBER_TAG: 3})
    assert where == (
        "tags.`sweeps.role` = 'trial' and tags.`sweeps.study` = \"it's\" "
        "and tags.`sweeps.trial_number` = '3'"
    )
