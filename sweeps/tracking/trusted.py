"""Loading a logged model runs no code from it: the format, the file and the types are ours.

A model is saved by MLflow's sklearn flavour with skops (so ``mlflow.pyfunc.load_model`` works),
but sweeps never reads ``MLmodel`` (its ``serialization_format``, ``pickled_model`` and
``skops_trusted_types`` are the artifact's word, not ours). It reads the skops file by the name
fixed here (:data:`SKOPS_FILE`), refuses it unless every type and loader its schema names is in
the fixed lists below, and only then hands it to ``skops.io.load`` with :data:`TRUSTED_TYPES`.

skops trusts every scikit-learn estimator and every scipy ufunc by default and, to list them,
imports all of scikit-learn when ``skops.io`` is first imported (about 1 s here, several on a
loaded machine) and looks each of scipy's 400-odd ufuncs up in every loaded module (0.35-0.5 s
in a process with scikit-learn and pandas loaded). :func:`skops_io` imports it with
scikit-learn's estimator list reduced to ours and scipy's ufuncs unlisted for the length of
that import: skops's default trust in this process is then our list, never more.
"""

from __future__ import annotations

import importlib
import json
import sys
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from sweeps.errors import UntrustedModelError
from sweeps.tracking.model_digest import check_folder

__all__: list[str] = []  # for the tracking package's modules only

#: The only classes a logged model may hold besides plain values (skops's type names): our
#: ensembles and estimators, the stock scikit-learn classes of our preprocessing, numpy dtypes.
#: One constant: extend it when a model holds a new class (and test that it loads).
TRUSTED_TYPES: tuple[str, ...] = (
    "pipeline.models.ensemble.EnsembleClassifier",
    "pipeline.models.ensemble.EnsembleRegressor",
    "pipeline.mlp.estimator.MLPClassifier",
    "pipeline.mlp.estimator.MLPRegressor",
    # the same four classes as models saved before pipeline/ had subpackages name them
    "pipeline.ensemble.EnsembleClassifier",
    "pipeline.ensemble.EnsembleRegressor",
    "pipeline.estimator.MLPClassifier",
    "pipeline.estimator.MLPRegressor",
    "sklearn.pipeline.Pipeline",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.impute._base.SimpleImputer",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.preprocessing._encoders.OneHotEncoder",
    "numpy.dtype",
)
#: The folder of a run's artifacts that holds its logged model, and the skops file inside it
#: (MLflow's name for it, fixed here).
MODEL_PATH = "model"
SKOPS_FILE = "model.skops"
#: skops node kinds a model of plain values and the classes above is written with.
LOADERS = frozenset(
    {"ObjectNode", "DictNode", "ListNode", "TupleNode", "SliceNode", "JsonNode", "NdArrayNode",
     "DTypeNode", "TypeNode", "CachedNode"}
)  # fmt: skip
_BUILTINS = ("dict", "list", "tuple", "slice", "str", "int", "float", "bool", "NoneType")
MAX_SCHEMA_BYTES = 64 << 20  # a model's schema.json is a few kB per layer


def load_verified(folder: Path, tags: Mapping[str, str], label: str, by_version: bool) -> Any:
    """The model in ``folder`` (a private copy of its files), once they match the digest in
    ``tags`` (a model version's when ``by_version``, else its run's) and hold trusted types
    only; ``label`` names the model in errors."""
    check_folder(folder, tags, label, "the model version" if by_version else "the run")
    return load_skops(folder, label)


def load_skops(folder: Path, label: str) -> Any:
    """The object saved in ``folder``'s skops file, built from trusted types only.

    ``label`` names the model in errors (``run 0123...``). Check the folder's digest first.
    """
    path = folder / SKOPS_FILE
    if not path.is_file():
        raise UntrustedModelError(f"{label}: the model has no {SKOPS_FILE}; refusing to load it")
    schema = _schema(path, label)
    untrusted = sorted(set(_named_types(schema, label)) - _allowed())
    if untrusted:
        shown = ", ".join(untrusted[:5])
        raise UntrustedModelError(
            f"{label}: the model holds types outside sweeps' trusted list ({shown}); "
            "refusing to load it"
        )
    try:
        return skops_io().load(path, trusted=list(TRUSTED_TYPES))
    except Exception as exc:  # skops refuses it (or it is broken): never a traceback
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UntrustedModelError(f"{label}: cannot load the model: {reason}") from None


def _schema(path: Path, label: str) -> Any:
    """The skops file's ``schema.json``, parsed (a bounded read of a zip member)."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("schema.json")
            if info.file_size > MAX_SCHEMA_BYTES:
                raise UntrustedModelError(f"{label}: the model's schema is too large")
            return json.loads(archive.read(info))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RecursionError):
        raise UntrustedModelError(f"{label}: {SKOPS_FILE} is not a skops file") from None


def _named_types(node: Any, label: str) -> Iterator[str]:
    """Every ``module.class`` the schema names; raises for a loader outside :data:`LOADERS`."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            loader = item.get("__loader__")
            if loader is not None and loader not in LOADERS:
                raise UntrustedModelError(
                    f"{label}: the model holds a {loader!s:.40} node, which sweeps never "
                    "writes; refusing to load it"
                )
            if "__class__" in item or "__module__" in item:
                yield f"{item.get('__module__')}.{item.get('__class__')}"
            stack.extend(item.values())


def _allowed() -> set[str]:
    """Type names a schema may name: :data:`TRUSTED_TYPES`, plain values, numpy arrays and
    scalars."""
    import numpy as np

    scalars = {f"numpy.{t.__name__}" for t in set(np.sctypeDict.values())}
    return {*TRUSTED_TYPES, *(f"builtins.{b}" for b in _BUILTINS), "numpy.ndarray", *scalars}


def skops_io() -> ModuleType:
    """``skops.io``, imported with scikit-learn's estimator list reduced to ours (see the
    module's docstring); as is if something imported it already. Saving a model calls it
    first too, so MLflow's own ``import skops.io`` finds it loaded (saving needs no trust
    list; importing all of scikit-learn for it cost a second and a half)."""
    if "skops.io" in sys.modules:
        return sys.modules["skops.io"]
    import scipy.special
    import sklearn.utils

    ours = [(n.rsplit(".", 1)[1], _class(n)) for n in TRUSTED_TYPES if n.startswith("sklearn.")]
    every, special = sklearn.utils.all_estimators, scipy.special
    sklearn.utils.all_estimators = lambda *args, **kwargs: list(ours)
    scipy.special = _Unlisted(special)  # type: ignore[assignment]
    try:
        return importlib.import_module("skops.io")
    finally:
        sklearn.utils.all_estimators, scipy.special = every, special


class _Unlisted(ModuleType):
    """A module whose names are all there but none listed: ``dir()`` is empty, attributes
    come from the module it wraps (skops lists scipy's ufuncs by ``dir(scipy.special)``; the
    modules it imports meanwhile use them)."""

    def __init__(self, module: ModuleType) -> None:
        super().__init__(module.__name__, module.__doc__)
        self.__wrapped = module

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__wrapped, name)

    def __dir__(self) -> list[str]:
        return []


def _class(name: str) -> type:
    module, _, attribute = name.rpartition(".")
    found: type = getattr(importlib.import_module(module), attribute)
    return found
