"""The calendar feed over HTTP: the bot's own server (tornado) on loopback, a real HTTP client
(httpx), the real conversation, core and database (SQLite and PostgreSQL).  Subscribe,
register, see it; conditional requests; reset, /forget and a supergroup move."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import httpx
import icalendar
import pytest
import raw_sql
from conftest import Databases

from bot.chat.conversation import Conversation
from bot.chat.messages import Incoming, Reply
from bot.chat.throttle import Throttle
from bot.clock import ManualClock
from bot.core import Core
from bot.frontends.feed_handler import FEED_PERIOD, FEED_REQUESTS, FeedLimits
from bot.frontends.http_server import HttpServer
from bot.knowledge.knowledge import Knowledge
from storage.repository import Database

pytestmark = pytest.mark.both_backends

GROUP, ADMIN, MEMBER = -600, 1, 2
SUPERGROUP = -100600
FEED_URL = re.compile(r"http://127\.0\.0\.1:\d+/calendar/[A-Za-z0-9_-]{43}\.ics")


async def _yes() -> bool:
    return True


async def _no() -> bool:
    return False


@dataclass
class Running:
    conv: Conversation
    core: Core
    server: HttpServer
    http: httpx.AsyncClient

    async def say(self, text: str, user: int = ADMIN, chat: int = GROUP) -> list[Reply]:
        is_admin = _yes if user == ADMIN else _no
        return await self.conv.handle_text(Incoming(chat, user, "Ada", text, False, is_admin))

    async def one(self, text: str, user: int = ADMIN, chat: int = GROUP) -> Reply:
        [reply] = await self.say(text, user, chat)
        return reply

    async def link(self, text: str = "/calendar link", chat: int = GROUP) -> str:
        reply = await self.one(text, chat=chat)
        found = FEED_URL.findall(reply.text)
        assert len(found) == 1, reply.text
        assert reply.link_preview is False  # Telegram must not fetch a secret address
        return str(found[0])

    async def register(self, details: str, chat: int = GROUP) -> None:
        """A consultation registered as a group admin does it: read back, then Confirm."""
        readback = await self.one(f"/consultation {details}", chat=chat)
        assert "Is this right?" in readback.text, readback.text
        confirm = readback.buttons[0][0]
        assert confirm.label == "Confirm"
        done = await self.conv.handle_button(chat, ADMIN, confirm.data, _yes)
        assert done.text.startswith("Registered as item"), done.text

    async def calendar_file(self, chat: int = GROUP) -> bytes:
        """What /calendar sends, as a member asks for it."""
        [reply] = await self.say("/calendar", MEMBER, chat)
        [attachment] = reply.files
        return attachment.content


@pytest.fixture
async def bot(db: Database, knowledge: Knowledge, clock: ManualClock) -> AsyncIterator[Running]:
    core = Core(knowledge, db, clock=clock)
    conv = Conversation(core, Throttle(clock, limit=10**6))
    # These tests ask for one address more often than a calendar app would.
    server = HttpServer(core, clock, feed_limits=FeedLimits(clock, requests=10**6))
    await server.start("127.0.0.1", 0)
    conv.feed_base = f"http://127.0.0.1:{server.port}"
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            yield Running(conv, core, server, http)
    finally:
        await server.close()


@dataclass
class Builds:
    count: int = 0
    """How many times the core built a chat's calendar."""


@pytest.fixture
def builds(bot: Running, monkeypatch: pytest.MonkeyPatch) -> Builds:
    """Counts the calendars the core builds from here on."""
    counted = Builds()
    build = bot.core._calendar

    async def counting(*args: object) -> object:
        counted.count += 1
        return await build(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.core, "_calendar", counting)
    return counted


def summaries(ics: bytes) -> list[str]:
    return sorted(str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(ics).walk("VEVENT"))


def http_date(at: datetime) -> str:
    return format_datetime(at.astimezone(UTC), usegmt=True)


async def test_subscribe_register_see_it_and_ask_again_with_what_you_have(
    bot: Running, clock: ManualClock
) -> None:
    await bot.one("/compact kent-2011")
    refused = await bot.one("/calendar link", MEMBER)
    assert refused.text.startswith("Only this group's admins and officers can use /calendar")
    url = await bot.link()

    first = await bot.http.get(url)
    assert first.status_code == 200
    assert first.headers["content-type"] == "text/calendar; charset=utf-8"
    assert first.headers["cache-control"] == "private, no-cache"
    assert "server" not in first.headers
    assert summaries(first.content) == []
    etag = first.headers["etag"]
    assert etag == f'"{hashlib.sha256(first.content).hexdigest()[:32]}"'
    # The /compact above is the chat's latest change.
    assert parsedate_to_datetime(first.headers["last-modified"]) == clock.now()

    clock.advance(minutes=5)
    await bot.register("Library services review, opens 1 Dec 2026, closes 5 Jan 2027, by KCC")
    registered_at = clock.now()
    clock.advance(minutes=5)
    # What the calendar app holds is out of date: it gets the new body.
    second = await bot.http.get(url, headers={"If-None-Match": etag})
    assert second.status_code == 200
    assert summaries(second.content) == [
        "Reminder: 'Library services review' closes on 5 January 2027 (1 day left): send your"
        " response in time.",
        "Reminder: 'Library services review' closes on 5 January 2027 (14 days left): send your"
        " response in time.",
        "Reminder: 'Library services review' closes on 5 January 2027 (7 days left): send your"
        " response in time.",
        "Reminder: 'Library services review' has closed: Kent Compact 2011 says feedback on the"
        " consultation is owed (the Compact sets no time for it).",
        "The consultation close: Library services review",
    ]
    # The same content as /calendar's file, byte for byte.
    assert second.content == await bot.calendar_file()
    new_etag = second.headers["etag"]
    assert new_etag != etag
    modified = second.headers["last-modified"]
    assert parsedate_to_datetime(modified) == registered_at

    # Asking again with what it has: 304, no body, the same validators.
    for headers in (
        {"If-None-Match": new_etag},
        {"If-None-Match": f"W/{new_etag}"},
        {"If-None-Match": f'"something-else", {new_etag}'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": modified},
        {"If-Modified-Since": http_date(clock.now())},
    ):
        again = await bot.http.get(url, headers=headers)
        assert (again.status_code, again.content) == (304, b""), headers
        assert again.headers["etag"] == new_etag and again.headers["last-modified"] == modified
        assert again.headers["cache-control"] == "private, no-cache"
    # Anything older, or an entity tag it does not hold, gets the body; an entity tag wins
    # over a date (RFC 9110).
    for headers in (
        {"If-Modified-Since": first.headers["last-modified"]},
        {"If-None-Match": etag, "If-Modified-Since": modified},
        {"If-Modified-Since": "not a date"},
        {"If-Modified-Since": http_date(clock.now() + timedelta(days=1))},  # from the future
    ):
        fresh = await bot.http.get(url, headers=headers)
        assert (fresh.status_code, fresh.content) == (200, second.content), headers

    head = await bot.http.head(url)
    assert (head.status_code, head.content) == (200, b"")
    assert int(head.headers["content-length"]) == len(second.content)
    assert head.headers["etag"] == new_etag and head.headers["last-modified"] == modified
    assert (await bot.http.head(url, headers={"If-None-Match": new_etag})).status_code == 304


async def test_reset_revokes_the_old_address_and_forget_every_address(
    bot: Running, clock: ManualClock, db: Database
) -> None:
    await bot.one("/compact rbkc")
    await bot.register("Parks review, opens 1 Dec 2026, closes 23 Feb 2027, by RBKC")
    old = await bot.link()
    assert (await bot.http.get(old)).status_code == 200
    # The address is shown once: asked again, the bot says it has one.
    again = await bot.one("/calendar link")
    assert "already" in again.text and not FEED_URL.search(again.text)
    assert "25 November 2026" in again.text
    assert (await bot.one("/calendar reset", MEMBER)).text.startswith("Only this group's")
    assert (await bot.http.get(old)).status_code == 200

    new = await bot.link("/calendar reset")
    assert new != old
    unknown = await bot.http.get(old.replace(old[-10:-4], "AAAAAA"))
    revoked = await bot.http.get(old)
    assert (revoked.status_code, revoked.content) == (404, b"Not found\n")
    # Revoked and never-issued look alike, headers and all (but the date).
    assert {**revoked.headers, "date": ""} == {**unknown.headers, "date": ""}
    fresh = await bot.http.get(new)
    assert fresh.status_code == 200 and "Parks review" in fresh.text

    ask = await bot.one("/forget")
    erase = ask.buttons[0][0]
    assert erase.label == "Erase everything"
    done = await bot.conv.handle_button(GROUP, ADMIN, erase.data, _yes)
    assert done.text.startswith("Done: everything about this chat has been erased")
    gone = await bot.http.get(new)
    assert (gone.status_code, gone.content) == (404, b"Not found\n")
    assert await db.calendar_feed_of(GROUP) is None


async def test_a_group_that_becomes_a_supergroup_keeps_its_feed(bot: Running, db: Database) -> None:
    await bot.one("/compact kent-2011")
    await bot.register("Library services review, opens 1 Dec 2026, closes 5 Jan 2027, by KCC")
    url = await bot.link()
    before = await bot.http.get(url)
    assert await bot.conv.chat_moved(GROUP, SUPERGROUP)
    after = await bot.http.get(url)
    assert after.status_code == 200
    assert summaries(after.content) == summaries(before.content)
    assert after.content == await bot.calendar_file(SUPERGROUP)
    assert await db.calendar_feed_of(GROUP) is None
    assert "already" in (await bot.one("/calendar link", chat=SUPERGROUP)).text


async def test_a_change_the_data_does_not_date_still_moves_last_modified(
    bot: Running, clock: ManualClock
) -> None:
    await bot.one("/compact kent-2011")
    await bot.register("Library services review, opens 1 Dec 2026, closes 5 Jan 2027, by KCC")
    url = await bot.link()
    first = await bot.http.get(url)
    modified = first.headers["last-modified"]
    clock.advance(hours=1)
    # A new time zone is stored without a time stamp, and moves every reminder's hour.
    await bot.one("/timezone Europe/Paris")
    clock.advance(minutes=1)
    assert (await bot.http.get(url, headers={"If-Modified-Since": modified})).status_code == 200
    moved = await bot.http.get(url)
    assert moved.headers["etag"] != first.headers["etag"]
    # Nothing in the data dates the change: it is dated when the new body was first served.
    assert parsedate_to_datetime(moved.headers["last-modified"]) == clock.now()
    assert "TZID=Europe/Paris" in moved.text

    # Days pass: a deadline that has gone by leaves the feed at the chat's midnight.
    clock.set(datetime(2027, 1, 6, 10, tzinfo=UTC))
    later = await bot.http.get(url, headers={"If-Modified-Since": moved.headers["last-modified"]})
    assert later.status_code == 200
    deadline = "SUMMARY:The consultation close: Library services review"
    assert deadline in moved.text and deadline not in later.text
    assert parsedate_to_datetime(later.headers["last-modified"]) == datetime(
        2027, 1, 5, 23, tzinfo=UTC
    )  # midnight in Paris


async def test_asked_again_about_an_unchanged_chat_it_does_not_build_the_calendar(
    bot: Running, clock: ManualClock, builds: Builds
) -> None:
    await bot.one("/compact kent-2011")
    await bot.register("Library services review, opens 1 Dec 2026, closes 5 Jan 2027, by KCC")
    url = await bot.link()
    first = await bot.http.get(url)
    etag = first.headers["etag"]
    assert builds.count == 1
    for _ in range(3):
        assert (await bot.http.get(url, headers={"If-None-Match": etag})).status_code == 304
    assert builds.count == 1
    # A plain GET needs the body: this process still has it, and the chat has not changed.
    for _ in range(5):
        again = await bot.http.get(url)
        assert (again.content, again.headers["etag"]) == (first.content, etag)
        assert again.headers["last-modified"] == first.headers["last-modified"]
    assert builds.count == 1
    clock.advance(minutes=1)
    await bot.one("/remind tomorrow chase the grant letter")
    changed = await bot.http.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "chase the grant letter" in changed.text
    assert builds.count == 2
    assert (await bot.http.get(url)).content == changed.content
    assert builds.count == 2


async def test_requests_arriving_together_wait_for_one_build(
    bot: Running, builds: Builds
) -> None:
    await bot.one("/compact kent-2011")
    await bot.register("Library services review, opens 1 Dec 2026, closes 5 Jan 2027, by KCC")
    url = await bot.link()
    answers = await asyncio.gather(*(bot.http.get(url) for _ in range(8)))
    assert {(a.status_code, a.content) for a in answers} == {(200, answers[0].content)}
    assert builds.count == 1


async def test_only_a_hash_of_the_token_is_stored(bot: Running, db: Database) -> None:
    url = await bot.link()
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = await db.calendar_feed_of(GROUP)
    assert feed is not None and feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    for table in await db.table_names():
        for column in await raw_sql.columns(db.path, table):
            hits = await raw_sql.fetch(
                db.path,
                f"SELECT count(*) FROM {table} WHERE CAST({column} AS TEXT) LIKE ?",
                (f"%{token}%",),
            )
            assert hits[0][0] == 0, f"{table}.{column} holds the token"


async def test_paths_that_open_nothing_all_get_the_same_404(bot: Running) -> None:
    url = await bot.link()
    base, _, name = url.rpartition("/")
    token = name.removesuffix(".ics")
    assert (await bot.http.get(url)).status_code == 200
    for path in (
        f"{base}/{token}",
        f"{base}/{token}.ICS",
        f"{base}/{token}.ics.ics",
        f"{base}/{token}.ics/more",
        f"{base}/{token[:-1]}.ics",
        f"{base}/.ics",
        f"{base}/",
        f"{base}/{'A' * 5000}.ics",
        f"{base}/%00.ics",
        f"{base}/..%2F{token}.ics",
        f"{base}/%ff.ics",
        f"{base}/{token}%ff.ics",
        f"{base}/%C3%28.ics",
    ):
        missing = await bot.http.get(path)
        assert (missing.status_code, missing.content) == (404, b"Not found\n"), path
        assert missing.headers["cache-control"] == "no-store"
    refused = await bot.http.post(url, content=b"")
    assert refused.status_code == 405 and refused.content == b"Method Not Allowed\n"
    assert refused.headers["allow"] == "GET, HEAD"


async def test_an_address_asked_for_in_a_loop_gets_429_and_then_answers_again(
    bot: Running, clock: ManualClock, builds: Builds
) -> None:
    linked = await bot.link()
    server = HttpServer(bot.core, clock)  # the limits a running bot has
    await server.start("127.0.0.1", 0)
    base = f"http://127.0.0.1:{server.port}/calendar"
    url = f"{base}/{linked.rpartition('/')[2]}"
    stranger = f"{base}/{'B' * 43}.ics"  # opens nothing: limited the same way
    try:
        for _ in range(FEED_REQUESTS):
            assert (await bot.http.get(url)).status_code == 200
            assert (await bot.http.get(stranger)).status_code == 404
        assert builds.count == 1
        for address in (url, stranger):
            limited = await bot.http.get(address)
            assert limited.status_code == 429, address
            assert limited.content == b"Too Many Requests\n"
            assert 1 <= int(limited.headers["retry-after"]) <= FEED_PERIOD
        clock.advance(seconds=FEED_PERIOD)
        assert (await bot.http.get(url)).status_code == 200
        assert (await bot.http.get(stranger)).status_code == 404
    finally:
        await server.close()


async def test_without_a_server_there_is_no_address_and_nothing_is_stored(
    db: Database, knowledge: Knowledge, clock: ManualClock
) -> None:
    conv = Conversation(Core(knowledge, db, clock=clock))
    [reply] = await conv.handle_text(Incoming(GROUP, ADMIN, "Ada", "/calendar link", False, _yes))
    assert "serves no calendar feed" in reply.text and "Nothing was changed" in reply.text
    [wrong] = await conv.handle_text(Incoming(GROUP, ADMIN, "Ada", "/calendar links", False, _yes))
    assert "'link' or 'reset'" in wrong.text
    assert await db.calendar_feed_of(GROUP) is None


async def test_a_database_that_fails_is_a_503_with_one_line(
    databases: Databases, knowledge: Knowledge, clock: ManualClock
) -> None:
    db = await Database.open(await databases.new("failing"), clock=clock)
    core = Core(knowledge, db, clock=clock)
    link = await core.calendar_link(GROUP, ADMIN)
    server = HttpServer(core, clock)
    await server.start("127.0.0.1", 0)
    try:
        url = f"http://127.0.0.1:{server.port}/calendar/{link.token}.ics"
        async with httpx.AsyncClient() as http:
            assert (await http.get(url)).status_code == 200
            await db.close()
            failed = await http.get(url)
        assert (failed.status_code, failed.content) == (503, b"Service Unavailable\n")
        assert failed.headers["retry-after"] == "300"
        assert failed.headers["content-type"] == "text/plain; charset=utf-8"
    finally:
        await server.close()
