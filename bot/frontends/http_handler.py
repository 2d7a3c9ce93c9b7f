"""What every answer of the bot's HTTP server shares (its handlers derive from ``BotHandler``).

No traceback and no server banner ever reach a client: an error is its status and one plain
line.  No request's path reaches a log line either, since a calendar feed's path is its
secret: handlers are logged by the name of their route.  Unknown paths get the very answer an
unknown feed gets (``not_found``), so a path says nothing about what is served.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from http import HTTPStatus
from typing import Any, TypeVar

from tornado.web import HTTPError, RequestHandler

log = logging.getLogger(__name__)

NOT_FOUND = b"Not found\n"

T = TypeVar("T")


class MainLoop:
    """The bot's event loop, as the HTTP server's thread reaches it: ``await run(coro)``
    runs the core's coroutine there and waits for its result."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        assert self.loop is not None, "the server is not started"
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))


class BotHandler(RequestHandler):
    """A handler of the bot's HTTP server."""

    route = "?"
    """How log lines name what was asked for (never the path itself)."""

    def set_default_headers(self) -> None:
        self.clear_header("Server")
        self.set_header("X-Content-Type-Options", "nosniff")

    def compute_etag(self) -> str | None:
        # Handlers that have an entity tag set it themselves; none is guessed from a body.
        return None

    def decode_argument(self, value: bytes, name: str | None = None) -> str:
        # A path that is not UTF-8 ("%ff") names nothing we serve: the same 404 as any other
        # (tornado's own answer would be a 400 that tells it apart).
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return ""

    def allowed_methods(self) -> list[str]:
        """The methods this handler answers (for 405's ``Allow``)."""
        return [
            m
            for m in self.SUPPORTED_METHODS
            if getattr(type(self), m.lower(), None) is not getattr(RequestHandler, m.lower())
        ]

    def not_found(self) -> None:
        """The one 404 the server gives, whatever was asked for."""
        self.set_status(404)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(NOT_FOUND)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        if status_code == 404:
            self.not_found()
            return
        if status_code == 405:
            self.set_header("Allow", ", ".join(self.allowed_methods()))
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        try:
            reason = HTTPStatus(status_code).phrase
        except ValueError:
            reason = "Error"
        self.finish(f"{reason}\n".encode())

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, HTTPError):  # a refusal (bad method, bad request): not a failure
            log.debug("%s: %s", self.route, value.status_code)
            return
        log.error("error serving %s", self.route, exc_info=(typ, value, tb))


class NotFoundHandler(BotHandler):
    """Every path the server does not serve."""

    route = "unknown path"

    def prepare(self) -> None:
        self.not_found()


def log_request(handler: RequestHandler) -> None:
    """The server's access log: status, method, route and time; never the path."""
    route = getattr(handler, "route", "?")
    status = handler.get_status()
    took = 1000.0 * handler.request.request_time()
    log.debug("%d %s %s %.1f ms", status, handler.request.method, route, took)
