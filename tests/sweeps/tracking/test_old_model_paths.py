"""Models saved before ``pipeline/`` had subpackages name their classes by the old module paths
(``pipeline.estimator.MLPClassifier``, ``pipeline.ensemble.EnsembleRegressor``): they still pass
the trusted list, load and predict as before; the old paths name those four classes only."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.preprocessing import StandardScaler

from pipeline.mlp import MLPClassifier, MLPRegressor
from pipeline.models import EnsembleClassifier, EnsembleRegressor, build_ensemble
from sweeps.errors import UntrustedModelError
from sweeps.tracking.trusted import SKOPS_FILE, load_skops

RNG = np.random.default_rng(0)
X = pd.DataFrame(RNG.normal(size=(40, 3)), columns=list("abc"))
#: New module path -> the path a model saved before the move names.
OLD_PATHS = {
    "pipeline.mlp.estimator": "pipeline.estimator",
    "pipeline.models.ensemble": "pipeline.ensemble",
}


def _ensemble(task: str) -> Any:
    """Two MLPs behind one scaler, fitted on ``X``."""
    prep = StandardScaler().fit(X)
    if task == "classification":
        y: Any = np.where(X["a"] > 0, "up", "down")
        mlp: Any = MLPClassifier
    else:
        y, mlp = X["a"] * 2 + 1, MLPRegressor
    models = [mlp(hidden_layer_sizes=(4,), max_epochs=3, random_state=s).fit(prep.transform(X), y)
              for s in (1, 2)]  # fmt: skip
    return build_ensemble(task, [prep], [models], [[0.25, 0.75]])


def _modules(node: Any) -> set[str]:
    """Every ``__module__`` a skops schema names."""
    if isinstance(node, list):
        return set().union(*map(_modules, node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = {node["__module__"]} if "__module__" in node else set()
    return found.union(*map(_modules, node.values()))


def _rename(node: Any, names: dict[str, str]) -> None:
    """Rewrite, in place, the schema's ``__module__`` (and ``__class__``) values ``names`` maps."""
    if isinstance(node, list):
        for item in node:
            _rename(item, names)
    elif isinstance(node, dict):
        for key in ("__module__", "__class__"):
            if node.get(key) in names:
                node[key] = names[node[key]]
        for value in node.values():
            _rename(value, names)


def _save_as_before(model: Any, folder: Path, names: dict[str, str]) -> dict:
    """Save ``model`` as skops, its schema naming modules (and classes) as ``names`` maps."""
    folder.mkdir()
    path = folder / SKOPS_FILE
    sio.dump(model, path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    schema = json.loads(members["schema.json"])
    _rename(schema, names)
    members["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    return schema


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_an_ensemble_saved_under_the_old_paths_loads_and_predicts_the_same(
    task: str, tmp_path: Path
) -> None:
    ensemble = _ensemble(task)
    schema = _save_as_before(ensemble, tmp_path / "model", OLD_PATHS)
    named = _modules(schema)
    assert {"pipeline.estimator", "pipeline.ensemble"} <= named
    assert not {m for m in named if m.startswith(("pipeline.mlp", "pipeline.models"))}
    loaded = load_skops(tmp_path / "model", "old model")
    assert type(loaded) is type(ensemble)
    assert type(loaded.models[0][0]) is type(ensemble.models[0][0])
    if task == "classification":
        np.testing.assert_array_equal(loaded.predict_proba(X), ensemble.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), ensemble.predict(X))


def test_a_model_saved_now_names_the_new_paths_and_loads(tmp_path: Path) -> None:
    ensemble = _ensemble("regression")
    schema = _save_as_before(ensemble, tmp_path / "model", {})
    assert {"pipeline.mlp.estimator", "pipeline.models.ensemble"} <= _modules(schema)
    loaded = load_skops(tmp_path / "model", "new model")
    np.testing.assert_array_equal(loaded.predict(X), ensemble.predict(X))


def test_the_old_paths_keep_only_the_four_classes() -> None:
    import pipeline.ensemble
    import pipeline.estimator

    assert pipeline.estimator.__all__ == ["MLPClassifier", "MLPRegressor"]
    assert pipeline.estimator.MLPClassifier is MLPClassifier
    assert pipeline.estimator.MLPRegressor is MLPRegressor
    assert pipeline.ensemble.__all__ == ["EnsembleClassifier", "EnsembleRegressor"]
    assert pipeline.ensemble.EnsembleClassifier is EnsembleClassifier
    assert pipeline.ensemble.EnsembleRegressor is EnsembleRegressor
    public = {n for n in vars(pipeline.estimator) if not n.startswith("_")} - {"annotations"}
    assert public == {"MLPClassifier", "MLPRegressor"}


def test_another_class_under_an_old_path_is_refused(tmp_path: Path) -> None:
    names = {**OLD_PATHS, "EnsembleRegressor": "_Ensemble"}
    _save_as_before(_ensemble("regression"), tmp_path / "model", names)
    with pytest.raises(UntrustedModelError, match=r"trusted list \(pipeline\.ensemble\._Ensemble"):
        load_skops(tmp_path / "model", "old model")
