"""The calendar file as ``bot.records.calendar_export.build_calendar`` built it with icalendar's
component model, kept as the reference its own writer must match byte for byte (tests) and
as the peer it is timed against (``benchmarks/calendar_feed.py``).  Not used by the bot."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from bot.knowledge.registry import CompactRegistry
from bot.records.calendar_export import (
    PRODID,
    UID_DOMAIN,
    CalendarFile,
    _clauses,
    _item_line,
    deadline_text,
    open_deadlines,
)
from bot.records.compliance import ItemRecord
from storage.repository import Reminder


def build_calendar_icalendar(
    records: Sequence[ItemRecord],
    reminders: Sequence[Reminder],
    *,
    registry: CompactRegistry,
    tz: ZoneInfo,
    today: date,
    stamp: datetime,
    name: str = "Compact deadlines",
) -> CalendarFile:
    """The .ics bytes for a chat's open deadlines and its reminders still to come."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", tz.key)

    deadlines = open_deadlines(records, today)
    for d in deadlines:
        summary, description = deadline_text(d, registry)
        event = icalendar.Event()
        event.add("uid", d.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", d.day)
        event.add("dtend", d.day + timedelta(days=1))
        event.add("summary", summary)
        event.add("description", "\n".join(description))
        event.add("categories", ["Compact", d.item.kind])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)

    by_id = {r.item_id: r for r in records}
    for reminder in reminders:
        record = by_id.get(reminder.item_id) if reminder.item_id is not None else None
        code = reminder.key.split(":", 1)[0] if ":" in reminder.key else None
        codes = [code] if code else []
        local = reminder.due_at.astimezone(tz)
        event = icalendar.Event()
        event.add("uid", f"reminder-{reminder.id}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", local)
        event.add("dtend", local + timedelta(minutes=15))
        event.add("summary", f"Reminder: {reminder.text}"[:200])
        description = [reminder.text]
        if record is not None:
            description.append(_item_line(record))
        description += _clauses(record, codes, registry)
        event.add("description", "\n".join(description))
        event.add("categories", ["Compact", "reminder"])
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", reminder.text[:200])
        alarm.add("trigger", timedelta(0))
        event.add_component(alarm)
        cal.add_component(event)

    # The zone's rules only for the years the file spans keep VTIMEZONE short.
    last = max([today, *(r.due_at.date() for r in reminders)])
    cal.add_missing_timezones(date(today.year - 1, 1, 1), date(last.year + 2, 1, 1))
    ics: bytes = cal.to_ical()
    return CalendarFile(ics, len(deadlines), len(reminders), sum(d.late for d in deadlines))
