"""The bot's HTTP server under too many connections: a cap that closes the quietest first,
and no spin (nor traceback) when the process runs out of file descriptors."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.clock import ManualClock
from bot.core import Core
from bot.frontends.http_server import HttpServer
from bot.knowledge.knowledge import Knowledge
from storage.repository import Database

CHILD = Path(__file__).with_name("http_child.py")
WAIT = 20.0  # seconds a step may take on a busy machine before the test gives up


async def _connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port)


async def _closed_by_server(reader: asyncio.StreamReader) -> bool:
    return await asyncio.wait_for(reader.read(1), WAIT) == b""


async def _ask(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str = "/healthz"
) -> bytes:
    """One HTTP/1.1 request on a kept-alive connection; the status line of the answer."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    await asyncio.wait_for(reader.readexactly(length), WAIT)
    return head.split(b"\r\n")[0]


async def _accepted(server: HttpServer, count: int) -> None:
    """Wait (a hang bound, not a speed bound) until the server's thread holds ``count``
    connections: a client's connect returns before the server has accepted it."""
    for _ in range(int(WAIT / 0.01)):
        if await server.open_connections() == count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the server never held {count} connections")


@pytest.fixture
async def capped(
    db: Database, knowledge: Knowledge, clock: ManualClock
) -> AsyncIterator[HttpServer]:
    server = HttpServer(Core(knowledge, db, clock=clock), clock, max_connections=4)
    await server.start("127.0.0.1", 0)
    try:
        yield server
    finally:
        await server.close()


async def test_over_the_cap_the_quietest_connections_are_closed_first(
    capped: HttpServer,
) -> None:
    conns = [await _connect(capped.port) for _ in range(4)]
    await _accepted(capped, 4)
    # The first one asks for something: it is the busiest, and the last to go.
    assert await _ask(*conns[0]) == b"HTTP/1.1 503 Service Unavailable"
    late = [await _connect(capped.port)]
    assert await _closed_by_server(conns[1][0])
    late.append(await _connect(capped.port))
    assert await _closed_by_server(conns[2][0])
    assert await _ask(*conns[0]) == b"HTTP/1.1 503 Service Unavailable"
    assert await _ask(*late[1]) == b"HTTP/1.1 503 Service Unavailable"
    assert await capped.open_connections() <= 4
    async with httpx.AsyncClient(timeout=WAIT) as client:
        answered = await client.get(f"http://127.0.0.1:{capped.port}/healthz")
    assert answered.status_code == 503  # no scheduler: answered, not refused
    for _, writer in (*conns, *late):
        writer.close()


async def test_out_of_descriptors_it_closes_idle_connections_and_keeps_answering(
    tmp_path: Path,
) -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        str(CHILD),
        str(tmp_path / "bot.db"),
        "64",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None
    writers = []
    try:
        port = int(await asyncio.wait_for(child.stdout.readline(), 60))
        # Far more idle connections than the process has descriptors for.
        for _ in range(150):
            writers.append((await _connect(port))[1])
        async with httpx.AsyncClient(timeout=WAIT) as client:
            for _ in range(3):
                answered = await client.get(f"http://127.0.0.1:{port}/healthz")
                assert answered.status_code == 503 and answered.json() == {"status": "not ok"}
    finally:
        for writer in writers:
            writer.close()
        child.stdin.close()
        _, err = await asyncio.wait_for(child.communicate(), 60)
    log = err.decode()
    assert "Traceback" not in log and "Too many open files" not in log, log[:2000]
