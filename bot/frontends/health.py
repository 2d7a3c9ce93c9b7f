"""``GET /healthz``: is this worker fit to take updates and send reminders?

A tiny HTTP server (one route, answers and closes) beside the webhook, on
``COMPACTBOT_HEALTH_PORT`` at ``COMPACTBOT_WEBHOOK_LISTEN``, for a load balancer or a
monitor.  200 when the database answers and the scheduler runs; 503 otherwise.  The JSON
body says which, and how far behind the oldest due reminder is (``lag_seconds``: seconds
since the oldest reminder still waiting fell due; 0 when none waits), so a monitor can also
alert on a backlog that no worker is working off.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from bot.clock import Clock
from bot.core import Core

log = logging.getLogger(__name__)


async def health(core: Core, clock: Clock) -> tuple[int, dict[str, Any]]:
    """The status code and the body of ``/healthz``."""
    body: dict[str, Any] = {}
    healthy = True
    try:
        await core.db.ping()
        body["database"] = "ok"
        oldest = await core.db.oldest_due(clock.now())
        lag = 0.0 if oldest is None else (clock.now() - oldest).total_seconds()
        body["lag_seconds"] = round(max(0.0, lag), 3)
    except Exception as exc:  # unreachable, refused, timed out: unhealthy, not a crash
        healthy = False
        body["database"] = f"unavailable: {type(exc).__name__}: {exc}"[:300]
    scheduler = core.scheduler
    if scheduler is None or not scheduler.running:
        healthy = False
        body["scheduler"] = "stopped"
    elif scheduler.failing_since is not None:
        healthy = False
        body["scheduler"] = f"failing since {scheduler.failing_since.isoformat()}"
        body["scheduler_error"] = scheduler.last_error
    else:
        body["scheduler"] = "running"
    if scheduler is not None:
        body["worker"] = scheduler.owner
        body["delivered"] = scheduler.delivered
    body["backend"] = core.db.dialect
    return (200 if healthy else 503), body


class HealthServer:
    """Serves ``/healthz`` until closed."""

    def __init__(self, core: Core, clock: Clock) -> None:
        self._core = core
        self._clock = clock
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> None:
        self._server = await asyncio.start_server(self._serve, host, port)

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            method, path, *_ = head.decode("latin-1").split(" ", 2)
            if method not in ("GET", "HEAD") or path.split("?")[0] != "/healthz":
                status, body = 404, {"error": "only GET /healthz is served here"}
            else:
                status, body = await health(self._core, self._clock)
            payload = json.dumps(body).encode()
            reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
            writer.write(
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
                + (payload if method == "GET" else b"")
            )
            await writer.drain()
        except Exception:  # a bad or slow request: drop it
            log.debug("bad health request", exc_info=True)
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
