"""JSON artifacts are read back only as they were logged (the digest check every store's
``read_json`` makes), parsed strictly and within bounds."""

from __future__ import annotations

import pytest

from sweeps.errors import ConfigError
from sweeps.records import artifact_digest_tag as digest_tag
from sweeps.tracking import MemoryTracker
from sweeps.tracking.digests import MAX_JSON_BYTES, verified_json


def _logged(obj: object) -> tuple[MemoryTracker, str]:
    tracker = MemoryTracker()
    run_id = tracker.create_parent(tracker.experiment_id("e") or "", "s", {}, {})
    tracker.log_json(run_id, obj, "config.json")
    return tracker, run_id


def test_a_logged_file_reads_back_verified() -> None:
    tracker, run_id = _logged({"model": {"learning_rate": 0.01}})
    read = tracker.read_logged(run_id, "config.json")
    assert read.value == {"model": {"learning_rate": 0.01}} and read.verified
    assert len(tracker.runs[run_id].tags[digest_tag("config.json")]) == 64


def test_an_edit_is_refused_naming_the_run_and_file() -> None:
    tracker, run_id = _logged({"model": {"learning_rate": 0.01}})
    text = tracker.artifacts[run_id]["config.json"]
    tracker.artifacts[run_id]["config.json"] = text.replace("0.01", "0.02")
    with pytest.raises(ConfigError, match=rf"^run {run_id}: config.json was changed after it"):
        tracker.read_json(run_id, "config.json")


def test_a_file_without_a_digest_reads_unverified() -> None:
    tracker, run_id = _logged([1, 2])
    tags = dict(tracker.runs[run_id].tags)
    del tags[digest_tag("config.json")]
    tracker._update(run_id, tags=tags)
    read = tracker.read_logged(run_id, "config.json")
    assert read.value == [1, 2] and not read.verified


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a": 1, "a": 2}', "is unusable: invalid JSON: duplicate key 'a'"),
        (b"[" * 60 + b"]" * 60, "is unusable: invalid JSON: nested deeper than 50"),
        (b"[" * 200_000 + b"]" * 200_000, "is unusable: invalid JSON: nested deeper than 50"),
        (b"{", "is unusable: invalid JSON: Expecting property name"),
        (b"\xff\xfe", "is unusable: 'utf-8' codec can't decode"),
        (b" " * (MAX_JSON_BYTES + 1), f"is larger than {MAX_JSON_BYTES:,} bytes"),
    ],
)
def test_unusable_files_are_one_line(data: bytes, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        verified_json("r1", "trial_config.json", data, None)
    assert str(info.value).startswith(f"run r1: trial_config.json {message}"), info.value
    assert "\n" not in str(info.value)
