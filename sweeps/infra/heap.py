"""Keep CPython's cyclic garbage collector off a command's long-lived objects.

A sweep's process holds about 400,000 long-lived objects once MLflow, Optuna, scikit-learn
and pandas are imported. A full collection walks all of them: it ran six times while they
were imported (0.8 s of a sweep's start-up on this 2-core machine), about once a second
through the end of a sweep, and several times while the interpreter shut down (1 to 2 s
after the last line was printed). Once a child has been forked (the tracking writer, the plot
jobs), a walk also touches every page the two processes share, so the kernel copies them:
one collection took over a second.

:func:`importing` keeps the collector off while modules are imported (imports make no
garbage) and freezes what they made (``gc.freeze``: the collector never walks those objects
again, and a forked child shares their pages for good); :func:`settle` freezes what is alive
at a point where it is long-lived (data loaded, stores opened, a child about to be forked);
:func:`finish` before the process exits. Garbage cycles among frozen objects are not
collected, which is why only long-lived objects are frozen.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def importing() -> Iterator[None]:
    """No collection during the block (imports); freeze what exists after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def settle() -> None:
    """Freeze every object alive now: the collector stops walking them."""
    gc.freeze()


def finish() -> None:
    """Before the process exits: no collection walks the heap on the way out (the operating
    system frees it at once)."""
    gc.freeze()
    gc.disable()
