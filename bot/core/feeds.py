"""A chat's calendar feed (``/calendar link``): its address, made and revoked, and what it
serves (``bot.records.calendar_feed`` decides; this reads and stores)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, time

from bot.core.records import Records
from bot.core.results import FeedLink, ServedFeed
from bot.core.units import note_stored
from bot.records.calendar_feed import (
    BuiltFeed,
    Conditions,
    body_etag,
    fingerprint,
    new_token,
    next_modified,
    not_modified,
    shown_modified,
    token_hash,
)
from storage.repository import CalendarFeed


class Feeds(Records):
    """A chat's calendar feed: its secret address and what it serves."""

    async def calendar_link(self, chat_id: int, actor: int | None) -> FeedLink:
        """A secret address for the chat's calendar feed, if it has none yet; otherwise when
        and by whom its feed was made (only a hash of its token is kept, so the address
        cannot be shown again: ``reset_calendar_link`` gives a new one)."""
        token = new_token()
        async with self._unit("calendar-link", chat_id) as tx:
            if await tx.add_calendar_feed(chat_id, token_hash(token), actor, self.now()):
                made = FeedLink(token, self.now(), actor)
            else:
                feed = await tx.calendar_feed_of(chat_id)
                assert feed is not None
                return FeedLink(None, feed.created_at, feed.created_by)
        note_stored("a calendar feed address made")
        return made

    async def reset_calendar_link(self, chat_id: int, actor: int | None) -> FeedLink:
        """Revoke the chat's feed address (its subscribers get 404 from now on) and make a
        new one, in one unit."""
        token = new_token()
        async with self._unit("calendar-reset", chat_id) as tx:
            revoked = await tx.replace_calendar_feed(chat_id, token_hash(token), actor, self.now())
        note_stored("the calendar feed address replaced")
        return FeedLink(token, self.now(), actor, revoked=revoked)

    async def calendar_feed(self, token: str, conditions: Conditions) -> ServedFeed | None:
        """The feed ``token`` opens (None: unknown or revoked): its ETag and Last-Modified,
        and its body unless ``conditions`` show the client has it.

        A request about a chat that has not changed since this process last built its body
        is answered from memory (``BuiltFeeds``), with or without the body as the request's
        validators say, without building the calendar; everything else builds it (as
        ``/calendar`` does), and a body unlike the one last served moves the feed's
        Last-Modified (``bot.records.calendar_feed``)."""
        feed = await self.db.calendar_feed(token_hash(token))
        if feed is None:
            return None
        # Requests for one chat's feed arriving together wait for one build, not one each.
        async with self._feed_turn(feed.chat_id):
            # As it is after any request served before this one.
            feed = await self.db.calendar_feed(feed.token_hash)
            if feed is None:
                return None
            return await self._serve_feed(feed, conditions)

    @asynccontextmanager
    async def _feed_turn(self, chat_id: int) -> AsyncIterator[None]:
        lock, users = self._feed_turns.get(chat_id, (asyncio.Lock(), 0))
        self._feed_turns[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._feed_turns[chat_id]
            if users == 1:
                del self._feed_turns[chat_id]
            else:
                self._feed_turns[chat_id] = (lock, users - 1)

    async def _serve_feed(self, feed: CalendarFeed, conditions: Conditions) -> ServedFeed:
        chat_id = feed.chat_id
        # Read what the calendar is built from before the log: a write in between can only
        # make the body newer than the fingerprint says (a rebuild next time), never older.
        settings = await self.db.chat_settings(chat_id)
        changes = await self.db.calendar_changes(chat_id)
        reminders = await self.db.pending_reminders(chat_id)
        tz = self._zone(settings)
        now = self.now()
        today = now.astimezone(tz).date()
        seen = fingerprint(settings, changes, reminders, today)
        known = self._feeds.get(chat_id)
        if known is not None and known.fingerprint == seen and known.etag == feed.etag:
            # Nothing changed since this process built it: no need to build it again.
            assert feed.modified_at is not None  # set whenever a body is served
            shown = shown_modified(feed.modified_at, now)
            if not_modified(conditions, feed.etag, feed.modified_at):
                return ServedFeed(feed.etag, shown, None)
            return ServedFeed(feed.etag, shown, known.ics)
        cal = await self._calendar(settings, reminders, today, changes.at or feed.created_at)
        etag = body_etag(cal.ics)
        modified = feed.modified_at
        if etag != feed.etag or modified is None:
            day_start = datetime.combine(today, time(0), tzinfo=tz)
            modified = next_modified(feed.modified_at, changes.at, day_start, now)
            async with self.db.transaction() as tx:
                await tx.calendar_feed_served(feed.token_hash, etag, modified)
        self._feeds.keep(chat_id, BuiltFeed(seen, etag, cal.ics))
        body = None if not_modified(conditions, etag, modified) else cal.ics
        return ServedFeed(etag, shown_modified(modified, now), body)
