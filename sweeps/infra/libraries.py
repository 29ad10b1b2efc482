"""A command's libraries, imported when it runs rather than when ``sweeps`` starts.

:func:`imported` wraps the block that imports what a command needs: no garbage collection
meanwhile (:mod:`~sweeps.infra.heap`), and afterwards the loggers of the libraries it
imported are quieted (MLflow and Optuna set their own levels when imported: Optuna would
print a line per trial, MLflow its store migrations).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from sweeps.infra.heap import importing

__all__ = ["imported", "quiet_loggers"]


def quiet_loggers(verbose: bool = False) -> None:
    """Optuna's per-trial log lines off and MLflow's INFO lines too, for those imported."""
    if "mlflow" in sys.modules:
        logging.getLogger("mlflow").setLevel(logging.WARNING)
    optuna = sys.modules.get("optuna")
    if optuna is not None:
        # ERROR: a failed or interrupted trial's traceback goes to its run (error.txt) and its
        # reason to `sweeps status`, not to the terminal through Optuna's warning
        optuna.logging.set_verbosity(optuna.logging.INFO if verbose else optuna.logging.ERROR)


@contextmanager
def imported() -> Iterator[None]:
    """Import a command's libraries in the block; quiet their loggers after it."""
    with importing():
        yield
    quiet_loggers()
