"""The quality benchmark's printed report: one row per table, errors listed, one summary line."""

from __future__ import annotations

import math
from typing import Any

METHODS = ("ours", "best", "mlp", "hgb")
PEERS = ("best", "mlp", "hgb")
TOLERANCE = 0.01
COLUMNS = (
    ("table", 9), ("rows", 5), ("feats", 5), ("task", 5), ("n", 2), ("metric", 6),
    ("ours", 7), ("best", 7), ("mlp", 7), ("hgb", 7),
    ("ours-best", 9), ("ours-mlp", 8), ("ours-hgb", 8),
    ("extra", 8), ("ours", 10), ("best", 10), ("mlp", 10), ("hgb", 10),
    ("s ours", 6), ("s mlp", 6), ("s hgb", 6),
)  # fmt: skip
TIMED = ("ours", "mlp", "hgb")


def number(value: float, digits: int = 4) -> str:
    """A score, or ``-`` when there is none; large values (RMSE in dollars) without decimals."""
    if value is None or math.isnan(value):
        return "-"
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.{digits}f}"


def diff(ours: Any, peer: Any) -> float:
    """Our main score minus the peer's (NaN when either failed)."""
    return ours.main - peer.main


def row(result: Any) -> list[str]:
    """One table's cells."""
    spec = result.spec
    head = [spec.name, str(result.rows), str(result.features), spec.task[:5]]
    members = (result.scores or {}).get("ours")
    head.append(str(members.members) if members is not None and members.members else "-")
    if result.scores is None:
        return [*head, "error", *["-"] * (len(COLUMNS) - len(head) - 1)]
    scores = result.scores
    main = "acc" if spec.task == "classification" else "r2"
    extra = "logloss" if spec.task == "classification" else "rmse"
    cells = [main] + [number(scores[m].main) if not scores[m].error else "error" for m in METHODS]
    cells += [f"{diff(scores['ours'], scores[p]):+.4f}".replace("+nan", "-") for p in PEERS]
    cells += [extra] + [number(scores[m].extra) for m in METHODS]
    cells += [number(scores[m].seconds, 0) for m in TIMED]
    return head + cells


def errors(results: list[Any]) -> list[str]:
    """``table method: error: ...`` lines for every failure."""
    lines = []
    for result in results:
        if result.error:
            lines.append(f"{result.spec.name}: error: {result.error}")
        for method, score in (result.scores or {}).items():
            if score.error:
                lines.append(f"{result.spec.name} {method}: error: {score.error}")
    return lines


def inference(results: list[Any]) -> list[str]:
    """Tables whose task sweeps would infer differently without the explicit ``task``."""
    return [
        f"{r.spec.name}: without `task:` sweeps would infer {r.inferred}, not {r.spec.task}"
        for r in results
        if r.inferred and r.inferred != r.spec.task
    ]


def summary(results: list[Any]) -> list[str]:
    """For each peer: on how many tables ours is within TOLERANCE of it, and better."""
    lines = []
    for peer in PEERS:
        diffs = [diff(r.scores["ours"], r.scores[peer]) for r in results if r.scores is not None]
        diffs = [d for d in diffs if not math.isnan(d)]
        close = sum(d >= -TOLERANCE for d in diffs)
        at_least = sum(d >= 0 for d in diffs)
        lines.append(
            f"ours vs {peer}: within {TOLERANCE} or better on {close}/{len(diffs)} tables, "
            f"at least as good on {at_least}/{len(diffs)}"
            + (f" (mean difference {sum(diffs) / len(diffs):+.4f})" if diffs else "")
        )
    return lines


def render(results: list[Any], args: Any, seconds: float) -> str:
    """The whole report as text."""
    widths = [w for _, w in COLUMNS]
    fmt = "  ".join(f"{{:<{w}}}" if i < 5 else f"{{:>{w}}}" for i, w in enumerate(widths))
    lines = [
        f"quality benchmark: {args.trials} trials per tuning, seed {args.seed}, "
        f"peer rows '{args.peer_rows}', holdout 20% of each table; "
        f"main score: accuracy (acc) or R² (r2); ours = the champion (n trials blended), "
        f"best = the sweep's best single trial; ours-X = ours minus X",
        fmt.format(*[name for name, _ in COLUMNS]),
    ]
    lines += [fmt.format(*row(r)) for r in results]
    lines += errors(results)
    lines += inference(results)
    lines += summary(results)
    lines.append(f"total wall time {seconds:.0f} s")
    return "\n".join(lines)
