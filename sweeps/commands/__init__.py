"""The subcommands of ``sweeps``, one module each, imported only when they run.

:data:`COMMANDS` names each command's module and its one-line help, so ``sweeps --help``
lists them without importing MLflow, Optuna or scikit-learn.
"""

from __future__ import annotations

from typing import NamedTuple


class CommandEntry(NamedTuple):
    """Where a command lives and what ``sweeps --help`` says of it."""

    module: str
    attribute: str
    summary: str


COMMANDS: dict[str, CommandEntry] = {
    "run": CommandEntry("run", "run", "Run (or resume) the sweep described by CONFIG."),
    "init": CommandEntry("init", "init", "Create a sweep's study, experiment and parent run."),
    "worker": CommandEntry("worker", "worker", "Join a sweep's study and run trials."),
    "status": CommandEntry("status", "status", "Trials by state, live workers, best so far."),
    "list": CommandEntry("listing", "list_command", "The sweeps of a store, one line each."),
    "best": CommandEntry("best", "best", "The top K COMPLETE trials of a sweep."),
    "compare": CommandEntry("compare", "compare_command", "Two sweeps or two runs side by side."),
    "export": CommandEntry("export", "export", "A sweep's winner as a one-trial sweep file."),
    "predict": CommandEntry("predict", "predict", "Score a CSV or Parquet file with a model."),
    "reproduce": CommandEntry(
        "reproduce", "reproduce_command", "Retrain a logged trial and compare it."
    ),
    "ui": CommandEntry("ui", "mlflow_ui", "The MLflow UI on the tracking store."),
    "report": CommandEntry("report", "report_command", "Write a sweep's report and plots."),
    "dashboard": CommandEntry(
        "dashboard", "dashboard_command", "optuna-dashboard on a sweep's study."
    ),
}

__all__ = ["COMMANDS", "CommandEntry"]
