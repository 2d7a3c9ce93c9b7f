"""Keeping the bot's HTTP server alive under too many connections.

Anyone who can reach the port can open connections and leave them idle.  Three defences:

- **A cap.**  At most ``max_connections`` open at once; a new one over the cap closes the
  connection that has been quiet longest (no request arrived on it for the longest time:
  idle keep-alives and half-sent requests go first, busy ones last).
- **Out of descriptors** (``EMFILE``): tornado's own accept loop logs a traceback and spins
  while the listening socket stays readable.  Here the quietest connection is closed to
  free a descriptor; with none to close, accepting pauses for a moment, with one warning.
- **More descriptors.**  ``raise_open_files_limit`` lifts the soft limit to the hard one at
  start-up (systemd's ``LimitNOFILE`` sets the hard one: ``deploy/compactbot@.service``).
"""

from __future__ import annotations

import errno
import logging
import resource
import socket
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.httputil import (
    HTTPHeaders,
    HTTPMessageDelegate,
    RequestStartLine,
    ResponseStartLine,
)
from tornado.ioloop import IOLoop
from tornado.iostream import IOStream

log = logging.getLogger(__name__)

MAX_CONNECTIONS = 1000
"""Open connections kept at most (a calendar app holds one for a few seconds a day)."""

ACCEPT_PAUSE = 0.5
"""Seconds accepting waits when the process is out of descriptors and none can be freed."""

_OUT_OF_DESCRIPTORS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})


def raise_open_files_limit() -> int:
    """Lift this process's soft limit on open files to its hard limit; returns the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            log.warning("could not raise the open files limit above %d", soft)
    return soft


class BoundedHTTPServer(HTTPServer):
    """tornado's HTTP server with a cap on connections and no spin when out of descriptors.

    Construct it as ``HTTPServer`` and then call ``bound(max_connections)``."""

    _quiet: OrderedDict[IOStream, None]
    _max_connections: int
    _paused: bool

    def bound(self, max_connections: int = MAX_CONNECTIONS) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be positive")
        self._max_connections = max_connections
        self._quiet = OrderedDict()  # quietest first: by when it opened or a request came
        self._paused = False

    @property
    def open_connections(self) -> int:
        self._forget_closed()
        return len(self._quiet)

    def handle_stream(self, stream: IOStream, address: tuple[Any, ...]) -> None:
        if len(self._quiet) >= self._max_connections:
            self._forget_closed()
            while len(self._quiet) >= self._max_connections and self._shed_quietest():
                pass
        self._quiet[stream] = None
        super().handle_stream(stream, address)

    def start_request(self, server_conn: object, request_conn: Any) -> Any:
        # Called as a connection starts waiting for its next request; a connection counts
        # as active when a request's headers arrive on it.
        delegate = super().start_request(server_conn, request_conn)
        stream = getattr(request_conn, "stream", None)
        return delegate if stream is None else _Active(delegate, lambda: self._touch(stream))

    def _touch(self, stream: IOStream) -> None:
        if stream in self._quiet:
            self._quiet.move_to_end(stream)

    def add_sockets(self, sockets: Any) -> None:
        # As TCPServer.add_sockets, with an accept loop that survives running out of
        # descriptors (stop() calls the handler it stores to remove it).
        for sock in sockets:
            self._sockets[sock.fileno()] = sock
            self._handlers[sock.fileno()] = self._accept_on(sock)

    def _accept_on(self, sock: socket.socket) -> Callable[[], None]:
        loop = IOLoop.current()
        removed = False

        def readable(fd: Any, events: int) -> None:
            for _ in range(128):  # as tornado: let other work run between bursts
                if removed or self._paused:
                    return
                try:
                    connection, address = sock.accept()
                except BlockingIOError:
                    return
                except ConnectionAbortedError:
                    continue
                except OSError as exc:
                    if exc.errno not in _OUT_OF_DESCRIPTORS:
                        raise
                    if self._shed_quietest():
                        continue  # a descriptor is free again: accept the waiting one
                    self._pause(loop, sock, readable)
                    return
                self._handle_connection(connection, address)

        def remove() -> None:
            nonlocal removed
            removed = True
            if not self._paused:
                loop.remove_handler(sock)

        loop.add_handler(sock, readable, IOLoop.READ)
        return remove

    def _pause(self, loop: IOLoop, sock: socket.socket, readable: Any) -> None:
        log.warning(
            "out of file descriptors with no idle connection to close: not accepting for "
            "%.1f s (raise the open files limit: LimitNOFILE)",
            ACCEPT_PAUSE,
        )
        self._paused = True
        loop.remove_handler(sock)

        def resume() -> None:
            self._paused = False
            if sock.fileno() in self._sockets:  # not stopped meanwhile
                loop.add_handler(sock, readable, IOLoop.READ)

        loop.call_later(ACCEPT_PAUSE, resume)

    def _shed_quietest(self) -> bool:
        """Close the connection quiet the longest; False when there is none."""
        while self._quiet:
            stream, _ = self._quiet.popitem(last=False)
            if not stream.closed():
                stream.close()
                return True
        return False

    def _forget_closed(self) -> None:
        for stream in [s for s in self._quiet if s.closed()]:
            del self._quiet[stream]


class _Active(HTTPMessageDelegate):
    """A request's delegate that first notes its connection is active."""

    def __init__(self, inner: HTTPMessageDelegate, touch: Callable[[], None]) -> None:
        self._inner = inner
        self._touch = touch

    def headers_received(
        self,
        start_line: RequestStartLine | ResponseStartLine,
        headers: HTTPHeaders,
    ) -> Awaitable[None] | None:
        self._touch()
        return self._inner.headers_received(start_line, headers)

    def data_received(self, chunk: bytes) -> Awaitable[None] | None:
        return self._inner.data_received(chunk)

    def finish(self) -> None:
        self._inner.finish()

    def on_connection_close(self) -> None:
        self._inner.on_connection_close()
