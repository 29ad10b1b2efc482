"""Run a local web server (the MLflow UI, optuna-dashboard) as a child process.

The child gets its own process group, so that stopping it also stops the processes it starts
(uvicorn, MLflow's job runner). Its output goes to a log file; the last line of the log is the
error message when it dies. Ctrl-C or SIGTERM stop it; the caller exits 0 (stopping a server is
how it is meant to end).
"""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import click

from sweeps.errors import StoreError

__all__ = ["check_port_free", "is_loopback", "serve", "url_host"]

STOP_SECONDS = 15.0
POLL_SECONDS = 0.5


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """The host to put in a URL: all-interfaces binds are visited on loopback."""
    host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def check_port_free(host: str, port: int) -> None:
    """Raise a usage error (exit 2) when ``host:port`` cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            raise click.BadParameter(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def answers(url: str, timeout: float = 5.0) -> bool:
    """Whether ``url`` answers with HTTP 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def last_line(log: Path) -> str:
    """The last non-empty line of a log file (or a placeholder)."""
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines()]
    return next((line for line in reversed(lines) if line), "no output")


@dataclass
class Server:
    """A started server process and its log file."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def died(self) -> StoreError:
        """The error that reports the server's unexpected exit."""
        code = self.process.returncode
        return StoreError(f"{self.name} exited with code {code}: {last_line(self.log)}")

    def wait_ready(self, health_url: str, timeout: float) -> None:
        """Poll ``health_url`` until it answers; raise if the server dies or takes too long."""
        deadline = time.monotonic() + timeout
        while not answers(health_url):
            if self.process.poll() is not None:
                raise self.died()
            if time.monotonic() > deadline:
                raise StoreError(f"{self.name} did not answer within {timeout:g} s")
            time.sleep(POLL_SECONDS)

    def stop(self) -> None:
        """SIGTERM the server's process group; SIGKILL it if it outlives the grace period.

        A second Ctrl-C while it stops is ignored, so that no child is left behind.
        """
        with _interrupts_ignored():
            if self.process.poll() is None:
                _signal_group(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    _signal_group(self.process.pid, signal.SIGKILL)
                    self.process.wait()
            _signal_group(self.process.pid, signal.SIGKILL)  # stragglers of the group


@contextmanager
def _interrupts_ignored() -> Iterator[None]:
    saved = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pgid, sig)


@contextmanager
def running(name: str, command: Sequence[str]) -> Iterator[Server]:
    """Start ``command`` in its own process group, logging to a temporary file; always stop
    it (and its children) on the way out."""
    with tempfile.TemporaryDirectory(prefix="sweeps-serve-") as tmp:
        log = Path(tmp) / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                list(command),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(name, process, log)
        try:
            yield server
        finally:
            server.stop()


def serve(
    name: str,
    command: Sequence[str],
    health_url: str,
    *,
    timeout: float,
    on_ready: Callable[[], None],
) -> None:
    """Start the server, call ``on_ready`` once ``health_url`` answers, then block until
    Ctrl-C or SIGTERM (a normal end: returns) or the server's own exit (raises)."""
    try:
        with running(name, command) as server:
            server.wait_ready(health_url, timeout)
            on_ready()
            server.process.wait()
            raise server.died()
    except KeyboardInterrupt:
        click.echo(f"sweeps: {name} stopped", err=True)
