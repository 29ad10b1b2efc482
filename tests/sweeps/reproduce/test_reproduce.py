"""`sweeps reproduce` against real stores: bit for bit, pruned trials, seeds, refusals, diffs."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import numpy as np
import pytest
from mlflow.entities import Metric

from pipeline.data.fingerprint import file_sha256
from sweeps.core.trial import other_seeds
from tests.sweeps.finished import Finished, churn_sweep, tiny_sweep
from tests.sweeps.helpers import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, migrated_mlflow_db: Path) -> Finished:
    return tiny_sweep(tmp_path_factory, migrated_mlflow_db)


@pytest.fixture(scope="module")
def churn(tmp_path_factory: pytest.TempPathFactory, migrated_mlflow_db: Path) -> Finished:
    return churn_sweep(tmp_path_factory, migrated_mlflow_db)


def _reproduce(sweep: Finished, run_id: str, *args: str) -> int:
    return run_cli("reproduce", run_id, *args, "--tracking-uri", sweep.stores.tracking_uri)


def _new_run_id(out: str) -> str:
    match = re.search(r"^new run: ([0-9a-f]{32}) ", out, re.MULTILINE)
    assert match, out
    return match.group(1)


def _run_count(sweep: Finished) -> int:
    client = sweep.client()
    experiment = client.get_experiment_by_name(sweep.name)
    return len(client.search_runs([experiment.experiment_id], max_results=1000))


def test_best_trial_is_reproduced_bit_for_bit(
    tiny: Finished, capsys: pytest.CaptureFixture[str]
) -> None:
    best = tiny.study().best_trial
    run_id = best.user_attrs["mlflow_run_id"]
    assert _reproduce(tiny, run_id) == 0
    out = capsys.readouterr().out
    assert "verdict: identical (bit for bit)" in out
    assert "provenance:" not in out
    client = tiny.client()
    original, new = client.get_run(run_id), client.get_run(_new_run_id(out))
    assert new.info.experiment_id == original.info.experiment_id
    assert new.info.status == "FINISHED"
    assert new.info.run_name == f"reproduce-trial-{best.number:03d}"
    tags = new.data.tags
    assert tags["sweeps.reproduces"] == run_id
    assert tags["sweeps.role"] == "reproduction"
    # listed under the sweep it reproduces (the UI nests it beside the trial), not at the top
    assert tags["mlflow.parentRunId"] == original.data.tags["mlflow.parentRunId"]
    assert tags["sweeps.verdict"] == "identical" and tags["sweeps.differs"] == ""
    assert tags["sweeps.weights_sha256"] == original.data.tags["sweeps.weights_sha256"]
    assert tags["sweeps.seed"] == original.data.tags["sweeps.seed"]
    assert tags["sweeps.data.fingerprint"] == original.data.tags["sweeps.data.fingerprint"]
    assert tags["sweeps.blas_threads"] == original.data.tags["sweeps.blas_threads"]
    compared = ["val_loss", "val_accuracy", "train_loss"]
    compared += ["n_params", "n_epochs", "best_epoch"]
    for name in compared:
        assert new.data.metrics[name] == original.data.metrics[name], name
    assert new.data.metrics["val_loss"] == best.value
    assert new.data.params == original.data.params
    names = [a.path for a in client.list_artifacts(new.info.run_id)]
    assert names == ["reproduction.json"]


def test_pruned_trial_is_trained_to_the_epoch_it_reached(
    tiny: Finished, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = tiny.run_id(2)
    client = tiny.client()
    original = client.get_run(run_id)
    assert original.data.tags["sweeps.state"] == "PRUNED"
    assert original.data.tags["sweeps.epochs_reached"] == "2"
    assert _reproduce(tiny, run_id) == 0
    out = capsys.readouterr().out
    assert f"run {run_id}: trial 2 of study tiny, PRUNED, seed " in out
    assert re.search(r"^weights sha256 +not logged ", out, re.MULTILINE)
    assert "verdict: identical (bit for bit)" in out
    new = client.get_run(_new_run_id(out))
    assert new.data.params["max_epochs"] == "2"
    assert original.data.params["max_epochs"] == "6"
    for name in ("epoch/train_loss", "epoch/val_loss", "epoch/val_accuracy"):
        history = client.get_metric_history(new.info.run_id, name)
        logged = client.get_metric_history(run_id, name)
        assert [m.step for m in history] == [1, 2]
        assert [m.value for m in history] == [m.value for m in logged], name
    assert new.data.tags["sweeps.reproduces.state"] == "PRUNED"


def test_other_seeds_give_their_range_and_no_two_sigma_alarm(
    tiny: Finished, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three seeds: each metric's range, mean and std, where the original lies against the
    range, and, when it lies outside, how often chance alone does that (2 in 4)."""
    run_id = tiny.run_id(1)
    assert _reproduce(tiny, run_id, "--seeds", "3") == 0
    out = capsys.readouterr().out
    original = tiny.client().get_run(run_id).data.metrics
    seeds = other_seeds(int(tiny.client().get_run(run_id).data.tags["sweeps.seed"]), 3)
    assert f"other seeds (3): {', '.join(map(str, seeds))}" in out
    new_id = _new_run_id(out)
    new = tiny.client().get_run(new_id).data.metrics
    assert new["seeds/val_loss_std"] > 0
    assert new["seeds/n_params_std"] == 0
    assert new["seeds/n_params_mean"] == original["n_params"]
    doc = json.loads(
        Path(tiny.client().download_artifacts(new_id, "reproduction.json")).read_text()
    )
    assert doc["seeds"]["chance_outside"] == 0.5
    table = out[out.index("other seeds") :].splitlines()
    outside = []
    for name in doc["seeds"]["metrics"]:
        stats = doc["seeds"]["metrics"][name]
        low, high, value = stats["min"], stats["max"], original[name]
        where = "below" if value < low else "above" if value > high else "within"
        where = "same" if where == "within" and low == high else where
        assert stats["original_vs_range"] == where, name
        row = next(line for line in table if line.startswith(f"{name} "))
        said = {"below": "below the range", "above": "above the range"}
        said |= {"within": "within the range", "same": "same as every seed"}
        assert row.split()[1:6] == [
            f"{value:.6g}", f"{low:.6g}", f"{high:.6g}",
            f"{new[f'seeds/{name}_mean']:.6g}", f"{new[f'seeds/{name}_std']:.3g}",
        ], name  # fmt: skip
        assert row.endswith(said[where]), name
        outside += [name] if where in ("below", "above") else []
    assert doc["seeds"]["metrics"]["n_params"]["original_vs_range"] == "same"
    assert "mean ± 2 std" not in out
    if outside:
        n = len(doc["seeds"]["metrics"])
        assert f"outside the 3 seeds' range on {len(outside)} of {n} metrics" in out
        assert "chance alone puts one run outside the range of 3 others 50%" in out
        assert f"about {n / 2:.0f} of {n} metrics" in out
    else:
        assert "seeds: the original lies within the 3 seeds' range on every metric" in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_unknown_run_exits_2_and_writes_nothing(
    tiny: Finished, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _run_count(tiny)
    assert _reproduce(tiny, "0123456789abcdef0123456789abcdef") == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "sweeps: error: no run '0123456789abcdef0123456789abcdef' "
        f"in tracking store {tiny.stores.tracking_uri}"
    )
    parent = tiny.client().get_run(tiny.run_id(0)).data.tags["mlflow.parentRunId"]
    assert _reproduce(tiny, parent) == 2
    assert "is not a sweep trial (sweeps.role=parent)" in capsys.readouterr().err
    assert _run_count(tiny) == before


def test_one_changed_byte_of_the_data_is_refused(
    churn: Finished, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = churn.study().best_trial.user_attrs["mlflow_run_id"]
    path = churn.config.parent / "churn.csv"
    logged = churn.client().get_run(run_id).data.tags["sweeps.data.fingerprint"]
    assert logged == file_sha256(path)
    before, content = _run_count(churn), path.read_bytes()
    at = content.index(b"56.09")
    path.write_bytes(content[:at] + b"57" + content[at + 2 :])  # one byte: 56.09 -> 57.09
    try:
        assert _reproduce(churn, run_id) == 1
        now = file_sha256(path)
    finally:
        path.write_bytes(content)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        f"sweeps: error: refusing to reproduce run {run_id}: data changed: {path}: "
        f"fingerprint logged {logged[:12]}, now {now[:12]}"
    )
    assert _run_count(churn) == before


def test_differences_and_provenance_are_reported_with_exit_1(
    churn: Finished, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = churn.run_id(0)
    client = churn.client()
    original = client.get_run(run_id)
    loss = original.data.metrics["val_loss"]
    later = int(time.time() * 1000) + 1000  # the newest value at step 0 is the one shown
    client.log_batch(run_id, metrics=[Metric("val_loss", loss + 1e-9, later, 0)])
    client.set_tag(run_id, "sweeps.weights_sha256", "0" * 64)
    client.set_tag(run_id, "sweeps.version.numpy", "0.0.0")
    assert _reproduce(churn, run_id) == 1
    out = capsys.readouterr().out
    diff = abs(loss - (loss + 1e-9))
    assert f"verdict: differs: val_loss by {diff:.3g}, weights sha256" in out
    assert re.search(r"^provenance: differs: sweeps\.version\.numpy 0\.0\.0 -> \d", out, re.M)
    new = client.get_run(_new_run_id(out))
    assert new.data.metrics["val_loss"] == loss
    assert new.data.tags["sweeps.verdict"] == "differs"
    assert new.data.tags["sweeps.differs"] == "val_loss"
    assert new.data.tags["sweeps.provenance_differs"] == "sweeps.version.numpy"


def _oof_file(sweep: Finished, run_id: str) -> Path:
    uri = sweep.client().get_run(run_id).info.artifact_uri
    return Path(uri.removeprefix("file://")) / "oof.npz"


def test_the_champion_is_reproduced_member_by_member_and_blend_by_blend(
    tiny: Finished, capsys: pytest.CaptureFixture[str]
) -> None:
    champion = tiny.champion()
    run_id = tiny.champion_run_id()
    before = _run_count(tiny)
    assert _reproduce(tiny, run_id) == 0
    out = capsys.readouterr().out
    rows = len(np.load(_oof_file(tiny, champion["members"][0]["run_id"]))["predictions"])
    assert (
        f"champion {run_id}: {len(champion['members'])} member(s); blended out-of-fold "
        f"predictions of {rows} rows: identical (bit for bit)"
    ) in out
    rows_same = re.findall(r"^out-of-fold predictions +logged +reproduced +same$", out, re.M)
    assert len(rows_same) == len(champion["members"])
    assert out.rstrip().endswith("verdict: identical (bit for bit)")
    assert _run_count(tiny) == before + len(champion["members"])  # one reproduction each

    member = champion["members"][0]["run_id"]
    path = _oof_file(tiny, member)
    saved = path.read_bytes()
    try:
        arrays = dict(np.load(path))
        arrays["predictions"] = arrays["predictions"] + np.float32(1e-6)
        np.savez(path, **arrays)
        assert _reproduce(tiny, run_id) == 1
        out = capsys.readouterr().out
        assert "verdict: differs: out-of-fold predictions" in out
        assert f"predictions of {rows} rows: differs" in out
    finally:
        path.write_bytes(saved)
