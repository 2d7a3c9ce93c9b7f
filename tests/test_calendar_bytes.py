"""The calendar file is written line by line (``bot.records.calendar_export``); these pin it,
byte for byte, to what icalendar's component model gives for the same data (the way it was
built before, kept in ``tests/ics_reference.py``): its TEXT escaping and folding against
icalendar's own for any text, and whole files for a year of items, awkward titles and
reminders, in zones with and without summer time, UTC among them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from icalendar.parser import Contentline, Parameters
from ics_reference import build_calendar_icalendar
from yearly_items import CHAT, NOW, consultation, funding, register, register_year, stored_core

from bot.knowledge.knowledge import Knowledge
from bot.records.calendar_export import _escape, _fold, build_calendar
from storage.repository import Reminder

LONDON = ZoneInfo("Europe/London")
TODAY = NOW.date()
AWKWARD = [
    "Roads; paths, and \\N bridges",
    "Back\\slash at the end \\",
    "Caret ^ and ^^ and \\\\ twice " * 3,
    "Línea con acentos – “quoted” and an emoji 🚌 " * 4,
    "CRLF\r\nand lone CR\rand LF\nend",
    "x" * 73 + "\\," + "y" * 80,
    "é" * 37 + "\\n" + "🚌" * 30,
]


@given(st.text(max_size=400))
@example("a" * 73 + "\\;b")
@example("a" * 72 + "é\\,")
@example("🚌" * 40)
@example("\\" * 200)
@example("^" * 150)
def test_text_lines_are_escaped_and_folded_as_icalendar_does(text: str) -> None:
    for name in ("DESCRIPTION", "X-WR-CALNAME", "S"):
        try:
            expected = Contentline.from_parts(name, Parameters(), icalendar.vText(text)).to_ical()
        except UnicodeEncodeError:  # a lone surrogate: neither writes it
            with pytest.raises(UnicodeEncodeError):
                _fold(f"{name}:{_escape(text)}")
            continue
        assert _fold(f"{name}:{_escape(text)}") == expected


@pytest.mark.parametrize(
    "zone", ["Europe/London", "UTC", "Etc/UTC", "America/St_Johns", "Asia/Kolkata", "Etc/GMT+5"]
)
async def test_whole_files_match_icalendar_byte_for_byte(
    tmp_path: Path, knowledge: Knowledge, zone: str
) -> None:
    async with stored_core(tmp_path / "cal.db", knowledge) as core:
        await register_year(core)
        for k, title in enumerate(AWKWARD):
            opens = date(2026, 11, 1) + timedelta(days=k)
            await register(core, consultation(title, title[:20], opens, date(2027, 2, 1)), title)
            await register(core, funding(title, "KCC", date(2027, 6, 30 - k)), title)
        records = await core.compliance(CHAT)
        reminders = await core.db.pending_reminders(CHAT)
        assert reminders
        template = reminders[0]
        extra = [
            dataclasses.replace(
                template,
                id=10_000 + k,
                item_id=None if k % 2 else template.item_id,
                key="adhoc" if k % 2 else template.key,
                text=text,
                due_at=datetime(2027, 3, 28, 0, 30, tzinfo=UTC) + timedelta(hours=k),
            )
            for k, text in enumerate(AWKWARD)
        ]
    registry = knowledge.registry
    tz = ZoneInfo(zone)
    for stamp in (NOW, NOW.astimezone(timezone(timedelta(hours=-3))), NOW.replace(tzinfo=None)):
        for rems, n in (
            (reminders + extra, "Compact deadlines – Sevenoaks; Youth, Trust"),
            ([], "Compact deadlines"),
        ):
            for today in (NOW.date(), date(2026, 1, 1)):
                new, old = (
                    build(records, rems, registry=registry, tz=tz, today=today, stamp=stamp, name=n)
                    for build in (build_calendar, build_calendar_icalendar)
                )
                assert new == old, _diff(old.ics, new.ics)
                zoned = bool(rems) and zone not in ("UTC", "Etc/UTC")
                assert (b"BEGIN:VTIMEZONE" in new.ics) == zoned


def test_reminders_alone_and_no_reminder_at_all(knowledge: Knowledge) -> None:
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    lone = Reminder(
        1, CHAT, None, "adhoc", "Ring the council", at, at, "pending", 0, None, None, False
    )
    for reminders in ([], [lone]):
        new, old = (
            build(
                [], reminders, registry=knowledge.registry, tz=LONDON, today=NOW.date(), stamp=NOW
            )
            for build in (build_calendar, build_calendar_icalendar)
        )
        assert new == old, _diff(old.ics, new.ics)


def _diff(a: bytes, b: bytes) -> str:  # debugging aid
    import difflib

    return "\n".join(
        difflib.unified_diff(a.decode().split("\r\n"), b.decode().split("\r\n"), lineterm="", n=1)
    )[:3000]
