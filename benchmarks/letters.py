"""How long a letter takes (/letter: text and .docx, logged), in a chat with many items.

    .venv/bin/python benchmarks/letters.py [--items 1000] [--repeat 20]

Registers ``--items`` items through the real core into a real SQLite file (the same year of
consultations, funding changes and complaints as ``benchmarks/report.py``, under the Kent
Compact 2011 and the West Kent Compact), then times, for a short consultation, a funding
change with late notice and a complaint:
  * the first letter of the process (it imports python-docx and Jinja2 and compiles the
    template), once;
  * ``Core.write_letters`` end to end: the item's log read and replayed, the letter built,
    its text rendered from the template, its .docx made, and the letter logged in one unit
    of work (median and worst of ``--repeat``);
  * its parts alone: building the letter (pure), the template, the .docx.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from report import CHAT, NOW, fill  # noqa: E402

from bot.clock import ManualClock  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.knowledge.knowledge import Knowledge  # noqa: E402
from bot.records.letter_docx import render_docx  # noqa: E402
from bot.records.letters import LetterRefused, build_letters  # noqa: E402
from storage.repository import Database  # noqa: E402


async def timed(fn: Callable[[], Awaitable[Any]], repeat: int) -> tuple[float, float]:
    """Median and worst of ``repeat`` runs, in milliseconds."""
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        await fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs) * 1000, max(runs) * 1000


async def first_with_a_letter(core: Core, kind: str) -> int:
    """The first open item of ``kind`` that gets a letter."""
    for item in await core.open_items(CHAT):
        if item.kind != kind:
            continue
        record, _ = await core.item_history(CHAT, item.id)
        try:
            build_letters(record, core.knowledge.registry.compacts, await core.today(CHAT))
        except LetterRefused:
            continue
        return item.id
    raise SystemExit(f"no {kind} with a letter among the items")


async def bench(n: int, repeat: int, knowledge: Knowledge) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "letters.db")
        core = Core(knowledge, db, clock=ManualClock(NOW))
        t0 = time.perf_counter()
        await fill(core, n)
        print(f"{n} items registered in {time.perf_counter() - t0:.1f} s")
        items = {
            kind: await first_with_a_letter(core, kind)
            for kind in ("consultation", "funding", "complaint")
        }

        t0 = time.perf_counter()
        await core.write_letters(CHAT, items["consultation"], None)
        print(
            f"first letter of the process (imports, template compiled): "
            f"{(time.perf_counter() - t0) * 1000:.1f} ms"
        )
        print(f"{'':40}{'median ms':>12}{'worst ms':>12}")
        today = await core.today(CHAT)
        for kind, item in items.items():
            record, _ = await core.item_history(CHAT, item)
            [letter, *_] = build_letters(record, knowledge.registry.compacts, today)
            text = core.letter_templates.render(letter)

            async def build(record: Any = record) -> None:
                build_letters(record, knowledge.registry.compacts, today)

            async def render(letter: Any = letter) -> None:
                core.letter_templates.render(letter)

            async def docx(text: str = text) -> None:
                render_docx(text, written_on=today)

            async def whole(item: int = item) -> None:
                await core.write_letters(CHAT, item, None)

            for name, fn in (
                (f"/letter {kind} #{item} (end to end)", whole),
                ("  build the letter", build),
                ("  render the template", render),
                ("  make the .docx", docx),
            ):
                median, worst = await timed(fn, repeat)
                print(f"{name:40}{median:>12.2f}{worst:>12.2f}")
        await db.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="smallest sizes (the CI smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.items = 20
        args.repeat = 2
    await bench(args.items, args.repeat, Knowledge.load())


if __name__ == "__main__":
    asyncio.run(main())
