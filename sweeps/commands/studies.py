"""Open the study of a sweep for commands that only read it (``report``, ``dashboard``).

Never creates a storage or a study: a missing one is a :class:`RunNotFoundError` (exit 2).
"""

from __future__ import annotations

import optuna

from sweeps.config import SweepConfig
from sweeps.errors import RunNotFoundError
from sweeps.infra.sqlite import sqlite_file
from sweeps.infra.urls import redact
from sweeps.study import make_storage


def require_storage(url: str) -> None:
    """Refuse a ``sqlite:///`` URL whose file does not exist (opening it would create it)."""
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        raise RunNotFoundError(f"no study storage at {path}: run the sweep first")


def load_study(cfg: SweepConfig, storage_url: str) -> optuna.Study:
    """The sweep's existing study (with a random sampler: nothing is sampled from it)."""
    require_storage(storage_url)
    storage = make_storage(storage_url, cfg, on_stale=None)
    if cfg.study_name not in optuna.get_all_study_names(storage):
        raise RunNotFoundError(f"no study {cfg.study_name!r} in {redact(storage_url)}")
    return optuna.load_study(
        study_name=cfg.study_name, storage=storage, sampler=optuna.samplers.RandomSampler()
    )
