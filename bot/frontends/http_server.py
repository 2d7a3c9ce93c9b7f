"""The bot's own HTTP server: ``/healthz`` and the chats' calendar feeds.

tornado (which python-telegram-bot's webhook server already uses) at ``COMPACTBOT_HTTP``
(host:port), or at ``COMPACTBOT_WEBHOOK_LISTEN:COMPACTBOT_HEALTH_PORT``, the older setting.
It runs on an event loop of its own, in a thread of its own: anyone can reach it, and a flood
of requests (even ones answered at once, 404 or 429) would otherwise take every turn of the
bot's loop from the chats.  What needs the database or the core runs on the bot's loop
(``MainLoop``), so the core, its caches and its connections stay on the one loop they know.
It runs beside long polling, and in webhook mode on a port of its own:
PTB's webhook server takes no routes but its one, so a reverse proxy sends ``/calendar/`` and
``/healthz`` here (``deploy/nginx-compactbot.conf``).  Idle connections are closed after a
minute, and no more than ``max_connections`` stay open (``bot.frontends.http_connections``);
requests carry no body worth reading, and each feed address answers a bounded number of
requests a minute (``bot.frontends.feed_handler``).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

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
from bot.frontends.http_handler import MainLoop, NotFoundHandler, log_request
from bot.settings import Settings

IDLE_SECONDS = 60.0

T = TypeVar("T")


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
        self._main = MainLoop()
        common = {"core": core, "clock": clock, "main": self._main}
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
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    async def start(self, host: str, port: int) -> None:
        """Listen on ``host:port`` (port 0: any free one, see ``port``), in a thread of its
        own."""
        raise_open_files_limit()
        self._main.loop = asyncio.get_running_loop()
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="compactbot-http", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread
        try:
            await self._in_thread(self._listen(host, port))
        except BaseException:
            await self._stop_thread()
            raise

    async def _in_thread(self, coro: Coroutine[Any, Any, T]) -> T:
        assert self._loop is not None
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self._loop))

    async def _listen(self, host: str, port: int) -> None:
        # In the server's thread: tornado's server and sockets belong to the loop they start on.
        self._sockets = bind_sockets(port, address=host)
        self._server = BoundedHTTPServer(
            self._app,
            idle_connection_timeout=IDLE_SECONDS,
            body_timeout=10.0,
            max_body_size=64 * 1024,
        )
        self._server.bound(self._max_connections)
        self._server.add_sockets(self._sockets)

    async def open_connections(self) -> int:
        """Connections open now (counted in the server's thread, where they change)."""
        server = self._server
        if server is None:
            return 0

        async def count() -> int:
            return server.open_connections

        return await self._in_thread(count())

    @property
    def port(self) -> int:
        assert self._sockets, "not started"
        return int(self._sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._loop is None:
            return
        if self._server is not None:
            await self._in_thread(self._close_server(self._server))
            self._server = None
            self._sockets = []
        await self._stop_thread()

    @staticmethod
    async def _close_server(server: BoundedHTTPServer) -> None:
        server.stop()
        await server.close_all_connections()

    async def _stop_thread(self) -> None:
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.to_thread(thread.join)
        loop.close()


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
