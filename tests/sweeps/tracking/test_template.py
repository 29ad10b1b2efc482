"""A new local tracking store is a copy of an empty, migrated one; a template MLflow refuses is
replaced, never used."""

from __future__ import annotations

from pathlib import Path

import pytest

from sweeps.tracking import Tracker
from sweeps.tracking.template import keep_as_template, template_path


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SWEEPS_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_first_new_store_becomes_the_template_of_the_next(cache: Path, tmp_path: Path) -> None:
    assert not template_path().exists()
    first = Tracker(f"sqlite:///{tmp_path / 'a' / 'mlflow.db'}")
    assert first.experiment_id("one") is not None
    assert template_path().is_file() and template_path().parent == cache
    second = Tracker(f"sqlite:///{tmp_path / 'b' / 'mlflow.db'}")
    assert second.experiment_id("one", create=False) is None  # an empty store, not a's copy
    assert second.experiment_id("two") is not None
    assert first.experiment_id("two", create=False) is None


def test_a_broken_template_is_replaced(cache: Path, tmp_path: Path) -> None:
    cache.mkdir()
    template_path().write_bytes(b"not a database at all")
    tracker = Tracker(f"sqlite:///{tmp_path / 'mlflow.db'}")
    assert tracker.experiment_id("x") is not None
    assert template_path().read_bytes()[:16] == b"SQLite format 3\x00"


def test_a_store_that_cannot_be_copied_leaves_nothing_in_the_cache(
    cache: Path, tmp_path: Path
) -> None:
    not_a_store = tmp_path / "mlflow.db"
    not_a_store.write_bytes(b"not a database at all")
    keep_as_template(not_a_store)
    assert cache.is_dir() and list(cache.iterdir()) == []
