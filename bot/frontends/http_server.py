"""The bot's own HTTP server: ``/healthz`` and the chats' calendar feeds.

tornado (which python-telegram-bot's webhook server already uses) on the bot's event loop, at
``COMPACTBOT_HTTP`` (host:port), or at ``COMPACTBOT_WEBHOOK_LISTEN:COMPACTBOT_HEALTH_PORT``,
the older setting.  It runs beside long polling, and in webhook mode on a port of its own:
PTB's webhook server takes no routes but its one, so a reverse proxy sends ``/calendar/`` and
``/healthz`` here (``deploy/nginx-compactbot.conf``).  Idle connections are closed after a
minute; requests carry no body worth reading.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application

from bot.chat.calendar_links import FEED_PREFIX
from bot.chat.conversation import Conversation
from bot.clock import Clock
from bot.core import Core
from bot.frontends.feed_handler import CalendarFeedHandler
from bot.frontends.health import HealthHandler
from bot.frontends.http_handler import NotFoundHandler, log_request
from bot.settings import Settings

IDLE_SECONDS = 60.0


class HttpServer:
    """Serves ``/healthz`` and ``/calendar/<token>.ics`` until closed."""

    def __init__(self, core: Core, clock: Clock) -> None:
        handlers = {"core": core, "clock": clock}
        self._app = Application(
            [
                (r"/healthz", HealthHandler, handlers),
                (rf"{FEED_PREFIX}([^/]*)", CalendarFeedHandler, handlers),
            ],
            default_handler_class=NotFoundHandler,
            log_function=log_request,
            compress_response=False,
        )
        self._server: HTTPServer | None = None
        self._sockets: list[socket.socket] = []

    async def start(self, host: str, port: int) -> None:
        """Listen on ``host:port`` (port 0: any free one, see ``port``)."""
        self._sockets = bind_sockets(port, address=host)
        self._server = HTTPServer(
            self._app,
            idle_connection_timeout=IDLE_SECONDS,
            body_timeout=10.0,
            max_body_size=64 * 1024,
        )
        self._server.add_sockets(self._sockets)

    @property
    def port(self) -> int:
        assert self._sockets, "not started"
        return int(self._sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None
            self._sockets = []


@asynccontextmanager
async def http_serving(
    settings: Settings, core: Core, conversation: Conversation, clock: Clock
) -> AsyncIterator[HttpServer | None]:
    """The server, while the block runs, if the settings ask for one (None otherwise); the
    conversation gives out feed addresses only while it serves them."""
    address = settings.http_address()
    if address is None:
        yield None
        return
    server = HttpServer(core, clock)
    await server.start(*address)
    conversation.feed_base = settings.feed_base(server.port)
    try:
        yield server
    finally:
        conversation.feed_base = None
        await server.close()
