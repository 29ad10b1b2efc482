"""Reading a sweep file: YAML, ``--set`` overrides, command-line values, one validation.

``--set key.path=value`` values are YAML (the user types YAML); the dedicated flags
(``--study``, ``--storage``, ``--tracking-uri``, ``--trials``, ``--timeout``) are applied as the
typed values click parsed, never turned back into text. Every error is one
:class:`~sweeps.errors.ConfigError` line naming the file and the key path.

Reading is strict: a file over :data:`MAX_FILE_BYTES`, a key given twice, nesting deeper than
:data:`~sweeps.infra.strict_yaml.MAX_DEPTH` levels are errors, and a misspelt key gets the
nearest valid one suggested.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sweeps.errors import ConfigError
from sweeps.infra import strict_json, strict_yaml
from sweeps.spec.flags import Flags
from sweeps.spec.keywords import did_you_mean
from sweeps.spec.schema import SweepConfig

__all__ = ["Flags", "describe_validation_error", "load_config", "resolve_config"]

#: A sweep file is a few kilobytes; anything over this is not one.
MAX_FILE_BYTES = 1_000_000
#: Longest message of one validation error (a value quoted in it is cut).
MAX_MESSAGE = 500


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
    return cfg


def _read_yaml(path: Path) -> dict[str, Any]:
    """The file's top-level mapping. A ``.json`` file (a resolved config handed to workers)
    is read as JSON: YAML 1.1 would read its ``1e-08`` as a string."""
    text = _read_text(path)
    raw = _parse_json(text, path) if path.suffix == ".json" else _parse_yaml(text, path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level")
    return raw


def _read_text(path: Path) -> str:
    """The file's text, refused past :data:`MAX_FILE_BYTES` before more is read."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_FILE_BYTES:,} bytes: not a sweep file")
        return data.decode()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file ({exc})") from None


def _parse_json(text: str, path: Path) -> Any:
    try:
        return strict_json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _parse_yaml(text: str, path: Path) -> Any:
    try:
        return strict_yaml.load(text)
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
        value = strict_yaml.load(text)
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
    """One line: the first error's key path and message (a misspelt key: with the nearest
    valid one), and how many more there are."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = ".".join(str(p) for p in first["loc"] if not _is_union_tag(p))
    msg = " ".join(first["msg"].removeprefix("Value error, ").split())
    if len(msg) > MAX_MESSAGE:
        msg = msg[:MAX_MESSAGE] + "..."
    if first["type"] == "extra_forbidden":
        msg += did_you_mean(str(first["loc"][-1]), _field_names(first["loc"][:-1]))
    elif first["type"] not in ("value_error", "missing"):
        msg += _got(first.get("input"))
    more = f" (and {len(errors) - 1} more error(s))" if len(errors) > 1 else ""
    return f"{loc}: {msg}{more}" if loc else f"{msg}{more}"


def _got(value: object) -> str:
    """``"; got True"`` for a short scalar the user wrote; nothing for anything else."""
    if isinstance(value, bool | int | float | str) and len(repr(value)) <= 40:
        return f"; got {value!r}"
    return ""


def _field_names(loc: Sequence[int | str]) -> list[str]:
    """The keys valid at key path ``loc`` of a sweep file (union tags included in ``loc``)."""
    node: Any = SweepConfig
    for part in loc:
        node = _step(node, part)
        if node is None:
            return []
    model = _model(node, None)
    return list(model.model_fields) if model else []


def _step(annotation: Any, part: int | str) -> Any:
    """The annotation one key (or union tag, or list index) below ``annotation``."""
    model = _model(annotation, part)
    if model is not None:
        field = model.model_fields.get(str(part))
        return model if field is None else field.annotation
    for member in _members(annotation):
        origin = typing.get_origin(member)
        if origin is dict:
            return typing.get_args(member)[1]
        if origin in (list, tuple):
            return typing.get_args(member)[0]
    return None


def _model(annotation: Any, part: int | str | None) -> type[BaseModel] | None:
    """The pydantic model ``annotation`` is, or the member of its union that has the field
    ``part`` or is tagged ``part``."""
    models = [m for m in _members(annotation) if isinstance(m, type) and issubclass(m, BaseModel)]
    if len(models) == 1 or part is None:
        return models[0] if models else None
    for model in models:
        if str(part) in model.model_fields or _tag(model) == part:
            return model
    return None


def _tag(model: type[BaseModel]) -> object:
    """The value of the model's discriminating ``Literal`` field (``source`` or ``type``)."""
    for name in ("source", "type"):
        field = model.model_fields.get(name)
        if field is not None and typing.get_origin(field.annotation) is typing.Literal:
            return typing.get_args(field.annotation)[0]
    return None


def _members(annotation: Any) -> list[Any]:
    """``A | B`` and ``Annotated[A | B, ...]`` as ``[A, B]``; anything else as ``[it]``."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


def _is_union_tag(part: object) -> bool:
    tags = {"builtin", "file", "generated", "float", "int", "categorical", "int-str"}
    return isinstance(part, str) and part in tags
