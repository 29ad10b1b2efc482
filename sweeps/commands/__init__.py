"""The subcommands of ``sweeps``, one module each."""

from sweeps.commands.best import best
from sweeps.commands.dashboard import dashboard_command
from sweeps.commands.init import init
from sweeps.commands.report import report_command
from sweeps.commands.reproduce import reproduce_command
from sweeps.commands.run import run
from sweeps.commands.status import status
from sweeps.commands.ui import mlflow_ui
from sweeps.commands.worker import worker

COMMANDS = [
    run,
    init,
    worker,
    status,
    best,
    reproduce_command,
    mlflow_ui,
    report_command,
    dashboard_command,
]

__all__ = ["COMMANDS"]
