"""`sweeps predict` on hostile and careless inputs, with the churn sweep's real champion: the
training table's value checks (non-finite, beyond float32) name the column; an output path that
is the input, in a missing folder or a folder is refused before the store is opened; files that
cannot be read are one line; the file is scored in blocks (the same scores as one block, up to
BLAS's rounding) and a failure in any block leaves no output at all."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pipeline.data.scoring
from tests.sweeps.finished import CHURN_CSV, Finished, churn_sweep
from tests.sweeps.helpers import run_cli

pytestmark = pytest.mark.slow
NO_STORE = "sqlite:////nonexistent/mlflow.db"  # a command that opened it would say so
BEYOND = "1 value(s) beyond the float32 range (±3.403e+38"
HEADER = b"customer_id,tenure_months,contract,payment,monthly_charges,support_calls"


@pytest.fixture(scope="module")
def churn(tmp_path_factory: pytest.TempPathFactory, migrated_mlflow_db: Path) -> Finished:
    return churn_sweep(tmp_path_factory, migrated_mlflow_db)


def _rows(n: int = 8) -> pd.DataFrame:
    """``n`` rows of the churn table as text, exactly as in the file."""
    return pd.read_csv(CHURN_CSV, dtype=str, keep_default_na=False).head(n)


def _write(folder: Path, frame: pd.DataFrame, name: str = "rows.csv") -> Path:
    path = folder / name
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path


def _predict(churn: Finished, *args: str, uri: str | None = None) -> int:
    return run_cli(
        "predict", *args, "--model", "churn", "--tracking-uri", uri or churn.stores.tracking_uri
    )


def _one_line(capsys: pytest.CaptureFixture[str], expected: str) -> None:
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"sweeps: error: {expected}\n"


def _nothing_left(folder: Path, *names: str) -> None:
    assert not any(p.name.startswith(".sweeps-predict-") for p in folder.iterdir())
    for name in names:
        assert not (folder / name).exists()


# ---- the training table's value checks ------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("monthly_charges", "1e300", f"{BEYOND}; first 1e+300 at row 3)"),
        ("monthly_charges", "-1e39", f"{BEYOND}; first -1e+39 at row 3)"),
        ("tenure_months", "4e38", f"{BEYOND}; first 4e+38 at row 3)"),
        ("monthly_charges", "inf", "1 infinite value(s) (first at row 3)"),
        ("monthly_charges", "-inf", "1 infinite value(s) (first at row 3)"),
        ("support_calls", "Infinity", "1 infinite value(s) (first at row 3)"),
    ],
)
def test_values_the_model_cannot_take_name_the_column(
    churn: Finished,
    tmp_path: Path,
    column: str,
    value: str,
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = _rows()
    rows.loc[3, column] = value
    path = _write(tmp_path, rows)
    out = tmp_path / "scores.csv"
    assert _predict(churn, str(path), "-o", str(out)) == 2
    _one_line(capsys, f"{path}: column {column!r} has {message}; " + (
        "replace them or mark them missing" if "infinite" in message
        else "rescale them or mark them missing"
    ))  # fmt: skip
    _nothing_left(tmp_path, "scores.csv")


def test_a_huge_value_in_parquet_is_refused_too(
    churn: Finished, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = pd.read_csv(CHURN_CSV).head(6)
    rows.loc[5, "monthly_charges"] = 1e300
    path = _write(tmp_path, rows, "rows.parquet")
    assert _predict(churn, str(path)) == 2
    assert "column 'monthly_charges' has 1 value(s) beyond the float32 range" in (
        capsys.readouterr().err
    )


def test_nan_tokens_are_missing_values_not_errors(
    churn: Finished, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _rows()
    rows.loc[2, "monthly_charges"], rows.loc[4, "tenure_months"] = "nan", "NaN"
    assert _predict(churn, str(_write(tmp_path, rows))) == 0
    assert len(pd.read_csv(io.StringIO(capsys.readouterr().out))) == 8


# ---- the output path, checked before the store is opened ------------------------------------


def test_the_input_is_never_overwritten(
    churn: Finished, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, _rows())
    before = path.read_bytes()
    assert _predict(churn, str(path), "-o", str(path), uri=NO_STORE) == 2
    _one_line(
        capsys,
        f"Invalid value for --output: {path} is the input file: it would be overwritten "
        "(see: sweeps predict --help)",
    )
    link = tmp_path / "link.csv"
    link.symlink_to(path)
    assert _predict(churn, str(path), "-o", str(link), uri=NO_STORE) == 2
    assert "is the input file" in capsys.readouterr().err
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("missing/dir/out.csv", "{out}: folder {tmp}/missing/dir does not exist"),
        ("out.txt", "{out}: use a .csv or .parquet file"),
    ],
)
def test_an_output_that_cannot_be_written_is_refused_first(
    churn: Finished, tmp_path: Path, out: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, _rows())
    target = tmp_path / out
    assert _predict(churn, str(path), "-o", str(target), uri=NO_STORE) == 2
    text = message.format(out=target, tmp=tmp_path)
    _one_line(capsys, f"Invalid value for --output: {text} (see: sweeps predict --help)")


def test_an_output_that_is_a_folder_is_refused(
    churn: Finished, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, _rows())
    (tmp_path / "dir.csv").mkdir()
    assert _predict(churn, str(path), "-o", str(tmp_path / "dir.csv"), uri=NO_STORE) == 2
    assert "is a directory" in capsys.readouterr().err


def test_a_missing_input_is_refused_before_the_store(
    churn: Finished, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _predict(churn, str(tmp_path / "nope.csv"), uri=NO_STORE) == 2
    _one_line(capsys, f"{tmp_path / 'nope.csv'}: file not found")


# ---- files that cannot be read --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("header.csv", HEADER + b"\n", "no rows to score"),
        ("dup.csv", HEADER + b",contract\n", "column 'contract' appears more than once"),
        ("rows.txt", b"a,b\n1,2\n", "unsupported file type '.txt'; use one of .csv, .parquet"),
        ("bad.parquet", b"PAR1 not really", "cannot be read as Parquet"),
        ("binary.csv", bytes(range(256)) * 4, "the columns do not match the model's 5 input"),
    ],
)
def test_unreadable_files_are_one_line(
    churn: Finished,
    tmp_path: Path,
    name: str,
    content: bytes,
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert _predict(churn, str(path), "-o", str(tmp_path / "out.csv")) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"sweeps: error: {path}: {message}")
    assert len(captured.err.splitlines()) == 1
    _nothing_left(tmp_path, "out.csv")


@pytest.mark.parametrize("every_row", [False, True])
def test_rows_longer_than_the_header_are_refused(
    churn: Finished, tmp_path: Path, every_row: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every row one field longer would make pandas take the first column as the index and
    shift every value one column to the left: silently wrong scores."""
    lines = CHURN_CSV.read_text().splitlines()[:6]
    body = [f"{line},extra" if every_row or i == 3 else line for i, line in enumerate(lines[1:])]
    path = tmp_path / "long.csv"
    path.write_text("\n".join([lines[0], *body]) + "\n")
    assert _predict(churn, str(path)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1
    assert captured.err.startswith(f"sweeps: error: {path}: ")
    assert "more fields than the header" in captured.err or "Expected 7 fields" in captured.err


# ---- blocks ---------------------------------------------------------------------------------


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 3 rows: the scoring of a long file, on a short one."""
    monkeypatch.setattr(pipeline.data.scoring, "MIN_BLOCK_ROWS", 1)
    monkeypatch.setattr(pipeline.data.scoring, "MAX_BLOCK_ROWS", 3)


def _scores(churn: Finished, path: Path, out: Path, *extra: str) -> pd.DataFrame:
    assert _predict(churn, str(path), "-o", str(out), *extra) == 0
    return pd.read_parquet(out) if out.suffix == ".parquet" else pd.read_csv(out, dtype=str)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_blocks_score_as_one_block(
    churn: Finished, tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _rows(40)
    rows.loc[7, "monthly_charges"], rows.loc[31, "tenure_months"] = "", "?"
    path = _write(tmp_path, rows, f"rows{suffix}")
    whole = _scores(churn, path, tmp_path / f"whole{suffix}", "--proba")
    monkeypatch.setattr(pipeline.data.scoring, "MIN_BLOCK_ROWS", 1)
    monkeypatch.setattr(pipeline.data.scoring, "MAX_BLOCK_ROWS", 3)
    blocked = _scores(churn, path, tmp_path / f"blocked{suffix}", "--proba")
    probabilities = ["proba_no", "proba_yes"]  # BLAS may round a block's rows differently
    np.testing.assert_allclose(
        whole[probabilities].astype(float), blocked[probabilities].astype(float), rtol=1e-12
    )
    rest = whole.columns.difference(probabilities)
    pd.testing.assert_frame_equal(whole[rest], blocked[rest])
    assert blocked["customer_id"].tolist() == rows["customer_id"].tolist()


def test_identifiers_pass_through_as_written(
    churn: Finished, tmp_path: Path, small_blocks: None
) -> None:
    rows = _rows(7)
    rows["customer_id"] = ["007", "1e3", "", "12", "NA", "0x1F", "3.50"]
    scores = _scores(churn, _write(tmp_path, rows), tmp_path / "out.csv")
    assert scores["customer_id"].fillna("<missing>").tolist() == [
        "007", "1e3", "<missing>", "12", "<missing>", "0x1F", "3.50",
    ]  # fmt: skip


def test_junk_tokens_are_counted_over_the_whole_file(
    churn: Finished, tmp_path: Path, small_blocks: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Five distinct tokens pass with one notice; a sixth, in a later block, is an error."""
    rows = _rows(21)
    tokens = ["?", "-", "x", "?", "n.a.", "??", "#"]
    for row, token in zip(range(0, 21, 3), tokens, strict=True):
        rows.loc[row, "support_calls"] = token
    path = _write(tmp_path, rows.head(18))
    assert _predict(churn, str(path)) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "support_calls" in line]
    assert notes == [
        "sweeps: note: column 'support_calls': 6 value(s) read as missing: "
        "'?' (2), '-' (1), 'x' (1), 'n.a.' (1), '??' (1)"
    ]
    path = _write(tmp_path, rows)
    assert _predict(churn, str(path)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"sweeps: error: {path}: column 'support_calls' holds numbers for the model but 7 "
        "value(s) are not numbers: '?' (2), '-' (1), 'x' (1), 'n.a.' (1), '??' (1)\n"
    )


@pytest.mark.parametrize("out", [None, "scores.csv", "scores.parquet"])
def test_a_bad_value_in_the_last_block_leaves_no_output(
    churn: Finished,
    tmp_path: Path,
    out: str | None,
    small_blocks: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = _rows(20)
    rows.loc[19, "monthly_charges"] = "inf"
    path = _write(tmp_path, rows)
    (tmp_path / "scores.csv").write_text("the previous scores\n")
    args = [str(path)] + (["-o", str(tmp_path / out)] if out else [])
    assert _predict(churn, *args) == 2
    assert capsys.readouterr().out == ""
    assert (tmp_path / "scores.csv").read_text() == "the previous scores\n"
    _nothing_left(tmp_path, "scores.parquet")


def test_an_existing_output_is_replaced_whole(
    churn: Finished, tmp_path: Path, small_blocks: None
) -> None:
    out = tmp_path / "scores.csv"
    out.write_text("old\n" * 1000)
    scores = _scores(churn, _write(tmp_path, _rows(10)), out)
    assert len(scores) == 10
    assert (out.stat().st_mode & 0o777) != 0o600  # a new file's permissions, not mkstemp's
    assert np.isin(scores["prediction"], ["yes", "no"]).all()
