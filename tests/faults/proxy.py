"""A TCP proxy on loopback in front of PostgreSQL that can pass, refuse or black-hole.

- pass: bytes flow both ways.
- refuse: the port is closed (new connections are refused) and open ones are cut, as when
  the database server is down.
- blackhole: new connections are accepted and never answered; open ones go silent. On a
  real network the kernel would break a silent connection once sent data stays
  unacknowledged (the engine sets tcp_user_timeout); on loopback the proxy's own kernel
  acknowledges everything, so the proxy cuts silent connections itself after
  `break_after` seconds to stand in for that.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Literal, Self

Mode = Literal["pass", "refuse", "blackhole"]


class TcpProxy:
    def __init__(self, target: tuple[str, int], *, break_after: float = 1.0) -> None:
        self.target = target
        self.break_after = break_after
        self.mode: Mode = "pass"
        self.silent_since = 0.0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.port = 0
        self._stopped = False

    def start(self) -> Self:
        self._listen()
        return self

    def stop(self) -> None:
        self._stopped = True
        self._close_listener()
        self._cut_all()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def set_mode(self, mode: Mode) -> None:
        with self._lock:
            previous, self.mode = self.mode, mode
            self.silent_since = time.monotonic()
        if mode == "refuse":
            self._close_listener()
            self._cut_all()
        elif previous == "refuse":
            self._listen()
        if mode == "pass" and previous == "blackhole":
            self._cut_all()  # what went silent does not come back to life

    # --- plumbing ----------------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _accept(self, listener: socket.socket) -> None:
        while not self._stopped:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            self._track(client)
            if self.mode == "blackhole":
                threading.Thread(target=self._hold, args=(client,), daemon=True).start()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=2)
            except OSError:
                self._cut(client)
                continue
            self._track(upstream)
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _hold(self, client: socket.socket) -> None:
        """A connection made during a black hole: never answered (the client's connect
        timeout gives up on it); cut when the black hole ends."""
        while self.mode == "blackhole" and not self._stopped:
            time.sleep(0.02)
        self._cut(client)

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            src.settimeout(0.05)
        except OSError:  # cut before this pump started
            return
        while not self._stopped:
            if self.mode == "blackhole":
                if time.monotonic() - self.silent_since > self.break_after:
                    break
                time.sleep(0.02)
                continue
            try:
                data = src.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not data:
                break
            try:
                dst.sendall(data)
            except OSError:
                break
        self._cut(src)
        self._cut(dst)

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _cut(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def _cut_all(self) -> None:
        with self._lock:
            open_ = list(self._sockets)
        for sock in open_:
            self._cut(sock)
