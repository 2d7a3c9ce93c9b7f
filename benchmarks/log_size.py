"""How many bytes the event log costs per registered item.

Fills a real SQLite file through the real core (the report benchmark's mix: consultations,
funding changes and complaints, a third with a follow-up), then reads the file with sqlite3:
the log entries' payload bytes, the stored clause texts (if the schema has a clause table),
and the whole file after VACUUM, each per item.

    .venv/bin/python benchmarks/log_size.py --items 300 --compacts kent-2011 west-kent
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from report import NOW, fill  # noqa: E402

from bot.clock import ManualClock  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.knowledge.knowledge import Knowledge  # noqa: E402
from storage.repository import Database  # noqa: E402


def _measure(path: Path, items: int) -> dict[str, float]:
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        log = "log_entries" if "log_entries" in tables else "events"
        payload = conn.execute(f"SELECT sum(length(CAST(payload AS BLOB))) FROM {log}").fetchone()[
            0
        ]
        quotes = 0
        if "clauses" in tables:
            quotes = conn.execute("SELECT sum(length(CAST(text AS BLOB))) FROM clauses").fetchone()[
                0
            ]
        conn.execute("VACUUM")
    return {
        "log payload B/item": payload / items,
        "clause texts B/item": (quotes or 0) / items,
        "log total B/item": (payload + (quotes or 0)) / items,
        "file B/item": path.stat().st_size / items,
    }


async def bench(items: int, compacts: list[str], knowledge: Knowledge) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.db"
        clock = ManualClock(NOW)
        db = await Database.open(path, clock=clock)
        core = Core(knowledge, db, clock=clock)
        await fill(core, items, compacts)
        await db.close()
        return _measure(path, items)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--compacts", nargs="+", default=["kent-2011", "west-kent"])
    parser.add_argument("--quick", action="store_true", help="smallest sizes (the CI smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.items = 20
    figures = await bench(args.items, args.compacts, Knowledge.load())
    print(f"{args.items} items, Compacts: {' '.join(args.compacts)}")
    for key, value in figures.items():
        print(f"  {key:22}{value:>10.0f}")


if __name__ == "__main__":
    asyncio.run(main())
