"""scipy's array-API notes left out of its docstrings in a sweeps process.

scipy decorates its public functions with ``scipy._lib._array_api.xp_capabilities``, which,
as each module is imported, parses the function's docstring (numpydoc) and writes a table of
the array libraries it supports into its Notes section. scikit-learn imports ``scipy.stats``,
so every command that imports scikit-learn paid for 474 such rewrites: 0.33 s of the 0.82 s
``scipy.stats`` took to import on this 2-core machine (1.64 -> 1.30 s for ``sklearn.compose``
with it). The notes are documentation for scipy's website; no code reads them, and the
capabilities table the decorator also fills is read only by scipy's test suite and docs build.

:func:`install` adds an import hook: when ``scipy._lib._array_api`` is first imported, its
``xp_capabilities`` is replaced by a decorator that returns each function unchanged. Where scipy
is already imported, or no longer has that module or name, nothing changes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any, TypeVar

__all__ = ["install"]

MODULE = "scipy._lib._array_api"
DECORATOR = "xp_capabilities"
_F = TypeVar("_F")


def install() -> None:
    """Add the hook, unless scipy's module is imported already or the hook is there."""
    if MODULE in sys.modules or any(isinstance(f, _Hook) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _Hook())


def plain_capabilities(*args: Any, **kwargs: Any) -> Callable[[_F], _F]:
    """Stands in for ``xp_capabilities(...)``: a decorator that changes nothing."""
    return _unchanged


def _unchanged(function: _F) -> _F:
    return function


class _Hook:
    """A finder (``sys.meta_path``'s protocol; not an ``importlib.abc.MetaPathFinder``, whose
    module costs 8 ms of every command's start) that finds nothing itself: when scipy's module
    is looked for, it asks the other finders, has the module patched once it has run, and
    leaves ``sys.meta_path``."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        """The spec the other finders give for scipy's module (its loader wrapped), else None."""
        if fullname != MODULE:
            return None
        sys.meta_path.remove(self)  # once: whatever happens next
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                break
        else:
            return None
        run = getattr(spec.loader, "exec_module", None)
        if run is None:
            return spec

        def exec_module(module: ModuleType) -> None:
            run(module)
            if callable(getattr(module, DECORATOR, None)):
                setattr(module, DECORATOR, plain_capabilities)

        spec.loader.exec_module = exec_module  # type: ignore[union-attr,method-assign]
        return spec
