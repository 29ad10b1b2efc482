"""Offload a worker's MLflow writes to a child process, off the trials' critical path.

A trial's writes (create the run, per-epoch metrics, artifacts, final status) cost tens of
milliseconds in MLflow, as much as a small trial's training. :class:`BackgroundWriter`
sends them, in order, to a forked child (:mod:`sweeps.tracking.writer`) that performs them
on the other core while the next trial trains (Weights & Biases' separate service process
follows the same design).
The worker never waits for a write, only for a run id it needs, and for the writer to catch
up before it reads (``sync``) or exits (``close``); until the writer is ready (milliseconds
after the fork), runs are written directly, so nothing waits for it. Writes that fail are
reported and raised as :class:`~sweeps.errors.StoreError` at the worker's next call, and at
every call after it: the writer performs nothing after a failed write.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sweeps.errors import StoreError
from sweeps.infra import heap
from sweeps.tracking.handles import PendingRun
from sweeps.tracking.writer import child_main

__all__: list[str] = []  # nothing here for other packages

CLOSE_TIMEOUT_S = 300.0


class BackgroundWriter:
    """Parent side of the writer process; ``seconds`` is the time the worker spent blocked."""

    def __init__(self, uri: str) -> None:
        context = multiprocessing.get_context("fork")
        from_child, to_parent = context.Pipe(duplex=False)
        from_parent, to_child = context.Pipe(duplex=False)
        self._proc = context.Process(
            target=child_main,
            args=(from_parent, to_parent, [from_child, to_child], uri),
            name="sweeps-tracking-writer",
        )
        heap.settle()  # neither process's collector then copies the pages they share
        self._proc.start()
        from_parent.close()
        to_parent.close()
        self._out = to_child
        self._in = from_child
        self._run_ids: dict[int, str | None] = {}
        self._errors: list[str] = []
        self._next_key = 0
        self._synced = 0
        self._received_sync = 0
        self._ready = False
        self.seconds = 0.0
        self.closed = False
        self._dead = ""  # why the writer is gone, once it is
        self._failed = ""  # the first failed write, once one failed

    @property
    def ready(self) -> bool:
        """Whether the writer has started and connected to the store (never blocks)."""
        if not self._ready and not self.closed and not self._dead:
            self._receive(block=False)
        return self._ready

    def wait_ready(self) -> None:
        """Block until the writer is ready."""
        while not self._ready:
            self._receive(block=True)

    def open_run(self, experiment_id: str, run_name: str, tags: dict[str, str]) -> PendingRun:
        """Ask for a new run; returns at once with a handle later calls may use."""
        self._next_key += 1
        self._send(("open", self._next_key, experiment_id, run_name, tags))
        return PendingRun(self._next_key)

    def run_id(self, handle: PendingRun, wait: bool = True) -> str | None:
        """The MLflow id of ``handle``'s run; None if not known yet and ``wait`` is False."""
        with self._blocked():
            self._receive(block=False)
            while wait and handle.key not in self._run_ids:
                self._receive(block=True)
        self._raise_errors()
        return self._run_ids.get(handle.key)

    def __getattr__(self, name: str) -> Any:
        """Any other client method: sent to the writer, performed there, never waited for."""
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> None:
            self._send(("call", name, args, kwargs))

        return call

    def sync(self) -> None:
        """Wait until the writer has performed everything sent so far."""
        self._synced += 1
        self._send(("sync", self._synced))
        self._wait_for_sync(self._synced)

    def close(self) -> None:
        """Let the writer finish everything sent, then stop it; raise if a write failed."""
        if self.closed:
            return
        self.closed = True
        with self._blocked():
            self._stop(alive=not self._dead)
        self._raise_errors()

    def _stop(self, alive: bool) -> None:
        """Ask a live writer to finish and wait for it; always release pipes and reap it."""
        try:
            if alive:
                self._out.send(("stop",))
                self._drain()
                self._proc.join(timeout=CLOSE_TIMEOUT_S)
                if self._proc.exitcode is None:
                    raise TimeoutError
        except OSError:  # it died meanwhile; whatever it had not done is reported
            self._errors.append("the tracking writer process exited unexpectedly")
        except TimeoutError:
            self._proc.kill()
            self._errors.append(f"the writer did not finish within {CLOSE_TIMEOUT_S:.0f} s")
        finally:
            self._out.close()
            self._in.close()
            self._proc.join()

    def _send(self, message: tuple[Any, ...]) -> None:
        if self.closed or self._dead or self._failed:
            raise StoreError(
                "tracking writer: already closed" if self.closed else self._dead or self._failed
            )
        with self._blocked():
            try:
                self._out.send(message)
                self._receive(block=False)
            except OSError:
                raise self._died() from None
        self._raise_errors()

    def _wait_for_sync(self, number: int) -> None:
        with self._blocked():
            while self._received_sync < number:
                self._receive(block=True)
        self._raise_errors()

    @contextmanager
    def _blocked(self) -> Iterator[None]:
        """Count the time spent in the block as time the worker waited on the writer."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - start

    def _receive(self, block: bool) -> None:
        """Take the writer's answers: one (blocking) or all that are waiting."""
        while block or self._in.poll():
            try:
                message = self._in.recv()
            except EOFError:
                raise self._died() from None
            self._take(message)
            block = False

    def _drain(self) -> None:
        """Take answers until the writer closes its end (it has performed everything)."""
        deadline = time.monotonic() + CLOSE_TIMEOUT_S
        while self._in.poll(max(0.0, deadline - time.monotonic())):
            try:
                self._take(self._in.recv())
            except EOFError:
                return
        raise TimeoutError

    def _take(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "run":
            self._run_ids[message[1]] = message[2]
        elif kind == "error":
            self._errors.append(message[1])
        elif kind == "synced":
            self._received_sync = message[1]
        elif kind == "ready":
            self._ready = True

    def _raise_errors(self) -> None:
        if self._errors:
            errors, self._errors = self._errors, []
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            first = errors[0]
            if not first.startswith("tracking store "):
                first = f"tracking store: {first}"
            self._failed = self._failed or first
            raise StoreError(f"{first}{more}")

    def _died(self) -> StoreError:
        self._proc.join(timeout=5)
        self._dead = (
            f"tracking writer process exited unexpectedly (exit code {self._proc.exitcode})"
        )
        return StoreError(self._dead)
