"""What a trial's MLflow metrics are called.

The kept model's values have the plain names (``val_loss``, ``val_accuracy``, ``train_loss``,
...): those are what a runs table shows and sorts by. The per-epoch curves are logged under
``epoch/`` (``epoch/val_loss``, ...); the final values beside them are :data:`FINAL_EXTRA`; with
folds, each fold's value is ``fold_<i>_<name>`` and the spread ``<name>_std``. Test metrics
are ``test_*``, a confirmation's ``confirm_mean_*``/``confirm_std_*``, the winner's
validation-to-test difference ``gap_*``.
"""

from __future__ import annotations

#: Final values logged beside the kept model's metrics of a complete trial.
FINAL_EXTRA = ("n_params", "n_epochs", "best_epoch", "zero_weight_share")
#: The prefix of the per-epoch curves.
CURVE = "epoch/"


def is_kept_metric(name: str) -> bool:
    """Whether ``name`` is one of the kept model's metrics (``train_loss``, ``val_*``)."""
    return name == "train_loss" or (name.startswith("val_") and not name.endswith("_std"))


def curve_names(values: dict[str, float]) -> dict[str, float]:
    """One epoch's metrics under their curve names (``epoch/val_loss``, ...)."""
    return {f"{CURVE}{k}": v for k, v in values.items()}
