"""Pictures of the selected model: learning curves, confusion matrix, ROC/PR, residuals.

Each function writes one PNG with matplotlib's Agg backend (no display needed).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

__all__: list[str] = []  # nothing here for other packages

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    PrecisionRecallDisplay,
    PredictionErrorDisplay,
    RocCurveDisplay,
)

logger = logging.getLogger(__name__)
#: Classes past which no confusion matrix is drawn (1,000 classes: over 5 minutes and 6 GB).
MAX_CONFUSION_CLASSES = 50


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def learning_curves(models: Sequence[Any], path: Path, labels: Sequence[str] = ()) -> Path:
    """Validation (solid) and training (dashed, with penalty) loss per epoch of every model of
    the champion, each model's kept epoch marked with a dot. Models with the same label (a
    member trial's fold models) share a colour; the legend sits beside the plot."""
    fig, ax = plt.subplots(figsize=(9, 4.5))
    draw_learning_curves(ax, models, labels)
    return _save(fig, path)


def draw_learning_curves(ax: Any, models: Sequence[Any], labels: Sequence[str] = ()) -> None:
    """:func:`learning_curves` on ``ax``."""
    names = list(labels) if len(labels) == len(models) else ["model"] * len(models)
    groups = list(dict.fromkeys(names))
    colours = plt.get_cmap("tab10")
    for model, name in zip(models, names, strict=True):
        colour = colours(groups.index(name) % 10)
        epochs = range(1, len(model.loss_curve_) + 1)
        ax.plot(epochs, model.loss_curve_, color=colour, linestyle="--", alpha=0.6, lw=1)
        if model.validation_curve_:
            ax.plot(epochs, model.validation_curve_, color=colour, lw=1.3)
            best = model.best_epoch_
            ax.plot([best], [model.validation_curve_[best - 1]], "o", color=colour, ms=4)
    handles = [
        Line2D([], [], color=colours(i % 10), lw=3, label=f"{name}: {names.count(name)} model(s)")
        for i, name in enumerate(groups)
        if len(groups) > 1 or name != "model"
    ]
    handles += [
        Line2D([], [], color="black", lw=1.3, label="validation loss"),
        Line2D([], [], color="black", linestyle="--", lw=1, label="train loss (with penalty)"),
        Line2D([], [], color="black", marker="o", lw=0, label="kept epoch"),
    ]
    title = f"Learning curves of the champion's {len(models)} model(s)"
    ax.set(xlabel="epoch", ylabel="loss", title=title, yscale="log")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
              frameon=False)  # fmt: skip


def classification_plots(model: Any, X: Any, y: Any, folder: Path) -> list[Path]:
    """Confusion matrix (up to :data:`MAX_CONFUSION_CLASSES` classes), plus ROC and
    precision-recall curves for binary tasks."""
    paths = [_confusion_matrix(model, X, y, folder)]
    if len(model.classes_) == 2:
        scores = model.predict_proba(X)[:, 1]
        positive = model.classes_[1]
        for name, display in (("roc_curve", RocCurveDisplay), ("pr_curve", PrecisionRecallDisplay)):
            fig, ax = plt.subplots(figsize=(5, 5))
            display.from_predictions(y, scores, pos_label=positive, ax=ax)
            ax.set_title(f"{name.replace('_', ' ').upper()} (test)")
            paths.append(_save(fig, folder / f"{name}.png"))
    return paths


def _confusion_matrix(model: Any, X: Any, y: Any, folder: Path) -> Path:
    """The test confusion matrix; past :data:`MAX_CONFUSION_CLASSES` classes, a note why not."""
    classes = len(model.classes_)
    if classes > MAX_CONFUSION_CLASSES:
        note = (
            f"confusion matrix not drawn: {classes:,} classes, more than "
            f"{MAX_CONFUSION_CLASSES} (its {classes**2:,} annotated cells would take minutes "
            "and gigabytes, and could not be read)"
        )
        logger.warning(note)
        path = folder / "confusion_matrix.txt"
        path.write_text(note + "\n")
        return path
    fig, ax = plt.subplots(figsize=(5, 5))
    ConfusionMatrixDisplay.from_predictions(y, model.predict(X), ax=ax, colorbar=False)
    ax.set_title("Confusion matrix (test)")
    return _save(fig, folder / "confusion_matrix.png")


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
