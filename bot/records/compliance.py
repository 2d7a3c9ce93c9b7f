"""The compliance log: what happened to each registered item, read back from the event log.

The event log is append-only, so nothing here rewrites history: an item's record is
rebuilt by replaying its events in order (registration, then follow-ups such as
notice given, feedback received, a complaint step, and finally done or cancelled).
The report and the calendar both read these records.  Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from storage.repository import Event

# Event kinds written by the core (bot/core.py); the fold below is their only reader.
REGISTERED = "registered:"
STATUS = "status:"
FEEDBACK = "update:feedback"
NOTICE = "update:notice"
CONSULTED = "update:consultation_start"
STEP = "update:step"

ITEM_KINDS = ("consultation", "funding", "complaint")
"""Items that a Compact speaks to (ad-hoc reminders are items too, but not evidence)."""


@dataclass(frozen=True)
class CompactView:
    """One Compact's latest verdict on an item, as logged."""

    code: str
    verdict: str
    deadlines: dict[str, date]
    citations: list[dict[str, str]]
    length_days: int | None = None


@dataclass
class ItemRecord:
    """Everything the log says about one registered item."""

    item_id: int
    kind: str
    title: str
    body: str | None
    """The public body concerned (the consultor, the funder, the body complained about)."""
    key_date: date
    """The date that places the item in a year: a consultation's opening, a funding
    change's last funded day, a complaint's raising."""
    registered_at: datetime
    event: dict[str, Any]
    compacts: dict[str, CompactView] = field(default_factory=dict)
    status: str = "open"
    outcome: str | None = None
    """For a closed complaint: 'resolved' or 'unresolved', when the group said so."""
    closed_at: datetime | None = None
    notice_given_on: date | None = None
    consultation_started_on: date | None = None
    """For a funding change: when the consultation on it started (Kent 2011 asks for one)."""
    feedback_on: date | None = None
    steps_done: dict[int, date] = field(default_factory=dict)
    event_ids: list[int] = field(default_factory=list)
    """The log entries this record was built from, for tracing any figure back."""

    @property
    def closes(self) -> date | None:
        raw = self.event.get("closes")
        return date.fromisoformat(raw) if raw else None


def _day(raw: object) -> date | None:
    return date.fromisoformat(raw) if isinstance(raw, str) and raw else None


def _views(results: Iterable[dict[str, Any]]) -> dict[str, CompactView]:
    views: dict[str, CompactView] = {}
    for r in results:
        deadlines = {k: d for k, v in (r.get("deadlines") or {}).items() if (d := _day(v))}
        views[r["compact"]] = CompactView(
            code=r["compact"],
            verdict=r["verdict"],
            deadlines=deadlines,
            citations=list(r.get("citations", [])),
            length_days=r.get("length_days"),
        )
    return views


def _new_record(event: Event) -> ItemRecord | None:
    kind = event.kind.removeprefix(REGISTERED)
    if kind not in ITEM_KINDS or event.item_id is None:
        return None
    ev: dict[str, Any] = event.payload.get("event", {})
    if kind == "consultation":
        key, body, title = ev.get("opens"), ev.get("body"), ev.get("title")
    elif kind == "funding":
        key, body, title = ev.get("last_funded_day"), ev.get("funder"), ev.get("title")
    else:
        key, body, title = ev.get("raised_on"), ev.get("body"), ev.get("summary")
    key_date = _day(key) or event.at.date()
    return ItemRecord(
        item_id=event.item_id,
        kind=kind,
        title=str(title or kind.capitalize()),
        body=body,
        key_date=key_date,
        registered_at=event.at,
        event=ev,
        compacts=_views(event.payload.get("results", [])),
        notice_given_on=_day(ev.get("notice_given_on")),
        consultation_started_on=_day(ev.get("consultation_started_on")),
        event_ids=[event.id],
    )


def compliance_log(events: Iterable[Event]) -> list[ItemRecord]:
    """Replay a chat's events (in log order) into one record per registered item."""
    records: dict[int, ItemRecord] = {}
    for event in events:
        if event.kind.startswith(REGISTERED):
            record = _new_record(event)
            if record is not None:
                records[record.item_id] = record
            continue
        record = records.get(event.item_id) if event.item_id is not None else None
        if record is None:
            continue
        record.event_ids.append(event.id)
        payload = event.payload
        if "results" in payload:
            # A follow-up re-checks the item: its verdicts supersede the registration's.
            record.compacts.update(_views(payload["results"]))
        if event.kind.startswith(STATUS):
            record.status = event.kind.removeprefix(STATUS)
            record.outcome = payload.get("outcome")
            record.closed_at = event.at
        elif event.kind == NOTICE:
            record.notice_given_on = _day(payload.get("given_on"))
        elif event.kind == CONSULTED:
            record.consultation_started_on = _day(payload.get("started_on"))
        elif event.kind == FEEDBACK:
            record.feedback_on = _day(payload.get("received_on"))
        elif event.kind == STEP:
            done = _day(payload.get("completed_on"))
            if done is not None:
                record.steps_done[int(payload["step"])] = done
    return sorted(records.values(), key=lambda r: (r.key_date, r.item_id))
