"""``GET /healthz``: is this worker fit to take updates and send reminders?

Served by the bot's HTTP server (``bot.frontends.http_server``) for a load balancer or a
monitor.  200 ``{"status": "ok"}`` when the database takes a write and the scheduler runs;
503 ``{"status": "not ok"}`` otherwise.  The address is open to anyone who can reach the
port, so the body says nothing more: what is wrong (the database's error, which may name its
host and port; the worker's name, which holds the hostname and PID) goes to the log, once
each time it changes, with how far behind the oldest due reminder is.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.core import Core
from bot.frontends.http_handler import BotHandler, MainLoop

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Health:
    """What ``/healthz`` found: ``problems`` is empty when the worker is fit."""

    problems: tuple[str, ...] = ()
    lag_seconds: float | None = None
    """Seconds since the oldest reminder still waiting fell due (None: not read)."""
    details: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def status(self) -> int:
        return 200 if self.ok else 503

    @property
    def body(self) -> bytes:
        return json.dumps({"status": "ok" if self.ok else "not ok"}).encode()


async def health(core: Core, clock: Clock) -> Health:
    """Check the database (a write, rolled back) and the scheduler."""
    problems: list[str] = []
    lag: float | None = None
    try:
        await core.db.probe_write()
        oldest = await core.db.oldest_due(clock.now())
        lag = 0.0 if oldest is None else max(0.0, (clock.now() - oldest).total_seconds())
    except Exception as exc:  # unreachable, refused, locked, read-only: unhealthy, not a crash
        problems.append(f"database unavailable: {type(exc).__name__}: {exc}"[:300])
    scheduler = core.scheduler
    if scheduler is None or not scheduler.running:
        problems.append("scheduler stopped")
    elif scheduler.failing_since is not None:
        problems.append(
            f"scheduler failing since {scheduler.failing_since.isoformat()}: {scheduler.last_error}"
        )
    details = {"backend": core.db.dialect}
    if scheduler is not None:
        details["worker"] = scheduler.owner
    return Health(tuple(problems), None if lag is None else round(lag, 3), details)


class HealthLog:
    """Logs a server's health each time it changes (a monitor polls every few seconds)."""

    def __init__(self) -> None:
        self._last: tuple[str, ...] | None = None

    def note(self, found: Health) -> None:
        if found.problems == self._last:
            return
        self._last = found.problems
        if found.ok:
            log.info("healthy (%s, lag %.0f s)", found.details, found.lag_seconds or 0.0)
        else:
            log.warning("unhealthy: %s (%s)", "; ".join(found.problems), found.details)


class HealthHandler(BotHandler):
    """``GET /healthz`` (and HEAD: the same status and headers)."""

    route = "/healthz"

    def initialize(self, core: Core, clock: Clock, main: MainLoop, health_log: HealthLog) -> None:
        self._core = core
        self._clock = clock
        self._main = main
        self._health_log = health_log

    async def get(self) -> None:
        found = await self._main.run(health(self._core, self._clock))
        self._health_log.note(found)
        self.set_status(found.status)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(found.body)

    async def head(self) -> None:
        await self.get()
