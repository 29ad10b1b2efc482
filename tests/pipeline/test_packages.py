"""pipeline's subpackages: each ``__all__`` resolves, unknown names are refused, and a package
imports a module only when one of its names is first used."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PACKAGES = ("pipeline", "pipeline.data", "pipeline.mlp", "pipeline.models")


@pytest.mark.parametrize("name", PACKAGES)
def test_every_exported_name_resolves_and_is_listed(name: str) -> None:
    package = importlib.import_module(name)
    for public in package.__all__:
        assert getattr(package, public) is not None
        assert public in dir(package)


@pytest.mark.parametrize("name", PACKAGES)
def test_an_unknown_name_is_refused(name: str) -> None:
    package = importlib.import_module(name)
    with pytest.raises(AttributeError, match=f"module '{name}' has no attribute 'nope'"):
        package.nope  # noqa: B018


def test_the_top_level_names_are_the_subpackages_own() -> None:
    import pipeline
    import pipeline.data
    import pipeline.errors
    import pipeline.mlp

    for public in pipeline.__all__:
        home = next(p for p in (pipeline.data, pipeline.mlp, pipeline.errors) if hasattr(p, public))
        assert getattr(pipeline, public) is getattr(home, public)


def test_the_packages_import_their_modules_lazily() -> None:
    code = (
        "import sys\n"
        "import pipeline, pipeline.data, pipeline.mlp, pipeline.models\n"
        "from pipeline.mlp.hyperparams import DEFAULTS\n"
        "print(sorted(m for m in ('sklearn', 'pandas') if m in sys.modules))\n"
        "print(sorted(m for m in sys.modules if m.startswith('pipeline.data.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["[]", "[]"]
