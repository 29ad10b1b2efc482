"""A TCP proxy that a test can cut: the way to stop a shared PostgreSQL or MLflow server for one
test without stopping it for the others.

``cut()`` closes the listening socket and every open connection (clients see their connection
reset, then connections refused: the server "died"); ``restore()`` listens again on the same
port (the server "came back").
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading


class CuttableProxy:
    """Forwards 127.0.0.1:``port`` to ``target``, in a background thread."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener = self._listen(0)
        self.port = int(self._listener.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="cuttable-proxy", daemon=True)
        self._thread.start()

    def _listen(self, port: int) -> socket.socket:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        listener.setblocking(False)
        return listener

    def cut(self) -> None:
        """Refuse new connections and reset the open ones."""
        with self._lock:
            listener, self._listener = self._listener, None
            if listener is not None:
                listener.close()
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                    sock.close()
            self._sockets.clear()

    def restore(self) -> None:
        """Accept connections again, on the same port."""
        with self._lock:
            if self._listener is None:
                self._listener = self._listen(self.port)

    def close(self) -> None:
        """Cut and stop the thread."""
        self.cut()
        self._stop.set()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        pairs: dict[socket.socket, socket.socket] = {}
        while not self._stop.is_set():
            with self._lock:
                listener = self._listener
                live = [s for s in pairs if s in self._sockets]
            pairs = {s: pairs[s] for s in live if pairs[s] in self._sockets}
            selector = selectors.DefaultSelector()
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
            selector.close()

    def _accept(self, listener: socket.socket, pairs: dict[socket.socket, socket.socket]) -> None:
        try:
            client, _ = listener.accept()
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            return
        with self._lock:
            self._sockets.update((client, upstream))
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
        with self._lock:
            for s in (sock, other):
                self._sockets.discard(s)
                with contextlib.suppress(OSError):
                    s.close()
        pairs.pop(sock, None)
        pairs.pop(other, None)
