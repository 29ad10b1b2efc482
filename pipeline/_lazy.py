"""Lazy re-exports for the packages' ``__init__`` files (PEP 562).

``from pipeline.mlp import X`` imports the one module that defines ``X`` on first use, so a
caller that needs only the hyperparameter table does not pay for scikit-learn.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, modules: Mapping[str, tuple[str, ...]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose public names ``modules`` lists by
    the module (relative to ``package``) that defines them; they must be its ``__all__``."""
    namespace = sys.modules[package].__dict__
    where = {name: module for module, names in modules.items() for name in names}
    if sorted(where) != sorted(namespace["__all__"]):
        raise ImportError(f"{package}.__all__ differs from the names it exports")

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted([*namespace, *where])

    return __getattr__, __dir__
