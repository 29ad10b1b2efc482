"""Command-line interface of sweeps (stub until the sweep exists)."""

from __future__ import annotations

import click


@click.group()
def main() -> None:
    """Hyperparameter sweeps of numpy MLPs, tuned by Optuna and tracked in MLflow."""
