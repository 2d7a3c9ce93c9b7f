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
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar
from icalendar.timezone import tzp

from bot.domain.duty import qualifier_note
from bot.domain.events import FundingEnding
from bot.domain.plain_text import printable
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
FUNDING_ENDS = "funding_ends"
"""A funding change's last funded day: not a Compact deadline, but the day its notice and
consultation deadlines count back from."""
_LABELS = {FUNDING_ENDS: "The last funded day"}


@dataclass
class Deadline:
    """One all-day deadline of one item, shared by the Compacts that set the same day."""

    item: ItemRecord
    key: str
    day: date
    compacts: list[str] = field(default_factory=list)
    late: bool = False
    """A deadline to act by that has passed with nothing recorded for it."""

    @property
    def uid(self) -> str:
        return f"item-{self.item.item_id}-{self.key}-{self.day:%Y%m%d}@{UID_DOMAIN}"


def open_deadlines(records: Sequence[ItemRecord], today: date) -> list[Deadline]:
    """Every dated day of every open item, earliest first: from ``today`` on, and before it
    the deadlines to act by that passed with nothing recorded (late)."""
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
        if isinstance(record.event, FundingEnding) and (views or not record.compacts):
            codes = [*views] or [None]
            days += [(FUNDING_ENDS, record.event.last_funded_day, c) for c in codes]
        done = _met_deadlines(record)
        for c, view in views.items():
            days += [
                (k, d, c)
                for k, d in view.deadlines.items()
                if d is not None and k in _CALENDAR_DEADLINES and k not in done
            ]
        for key, day, code in days:
            late = day < today and key in _CALENDAR_DEADLINES
            if day < today and not late:
                continue
            deadline = found.setdefault(
                (record.item_id, key, day), Deadline(record, key, day, late=late)
            )
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
    dated = key not in ("closes", FUNDING_ENDS)  # the item's own days, not the Compact's
    note = qualifier_note(view.strength) if view is not None and dated else ""
    return f" ({note})" if note else ""


def deadline_text(d: Deadline, registry: CompactRegistry) -> tuple[str, list[str]]:
    """A deadline's summary and description lines (the reference build uses them too)."""
    names = ", ".join(registry.display_name(c) + _qualified(d.item, c, d.key) for c in d.compacts)
    label = _LABELS.get(d.key) or deadline_label(d.key)
    summary = f"{label}: {d.item.title}"
    description = [
        _item_line(d.item),
        f"{label}"
        + (f" under {names}" if names else "")
        + f": {d.day:%A} {d.day.day} {d.day:%B %Y}.",
    ]
    if d.late:
        summary = f"Late – {summary}"
        description.append("It has passed and nothing is recorded for it.")
    return summary, [
        *description,
        *_holiday_warnings(d.day, d.compacts, registry),
        *_clauses(d.item, d.compacts, registry),
    ]


def _item_line(record: ItemRecord) -> str:
    body = f" ({record.body})" if record.body else ""
    return f"Item #{record.item_id}, {record.kind}: {record.title}{body}"


@dataclass(frozen=True)
class CalendarFile:
    ics: bytes
    deadlines: int
    reminders: int
    late: int = 0
    """Of the deadlines, those passed with nothing recorded."""


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
    """The .ics bytes for a chat's open deadlines and its reminders still to come.

    Written line by line (``_Lines``), byte for byte what icalendar's component model gives
    for the same properties (its order, TEXT escaping and folding; ``tests/ics_reference.py``
    keeps that build as the reference), in a tenth of the time; icalendar still makes the
    VTIMEZONE and says how a zone's times are written."""
    out = _Lines()
    out.add("BEGIN", "VCALENDAR")
    out.text("VERSION", "2.0")
    out.text("PRODID", PRODID)
    out.text("CALSCALE", "GREGORIAN")
    out.text("METHOD", "PUBLISH")
    # icalendar knows no type for these two, so writes them as given (unescaped).
    out.verbatim("X-WR-CALNAME", printable(name))
    out.verbatim("X-WR-TIMEZONE", tz.key)
    zones_at = len(out.lines)
    utc_stamp = tzp.localize_utc(stamp)  # as icalendar stores a DTSTAMP

    deadlines = open_deadlines(records, today)
    for d in deadlines:
        summary, description = deadline_text(d, registry)
        # Properties in icalendar's order: its canonical ones first, then by name.
        out.add("BEGIN", "VEVENT")
        out.text("SUMMARY", summary)
        out.add("DTSTART;VALUE=DATE", _ical_date(d.day))
        out.add("DTEND;VALUE=DATE", _ical_date(d.day + timedelta(days=1)))
        out.time("DTSTAMP", utc_stamp)
        out.text("UID", d.uid)
        out.add("CATEGORIES", f"Compact,{_escape(d.item.kind)}")
        out.text("DESCRIPTION", "\n".join(description))
        out.add("TRANSP", "TRANSPARENT")
        out.add("END", "VEVENT")

    by_id = {r.item_id: r for r in records}
    for reminder in reminders:
        record = by_id.get(reminder.item_id) if reminder.item_id is not None else None
        code = reminder.key.split(":", 1)[0] if ":" in reminder.key else None
        codes = [code] if code else []
        local = reminder.due_at.astimezone(tz)
        description = [reminder.text]
        if record is not None:
            description.append(_item_line(record))
        description += _clauses(record, codes, registry)
        out.add("BEGIN", "VEVENT")
        out.text("SUMMARY", f"Reminder: {reminder.text}"[:200])
        out.time("DTSTART", local)
        out.time("DTEND", local + timedelta(minutes=15))
        out.time("DTSTAMP", utc_stamp)
        out.text("UID", f"reminder-{reminder.id}@{UID_DOMAIN}")
        out.add("CATEGORIES", "Compact,reminder")
        out.text("DESCRIPTION", "\n".join(description))
        out.add("BEGIN", "VALARM")
        out.add("ACTION", "DISPLAY")
        out.text("DESCRIPTION", reminder.text[:200])
        out.add("TRIGGER", "P0D")
        out.add("END", "VALARM")
        out.add("END", "VEVENT")
    out.add("END", "VCALENDAR")

    # The zone's rules only for the years the file spans keep VTIMEZONE short.
    last = max([today, *(r.due_at.date() for r in reminders)])
    first_day, last_day = date(today.year - 1, 1, 1), date(last.year + 2, 1, 1)
    zones = (_vtimezone(tzid, first_day, last_day) for tzid in out.tzids - {"UTC"})
    out.lines[zones_at:zones_at] = [z for z in zones if z is not None]
    ics = b"\r\n".join(out.lines) + b"\r\n"
    return CalendarFile(ics, len(deadlines), len(reminders), sum(d.late for d in deadlines))


def _escape(text: str) -> str:
    """RFC 5545 TEXT escaping, as icalendar's (``\\N`` read as a line break, any line ending
    as ``\\n``), without control characters (RFC 5545 allows none in TEXT)."""
    return (
        printable(text, lines=True)
        .replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> bytes:
    """A content line folded as icalendar folds it: at most 74 octets before each CRLF and
    space, never inside a character, and never right after a backslash or caret (an escape
    stays whole on the next line)."""
    raw = line.encode("utf-8")
    end = len(raw)
    if end < _FOLD_AT + 1:
        return raw
    parts = []
    start = 0
    while end - start > _FOLD_AT:
        cut = start + _FOLD_AT
        while raw[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: mid-character
            cut -= 1
        if raw[cut - 1] in _ESCAPES:
            cut -= 1
        parts.append(raw[start:cut])
        start = cut
    parts.append(raw[start:])
    return b"\r\n ".join(parts)


_FOLD_AT = 74
_ESCAPES = b"\\^"


def _ical_date(day: date) -> str:
    return f"{day.year:04}{day.month:02}{day.day:02}"


class _Lines:
    """Content lines, folded, and the TZIDs their times name."""

    def __init__(self) -> None:
        self.lines: list[bytes] = []
        self.tzids: set[str] = set()
        self._forms: dict[tuple[object, str | None, timedelta | None], tuple[str, str]] = {}

    def add(self, name: str, value: str) -> None:
        self.lines.append(_fold(f"{name}:{value}"))

    def text(self, name: str, value: str) -> None:
        self.add(name, _escape(value))

    def verbatim(self, name: str, value: str) -> None:
        if "\n" in value:
            raise ValueError(f"{name} cannot hold a line break: {value!r}")
        self.add(name, value)

    def time(self, name: str, at: datetime) -> None:
        """A date-time property (``DTSTART;TZID=Europe/London:20261201T090000``) as icalendar
        writes a time in ``at``'s zone (asked once per zone and offset)."""
        key = (at.tzinfo, at.tzname(), at.utcoffset())
        form = self._forms.get(key)
        if form is None:
            form = self._forms[key] = _datetime_form(at)
            tzid = _datetime_tzid(at)
            if tzid is not None:
                self.tzids.add(tzid)
        params, utc = form
        self.lines.append(
            _fold(
                f"{name}{params}{at.year:04}{at.month:02}{at.day:02}"
                f"T{at.hour:02}{at.minute:02}{at.second:02}{utc}"
            )
        )


def _datetime_form(at: datetime) -> tuple[str, str]:
    """How icalendar writes a time in ``at``'s zone: the parameters before the value, with the
    colon (``;TZID=Europe/London:``, or ``:``), and what follows it (``Z`` for UTC)."""
    line = str(icalendar.Event().content_line("DTSTART", icalendar.vDDDTypes(at)))
    value = icalendar.vDatetime(at).to_ical().decode("ascii")  # type: ignore[no-untyped-call]
    if not line.endswith(value):
        raise ValueError(f"unexpected icalendar form for {at!r}: {line!r}")
    return line[len("DTSTART") : len(line) - len(value)], "Z" if value.endswith("Z") else ""


def _datetime_tzid(at: datetime) -> str | None:
    tzid = icalendar.vDDDTypes(at).params.get("TZID")
    return None if tzid is None else str(tzid)


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, first: date, last: date) -> bytes | None:
    """The VTIMEZONE icalendar adds for ``tzid`` between two days (the same for every chat in
    the zone, so made once per process and span), without the final line break; None for a
    zone it does not know (and leaves out)."""
    try:
        zone = icalendar.Timezone.from_tzid(tzid, first_date=first, last_date=last)
    except ValueError:
        return None
    ical: bytes = zone.to_ical()
    return ical[: -len(b"\r\n")]
