"""A finished churn sweep with a registered champion, for the predict benchmarks: made once into
a folder (2 trials of 5 epochs on conf/data/churn.csv), and churn-like CSV files of any length
(unique customer ids, the table's rows repeated)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHURN = ROOT / "conf" / "data" / "churn.csv"
MODEL = "churn-bench"


def make_store(folder: Path) -> str:
    """Run the sweep into ``folder``; return its tracking URI (the champion is ``MODEL``)."""
    config = {
        "name": MODEL,
        "seed": 1,
        "data": {"source": "file", "path": str(CHURN), "target": "churned",
                 "drop_columns": ["customer_id"]},
        "model": {"max_epochs": 5},
        "space": {"learning_rate": {"type": "float", "low": 1e-3, "high": 3e-2, "log": True}},
        "study": {"n_trials": 2, "pruner": {"type": "none"}},
        "selection": {"folds": 1, "confirm": {"top": 0}},
    }  # fmt: skip
    path = folder / "churn-bench.yaml"
    path.write_text(yaml.safe_dump(config))
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    flags = ["--tracking-uri", uri, "--storage", f"sqlite:///{folder / 'optuna.db'}"]
    subprocess.run(
        [str(BIN / "sweeps"), "run", str(path), "--quiet", *flags], check=True, capture_output=True
    )
    return uri


def write_rows(path: Path, rows: int) -> int:
    """Write ``rows`` churn rows (cycling through the table, ids made unique); its size."""
    with CHURN.open(newline="") as fh:
        header, *body = list(csv.reader(fh))
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i in range(rows):
            row = list(body[i % len(body)])
            row[0] = f"C{i:07d}"
            writer.writerow(row)
    return path.stat().st_size


def predict_command(rows: Path, uri: str, out: Path) -> list[str]:
    """``sweeps predict`` of ``rows`` with the champion, to ``out``."""
    return [str(BIN / "sweeps"), "predict", str(rows), "--model", MODEL, "--tracking-uri", uri,
            "-o", str(out)]  # fmt: skip
