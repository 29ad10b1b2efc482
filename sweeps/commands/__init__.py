"""The subcommands of ``sweeps``, one module each."""

from sweeps.commands.run import run

COMMANDS = [run]

__all__ = ["COMMANDS"]
