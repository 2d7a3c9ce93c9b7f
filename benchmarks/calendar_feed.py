"""How long a chat's calendar feed takes to serve over HTTP, and inline mode's clause cards.

    .venv/bin/python benchmarks/calendar_feed.py [--items 1000] [--repeat 50]

Registers ``--items`` items through the real core into a real SQLite file (the year of
consultations, funding changes and complaints of ``benchmarks/report.py``, under the Kent
Compact 2011 and the West Kent Compact), gives the chat a feed address
(``Core.calendar_link``) and starts the bot's own HTTP server (``HttpServer``, tornado) on
127.0.0.1, then times, with a real HTTP client (httpx, keep-alive, on the same event loop as
the server, so each figure is client and server together), median and p99 of ``--repeat``
runs after one warm-up:
  * ``/calendar``'s file, built by ``Core.calendar`` (no HTTP), its peer;
  * the same file the way ``Core.calendar`` built it before (``calendar_before``: every
    quoted clause's JSON parsed and validated again in every entry quoting it, and the file
    made with icalendar's component model, ``tests/ics_reference.py``), its peer in turn,
    checked to give the same bytes;
  * a full GET of the feed: 200 and the body (from the body this process built last, the
    chat unchanged: ``BuiltFeeds``);
  * a conditional GET with If-None-Match of the current ETag, the chat unchanged: 304 from
    the fingerprint the core remembers, without building the calendar;
  * a GET with the ETag last served right after one more item was registered (not timed):
    the rebuild, a new ETag and Last-Modified stored, 200 (before each run the item the run
    before registered is cancelled, so the feed keeps one item more than the chat had);
  * a GET of an unknown token: 404.
Then inline mode: ``Conversation.handle_inline`` for a few queries, by a user who is an
officer of the chat (its two Compacts) and by a stranger (all the Compacts).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "benchmarks", ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import httpx  # noqa: E402
from ics_reference import build_calendar_icalendar  # noqa: E402
from report import CHAT, NOW, fill  # noqa: E402

from bot.chat.calendar_links import feed_url  # noqa: E402
from bot.chat.conversation import Conversation  # noqa: E402
from bot.chat.throttle import Throttle  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.domain.events import ConsultationLaunched  # noqa: E402
from bot.frontends.feed_handler import FeedLimits  # noqa: E402
from bot.frontends.http_server import HttpServer  # noqa: E402
from bot.knowledge.knowledge import Knowledge  # noqa: E402
from bot.records.calendar_export import CalendarFile  # noqa: E402
from bot.records.calendar_feed import new_token  # noqa: E402
from bot.records.compliance import compliance_log  # noqa: E402
from bot.records.log import _ENTRY, LogEntry, Logged, _upgrade_legacy  # noqa: E402
from storage.repository import Database  # noqa: E402

OFFICER, STRANGER = 7, 8
QUERIES = ("12 weeks", "notice", "complaint")


def pct(runs: list[float], q: float) -> float:
    ordered = sorted(runs)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def timed(
    fn: Callable[[], Awaitable[Any]],
    repeat: int,
    before: Callable[[], Awaitable[Any]] | None = None,
) -> tuple[float, float]:
    """Median and p99 of ``repeat`` runs after one warm-up, in ms; ``before`` runs untimed
    before each."""
    runs = []
    for i in range(repeat + 1):
        if before is not None:
            await before()
        t0 = time.perf_counter()
        await fn()
        if i:
            runs.append(time.perf_counter() - t0)
    return statistics.median(runs) * 1000, pct(runs, 0.99) * 1000


def decode_before(kind: str, payload: dict[str, Any], clauses: dict[str, str]) -> LogEntry:
    """``bot.records.log.decode`` as it was: each clause reference replaced by its JSON,
    parsed, and validated with the entry."""

    def unswap(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("clause")
            if isinstance(ref, str) and len(node) == 1:
                return json.loads(clauses[ref])
            return {k: unswap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [unswap(v) for v in node]
        return node

    data = unswap(payload)
    if ":" in kind or kind == "compacts":
        kind, data = _upgrade_legacy(kind, data)
    return _ENTRY.validate_python({**data, "kind": kind})


def clause_refs_before(payload: dict[str, Any]) -> set[str]:
    refs: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("clause"), str):
                refs.add(node["clause"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(payload)
    return refs


async def calendar_before(core: Core, chat_id: int, texts: dict[str, str]) -> CalendarFile:
    """``Core.calendar`` as it was before (clause texts kept in ``texts``, as the core kept
    them): the same queries, the old decoding, the icalendar build."""
    db = core.db
    settings = await db.chat_settings(chat_id)
    changes = await db.calendar_changes(chat_id)
    reminders = await db.pending_reminders(chat_id)
    tz = core._zone(settings)
    today = core.now().astimezone(tz).date()
    rows = await db.log(chat_id)
    wanted: set[str] = set()
    for row in rows:
        wanted |= clause_refs_before(row.payload)
    missing = wanted - texts.keys()
    if missing:
        texts.update(await db.clause_texts(missing))
    logged = [
        Logged(r.id, r.chat_id, r.item_id, r.actor, r.at, decode_before(r.kind, r.payload, texts))
        for r in rows
    ]
    name = f"Compact deadlines – {settings.title}" if settings.title else "Compact deadlines"
    return build_calendar_icalendar(
        compliance_log(logged),
        reminders,
        registry=core.knowledge.registry,
        tz=tz,
        today=today,
        stamp=changes.at or core.now(),
        name=name,
    )


def expect(response: httpx.Response, status: int) -> httpx.Response:
    if response.status_code != status:
        raise SystemExit(f"{response.request.url}: {response.status_code}, expected {status}")
    return response


async def bench(n: int, repeat: int, knowledge: Knowledge) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock(NOW)
        db = await Database.open(Path(tmp) / "feed.db", clock=clock)
        core = Core(knowledge, db, clock=clock)
        conv = Conversation(core, Throttle(clock, limit=10**6))
        t0 = time.perf_counter()
        await fill(core, n)
        fill_s = time.perf_counter() - t0
        await core.add_officer(CHAT, OFFICER, "Ada")
        # Timed runs ask for one address far more often than the limit a bot has (429).
        server = HttpServer(core, clock, feed_limits=FeedLimits(clock, requests=10**9))
        await server.start("127.0.0.1", 0)
        base = f"http://127.0.0.1:{server.port}"
        link = await core.calendar_link(CHAT, OFFICER)
        assert link.token is not None
        url = feed_url(base, link.token)
        unknown = feed_url(base, new_token())
        rows: dict[str, tuple[float, float]] = {}
        extra = 0
        try:
            async with httpx.AsyncClient(timeout=30) as http:
                body = expect(await http.get(url), 200).content
                etag = expect(await http.get(url), 200).headers["etag"]
                calendar = (await core.calendar(CHAT)).ics
                if calendar != body:
                    raise SystemExit("the feed's body is not /calendar's file")

                texts: dict[str, str] = {}
                if (await calendar_before(core, CHAT, texts)).ics != calendar:
                    raise SystemExit("the calendar as built before differs from Core.calendar's")
                rows["/calendar file (Core.calendar)"] = await timed(
                    lambda: core.calendar(CHAT), repeat
                )
                rows["/calendar file as built before (peer)"] = await timed(
                    lambda: calendar_before(core, CHAT, texts), repeat
                )

                async def full() -> None:
                    expect(await http.get(url), 200)

                rows["GET feed, 200 with body"] = await timed(full, repeat)

                async def unchanged() -> None:
                    expect(await http.get(url, headers={"If-None-Match": etag}), 304)

                rows["GET If-None-Match, 304"] = await timed(unchanged, repeat)

                current: dict[str, Any] = {"etag": etag}

                async def register_one() -> None:
                    """The one item registered before the last GET cancelled (so the feed
                    keeps its size), and one more registered."""
                    nonlocal extra
                    if extra:
                        await core.close_item(CHAT, current["item"], "cancelled", None)
                    extra += 1
                    clock.advance(seconds=1)
                    event = ConsultationLaunched(
                        chat_id=CHAT,
                        title=f"One more {extra}",
                        body="KCC",
                        opens=date(2026, 12, 1),
                        closes=date(2027, 2, 23),
                    )
                    current["item"] = (await core.register(event, event.title, {})).item_id

                async def rebuilt() -> None:
                    asked = {"If-None-Match": current["etag"]}
                    got = expect(await http.get(url, headers=asked), 200)
                    if got.headers["etag"] == current["etag"]:
                        raise SystemExit("a new item did not change the feed's ETag")
                    current["etag"] = got.headers["etag"]

                rows["GET after one more item, 200"] = await timed(
                    rebuilt, repeat, before=register_one
                )

                async def missing() -> None:
                    expect(await http.get(unknown), 404)

                rows["GET unknown token, 404"] = await timed(missing, repeat)
                last = expect(await http.get(url), 200).content
        finally:
            await server.close()

        for query in QUERIES:
            for who, user in (("officer", OFFICER), ("stranger", STRANGER)):

                async def cards(user: int = user, query: str = query) -> None:
                    await conv.handle_inline(user, query, "compactbot")

                found = len(await conv.handle_inline(user, query, "compactbot"))
                rows[f"inline {query!r}, {who} ({found} cards)"] = await timed(cards, repeat)
        await db.close()
        return {
            "fill_s": fill_s,
            "body": len(body),
            "last": len(last),
            "extra": extra,
            "rows": rows,
        }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[1000])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="smallest sizes (the CI smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.items = [20]
        args.repeat = 2
    knowledge = Knowledge.load()
    results = []
    for n in args.items:
        result = await bench(n, args.repeat, knowledge)
        results.append(result)
        print(
            f"{n} items registered in {result['fill_s']:.1f} s; feed body {result['body']:,} "
            f"bytes ({result['last']:,} with the one more item; {result['extra']} registered)"
        )
    print(f"\n{'median / p99 ms, ' + str(args.repeat) + ' runs':44}", end="")
    print("".join(f"{f'{n} items':>20}" for n in args.items))
    for name in results[0]["rows"]:
        cells = (r["rows"][name] for r in results)
        print(f"{name:44}" + "".join(f"{f'{m:.2f} / {p:.2f}':>20}" for m, p in cells))


if __name__ == "__main__":
    asyncio.run(main())
