"""``GET /calendar/<token>.ics``: a chat's calendar feed, for calendar apps that subscribe.

The body is what ``/calendar`` sends as a file (``Core.calendar_feed``), as
``text/calendar; charset=utf-8``, with a strong ETag (a hash of the body) and Last-Modified;
a request that already has it (If-None-Match, or else If-Modified-Since) gets 304.  It is
private data at a secret address: ``Cache-Control: private, no-cache`` lets only the
subscriber's own client keep it, and makes it ask again each time; search engines are asked
not to index it.  An unknown token, a revoked one and a malformed path all get the same 404
after the same lookup (``BotHandler.not_found``); a failure gets 503 and one plain line.

Anyone who ever saw an address can ask for it in a loop, so each address answers at most
``FEED_REQUESTS`` requests in any ``FEED_PERIOD`` seconds (a calendar app asks every few
minutes at most) and then 429 with Retry-After, counted per address whether or not it opens
a feed (so a 429 says nothing about the token).
"""

from __future__ import annotations

import email.utils
import logging
import math
from collections import OrderedDict
from datetime import UTC, datetime

from tornado.httputil import HTTPHeaders, format_timestamp

from bot.chat.calendar_links import FEED_SUFFIX
from bot.clock import Clock
from bot.core import Core
from bot.delivery.rate_limit import Window
from bot.frontends.http_handler import BotHandler, MainLoop
from bot.records.calendar_feed import Conditions, token_hash

log = logging.getLogger(__name__)

MAX_TOKEN = 200
"""Longer "tokens" are not hashed as given (ours are 43 characters): looked up as nothing."""

FEED_REQUESTS = 12
FEED_PERIOD = 60.0
ADDRESSES_REMEMBERED = 4096
"""Addresses whose recent requests are kept (the least recently asked go first)."""


class FeedLimits:
    """How often each feed address has been asked for lately, on the bot's clock."""

    def __init__(
        self, clock: Clock, requests: int = FEED_REQUESTS, period: float = FEED_PERIOD
    ) -> None:
        self._clock = clock
        self._requests = requests
        self._period = period
        self._windows: OrderedDict[str, Window] = OrderedDict()

    def admit(self, token: str) -> float | None:
        """None: answer it (counted); else the seconds until the address may ask again."""
        key = token_hash(token)
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = Window(self._requests, self._period)
            while len(self._windows) > ADDRESSES_REMEMBERED:
                self._windows.popitem(last=False)
        self._windows.move_to_end(key)
        now = self._clock.monotonic()
        again = window.admit(now)
        return None if again is None else again - now


def conditions(headers: HTTPHeaders, now: datetime) -> Conditions:
    """What the request says it has: If-None-Match's tags (weak or strong alike, as RFC 9110
    compares them for this header), or else a valid If-Modified-Since no later than now."""
    match = headers.get("If-None-Match")
    if match is not None:
        tags = (t.strip().removeprefix("W/").strip('"') for t in match.split(","))
        return Conditions(etags=tuple(t for t in tags if t))
    since = headers.get("If-Modified-Since")
    if since is None:
        return Conditions()
    try:
        when = email.utils.parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError):
        return Conditions()
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return Conditions(modified_since=when) if when <= now else Conditions()


class CalendarFeedHandler(BotHandler):
    """A chat's feed, by the token in its path."""

    route = "/calendar/…"

    def initialize(self, core: Core, clock: Clock, main: MainLoop, limits: FeedLimits) -> None:
        self._core = core
        self._clock = clock
        self._main = main
        self._limits = limits

    async def get(self, name: str) -> None:
        token = name[: -len(FEED_SUFFIX)] if name.endswith(FEED_SUFFIX) else ""
        if len(token) > MAX_TOKEN:
            token = ""
        wait = self._limits.admit(token)
        if wait is not None:
            self.set_status(429)
            self.set_header("Retry-After", str(max(1, math.ceil(wait))))
            self.write_error(429)
            return
        try:
            asked = conditions(self.request.headers, self._clock.now())
            served = await self._main.run(self._core.calendar_feed(token, asked))
        except Exception:  # the database is away, or a bug: logged, never shown
            log.exception("could not serve a calendar feed")
            self.set_status(503)
            self.set_header("Retry-After", "300")
            self.write_error(503)
            return
        if served is None:
            self.not_found()
            return
        self.set_header("ETag", f'"{served.etag}"')
        self.set_header("Last-Modified", format_timestamp(served.modified))
        self.set_header("Cache-Control", "private, no-cache")
        self.set_header("X-Robots-Tag", "noindex, nofollow")
        if served.ics is None:
            self.set_status(304)
            self.finish()
            return
        self.set_header("Content-Type", "text/calendar; charset=utf-8")
        self.set_header("Content-Disposition", 'inline; filename="compact-deadlines.ics"')
        self.finish(served.ics)

    async def head(self, name: str) -> None:
        # The same headers as GET; tornado sends no body for HEAD, keeping its length.
        await self.get(name)
