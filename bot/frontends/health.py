"""``GET /healthz``: is this worker fit to take updates and send reminders?

Served by the bot's HTTP server (``bot.frontends.http_server``) for a load balancer or a
monitor.  200 when the database answers and the scheduler runs; 503 otherwise.  The JSON
body says which, and how far behind the oldest due reminder is (``lag_seconds``: seconds
since the oldest reminder still waiting fell due; 0 when none waits), so a monitor can also
alert on a backlog that no worker is working off.
"""

from __future__ import annotations

import json
from typing import Any

from bot.clock import Clock
from bot.core import Core
from bot.frontends.http_handler import BotHandler


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


class HealthHandler(BotHandler):
    """``GET /healthz`` (and HEAD: the same status and headers)."""

    route = "/healthz"

    def initialize(self, core: Core, clock: Clock) -> None:
        self._core = core
        self._clock = clock

    async def get(self) -> None:
        status, body = await health(self._core, self._clock)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body).encode())

    async def head(self) -> None:
        await self.get()
