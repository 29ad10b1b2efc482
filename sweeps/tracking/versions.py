"""Model versions by the run they were made from, and their descriptions: what lets a sweep's
conclusion register its champion once, however often it is resumed."""

from __future__ import annotations

from typing import Any

from mlflow.exceptions import MlflowException

__all__: list[str] = []  # nothing here for other packages


def version_of_run(client: Any, name: str, run_id: str) -> str | None:
    """The (lowest) version of registered model ``name`` made from ``run_id``, if any."""
    try:
        found = client.search_model_versions(f"name = '{name}' and run_id = '{run_id}'")
    except MlflowException:
        return None
    versions = sorted(int(v.version) for v in found)
    return str(versions[0]) if versions else None


def describe_version(client: Any, name: str, version: str, text: str) -> None:
    """Set the description MLflow shows on a model version's page."""
    client.update_model_version(name, version, description=text)
