"""The champion: a full sklearn Pipeline saved as an MLflow Model (skops, no pickle),
registered under the sweep's name, with the ``champion`` alias moved only on improvement.

The digest of the model's files is recorded on its run when it is logged and copied to every
version registered from it; loading checks the downloaded files against it, then reads the skops
file with our trusted types only (:mod:`~sweeps.tracking.model_digest`,
:mod:`~sweeps.tracking.trusted`).
"""

from __future__ import annotations

import importlib.metadata
import json
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlflow.exceptions import MlflowException
from mlflow.utils.mlflow_tags import MLFLOW_LOGGED_MODELS

import pipeline
from sweeps.errors import RunNotFoundError
from sweeps.records import CHAMPION_ALIAS, MODEL_DIGEST_TAG
from sweeps.tracking.interface import ModelVersion
from sweeps.tracking.lookup import no_progress_bar
from sweeps.tracking.model_digest import folder_sha256
from sweeps.tracking.trusted import MODEL_PATH, TRUSTED_TYPES, load_verified, skops_io

if TYPE_CHECKING:  # saving and loading models imports MLflow's model flavours: only then
    import pandas as pd
    from mlflow.models import ModelSignature

__all__: list[str] = []  # nothing here for other packages

ALIAS = CHAMPION_ALIAS
REQUIREMENTS = ("numpy", "pandas", "scikit-learn", "scipy", "skops")
MISMATCH_CHECK = "warn_dependency_requirement_mismatches"  # in mlflow.utils.environment
REGISTRY_PAGE = 1000  # MLflow's largest page of registered models
VERSIONS_PAGE = 10_000


def pip_requirements() -> list[str]:
    """Pinned requirements of the saved model (given explicitly: no slow inference)."""
    return [f"{name}=={importlib.metadata.version(name)}" for name in REQUIREMENTS]


def log_pipeline(
    client: Any, run_id: str, model: Any, input_example: pd.DataFrame, output: Any
) -> str:
    """Save ``model`` (preprocessing and MLPs) under the run's ``model/`` artifacts, its files'
    digest recorded as the run's tag ``sweeps.model_sha256``; return its URI."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / MODEL_PATH
        save_pipeline(model, input_example, output, path)
        return log_saved(client, run_id, path)


def save_pipeline(model: Any, input_example: pd.DataFrame, output: Any, path: Path) -> None:
    """Write ``model`` as an MLflow Model folder ``path`` (skops, no pickle), touching no store:
    the slow part of logging a model (skops, the signature, MLflow's requirement checks), which
    a forked child can do while the caller goes on.

    The ``pipeline`` package travels with the model (``code_paths``), so loading it with
    ``mlflow.pyfunc`` needs only the pinned requirements. Integer columns accept missing values
    (see :func:`raw_rows_signature`).
    """
    import mlflow.sklearn

    skops_io()  # before MLflow imports it: with our types, not all of scikit-learn
    with _requirements_trusted():
        _save_model(mlflow.sklearn, model, input_example, output, path)


def _save_model(flavour: Any, model: Any, input_example: Any, output: Any, path: Path) -> None:
    """``mlflow.sklearn.save_model`` (``flavour``) as sweeps saves: skops, our types, pins."""
    flavour.save_model(
        model,
        str(path),
        serialization_format=flavour.SERIALIZATION_FORMAT_SKOPS,
        skops_trusted_types=list(TRUSTED_TYPES),
        signature=raw_rows_signature(input_example, output),
        input_example=input_example,
        pip_requirements=pip_requirements(),
        code_paths=[str(Path(pipeline.__file__).parent)],
    )


@contextmanager
def _requirements_trusted() -> Iterator[None]:
    """Skip MLflow's check of the model's pip requirements against this environment while
    saving: it scans every installed distribution's files (0.6 s, most of a save) to warn
    about a mismatch, and our requirements are read from this environment
    (:func:`pip_requirements`): it can never warn."""
    from mlflow.utils import environment

    saved = getattr(environment, MISMATCH_CHECK, None)
    if saved is None:  # another MLflow: its check runs
        yield
        return
    setattr(environment, MISMATCH_CHECK, lambda *_args, **_kwargs: None)
    try:
        yield
    finally:
        setattr(environment, MISMATCH_CHECK, saved)


def log_saved(client: Any, run_id: str, path: Path) -> str:
    """Upload a saved model folder as the run's ``model/`` artifacts, then record the digest of
    its files as the run's tag ``sweeps.model_sha256`` (the store's word on what was logged,
    checked by every load); return its URI."""
    digest = folder_sha256(path)
    client.log_artifacts(run_id, str(path), MODEL_PATH)
    client.set_tag(run_id, MODEL_DIGEST_TAG, digest)
    client.set_tag(run_id, MLFLOW_LOGGED_MODELS, logged_models_tag(run_id, path))
    return f"runs:/{run_id}/{MODEL_PATH}"


def logged_models_tag(run_id: str, path: Path) -> str:
    """The run tag ``mlflow.log-model.history`` that ``mlflow.<flavor>.log_model`` writes: the
    MLflow UI's Models column lists a run's models (and their registered versions) from it."""
    from mlflow.models import Model

    model = Model.load(str(path))
    model.run_id, model.artifact_path = run_id, MODEL_PATH
    return json.dumps([model.get_tags_dict()])


def raw_rows_signature(example: pd.DataFrame, output: Any) -> ModelSignature:
    """The signature of raw rows, with integer columns typed ``Any``.

    MLflow refuses NaN in a ``long`` column and ints in a ``double`` one, while the preprocessor
    imputes missing numbers: an integer column must accept both. (Inferring from the floats also
    keeps MLflow's integer-column hint, a warning, out of the inference.)
    """
    import pandas as pd
    from mlflow.models import ModelSignature, infer_signature
    from mlflow.types import ColSpec, Schema
    from mlflow.types.schema import AnyType

    ints = [c for c in example.columns if pd.api.types.is_integer_dtype(example[c].dtype)]
    signature = infer_signature(example.astype(dict.fromkeys(ints, "float64")), output)
    columns = [
        ColSpec(AnyType(), col.name, col.required) if col.name in ints else col
        for col in signature.inputs.inputs
    ]
    return ModelSignature(Schema(columns), signature.outputs)


def register(client: Any, name: str, run_id: str, tags: Mapping[str, str]) -> str:
    """Create a model version from the run's logged model, its files' digest copied from the
    run into the version's tags; return the version number."""
    digest = client.get_run(run_id).data.tags.get(MODEL_DIGEST_TAG)
    try:
        client.get_registered_model(name)
    except MlflowException:
        client.create_registered_model(name)
    tags = {**tags, MODEL_DIGEST_TAG: digest} if digest else dict(tags)
    version = client.create_model_version(
        name, source=f"runs:/{run_id}/{MODEL_PATH}", run_id=run_id, tags=tags
    )
    return str(version.version)


def champion(client: Any, name: str) -> ModelVersion | None:
    """The version that holds the champion alias, if any."""
    return model_version(client, name, alias=ALIAS)


def model_version(
    client: Any, name: str, version: str | None = None, alias: str | None = None
) -> ModelVersion | None:
    """Version ``version`` of model ``name``, or the one holding ``alias``; None if absent."""
    try:
        if alias is not None:
            found = client.get_model_version_by_alias(name, alias)
        else:
            found = client.get_model_version(name, str(version))
    except MlflowException:
        return None
    return _version(found)


def _version(found: Any) -> ModelVersion:
    return ModelVersion(str(found.version), str(found.run_id), dict(found.tags or {}))


def champions(client: Any) -> dict[str, ModelVersion]:
    """Every model's champion version, in two paged queries whatever the number of models:
    the models with their aliases, then the versions with their tags."""
    holders = {
        model.name: str(model.aliases[ALIAS])
        for model in _pages(client.search_registered_models, REGISTRY_PAGE)
        if ALIAS in model.aliases
    }
    if not holders:
        return {}
    return {
        found.name: _version(found)
        for found in _pages(client.search_model_versions, VERSIONS_PAGE)
        if holders.get(found.name) == str(found.version)
    }


def _pages(search: Any, size: int) -> Iterator[Any]:
    """Every item of a paged MLflow search."""
    token = None
    while True:
        page = search(max_results=size, page_token=token)
        yield from page
        token = page.token
        if not token:
            return


def alias_champion(client: Any, name: str, version: str) -> None:
    """Point the champion alias at ``version``."""
    client.set_registered_model_alias(name, ALIAS, version)


def load_sklearn(client: Any, run_id: str, version_tags: Mapping[str, str] | None = None) -> Any:
    """Load the sklearn Pipeline logged on ``run_id`` from this store (no temp files left).

    Its files must match the digest recorded on the model version whose ``version_tags`` are
    given, else on the run; a run without a model is a :class:`RunNotFoundError`, a model that
    does not match (or holds what sweeps never writes) an
    :class:`~sweeps.errors.UntrustedModelError`.
    """
    with tempfile.TemporaryDirectory(prefix="sweeps-model-") as tmp, no_progress_bar():
        try:
            folder = Path(client.download_artifacts(run_id, MODEL_PATH, tmp))
        except (MlflowException, OSError):
            raise RunNotFoundError(f"run {run_id} has no logged model") from None
        if not folder.is_dir() or not any(folder.iterdir()):
            raise RunNotFoundError(f"run {run_id} has no logged model")
        tags = client.get_run(run_id).data.tags if version_tags is None else version_tags
        return load_verified(folder, tags, f"run {run_id}", version_tags is not None)
