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
    numeric = next(line for line in lines if line.startswith("  numeric:"))
    categorical = next(line for line in lines if line.startswith("  categorical:"))
    assert "x\\x1b]0;owned\\x07" in numeric and "\\x1b[2Jc" in categorical, lines
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


def test_long_lines_go_on_indented_under_themselves() -> None:
    from sweeps.infra.text import wrapped

    assert wrapped("note: short") == ["note: short"]
    words = "note: " + " ".join(f"word{i:02d}" for i in range(30))
    lines = wrapped(words, width=40)
    assert [len(line) <= 40 for line in lines] == [True] * len(lines) and len(lines) > 3
    assert lines[0].startswith("note: word00") and all(line[:3] == "  w" for line in lines[1:])
    assert " ".join(line.strip() for line in lines) == words  # nothing lost
    assert wrapped("  numeric: " + "a" * 120) == ["  numeric:", "    " + "a" * 120]  # kept whole


def test_the_end_table_wraps_values_under_themselves_and_the_ui_command_for_a_shell() -> None:
    from sweeps.commands.show import table_lines

    how = "ensemble selection over the out-of-fold predictions of the top 3 trials; " * 3
    command = "sweeps ui conf/quickstart.yaml --tracking-uri sqlite:///" + "d/" * 30 + "m.db"
    rows = [("champion", "trial 2"), ("  chosen by", how.strip()), ("open the UI", command)]
    lines = table_lines(rows)
    ui = next(i for i, line in enumerate(lines) if line.startswith("open the UI"))
    assert lines[0] == "champion     trial 2"
    assert lines[1].startswith("  chosen by  ensemble selection")
    chosen = lines[2:ui]
    assert len(chosen) >= 2 and all(line[:13] == " " * 13 and line[13] != " " for line in chosen)
    said = " ".join(line.strip() for line in lines[1:ui]).removeprefix("chosen by  ")
    assert said == how.strip()  # nothing lost
    assert lines[ui:] == [
        "open the UI  sweeps ui conf/quickstart.yaml --tracking-uri \\",
        " " * 15 + command.split()[-1],  # pastes into a shell as one command
    ]
    assert max(len(line) for line in lines) <= 100
