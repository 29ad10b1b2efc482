"""What sweeps echoes from outside (a CSV's header, an error's text) reaches the terminal with
its control characters escaped, and an interruption always says why."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from sweeps.cli import _fail
from sweeps.core.dataset import load_sweep_data
from sweeps.infra.text import printable
from sweeps.spec.reading import load_config
from tests.sweeps.battery import edited, tiny_mapping
from tests.sweeps.helpers import run_cli

TITLE = "\x1b]0;owned\x07"  # retitles a terminal
CLEAR = "\x1b[2J"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"a{TITLE}b", "a\\x1b]0;owned\\x07b"),
        ("two\nlines\r", "two\\nlines\\r"),
        ("tab\there", "tab\\there"),
        ("\x9b31m", "\\x9b31m"),  # a C1 control sequence introducer
        ("abc\u202edcba", "abc\\u202edcba"),  # right-to-left override
        ("\x7f", "\\x7f"),
        ("prix été 価格 ✓", "prix été 価格 ✓"),  # printable text is left alone
    ],
)
def test_printable_escapes_control_characters_only(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_a_header_with_terminal_escapes_is_echoed_escaped(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    frame = pd.DataFrame({f"x{TITLE}": range(40), f"{CLEAR}c": ["a", "b"] * 20, "y": [0, 1] * 20})
    frame.to_csv(table, index=False)
    data = {"source": "file", "path": str(table), "target": "y"}
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump(edited(tiny_mapping(tmp_path), {"data": data})))
    lines = load_sweep_data(load_config(config)).lines()
    columns = next(line for line in lines if line.startswith("columns:"))
    assert "x\\x1b]0;owned\\x07" in columns and "\\x1b[2Jc" in columns, columns
    assert not any("\x1b" in line or "\x07" in line for line in lines)


def test_an_error_naming_hostile_text_is_one_escaped_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The table's path is echoed as given: its escapes are not."""
    table = tmp_path / f"t{CLEAR}\n{TITLE}.csv"
    data = {"source": "file", "path": str(table), "target": "y"}
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump(edited(tiny_mapping(tmp_path), {"data": data})))
    code = run_cli("run", str(config), "--storage", f"sqlite:///{tmp_path}/o.db")
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"sweeps: error: {tmp_path}/t\\x1b[2J\\n\\x1b]0;owned\\x07.csv: file not found\n"


@pytest.mark.parametrize(
    ("exc", "line"),
    [
        (KeyboardInterrupt(), "sweeps: interrupted by SIGINT; run the same command again"),
        (KeyboardInterrupt("interrupted by SIGTERM"), "sweeps: interrupted by SIGTERM; run"),
    ],
)
def test_an_interruption_always_gives_its_reason(
    exc: BaseException, line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Python's own KeyboardInterrupt (a Ctrl-C before sweeps installs its handler, during
    start-up) has no message: the line still says what happened."""
    with pytest.raises(SystemExit) as exit_info:
        _fail(exc, debug=False, hard=False)
    assert exit_info.value.code == 130
    assert capsys.readouterr().err.startswith(line)
