"""A study's meaning, pinned when it is created: a resume may not change it.

Interrupting ``sweeps run conf/quickstart.yaml`` and resuming it with
``--set objective.metric=val_accuracy`` would have the sampler minimise accuracy beside the
losses it had minimised, in a study whose direction stays "minimize" and whose parent run still
records the old settings. So the sweep file's resolved values that decide what a trial is and
how it is scored (:data:`PINNED`) and the data's fingerprint are recorded on the study (user
attribute :data:`~sweeps.records.MEANING_ATTR`) and their digest on the parent run (tag
:data:`~sweeps.records.MEANING_TAG`) when the study is created; a later ``run``, ``worker``
or ``init`` of the same study with any of them changed stops with one line listing the changes,
before it writes anything.

Not pinned, because they change how long or where a sweep runs, not what it finds: the
budget (``n_trials``, ``timeout``, ``--jobs``), the stores' locations, heartbeats and
retries, the tracking writer, the description, the enqueued trials (used only by a new study)
and the data file's path (workers on other machines keep it elsewhere: its bytes are pinned).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sweeps.core.dataset import SweepData
from sweeps.errors import ConfigError
from sweeps.spec.schema import SweepConfig

__all__: list[str] = []  # nothing here for other packages

#: Key paths of the resolved sweep file that are pinned (with everything below them).
PINNED = (
    "seed",
    "data",
    "split",
    "model",
    "space",
    "objective",
    "selection",
    "limits",
    "study.sampler",
    "study.pruner",
)
#: Pinned sections' keys that are not: where the data file is (its bytes are pinned instead).
UNPINNED = frozenset({"data.path"})
#: Changes listed in the message at most.
SHOWN = 6


def pinned_values(cfg: SweepConfig, data: SweepData) -> dict[str, Any]:
    """The values that make a study what it is, by key path (``objective.metric``,
    ``space.width.high``, ``data.fingerprint``), as plain JSON data."""
    dumped = cfg.model_dump(mode="json")
    dumped["objective"]["direction"] = list(cfg.objective.directions)  # explicit or implied
    values: dict[str, Any] = {}
    for key in PINNED:
        node: Any = dumped
        for part in key.split("."):
            node = node[part]
        _flatten(key, node, values)
    values["data.fingerprint"] = data.table.fingerprint
    return {k: v for k, v in values.items() if k not in UNPINNED}


def _flatten(key: str, node: Any, out: dict[str, Any]) -> None:
    if isinstance(node, dict) and node:
        for name, child in node.items():
            _flatten(f"{key}.{name}", child, out)
    else:
        out[key] = node


def digest(values: Mapping[str, Any]) -> str:
    """SHA-256 of the pinned values (the parent run's :data:`~sweeps.records.MEANING_TAG`)."""
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def check_resume(recorded: Any, values: Mapping[str, Any], where: str) -> None:
    """Raise :class:`ConfigError` listing what changed when ``values`` differ from the
    ``recorded`` ones (None: a study made before meanings were pinned, accepted as it is)."""
    if not isinstance(recorded, dict):
        return
    changed = sorted(
        k for k in set(recorded) | set(values) if recorded.get(k, _UNSET) != values.get(k, _UNSET)
    )
    if not changed:
        return
    shown = [
        f"{k}: {_shown(recorded.get(k, _UNSET))} -> {_shown(values.get(k, _UNSET))}"
        for k in changed[:SHOWN]
    ]
    more = f"; and {len(changed) - SHOWN} more" if len(changed) > SHOWN else ""
    raise ConfigError(
        f"{where}: the study was created with other settings, which a resume may not change: "
        f"{'; '.join(shown)}{more} (the budget, timeout and --jobs may change; for new "
        "settings start a new study: --study NAME, or --fresh)"
    )


_UNSET = object()


def _shown(value: Any) -> str:
    """A value as the user wrote it: ``val_loss`` for ``["val_loss"]``, ``(unset)``."""
    if value is _UNSET:
        return "(unset)"
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."
