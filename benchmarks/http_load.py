"""Chat reply latency while the bot's HTTP server is loaded: idle connections and feed clients.

    .venv/bin/python benchmarks/http_load.py [--items 1000] [--idle 1100] [--clients 48]
                                             [--seconds 5] [--quick]

Registers ``--items`` items through the real core into a real SQLite file (the year of
``benchmarks/report.py``), gives the chat a feed address and starts the bot's own HTTP
server (``HttpServer``, tornado) on 127.0.0.1, on the same event loop as the conversation.
Then, for ``--seconds`` each, it asks the conversation "how long must a consultation be?"
over and over (one question at a time, as a chat would) and reports the reply time
(median, p99, max) in four runs:

  * quiet: nothing else;
  * idle: ``--idle`` connections opened and left idle (another process);
  * loaded: those, plus ``--clients`` feed clients asking for the 1,000-item chat's feed in
    a loop without validators (another process);
  * loaded, as before: the same load on a server without this round's defences but its own
    thread: no per-address limit (``FeedLimits`` unbounded), no bodies kept (``BuiltFeeds``
    of 0 bytes, so every GET builds the calendar), no cap on connections (above ``--idle``).
    (Before this round the server also shared the bot's loop: with this load a reply then
    took up to 25 s, measured with this benchmark before the server had a thread.)

It prints, per run, the replies timed and how the feed clients were answered (200 / 429 /
other, and connection errors).  Loopback only; every loop is bounded by ``--seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "benchmarks", ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from report import CHAT, fill  # noqa: E402

from bot.chat.calendar_links import feed_url  # noqa: E402
from bot.chat.conversation import Conversation  # noqa: E402
from bot.chat.messages import Incoming  # noqa: E402
from bot.chat.throttle import Throttle  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.frontends.feed_handler import FeedLimits  # noqa: E402
from bot.frontends.http_connections import raise_open_files_limit  # noqa: E402
from bot.frontends.http_server import HttpServer  # noqa: E402
from bot.knowledge.knowledge import Knowledge  # noqa: E402
from bot.records.calendar_feed import BuiltFeeds  # noqa: E402
from storage.repository import Database  # noqa: E402

OFFICER = 7
QUESTION = "how long must a consultation be?"


async def _yes() -> bool:
    return True


# ------------------------------------------------------------------ the load (another process)


async def load(port: int, url: str, idle: int, clients: int, seconds: float) -> dict[str, Any]:
    """Open ``idle`` idle connections, run ``clients`` feed loops for ``seconds``; counts."""
    raise_open_files_limit()
    sockets = []
    refused = 0
    for _ in range(idle):
        try:
            sockets.append(await asyncio.open_connection("127.0.0.1", port))
        except OSError:
            refused += 1
    print("ready", flush=True)
    statuses: collections.Counter[str] = collections.Counter()
    deadline = time.monotonic() + seconds
    parts = urlsplit(url)
    request = f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode()

    async def client() -> None:
        # Raw HTTP/1.1 on one kept-alive connection: as little client work as can be, so
        # the load is the server's.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.monotonic() < deadline:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = head.split(b" ", 2)[1].decode()
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                await reader.readexactly(length)
                statuses[status] += 1
        except (OSError, asyncio.IncompleteReadError, IndexError):
            statuses["error"] += 1
        finally:
            writer.close()

    if clients:
        await asyncio.gather(*(client() for _ in range(clients)))
    else:
        await asyncio.sleep(seconds)
    for _, writer in sockets:
        writer.close()
    return {"statuses": dict(statuses), "idle_refused": refused}


# ------------------------------------------------------------------ the bot (this process)


@dataclass
class Run:
    name: str
    replies: list[float]
    load: dict[str, Any]


async def replies_for(conv: Conversation, seconds: float) -> list[float]:
    took = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        await conv.handle_text(Incoming(CHAT, OFFICER, "Ada", QUESTION, False, _yes))
        took.append(time.perf_counter() - t0)
        await asyncio.sleep(0.02)  # a chat's messages come one after another
    return took


async def run(
    name: str,
    conv: Conversation,
    server: HttpServer,
    url: str,
    idle: int,
    clients: int,
    seconds: float,
) -> Run:
    if not idle and not clients:
        return Run(name, await replies_for(conv, seconds), {})
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--load",
        json.dumps([server.port, url, idle, clients, seconds]),
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None
    await child.stdout.readline()  # "ready": the idle connections are open
    replies = await replies_for(conv, seconds)
    out, _ = await child.communicate()
    return Run(name, replies, json.loads(out.decode().strip().splitlines()[-1]))


async def bench(args: argparse.Namespace) -> list[Run]:
    raise_open_files_limit()
    knowledge = Knowledge.load()
    clock = SystemClock()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(str(Path(tmp) / "load.db"), clock=clock)
        core = Core(knowledge, db, clock=clock)
        await fill(core, args.items)
        await core.add_officer(CHAT, OFFICER, "Ada")
        link = await core.calendar_link(CHAT, OFFICER)
        assert link.token is not None
        conv = Conversation(core, Throttle(clock, limit=10**6))
        await conv.handle_text(Incoming(CHAT, OFFICER, "Ada", QUESTION, False, _yes))  # warm
        for name, before in (("", False), ("as before", True)):
            if before:
                core._feeds = BuiltFeeds(max_bytes=0)
                server = HttpServer(
                    core,
                    clock,
                    max_connections=args.idle + args.clients + 100,
                    feed_limits=FeedLimits(clock, requests=10**9),
                )
            else:
                core._feeds = BuiltFeeds()
                server = HttpServer(core, clock)
            await server.start("127.0.0.1", 0)
            url = feed_url(f"http://127.0.0.1:{server.port}", link.token)
            try:
                scenarios = [("loaded", args.idle, args.clients)]
                if not before:
                    scenarios = [("quiet", 0, 0), ("idle", args.idle, 0), *scenarios]
                for label, idle, clients in scenarios:
                    title = f"{label}, {name}" if name else label
                    runs.append(await run(title, conv, server, url, idle, clients, args.seconds))
            finally:
                await server.close()
        await db.close()
    return runs


def ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--idle", type=int, default=1100)
    parser.add_argument("--clients", type=int, default=48)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--quick", action="store_true", help="a smoke run: small and short")
    parser.add_argument("--load", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        port, url, idle, clients, seconds = json.loads(args.load)
        print(json.dumps(asyncio.run(load(port, url, idle, clients, seconds))), flush=True)
        return
    if args.quick:
        args.items, args.idle, args.clients, args.seconds = 50, 20, 2, 0.5
    print(
        f"chat reply latency ('{QUESTION}'), {args.items} items, {args.idle} idle "
        f"connections, {args.clients} feed clients, {args.seconds:g} s a run"
    )
    print(f"{'run':<22} {'replies':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  feed answers")
    for r in asyncio.run(bench(args)):
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(r.load.get("statuses", {}).items()))
        print(
            f"{r.name:<22} {len(r.replies):>7} {ms(r.replies, 0.5):>8.1f} "
            f"{ms(r.replies, 0.99):>8.1f} {1000 * max(r.replies):>8.1f}  {answers or '-'}"
            + (f"; idle refused {r.load['idle_refused']}" if r.load.get("idle_refused") else "")
        )


if __name__ == "__main__":
    main()
