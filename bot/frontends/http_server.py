"""The bot's own HTTP server: ``/healthz`` and the chats' calendar feeds.

tornado (which python-telegram-bot's webhook server already uses) on the bot's event loop, at
``COMPACTBOT_HTTP`` (host:port), or at ``COMPACTBOT_WEBHOOK_LISTEN:COMPACTBOT_HEALTH_PORT``,
the older setting.  It runs beside long polling, and in webhook mode on a port of its own:
PTB's webhook server takes no routes but its one, so a reverse proxy sends ``/calendar/`` and
``/healthz`` here (``deploy/nginx-compactbot.conf``).  Idle connections are closed after a
minute, and no more than ``max_connections`` stay open (``bot.frontends.http_connections``);
requests carry no body worth reading, and each feed address answers a bounded number of
requests a minute (``bot.frontends.feed_handler``).
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tornado.netutil import bind_sockets
from tornado.web import Application

from bot.chat.calendar_links import FEED_PREFIX
from bot.chat.conversation import Conversation
from bot.clock import Clock
from bot.core import Core
from bot.frontends.feed_handler import CalendarFeedHandler, FeedLimits
from bot.frontends.health import HealthHandler, HealthLog
from bot.frontends.http_connections import (
    MAX_CONNECTIONS,
    BoundedHTTPServer,
    raise_open_files_limit,
)
from bot.frontends.http_handler import NotFoundHandler, log_request
from bot.settings import Settings

IDLE_SECONDS = 60.0


class HttpServer:
    """Serves ``/healthz`` and ``/calendar/<token>.ics`` until closed."""

    def __init__(
        self,
        core: Core,
        clock: Clock,
        *,
        max_connections: int = MAX_CONNECTIONS,
        feed_limits: FeedLimits | None = None,
    ) -> None:
        common = {"core": core, "clock": clock}
        self.feed_limits = feed_limits or FeedLimits(clock)
        self._max_connections = max_connections
        self._app = Application(
            [
                (r"/healthz", HealthHandler, {**common, "health_log": HealthLog()}),
                (
                    rf"{FEED_PREFIX}([^/]*)",
                    CalendarFeedHandler,
                    {**common, "limits": self.feed_limits},
                ),
            ],
            default_handler_class=NotFoundHandler,
            log_function=log_request,
            compress_response=False,
        )
        self._server: BoundedHTTPServer | None = None
        self._sockets: list[socket.socket] = []

    async def start(self, host: str, port: int) -> None:
        """Listen on ``host:port`` (port 0: any free one, see ``port``)."""
        raise_open_files_limit()
        self._sockets = bind_sockets(port, address=host)
        self._server = BoundedHTTPServer(
            self._app,
            idle_connection_timeout=IDLE_SECONDS,
            body_timeout=10.0,
            max_body_size=64 * 1024,
        )
        self._server.bound(self._max_connections)
        self._server.add_sockets(self._sockets)

    @property
    def open_connections(self) -> int:
        return self._server.open_connections if self._server is not None else 0

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
    server = HttpServer(core, clock, max_connections=settings.http_max_connections)
    await server.start(*address)
    conversation.feed_base = settings.feed_base(server.port)
    try:
        yield server
    finally:
        conversation.feed_base = None
        await server.close()
