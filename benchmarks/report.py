"""How long a chat's yearly report and calendar take, from a real SQLite file.

    .venv/bin/python benchmarks/report.py [--items 100 1000 10000] [--repeat 5]

Registers a year of items through the real core (consultations, funding changes and
complaints, a third of them with a follow-up), then times, per size:
  * reading the chat's log in one query and replaying it (``Core.compliance``), side by
    side with its peer, reading each item's log with its own query (``item_log``);
  * building the report and rendering it as chat text, Markdown, CSV and HTML;
  * building the .ics calendar (``Core.calendar``).
Reports the median of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.clock import ManualClock  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.domain.events import ComplaintRaised, ConsultationLaunched, FundingEnding  # noqa: E402
from bot.knowledge.knowledge import Knowledge  # noqa: E402
from bot.records.compliance import compliance_log  # noqa: E402
from bot.records.report import build_report  # noqa: E402
from bot.records.report_formats import RENDERERS, render_text  # noqa: E402
from storage.repository import Database  # noqa: E402

CHAT = -42
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
BODIES = ["KCC", "Sevenoaks DC", "Tonbridge & Malling BC", "West Kent PCT", "Kent Police"]


async def fill(core: Core, n: int, compacts: list[str] | None = None) -> None:
    await core.choose_compacts(CHAT, compacts or ["kent-2011", "west-kent"], None)
    start = date(2026, 1, 1)
    for i in range(n):
        day = start + timedelta(days=(i * 7) % 330)
        body = BODIES[i % len(BODIES)]
        kind = i % 3
        if kind == 0:
            event: Any = ConsultationLaunched(
                chat_id=CHAT,
                title=f"Consultation {i}",
                body=body,
                opens=day,
                closes=day + timedelta(weeks=4 + i % 10),
            )
        elif kind == 1:
            event = FundingEnding(
                chat_id=CHAT,
                title=f"Grant {i}",
                funder=body,
                last_funded_day=day + timedelta(days=120),
            )
        else:
            event = ComplaintRaised(
                chat_id=CHAT, against="public", body=body, summary=f"Complaint {i}", raised_on=day
            )
        done = await core.register(event, event.title if kind < 2 else f"Complaint {i}", {})
        today = NOW.date()
        if i % 9 == 0 and event.closes <= today:
            await core.record_feedback(CHAT, done.item_id, event.closes, None)
        elif i % 9 == 1:
            await core.record_notice(CHAT, done.item_id, min(day + timedelta(days=20), today), None)
        elif i % 9 == 2:
            await core.close_item(CHAT, done.item_id, "done", None, "resolved")


async def timed(fn: Callable[[], Awaitable[Any]], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        await fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs) * 1000


async def bench(n: int, repeat: int, knowledge: Knowledge) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "report.db")
        core = Core(knowledge, db, clock=ManualClock(NOW))
        t0 = time.perf_counter()
        await fill(core, n)
        fill_s = time.perf_counter() - t0
        names = knowledge.registry.display_name
        items = [i.id for i in await db.open_items(CHAT)]
        all_ids = range(1, n + 1)

        async def per_item() -> None:
            for item_id in all_ids:
                compliance_log(await core._read(db, await db.item_log(CHAT, item_id)))

        records = await core.compliance(CHAT)
        report = build_report(records, year=2026, as_of=NOW.date())

        async def render_all() -> None:
            render_text(report, names)
            for render in RENDERERS.values():
                render(report, names)

        async def build() -> None:
            build_report(records, year=2026, as_of=NOW.date())

        figures = {
            "items": float(n),
            "log entries": float(len(await db.log(CHAT))),
            "fill s": fill_s,
            "log: one query ms": await timed(lambda: core.compliance(CHAT), repeat),
            "log: query per item ms": await timed(per_item, repeat),
            "build report ms": await timed(build, repeat),
            "render 4 formats ms": await timed(render_all, repeat),
            "/report total ms": await timed(lambda: core.report(CHAT, 2026), repeat),
            "calendar ms": await timed(lambda: core.calendar(CHAT), repeat),
            "open items": float(len(items)),
        }
        await db.close()
        return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="smallest sizes (the CI smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.items = [100]
        args.repeat = 1
    knowledge = Knowledge.load()
    rows = [await bench(n, args.repeat, knowledge) for n in args.items]
    keys = list(rows[0])
    print(f"{'':26}" + "".join(f"{int(r['items']):>12}" for r in rows))
    for key in keys[1:]:
        print(f"{key:26}" + "".join(f"{r[key]:>12.1f}" for r in rows))


if __name__ == "__main__":
    asyncio.run(main())
