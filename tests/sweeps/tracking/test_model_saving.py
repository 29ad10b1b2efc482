"""Saving a model skips only MLflow's requirement scan, and only while saving."""

from __future__ import annotations

from mlflow.utils import environment

from sweeps.tracking import models


def test_the_requirement_scan_is_skipped_while_saving_and_restored_after() -> None:
    scan = environment.warn_dependency_requirement_mismatches
    with models._requirements_trusted():
        assert environment.warn_dependency_requirement_mismatches is not scan
        assert environment.warn_dependency_requirement_mismatches(["numpy==0.0.1"]) is None
    assert environment.warn_dependency_requirement_mismatches is scan


def test_the_check_it_skips_finds_nothing_in_our_pins() -> None:
    import importlib.metadata

    from mlflow.utils.requirements_utils import _check_requirement_satisfied

    pins = models.pip_requirements()
    assert pins == [f"{n}=={importlib.metadata.version(n)}" for n in models.REQUIREMENTS]
    assert [_check_requirement_satisfied(pin) for pin in pins] == [None] * len(pins)
    assert _check_requirement_satisfied("numpy==0.0.1") is not None  # it would say a mismatch
