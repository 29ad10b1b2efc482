"""Orchestration of sweeps: config, search space, Optuna study, MLflow tracking, CLI."""
