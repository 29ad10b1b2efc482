"""Where a run came from: code version, package versions, BLAS library and threads."""

from __future__ import annotations

import importlib.metadata
import platform
import subprocess
from functools import cache
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info

from sweeps.records import (
    GIT_COMMIT_TAG,
    GIT_DIRTY_TAG,
    PLATFORM_TAG,
    VERSION_PREFIX,
    provenance_tag,
)

__all__ = ["provenance_tags"]

CODE_PATHS = ("pipeline", "sweeps", "pyproject.toml")
PACKAGES = ("numpy", "pandas", "scikit-learn", "optuna", "mlflow", "scipy", "sweeps")


@cache
def git_state(root: Path | None = None) -> tuple[str, bool]:
    """The commit of the source tree and whether its code has uncommitted changes.

    Returns ``("unknown", False)`` outside a git checkout or without git.
    """
    where = root or Path(__file__).resolve().parents[1]
    try:
        commit = _git(where, "rev-parse", "HEAD")
        dirty = bool(_git(where, "status", "--porcelain", "--", *CODE_PATHS))
    except (OSError, subprocess.CalledProcessError):
        return "unknown", False
    return commit, dirty


def _git(where: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-C", str(where), *args], capture_output=True, text=True, check=True, timeout=10
    )
    return out.stdout.strip()


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that decide a run's numbers."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def blas_info() -> dict[str, str]:
    """The BLAS library numpy calls and its current thread count.

    SciPy may load a BLAS of its own; numpy's is preferred whatever the load order, so that
    runs of different processes record the same library.
    """
    np.ones(1)  # numpy is imported, so its BLAS is loaded
    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    if not pools:
        return {"blas": "unknown", "blas_threads": "unknown", "blas_arch": "unknown"}
    pool = min(pools, key=lambda p: "numpy" not in str(p.get("filepath", "")))
    return {
        "blas": f"{pool.get('internal_api')} {pool.get('version')}",
        "blas_threads": str(pool.get("num_threads")),
        "blas_arch": str(pool.get("architecture")),
    }


def provenance_tags() -> dict[str, str]:
    """Tags recording code version, dirtiness, package versions, BLAS and platform."""
    commit, dirty = git_state()
    tags = {
        GIT_COMMIT_TAG: commit,
        GIT_DIRTY_TAG: str(dirty).lower(),
        PLATFORM_TAG: platform.platform(),
        "mlflow.source.git.commit": commit,
    }
    tags.update({f"{VERSION_PREFIX}{k}": v for k, v in package_versions().items()})
    tags.update({provenance_tag(k): v for k, v in blas_info().items()})
    return tags
