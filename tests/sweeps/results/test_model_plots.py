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
