"""Imports point one way: ``cli -> commands -> (search | results, report, reproduce) -> core ->
(study, tracking) -> spec -> infra -> records -> pipeline`` (study and tracking apart; the
worker loop, search, is imported by commands only). pipeline/ is pure ML; inside it,
``models -> (mlp | data) -> errors``; sweeps/ takes from pipeline only what its packages
export, never through the old module paths kept for saved models; spec/ builds no Optuna
object; only the tracking package imports mlflow; no module imports one that imports it back."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_PIPELINE = {"optuna", "mlflow", "yaml", "sweeps"}
#: Which parts of pipeline/ each part must never import (mlp and data stand side by side).
PIPELINE_NEVER = {
    "errors": {"data", "mlp", "models"},
    "data": {"mlp", "models"},
    "mlp": {"data", "models"},
}
#: Modules that only keep the classes a model saved before the subpackages names importable.
OLD_PATHS = {"pipeline.estimator", "pipeline.ensemble"}
MLFLOW_ALLOWED = {"tracking"}
#: Which parts of sweeps/ each part must never import (the layers, top to bottom).
NEVER = {
    "records": {"infra", "spec", "study", "tracking", "search", "results", "report",
                "reproduce", "commands", "cli"},
    "infra": {"spec", "study", "tracking", "search", "results", "report", "reproduce",
              "commands", "cli"},
    "spec": {"study", "tracking", "search", "results", "report", "reproduce", "commands",
             "cli"},
    "study": {"tracking", "search", "results", "report", "reproduce", "commands", "cli"},
    "tracking": {"spec", "study", "search", "results", "report", "reproduce", "commands",
                 "cli"},
    "core": {"search", "results", "report", "reproduce", "commands", "cli"},
    "search": {"results", "report", "reproduce", "commands", "cli"},
    "report": {"search", "results", "reproduce", "commands", "cli"},
    "reproduce": {"search", "results", "report", "commands", "cli"},
    "results": {"search", "reproduce", "commands", "cli"},
    "commands": {"cli"},
}  # fmt: skip


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports (at any depth of the file), as dotted names; a relative
    import is resolved against ``path``'s package (when ``path`` lies under the repository)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(path, node)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    """The dotted module a ``from ... import`` names (``from . import x`` in pipeline/mlp/a.py:
    ``pipeline.mlp``)."""
    if node.level == 0:
        return node.module or ""
    package = _module_name(path).split(".") if path.is_relative_to(ROOT) else []
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def _roots(path: Path) -> set[str]:
    return {name.split(".")[0] for name in _imports(path)}


def _part(module: str) -> str | None:
    """``sweeps.core.trial`` -> ``search``; ``sweeps.cli`` -> ``cli``."""
    parts = module.split(".")
    return parts[1] if parts[0] == "sweeps" and len(parts) > 1 else None


SWEEPS_FILES = sorted((ROOT / "sweeps").rglob("*.py"))
PIPELINE_FILES = sorted((ROOT / "pipeline").rglob("*.py"))


def test_the_pipeline_checks_see_every_package_and_its_init() -> None:
    seen = {p.relative_to(ROOT).as_posix() for p in PIPELINE_FILES}
    for package in ("pipeline", "pipeline/data", "pipeline/mlp", "pipeline/models"):
        assert f"{package}/__init__.py" in seen
    assert {"pipeline/mlp/estimator.py", "pipeline/data/table.py"} <= seen


@pytest.mark.parametrize("path", PIPELINE_FILES, ids=str)
def test_pipeline_imports_no_orchestration(path: Path) -> None:
    assert not (_roots(path) & FORBIDDEN_IN_PIPELINE)


def _pipeline_part(module: str) -> str | None:
    """``pipeline.mlp.network`` -> ``mlp``; ``pipeline.errors`` -> ``errors``."""
    parts = module.split(".")
    return parts[1] if parts[0] == "pipeline" and len(parts) > 1 else None


@pytest.mark.parametrize("path", PIPELINE_FILES, ids=str)
def test_pipeline_parts_import_down(path: Path) -> None:
    module = _module_name(path)
    part = _pipeline_part(module)
    imported = _imports(path) - {module}
    upward = {p for p in map(_pipeline_part, imported) if p in PIPELINE_NEVER.get(part, set())}
    assert not upward, f"{module} ({part}) imports {sorted(upward)}"
    if module not in OLD_PATHS:
        assert not (imported & OLD_PATHS), f"{module} imports an old path"


def _our_files() -> list[Path]:
    """sweeps/, tests/ and benchmarks/, but the test that loads models saved under old paths."""
    folders = ("sweeps", "tests", "benchmarks")
    files = [p for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))]
    return [p for p in files if p.name != "test_old_model_paths.py"]


@pytest.mark.parametrize("path", _our_files(), ids=str)
def test_our_code_never_imports_the_old_paths(path: Path) -> None:
    assert not (_imports(path) & OLD_PATHS)


@pytest.mark.parametrize("path", SWEEPS_FILES, ids=str)
def test_sweeps_takes_from_pipeline_only_what_its_packages_export(path: Path) -> None:
    """``from pipeline.mlp.hyperparams import DEFAULTS`` needs ``DEFAULTS`` in
    ``pipeline.mlp.__all__``: the other names of a package are its internals."""
    internal = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pipeline":
            package = ".".join(node.module.split(".")[:2])  # type: ignore[union-attr]
            exported = importlib.import_module(package).__all__
            internal += [f"{node.module}.{a.name}" for a in node.names if a.name not in exported]
    assert not internal, f"{path.relative_to(ROOT)} imports internals: {internal}"


@pytest.mark.parametrize("path", SWEEPS_FILES, ids=str)
def test_only_tracking_imports_mlflow(path: Path) -> None:
    rel = path.relative_to(ROOT / "sweeps")
    if rel.parts[0] in MLFLOW_ALLOWED:
        return
    assert "mlflow" not in _roots(path), f"{rel} imports mlflow"


@pytest.mark.parametrize("path", sorted((ROOT / "sweeps" / "spec").rglob("*.py")), ids=str)
def test_the_sweep_file_package_imports_no_optuna(path: Path) -> None:
    assert not (_roots(path) & {"optuna", "mlflow"}), f"{path.name} imports a store library"


@pytest.mark.parametrize("path", SWEEPS_FILES, ids=str)
def test_imports_point_down_the_layers(path: Path) -> None:
    rel = path.relative_to(ROOT / "sweeps")
    part = rel.parts[0].removesuffix(".py")
    upward = {p for p in map(_part, _imports(path)) if p in NEVER.get(part, set())}
    assert not upward, f"{rel} ({part}) imports {sorted(upward)}"


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def test_no_module_imports_one_that_imports_it_back() -> None:
    """Among modules and packages (a package's ``__init__`` is the module named after it)."""
    files = [*SWEEPS_FILES, *sorted((ROOT / "pipeline").rglob("*.py"))]
    modules = {_module_name(p): p for p in files}
    graph = {name: _edges(path, set(modules)) - {name} for name, path in modules.items()}
    cycles = [(a, b) for a, targets in graph.items() for b in targets if _reaches(graph, b, a)]
    assert not cycles, f"import cycles: {sorted(set(map(tuple, map(sorted, cycles))))}"


@pytest.mark.parametrize("path", SWEEPS_FILES, ids=str)
def test_no_module_imports_its_own_package(path: Path) -> None:
    """A package's ``__init__`` re-exports its modules: they import each other directly,
    never through it (``from sweeps.tracking import template`` inside sweeps/tracking/)."""
    package = _module_name(path.parent)
    if path.name == "__init__.py" or package == "sweeps":
        return
    tree = ast.parse(path.read_text(), filename=str(path))
    through = [
        node.lineno for node in ast.walk(tree)
        if (isinstance(node, ast.ImportFrom) and node.module == package)
        or (isinstance(node, ast.Import) and any(a.name == package for a in node.names))
    ]  # fmt: skip
    assert not through, f"{path.relative_to(ROOT)} imports its package {package} (lines {through})"


def _edges(path: Path, modules: set[str]) -> set[str]:
    """The modules of ``modules`` that ``path`` imports: ``from pkg import sub`` imports the
    module ``pkg.sub`` when there is one, else a name of the package ``pkg`` (its
    ``__init__``)."""
    edges: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            edges.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                edges.add(sub if sub in modules else node.module)
    return edges & modules


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return False


def test_the_cycle_check_sees_a_package_and_its_module_importing_each_other(
    tmp_path: Path,
) -> None:
    init, store = tmp_path / "__init__.py", tmp_path / "store.py"
    init.write_text("from pkg.store import Store\n")
    store.write_text("from pkg import helper, template\n")
    modules = {"pkg", "pkg.store", "pkg.template"}
    assert _edges(init, modules) == {"pkg.store"}
    assert _edges(store, modules) == {"pkg", "pkg.template"}  # helper is the package's


def test_the_layering_check_sees_imports(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import mlflow.sklearn\nfrom optuna import trial\ndef f():\n    import yaml\n")
    assert _roots(probe) == {"mlflow", "optuna", "yaml"}
    assert "optuna.trial" in _imports(probe)


#: Modules every part of sweeps may use whole (no ``__all__``): the names of what a run
#: records, and the named errors.
PUBLIC_WHOLE = {"sweeps.records", "sweeps.errors"}
MODULES = {_module_name(p): p for p in SWEEPS_FILES}


def _package(module: str) -> str:
    """``sweeps.core.trial`` -> ``sweeps.core``; a top-level module is its own package."""
    return ".".join(module.split(".")[:2])


def _declared_all(path: Path) -> list[str] | None:
    for node in ast.parse(path.read_text(), filename=str(path)).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return list(ast.literal_eval(node.value))  # type: ignore[arg-type]
    return None


def _outside_all(path: Path, me: str, modules: dict[str, Path]) -> list[str]:
    """The names module ``me`` (at ``path``) imports from another package's module that its
    ``__all__`` leaves out (internal to that package)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not (isinstance(node, ast.ImportFrom) and node.module in modules and node.level == 0):
            continue
        if node.module in PUBLIC_WHOLE or modules[node.module].name == "__init__.py":
            continue
        if _package(node.module) == _package(me) and path.name != "__init__.py":
            continue
        public = _declared_all(modules[node.module]) or []
        found += [
            f"{node.module}.{alias.name}"
            for alias in node.names
            if alias.name not in public and f"{node.module}.{alias.name}" not in modules
        ]
    return found


@pytest.mark.parametrize("path", SWEEPS_FILES, ids=str)
def test_every_module_says_what_other_packages_may_import(path: Path) -> None:
    """``__all__`` lists what other packages may import; anything else is the package's."""
    name = _module_name(path)
    if path.name in ("__init__.py", "__main__.py") or name in PUBLIC_WHOLE:
        return
    assert _declared_all(path) is not None, f"{name} has no __all__"


@pytest.mark.parametrize("path", SWEEPS_FILES, ids=str)
def test_no_package_imports_another_ones_internal_names(path: Path) -> None:
    outside = _outside_all(path, _module_name(path), MODULES)
    assert not outside, (
        f"{_module_name(path)} imports internal names (or add to __all__): {outside}"
    )


def test_the_internal_names_check_sees_one(tmp_path: Path) -> None:
    (tmp_path / "sweeps" / "a").mkdir(parents=True)
    (tmp_path / "sweeps" / "b").mkdir()
    inner = tmp_path / "sweeps" / "a" / "inner.py"
    inner.write_text('__all__ = ["shown"]\nshown = hidden = 1\n')
    user = tmp_path / "sweeps" / "b" / "user.py"
    user.write_text("from sweeps.a.inner import hidden, shown\n")
    sibling = tmp_path / "sweeps" / "a" / "sibling.py"
    sibling.write_text("from sweeps.a.inner import hidden\n")
    modules = {"sweeps.a.inner": inner, "sweeps.b.user": user, "sweeps.a.sibling": sibling}
    assert _outside_all(user, "sweeps.b.user", modules) == ["sweeps.a.inner.hidden"]
    assert _outside_all(sibling, "sweeps.a.sibling", modules) == []


def test_the_tests_mirror_the_packages() -> None:
    """tests/sweeps/ has a folder per subpackage of sweeps/; a test module beside them tests
    a top-level module (``test_records.py``: ``sweeps/records.py``)."""
    tests = ROOT / "tests" / "sweeps"
    packages = {p.parent.name for p in (ROOT / "sweeps").glob("*/__init__.py")}
    folders = {p.parent.name for p in tests.glob("*/test_*.py")}
    assert folders <= packages, f"test folders with no package: {sorted(folders - packages)}"
    top = {p.stem for p in (ROOT / "sweeps").glob("*.py")}
    loose = [p.name for p in tests.glob("test_*.py") if p.stem.removeprefix("test_") not in top]
    assert not loose, f"tests/sweeps/{loose}: move them to the folder of the package they test"
