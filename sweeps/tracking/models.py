"""The champion: a full sklearn Pipeline saved as an MLflow Model (skops, no pickle),
registered under the sweep's name, with the ``champion`` alias moved only on improvement."""

from __future__ import annotations

import importlib.metadata
import tempfile
from pathlib import Path
from typing import Any

import mlflow.pyfunc
import mlflow.sklearn
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.models import infer_signature

import pipeline
from sweeps.tracking.store import Tracker

MODEL_PATH = "model"
ALIAS = "champion"
# our estimators, and numpy dtype objects (a preprocessing step stores its output dtype)
TRUSTED_TYPES = [
    "pipeline.estimator.MLPClassifier",
    "pipeline.estimator.MLPRegressor",
    "numpy.dtype",
]
REQUIREMENTS = ("numpy", "pandas", "scikit-learn", "scipy", "skops")


def pip_requirements() -> list[str]:
    """Pinned requirements of the saved model (given explicitly: no slow inference)."""
    return [f"{name}=={importlib.metadata.version(name)}" for name in REQUIREMENTS]


def log_pipeline(
    tracker: Tracker, run_id: str, model: Any, input_example: pd.DataFrame, output: Any
) -> str:
    """Save ``model`` (preprocessor + MLP) under the run's ``model/`` artifacts; return its URI.

    The ``pipeline`` package travels with the model (``code_paths``), so loading it needs
    only the pinned requirements.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / MODEL_PATH
        mlflow.sklearn.save_model(
            model,
            str(path),
            serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_SKOPS,
            skops_trusted_types=TRUSTED_TYPES,
            signature=infer_signature(input_example, output),
            input_example=input_example,
            pip_requirements=pip_requirements(),
            code_paths=[str(Path(pipeline.__file__).parent)],
        )
        tracker.client.log_artifacts(run_id, str(path), MODEL_PATH)
    return f"runs:/{run_id}/{MODEL_PATH}"


def register(tracker: Tracker, name: str, run_id: str, tags: dict[str, str]) -> str:
    """Create a model version from the run's logged model; return the version number."""
    client = tracker.client
    try:
        client.get_registered_model(name)
    except MlflowException:
        client.create_registered_model(name)
    version = client.create_model_version(
        name, source=f"runs:/{run_id}/{MODEL_PATH}", run_id=run_id, tags=tags
    )
    return str(version.version)


def champion(tracker: Tracker, name: str) -> tuple[str, str] | None:
    """``(version, run_id)`` of the model that holds the champion alias, if any."""
    try:
        version = tracker.client.get_model_version_by_alias(name, ALIAS)
    except MlflowException:
        return None
    return str(version.version), str(version.run_id)


def crown(tracker: Tracker, name: str, version: str) -> None:
    """Point the champion alias at ``version``."""
    tracker.client.set_registered_model_alias(name, ALIAS, version)


def load_sklearn(tracker: Tracker, run_id: str) -> Any:
    """Load the sklearn Pipeline logged on ``run_id`` from this store."""
    uri = tracker.client.download_artifacts(run_id, MODEL_PATH, tempfile.mkdtemp())
    return mlflow.sklearn.load_model(uri)
