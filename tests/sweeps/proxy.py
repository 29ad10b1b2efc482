"""A TCP proxy that a test can cut: the way to stop a shared PostgreSQL or MLflow server for one
test without stopping it for the others.

``cut()`` closes the listening socket and resets every open connection (clients see their
connection reset, then connections refused: the server "died"); ``restore()`` listens again on
the same port (the server "came back"). The proxy runs in its own process: a sweep forks (its
tracking writer), and a forked child would keep copies of an in-process proxy's sockets open.

    python -m tests.sweeps.proxy HOST PORT   # prints its port; reads "cut" / "restore" lines
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import subprocess
import sys
import threading

_RESET = b"\x01\0\0\0\0\0\0\0"  # SO_LINGER on, 0 s: close() sends a reset


class CuttableProxy:
    """Forwards 127.0.0.1:``port`` to ``target`` from a child process."""

    def __init__(self, target: tuple[str, int]) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.sweeps.proxy", target[0], str(target[1])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        self.port = int(self._proc.stdout.readline())

    def cut(self) -> None:
        """Refuse new connections and reset the open ones."""
        self._ask("cut")

    def restore(self) -> None:
        """Accept connections again, on the same port."""
        self._ask("restore")

    def close(self) -> None:
        """Stop the proxy process."""
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            self._proc.wait(timeout=10)
        if self._proc.stdout is not None:
            self._proc.stdout.close()

    def _ask(self, command: str) -> None:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(command + "\n")
        self._proc.stdin.flush()
        assert self._proc.stdout.readline().strip() == "ok"


class _Forwarder:
    """The proxy itself: one thread, select over the listener and every connection pair."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.listener: socket.socket | None = self._listen(0)
        self.port = int(self.listener.getsockname()[1])

    @staticmethod
    def _listen(port: int) -> socket.socket:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        listener.setblocking(False)
        return listener

    def cut(self) -> None:
        with self.lock:
            listener, self.listener = self.listener, None
            if listener is not None:
                listener.close()
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RESET)
                    sock.close()
            self.sockets.clear()

    def restore(self) -> None:
        with self.lock:
            if self.listener is None:
                self.listener = self._listen(self.port)

    def serve(self) -> None:
        pairs: dict[socket.socket, socket.socket] = {}
        while True:
            with self.lock:
                listener = self.listener
                pairs = {a: b for a, b in pairs.items() if a in self.sockets and b in self.sockets}
            try:
                self._round(listener, pairs)
            except (OSError, ValueError):  # a socket closed by cut() meanwhile
                continue

    def _round(
        self, listener: socket.socket | None, pairs: dict[socket.socket, socket.socket]
    ) -> None:
        with selectors.DefaultSelector() as selector:
            if listener is not None:
                selector.register(listener, selectors.EVENT_READ)
            for sock in pairs:
                selector.register(sock, selectors.EVENT_READ)
            for key, _ in selector.select(timeout=0.05):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                if sock is listener:
                    self._accept(listener, pairs)
                elif sock in pairs:  # not closed meanwhile with its partner
                    self._pump(sock, pairs)

    def _accept(self, listener: socket.socket, pairs: dict[socket.socket, socket.socket]) -> None:
        try:
            client, _ = listener.accept()
            client.setblocking(True)
            upstream = socket.create_connection(self.target)
        except OSError:
            return
        with self.lock:
            self.sockets.update((client, upstream))
        pairs[client], pairs[upstream] = upstream, client

    def _pump(self, sock: socket.socket, pairs: dict[socket.socket, socket.socket]) -> None:
        other = pairs[sock]
        try:
            data = sock.recv(65536)
            if data:
                other.sendall(data)
                return
        except OSError:
            pass
        with self.lock:
            for s in (sock, other):
                self.sockets.discard(s)
                with contextlib.suppress(OSError):
                    s.close()
        pairs.pop(sock, None)
        pairs.pop(other, None)


def main() -> None:
    """Run a proxy to HOST PORT; print its port; obey "cut" / "restore" lines until EOF."""
    forwarder = _Forwarder((sys.argv[1], int(sys.argv[2])))
    threading.Thread(target=forwarder.serve, daemon=True).start()
    print(forwarder.port, flush=True)
    for line in sys.stdin:
        getattr(forwarder, line.strip())()
        print("ok", flush=True)


if __name__ == "__main__":
    main()
