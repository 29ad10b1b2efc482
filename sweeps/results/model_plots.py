"""Pictures of the selected model: learning curves, confusion matrix, ROC/PR, residuals.

Each function writes one PNG with matplotlib's Agg backend (no display needed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    PrecisionRecallDisplay,
    PredictionErrorDisplay,
    RocCurveDisplay,
)


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def learning_curves(model: Any, path: Path) -> Path:
    """Training and validation loss per epoch, with the restored best epoch marked."""
    fig, ax = plt.subplots(figsize=(6, 4))
    epochs = range(1, len(model.loss_curve_) + 1)
    ax.plot(epochs, model.loss_curve_, label="train loss (with penalty)")
    if model.validation_curve_:
        ax.plot(epochs, model.validation_curve_, label="validation loss")
    ax.axvline(model.best_epoch_, color="grey", linestyle="--", label="best epoch")
    ax.set(xlabel="epoch", ylabel="loss", title="Learning curves", yscale="log")
    ax.legend()
    return _save(fig, path)


def classification_plots(model: Any, X: Any, y: Any, folder: Path) -> list[Path]:
    """Confusion matrix, plus ROC and precision-recall curves for binary tasks."""
    fig, ax = plt.subplots(figsize=(5, 5))
    ConfusionMatrixDisplay.from_predictions(y, model.predict(X), ax=ax, colorbar=False)
    ax.set_title("Confusion matrix (test)")
    paths = [_save(fig, folder / "confusion_matrix.png")]
    if len(model.classes_) == 2:
        scores = model.predict_proba(X)[:, 1]
        positive = model.classes_[1]
        for name, display in (("roc_curve", RocCurveDisplay), ("pr_curve", PrecisionRecallDisplay)):
            fig, ax = plt.subplots(figsize=(5, 5))
            display.from_predictions(y, scores, pos_label=positive, ax=ax)
            ax.set_title(f"{name.replace('_', ' ').upper()} (test)")
            paths.append(_save(fig, folder / f"{name}.png"))
    return paths


def regression_plots(model: Any, X: Any, y: Any, folder: Path) -> list[Path]:
    """Residuals against predictions, and actual against predicted."""
    predicted = model.predict(X)
    paths = []
    for kind in ("residual_vs_predicted", "actual_vs_predicted"):
        fig, ax = plt.subplots(figsize=(5, 5))
        PredictionErrorDisplay.from_predictions(y, predicted, kind=kind, ax=ax)
        ax.set_title(kind.replace("_", " ") + " (test)")
        paths.append(_save(fig, folder / f"{kind}.png"))
    return paths
