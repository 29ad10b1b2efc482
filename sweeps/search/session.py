"""Everything a command needs before it runs trials: config, data, stores, BLAS threads."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from threadpoolctl import threadpool_limits

from sweeps.config import SweepConfig, load_config
from sweeps.search.dataset import SweepData, load_sweep_data
from sweeps.search.runner import Sweep, init_sweep
from sweeps.study.storage import resolve_storage_url
from sweeps.tracking import Tracker, resolve_tracking_uri


def load_with_flags(
    config: str,
    overrides: tuple[str, ...],
    *,
    study_name: str | None = None,
    storage: str | None = None,
    tracking_uri: str | None = None,
    trials: int | None = None,
    timeout: float | None = None,
) -> SweepConfig:
    """Load the config with ``--set`` overrides, then the dedicated flags on top."""
    extra = list(overrides)
    for key, value in (
        ("study.name", study_name),
        ("study.storage", storage),
        ("tracking.uri", tracking_uri),
        ("study.n_trials", trials),
        ("study.timeout", timeout),
    ):
        if value is not None:
            extra.append(f"{key}={value}")
    return load_config(config, extra)


@dataclass
class Session:
    """A validated config with its data loaded once, and handles on both stores."""

    config_path: str
    cfg: SweepConfig
    data: SweepData
    tracker: Tracker
    storage_url: str

    def init(self, *, fresh: bool = False) -> Sweep:
        """Create or load study, experiment and parent run (idempotent, locked)."""
        return init_sweep(self.cfg, self.storage_url, self.tracker, fresh=fresh)


def open_session(config: str, overrides: Sequence[str] = (), **flags: object) -> Session:
    """Load and validate config and data first, so bad input writes nothing to the stores."""
    cfg = load_with_flags(config, tuple(overrides), **flags)  # type: ignore[arg-type]
    data = load_sweep_data(cfg, config)
    tracker = Tracker(resolve_tracking_uri(None, cfg.tracking.uri), cfg.tracking.artifact_location)
    return Session(config, cfg, data, tracker, resolve_storage_url(None, cfg.study.storage))


@contextmanager
def blas_threads(n: int | None) -> Iterator[None]:
    """Limit BLAS to ``n`` threads in this process (None leaves it alone)."""
    if n is None:
        yield
        return
    with threadpool_limits(limits=n, user_api="blas"):
        yield
