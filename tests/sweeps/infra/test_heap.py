"""The collector kept off long-lived objects (infra/heap.py) and a command's libraries
imported quietly (infra/libraries.py)."""

from __future__ import annotations

import gc
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import optuna
import pytest

from sweeps.infra import heap, libraries
from tests.conftest import Stores
from tests.sweeps.helpers import write_config


@pytest.fixture
def _collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    gc.unfreeze()  # the objects frozen here go back to the collector
    if enabled:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.usefixtures("_collector_restored")
@pytest.mark.parametrize("enabled", [True, False])
def test_importing_pauses_the_collector_then_freezes_what_exists(enabled: bool) -> None:
    gc.enable() if enabled else gc.disable()
    frozen = gc.get_freeze_count()
    with heap.importing():
        assert not gc.isenabled()
        made = [[i] for i in range(100)]  # lists: objects the collector tracks
    assert gc.isenabled() is enabled
    assert gc.get_freeze_count() >= frozen + len(made)


@pytest.mark.usefixtures("_collector_restored")
def test_settle_and_finish_freeze_and_finish_stops_the_collector() -> None:
    gc.enable()
    heap.settle()
    after_settle = gc.get_freeze_count()
    assert after_settle > 0 and gc.isenabled()
    heap.finish()
    assert not gc.isenabled()
    assert gc.get_freeze_count() >= after_settle


def test_imported_quiets_optuna_once_the_block_has_imported_it() -> None:
    optuna.logging.set_verbosity(optuna.logging.INFO)  # as Optuna sets it when imported
    logging.getLogger("mlflow").setLevel(logging.INFO)
    try:
        with libraries.imported():
            pass
        assert optuna.logging.get_verbosity() == optuna.logging.ERROR
        if "mlflow" in sys.modules:
            assert logging.getLogger("mlflow").level == logging.WARNING
    finally:
        gc.unfreeze()


@pytest.mark.slow
def test_a_command_run_as_a_program_prints_no_library_log_line(
    tmp_path: Path, stores: Stores
) -> None:
    config = write_config(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "sweeps", "init", str(config), *stores.flags()],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "study          tiny" in done.stdout
    assert done.stderr == ""  # Optuna would say "A new study created in RDB with name: tiny"
