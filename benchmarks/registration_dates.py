"""Our date reader against ``dateparser``, inside the same registration reader.

The registration reader finds runs of words that read as a date and gives each a role from
the words around it; only the function that reads a run as a day is swapped:

- ``ours``: ``bot.chat.dateparsing.parse_day_info`` (day-first; a deadline the next such
  day, something that happened the latest, an opening the nearest);
- ``dateparser``: ``dateparser.parse`` with ``DATE_ORDER=DMY``, ``RELATIVE_BASE`` today and
  ``PREFER_DATES_FROM`` per field (``future`` for a deadline, ``past`` for something that
  happened, ``current_period`` for an opening), ``PREFER_DAY_OF_MONTH=first``.

Each set is scored end to end by ``tests/registration_scoring.py`` (totals only: a blind
set's cases are never listed), and the time per read is measured.

    .venv/bin/python benchmarks/registration_dates.py [--quick] [FOLDER ...]

(``--quick``: the dev set only, as CI's smoke run does.)

``dateparser`` is a development dependency only (for this measurement); the bot reads dates
with its own reader, which scored better (README, "Dependencies, and why").
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import registration_scoring  # noqa: E402

from bot.chat import dateparsing  # noqa: E402
from bot.chat.dateparsing import Hint, ParsedDay, UnreadableDateError  # noqa: E402
from bot.chat.registration_parsing import dates, field_answers  # noqa: E402

Reader = Callable[..., ParsedDay]
_PREFER = {"future": "future", "past": "past", "nearest": "current_period"}
_HAS_YEAR = re.compile(r"\b\d{4}\b|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|'\d{2}\b")


def dateparser_day_info(text: str, today: date, *, hint: Hint = "nearest") -> ParsedDay:
    import dateparser

    found = dateparser.parse(
        text,
        languages=["en"],
        settings={
            "DATE_ORDER": "DMY",
            "PREFER_DATES_FROM": _PREFER[hint],
            "PREFER_DAY_OF_MONTH": "first",
            "RELATIVE_BASE": datetime(today.year, today.month, today.day, 12),
        },
    )
    if found is None:
        raise UnreadableDateError(f"I couldn't read '{text}' as a date.")
    return ParsedDay(found.date(), year_inferred=not _HAS_YEAR.search(text))


@contextmanager
def reading_with(reader: Reader) -> Iterator[None]:
    """The registration reader with ``reader`` reading each run of words as a day."""
    saved = (dates.parse_day_info, field_answers.parse_day_info)
    dates.parse_day_info = reader  # type: ignore[assignment]
    field_answers.parse_day_info = reader  # type: ignore[assignment]
    try:
        yield
    finally:
        dates.parse_day_info, field_answers.parse_day_info = saved


def _per_read(reader: Reader) -> float:
    samples = ["23 Feb", "1/12/26", "next Monday", "the 20th", "end of June", "in 6 weeks"]
    today = date(2026, 12, 7)
    start = time.perf_counter()
    n = 0
    for _ in range(200):
        for text in samples:
            try:
                reader(text, today, hint="future")
            except ValueError:
                pass
            n += 1
    return (time.perf_counter() - start) / n * 1e6


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    folders = [Path(a).resolve() for a in argv if not a.startswith("--")] or (
        [registration_scoring.DEV]
        if quick
        else [registration_scoring.DEV, registration_scoring.BLIND]
    )
    readers: dict[str, Reader] = {
        "ours": dateparsing.parse_day_info,
        "dateparser": dateparser_day_info,
    }
    for name, reader in readers.items():
        print(f"{name}: {_per_read(reader):.0f} µs a read")
        with reading_with(reader):
            for folder in folders:
                scored = asyncio.run(registration_scoring.score(folder))
                right, of = registration_scoring.totals(scored)["all"]
                date_misses = sum(
                    any(w.split()[0] in registration_scoring.DATE_FIELDS for w in s.why)
                    for s in scored
                )
                print(
                    f"  {folder.relative_to(ROOT)}: {right}/{of} read back right; "
                    f"{date_misses} with a date wrong, missing or invented"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
