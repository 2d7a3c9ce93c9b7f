"""The bot's HTTP server alone in a process with few file descriptors (``test_http_server``).

Usage: ``python tests/http_child.py DB_PATH LIMIT``; prints the port, then serves until its
standard input closes.  The hard limit is set too, so the server cannot lift it.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.clock import SystemClock  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.frontends.http_server import HttpServer  # noqa: E402
from bot.knowledge.knowledge import Knowledge  # noqa: E402
from storage.repository import Database  # noqa: E402


async def main(path: str, limit: int) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    clock = SystemClock()
    db = await Database.open(path, clock=clock)
    server = HttpServer(Core(Knowledge.load(), db, clock=clock), clock)
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
    await server.start("127.0.0.1", 0)
    print(server.port, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await server.close()
    await db.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
