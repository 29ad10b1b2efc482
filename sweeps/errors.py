"""Named errors of sweeps and the exit codes they map to.

    SweepsError                 exit 1
    ├── ConfigError             exit 2  the sweep file or an override is invalid
    ├── InputDataError          exit 2  the data cannot be loaded, split or preprocessed
    ├── StoreError              exit 1  a tracking store or study storage is unusable
    ├── ReproductionError       exit 1  a run cannot be reproduced (data or split changed)
    ├── UntrustedModelError     exit 1  a logged model was changed or holds what we never write
    └── RunNotFoundError        exit 2  no MLflow run or study matches what was asked
    Interrupted (KeyboardInterrupt) exit 128 + signal: SIGINT -> 130, SIGTERM -> 143

Every message is one line meant for the user; tracebacks are shown only with ``--debug``.
"""

from __future__ import annotations

import signal


class SweepsError(Exception):
    """Base class of every error sweeps reports to the user."""

    exit_code = 1


class ConfigError(SweepsError):
    """The sweep file, or an override of it, is invalid; the message names the file and key path."""

    exit_code = 2


class InputDataError(SweepsError):
    """The data cannot be used; the message names the file and the column."""

    exit_code = 2


class StoreError(SweepsError):
    """An MLflow tracking store or an Optuna storage cannot be used."""


class ReproductionError(SweepsError):
    """A run cannot be reproduced as logged (its data, split or config changed)."""


class UntrustedModelError(SweepsError):
    """A logged model's files differ from the digest recorded when it was logged (or none was
    recorded), or they hold a format or type sweeps never writes: it is not loaded."""


class RunNotFoundError(SweepsError):
    """No run, experiment or study matches what was asked for."""

    exit_code = 2


class Interrupted(KeyboardInterrupt):
    """The process received SIGINT or SIGTERM; carries the signal number.

    A ``KeyboardInterrupt`` so that Optuna fails the running trial before re-raising it.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        #: What was done and what is left, when the interrupted command knows it
        #: (``sweeps run``: trials done and left), and how to go on.
        self.progress: str | None = None
        self.resume = "run the same command again to resume"
        super().__init__(f"interrupted by {signal.Signals(signum).name}")

    @property
    def exit_code(self) -> int:
        """Shell convention: 128 + the signal number."""
        return 128 + self.signum
