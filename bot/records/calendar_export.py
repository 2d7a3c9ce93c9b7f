"""A chat's open deadlines and reminders as an iCalendar (.ics) file.

Deadlines are all-day events (a Compact deadline is a calendar day, not an hour);
reminders are timed events in the chat's time zone, with that zone's VTIMEZONE
included so calendar programs place them right.  UIDs are stable, so importing a
newer file updates events rather than duplicating them.  Pure: the core passes in
everything, the time stamp included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from bot.domain.duty import qualifier_note
from bot.domain.verdicts import deadline_label
from bot.domain.working_days import closed_day_reason
from bot.knowledge.registry import CompactRegistry
from bot.records.compliance import ItemRecord
from storage.repository import Reminder

PRODID = "-//compactbot//Compact deadlines//EN"
UID_DOMAIN = "compactbot"

# Deadlines the group acts on; a consultation's standard/minimum close are verdict inputs,
# not dates to diarise (its actual close is).  A reply date is not among them: no Compact sets
# one for complaints (an older log's "reply_by" came from a correspondence clause).
_CALENDAR_DEADLINES = ("notice_by", "consultation_start_by", "feedback_by")


@dataclass
class Deadline:
    """One all-day deadline of one item, shared by the Compacts that set the same day."""

    item: ItemRecord
    key: str
    day: date
    compacts: list[str] = field(default_factory=list)

    @property
    def uid(self) -> str:
        return f"item-{self.item.item_id}-{self.key}-{self.day:%Y%m%d}@{UID_DOMAIN}"


def open_deadlines(records: Sequence[ItemRecord], today: date) -> list[Deadline]:
    """Deadlines of open items from ``today`` on, earliest first."""
    found: dict[tuple[int, str, date], Deadline] = {}
    for record in records:
        if record.status != "open":
            continue
        days: list[tuple[str, date, str | None]] = []
        # A Compact that leaves the item out (a statutory consultation) gives it no dates.
        views = {c: v for c, v in record.compacts.items() if v.finding != "excluded"}
        if record.closes is not None and (views or not record.compacts):
            codes: list[str | None] = [*views] or [None]
            days += [("closes", record.closes, c) for c in codes]
        done = _met_deadlines(record)
        for c, view in views.items():
            days += [
                (k, d, c)
                for k, d in view.deadlines.items()
                if d is not None and k in _CALENDAR_DEADLINES and k not in done
            ]
        for key, day, code in days:
            if day < today:
                continue
            deadline = found.setdefault((record.item_id, key, day), Deadline(record, key, day))
            if code is not None and code not in deadline.compacts:
                deadline.compacts.append(code)
    return sorted(found.values(), key=lambda d: (d.day, d.item.item_id, d.key))


def _met_deadlines(record: ItemRecord) -> set[str]:
    """Deadlines already acted on: once notice is given, neither it nor the consultation
    that must precede it is still to do."""
    if record.kind != "funding":
        return set()
    if record.notice_given_on is not None:
        return {"notice_by", "consultation_start_by"}
    if record.consultation_started_on is not None:
        return {"consultation_start_by"}
    return set()


def _clauses(
    record: ItemRecord | None, codes: Sequence[str], registry: CompactRegistry
) -> list[str]:
    lines = []
    for code in codes:
        view = record.compacts.get(code) if record else None
        name = registry.compacts[code].title if code in registry.compacts else code
        for citation in (view.citations if view else [])[:2]:
            lines.append(f"{name}, {citation.section}: “{citation.quote}”")
    return lines


def _holiday_warnings(day: date, codes: Sequence[str], registry: CompactRegistry) -> list[str]:
    nations = dict.fromkeys(registry.get(c).nation for c in codes if c in registry.compacts)
    warnings = []
    for nation in nations or ["england"]:
        reason = closed_day_reason(day, nation)
        if reason:
            warnings.append(
                f"Note: {day.day} {day:%B %Y} is {reason}; offices may be shut "
                "(Compact periods count calendar days, so the date stands)."
            )
    return list(dict.fromkeys(warnings))


def _qualified(record: ItemRecord, code: str, key: str) -> str:
    """How firmly a Compact sets the date, when less than will/shall: " (“usually”: not a
    minimum)"."""
    view = record.compacts.get(code)
    note = qualifier_note(view.strength) if view is not None and key != "closes" else ""
    return f" ({note})" if note else ""


def _item_line(record: ItemRecord) -> str:
    body = f" ({record.body})" if record.body else ""
    return f"Item #{record.item_id}, {record.kind}: {record.title}{body}"


@dataclass(frozen=True)
class CalendarFile:
    ics: bytes
    deadlines: int
    reminders: int


def build_calendar(
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
        names = ", ".join(
            registry.display_name(c) + _qualified(d.item, c, d.key) for c in d.compacts
        )
        label = deadline_label(d.key)
        event = icalendar.Event()
        event.add("uid", d.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", d.day)
        event.add("dtend", d.day + timedelta(days=1))
        event.add("summary", f"{label}: {d.item.title}")
        description = [
            _item_line(d.item),
            f"{label}"
            + (f" under {names}" if names else "")
            + f": {d.day:%A} {d.day.day} {d.day:%B %Y}.",
            *_holiday_warnings(d.day, d.compacts, registry),
            *_clauses(d.item, d.compacts, registry),
        ]
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
    return CalendarFile(ics, len(deadlines), len(reminders))
