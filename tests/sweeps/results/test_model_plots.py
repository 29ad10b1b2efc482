"""The winner's test plots stay bounded: past a stated number of classes no confusion matrix
is drawn (a 1,000-class table's took over 5 minutes and 6 GB), and a note says why."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from pipeline import MLPClassifier
from sweeps.results.model_plots import MAX_CONFUSION_CLASSES, classification_plots


def _fitted(classes: int) -> tuple[MLPClassifier, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(classes * 3, 4)).astype(np.float32)
    y = np.repeat(np.arange(classes), 3)
    model = MLPClassifier(hidden_layer_sizes=(4,), max_epochs=1, random_state=0).fit(X, y)
    return model, X, y


def test_a_confusion_matrix_below_the_cap(tmp_path: Path) -> None:
    model, X, y = _fitted(3)
    paths = classification_plots(model, X, y, tmp_path)
    assert [p.name for p in paths] == ["confusion_matrix.png"]
    assert paths[0].read_bytes().startswith(b"\x89PNG")


def test_past_the_cap_a_note_instead(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    model, X, y = _fitted(MAX_CONFUSION_CLASSES + 1)
    with caplog.at_level(logging.WARNING):
        paths = classification_plots(model, X, y, tmp_path)
    assert [p.name for p in paths] == ["confusion_matrix.txt"]
    assert not (tmp_path / "confusion_matrix.png").exists()
    note = f"confusion matrix not drawn: 51 classes, more than {MAX_CONFUSION_CLASSES}"
    assert paths[0].read_text().startswith(note)
    assert [r.getMessage()[: len(note)] for r in caplog.records] == [note]


def test_the_champions_learning_curves_show_train_and_validation_by_member() -> None:
    import matplotlib.pyplot as plt

    from sweeps.results.model_plots import draw_learning_curves

    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 4)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    models = [
        MLPClassifier(hidden_layer_sizes=(4,), max_epochs=5, random_state=seed).fit(
            X[:40], y[:40], X_val=X[40:], y_val=y[40:]
        )
        for seed in range(4)
    ]
    labels = ["trial 3 (weight 0.75)", "trial 8 (weight 0.25)"] * 2  # two folds of two members
    fig, ax = plt.subplots()
    try:
        draw_learning_curves(ax, models, labels)
        curves = [line for line in ax.get_lines() if len(line.get_xdata()) > 1]
        dashed = [line for line in curves if line.get_linestyle() == "--"]
        solid = [line for line in curves if line.get_linestyle() == "-"]
        assert len(dashed) == len(solid) == 4  # train and validation loss of every model
        assert dashed[0].get_color() == dashed[2].get_color() != dashed[1].get_color()
        legend = ax.get_legend()
        assert [t.get_text() for t in legend.get_texts()] == [
            "trial 3 (weight 0.75): 2 model(s)",
            "trial 8 (weight 0.25): 2 model(s)",
            "validation loss",
            "train loss (with penalty)",
            "kept epoch",
        ]
        assert legend.get_bbox_to_anchor().x0 > ax.get_window_extent().x1  # off the lines
    finally:
        plt.close(fig)


def test_member_labels_follow_the_ensembles_fold_by_fold_order() -> None:
    from sweeps.results.champion import Choice, Member
    from sweeps.results.testing import member_labels

    members = (Member(3, "a", 0.75), Member(8, "b", 0.25))
    choice = Choice("ensemble", "val_loss", members, 0.1, "how", 3, 0.1)
    assert member_labels(choice, 4) == [
        "trial 3 (weight 0.75)",
        "trial 8 (weight 0.25)",
        "trial 3 (weight 0.75)",
        "trial 8 (weight 0.25)",
    ]
    assert member_labels(choice, 3) == []  # does not line up: no labels rather than wrong ones
    single = Choice("trial", "val_loss", members[:1], 0.1, "how", 3, 0.1)
    assert member_labels(single, 2) == ["trial 3", "trial 3"]
    assert member_labels(None, 2) == []
