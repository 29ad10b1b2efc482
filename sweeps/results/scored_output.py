"""Where ``sweeps predict`` writes: blocks of scored rows go to a temporary file, which becomes the
output (CSV or Parquet, by suffix) or is copied to standard output only once every block is
written. An error half-way leaves no output file behind and prints nothing on standard output;
memory holds one block, never the whole output.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd

__all__ = ["ScoredOutput"]

#: The files ``-o`` may name: CSV, else Parquet.
OUTPUT_SUFFIXES = (".csv", ".parquet", ".pq")
_COPY_CHARS = 1 << 20


class ScoredOutput:
    """A temporary file beside ``out`` (or in the temp folder, for standard output) that takes
    scored blocks; :meth:`commit` publishes it, leaving the block without it discards it."""

    def __init__(self, out: Path | None) -> None:
        self.out = out
        self.parquet = out is not None and out.suffix.lower() != ".csv"
        fd, name = tempfile.mkstemp(
            prefix=".sweeps-predict-",
            suffix=out.suffix if out is not None else ".csv",
            dir=out.parent if out is not None else None,
        )
        os.close(fd)
        self.path = Path(name)
        self._writer: Any = None  # a pyarrow ParquetWriter once the first block is written
        self._blocks = 0

    def write(self, table: pd.DataFrame) -> None:
        """Append one block of rows (the first block sets the columns and their types)."""
        if not self.parquet:
            with self.path.open("a", newline="") as fh:
                table.to_csv(fh, index=False, header=self._blocks == 0)
        else:
            import pyarrow
            import pyarrow.parquet

            if self._writer is None:
                arrow = pyarrow.Table.from_pandas(table, preserve_index=False)
                self._writer = pyarrow.parquet.ParquetWriter(self.path, arrow.schema)
            else:
                arrow = pyarrow.Table.from_pandas(
                    table, schema=self._writer.schema, preserve_index=False
                )
            self._writer.write_table(arrow)
        self._blocks += 1

    def commit(self, emit: Callable[[str], None]) -> None:
        """Move the file to ``out`` (with the permissions a new file gets), or pass its text to
        ``emit`` in pieces when writing to standard output."""
        self._close()
        if self.out is None:
            with self.path.open(newline="") as fh:
                while text := fh.read(_COPY_CHARS):
                    emit(text)
            self.path.unlink()
            return
        umask = os.umask(0)
        os.umask(umask)
        self.path.chmod(0o666 & ~umask)
        self.path.replace(self.out)

    def discard(self) -> None:
        """Remove the temporary file."""
        with contextlib.suppress(Exception):
            self._close()
        self.path.unlink(missing_ok=True)

    def _close(self) -> None:
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.close()

    def __enter__(self) -> ScoredOutput:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.path.exists():  # not committed
            self.discard()
