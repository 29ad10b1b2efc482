"""The subcommands of ``sweeps``, one module each."""

from sweeps.commands.run import run
from sweeps.commands.status import status
from sweeps.commands.worker import init, worker

COMMANDS = [run, init, worker, status]

__all__ = ["COMMANDS"]
