"""The calendar file is written line by line (``bot.records.calendar_export``); these pin it,
byte for byte, to what icalendar's component model gives for the same data (the way it was
built before, kept in ``tests/ics_reference.py``): its TEXT escaping and folding against
icalendar's own for any text, and whole files for a year of items, awkward titles and
reminders, in zones with and without summer time, UTC among them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from icalendar.parser import Contentline, Parameters
from ics_reference import build_calendar_icalendar
from yearly_items import (
    CHAT,
    NOW,
    OFFICER,
    consultation,
    funding,
    register,
    register_year,
    stored_core,
)

from bot.domain.plain_text import printable
from bot.knowledge.knowledge import Knowledge
from bot.records.calendar_export import _escape, _fold, build_calendar
from bot.records.log import Logged, _upgrade_legacy, entry_kind
from storage.repository import Reminder, StoredEntry

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
    # Control characters (and lone surrogates), which icalendar writes, RFC 5545 forbids: we
    # drop them, and write the rest as icalendar does.
    clean = printable(text, lines=True)
    for name in ("DESCRIPTION", "X-WR-CALNAME", "S"):
        expected = Contentline.from_parts(name, Parameters(), icalendar.vText(clean)).to_ical()
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


async def test_the_calendar_decodes_only_what_it_shows_and_shows_what_the_whole_log_says(
    tmp_path: Path, knowledge: Knowledge
) -> None:
    """``Core.calendar`` decodes only the entries of open items and of items a reminder to
    come names; its file is the one built, as before, from every record of the whole log."""
    async with stored_core(tmp_path / "cal.db", knowledge) as core:
        ids = await register_year(core)
        closed = ids["advice"]
        await core.close_item(CHAT, closed, "done", OFFICER)
        await core.close_item(CHAT, ids["parking"], "cancelled", OFFICER)
        await core.reopen_item(CHAT, ids["parking"], OFFICER)
        reminders = await core.db.pending_reminders(CHAT)
        calendar = await core.calendar(CHAT)
        decoded: list[int | None] = []
        read = core._read

        async def counting(reader: Any, rows: list[StoredEntry]) -> list[Logged]:
            decoded.extend(r.item_id for r in rows)
            return await read(reader, rows)

        core._read = counting  # type: ignore[method-assign]
        assert await core.calendar(CHAT) == calendar
        del core._read
        records = await core.compliance(CHAT)
        settings = await core.db.chat_settings(CHAT)
        changes = await core.db.calendar_changes(CHAT)
    whole = build_calendar_icalendar(
        records,
        reminders,
        registry=knowledge.registry,
        tz=LONDON,
        today=TODAY,
        stamp=changes.at or NOW,
        name=f"Compact deadlines – {settings.title}",
    )
    assert calendar == whole, _diff(whole.ics, calendar.ics)
    shown = {r.item_id for r in records if r.status == "open"} | {
        r.item_id for r in reminders if r.item_id is not None
    }
    assert set(decoded) == shown and closed not in shown
    assert len(records) > len(shown)


@pytest.mark.parametrize(
    "stored",
    [
        "registered:consultation",
        "registered:funding",
        "registered:complaint",
        "registered:reminder",
        "status:done",
        "status:cancelled",
        "compacts",
        "update:notice",
        "update:consultation_start",
        "update:feedback",
        "update:step",
    ],
)
def test_a_legacy_kind_is_named_as_it_is_read(stored: str) -> None:
    assert entry_kind(stored) == _upgrade_legacy(stored, {})[0]


def test_kinds_nobody_wrote_are_refused_unread() -> None:
    assert entry_kind("item_closed") == "item_closed"
    for bogus in ("item_exploded", "update:weather", "registered", "status"):
        with pytest.raises(ValueError):
            entry_kind(bogus)


def _diff(a: bytes, b: bytes) -> str:  # debugging aid
    import difflib

    return "\n".join(
        difflib.unified_diff(a.decode().split("\r\n"), b.decode().split("\r\n"), lineterm="", n=1)
    )[:3000]
