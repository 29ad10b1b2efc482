"""Reading a sweep file: YAML, ``--set`` overrides, command-line values, one validation.

``--set key.path=value`` values are YAML (the user types YAML); the dedicated flags
(``--study``, ``--storage``, ``--tracking-uri``, ``--trials``, ``--timeout``) are applied as the
typed values click parsed, never turned back into text. Every error is one
:class:`~sweeps.errors.ConfigError` line naming the file and the key path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sweeps.config import SweepConfig
from sweeps.errors import ConfigError


@dataclass(frozen=True)
class Flags:
    """What the command line sets on top of a sweep file."""

    sets: tuple[str, ...] = ()
    study_name: str | None = None
    storage: str | None = None
    tracking_uri: str | None = None
    trials: int | None = None
    timeout: float | None = None

    def values(self) -> dict[str, Any]:
        """The dedicated flags that were given, by key path."""
        pairs = {
            "study.name": self.study_name,
            "study.storage": self.storage,
            "tracking.uri": self.tracking_uri,
            "study.n_trials": self.trials,
            "study.timeout": self.timeout,
        }
        return {key: value for key, value in pairs.items() if value is not None}


def resolve_config(path: str | Path, flags: Flags) -> SweepConfig:
    """The sweep file at ``path`` with the command line's ``--set`` overrides and values."""
    return load_config(path, flags.sets, flags.values())


def load_config(
    path: str | Path, overrides: Sequence[str] = (), values: Mapping[str, Any] | None = None
) -> SweepConfig:
    """Read a sweep file, apply ``key.path=value`` overrides (YAML values) and then ``values``
    (typed values by key path), validate; raise :class:`ConfigError` naming the key path."""
    path = Path(path)
    raw = _read_yaml(path)
    for item in overrides:
        apply_override(raw, item, path)
    for key, value in (values or {}).items():
        set_path(raw, key, value, path)
    try:
        cfg = SweepConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe_validation_error(exc)}") from None
    _check_study_components(cfg, path)
    return cfg


def _check_study_components(cfg: SweepConfig, path: Path) -> None:
    """Build sampler and pruner once, so bad options fail now with their key path."""
    from sweeps.study.samplers import make_pruner, make_sampler  # imports optuna: only now

    sampler, pruner = cfg.study.sampler, cfg.study.pruner
    for key, build in (
        ("study.sampler", lambda: make_sampler(sampler.type, sampler.options, cfg.seed, cfg.space)),
        ("study.pruner", lambda: make_pruner(pruner.type, pruner.options, *cfg.pruner_scale)),
    ):
        try:
            build()
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: {key}: {exc}") from None


def _read_yaml(path: Path) -> dict[str, Any]:
    """The file's top-level mapping. A ``.json`` file (a resolved config handed to workers)
    is read as JSON: YAML 1.1 would read its ``1e-08`` as a string."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file ({exc})") from None
    if path.suffix == ".json":
        try:
            raw = json.loads(text)
        except ValueError as exc:
            raise ConfigError(f"{path}: invalid JSON: {exc}") from None
    else:
        raw = _parse_yaml(text, path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level")
    return raw


def _parse_yaml(text: str, path: Path) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}: invalid YAML{where}: {problem}") from None


def apply_override(raw: dict[str, Any], item: str, path: Path) -> None:
    """Apply one ``key.path=value`` override in place; the value is parsed as YAML."""
    key, sep, text = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"{path}: override {item!r} must look like key.path=value")
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        raise ConfigError(f"{path}: override {key}: value {text!r} is not valid YAML") from None
    set_path(raw, key, value, path)


def set_path(raw: dict[str, Any], key: str, value: Any, path: Path) -> None:
    """Set ``raw[a][b][c] = value`` for ``key`` ``a.b.c``, creating mappings on the way."""
    node = raw
    parts = key.strip().split(".")
    for depth, part in enumerate(parts[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            where = ".".join(parts[: depth + 1])
            raise ConfigError(f"{path}: override {key}: {where} is not a mapping")
        node = child
    node[parts[-1]] = value


def describe_validation_error(exc: ValidationError) -> str:
    """One line: the first error's key path and message, and how many more there are."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = ".".join(str(p) for p in first["loc"] if not _is_union_tag(p))
    msg = first["msg"].removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more error(s))" if len(errors) > 1 else ""
    return f"{loc}: {msg}{more}" if loc else f"{msg}{more}"


def _is_union_tag(part: object) -> bool:
    tags = {"builtin", "file", "generated", "float", "int", "categorical", "int-str"}
    return isinstance(part, str) and part in tags
