"""The compliance log: what happened to each registered item, replayed from its log entries.

The log is append-only, so nothing here rewrites history: an item's record is rebuilt by
replaying its entries in order (registration, then follow-ups such as notice given,
feedback received, a complaint step, and finally done or cancelled).  The report and the
calendar both read these records.  Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.events import ComplaintRaised, ConsultationLaunched, FundingEnding
from bot.domain.verdicts import CheckResult
from bot.records.log import (
    ConsultationStarted,
    FeedbackReceived,
    ItemChanged,
    ItemClosed,
    ItemKind,
    ItemRegistered,
    ItemReopened,
    Logged,
    NoticeGiven,
    RegisteredEvent,
    StepCompleted,
    entry_kind,
)


@dataclass
class ItemRecord:
    """Everything the log says about one registered item."""

    item_id: int
    event: RegisteredEvent
    """The item as registered."""
    registered_at: datetime
    compacts: dict[str, CheckResult] = field(default_factory=dict)
    """Each Compact's latest verdict: a follow-up's re-check supersedes the registration's."""
    status: str = "open"
    outcome: str | None = None
    """For a closed complaint: 'resolved' or 'unresolved', when the group said so."""
    closed_at: datetime | None = None
    notice_given_on: date | None = None
    consultation_started_on: date | None = None
    """For a funding change: when the consultation on it started (Kent 2011 asks for one)."""
    feedback_on: date | None = None
    steps_done: dict[int, date] = field(default_factory=dict)
    entry_ids: list[int] = field(default_factory=list)
    """The log entries this record was built from, for tracing any figure back."""
    followed: list[str] = field(default_factory=list)
    """The Compacts the chat followed when the item was registered (its re-checks use them)."""

    @property
    def kind(self) -> ItemKind:
        return self.event.kind

    @property
    def title(self) -> str:
        if isinstance(self.event, ComplaintRaised):
            return self.event.summary
        return self.event.title

    @property
    def body(self) -> str | None:
        """The public body concerned (the consultor, the funder, the body complained about)."""
        if isinstance(self.event, FundingEnding):
            return self.event.funder
        return self.event.body

    @property
    def key_date(self) -> date:
        """The date that places the item in a year: a consultation's opening, a funding
        change's last funded day, a complaint's raising."""
        if isinstance(self.event, ConsultationLaunched):
            return self.event.opens
        if isinstance(self.event, FundingEnding):
            return self.event.last_funded_day
        return self.event.raised_on

    @property
    def closes(self) -> date | None:
        return self.event.closes if isinstance(self.event, ConsultationLaunched) else None


def open_item_ids(entries: Iterable[tuple[int | None, str]]) -> set[int]:
    """The items ``compliance_log`` would leave open, from each entry's item id and stored
    kind alone (``bot.records.log.entry_kind``), without decoding any entry: a registration
    or a reopening opens an item, a closing closes it.  May name an item the log never
    registered (it then has no record), never leaves out one it leaves open."""
    status: dict[int, bool] = {}
    for item_id, stored_kind in entries:
        if item_id is None:
            continue
        kind = entry_kind(stored_kind)
        if kind in ("item_registered", "item_reopened"):
            status[item_id] = True
        elif kind == "item_closed":
            status[item_id] = False
    return {item_id for item_id, is_open in status.items() if is_open}


def compliance_log(entries: Iterable[Logged]) -> list[ItemRecord]:
    """Replay a chat's log entries (in log order) into one record per registered item."""
    records: dict[int, ItemRecord] = {}
    for logged in entries:
        entry = logged.entry
        if isinstance(entry, ItemRegistered):
            if logged.item_id is None:
                continue
            funding = entry.event if isinstance(entry.event, FundingEnding) else None
            records[logged.item_id] = ItemRecord(
                item_id=logged.item_id,
                event=entry.event,
                registered_at=logged.at,
                compacts={r.compact: r for r in entry.results},
                notice_given_on=funding.notice_given_on if funding else None,
                consultation_started_on=funding.consultation_started_on if funding else None,
                entry_ids=[logged.id],
                # Entries written before the list was kept: the Compacts that gave a verdict.
                followed=entry.compacts or [r.compact for r in entry.results],
            )
            continue
        record = records.get(logged.item_id) if logged.item_id is not None else None
        if record is None:
            continue
        record.entry_ids.append(logged.id)
        if isinstance(entry, NoticeGiven | ConsultationStarted | StepCompleted | ItemChanged):
            record.compacts.update({r.compact: r for r in entry.results})
        if isinstance(entry, ItemChanged):
            record.event = entry.event
        elif isinstance(entry, ItemReopened):
            record.status, record.outcome, record.closed_at = "open", None, None
        elif isinstance(entry, ItemClosed):
            record.status = entry.status
            record.outcome = entry.outcome
            record.closed_at = logged.at
        elif isinstance(entry, NoticeGiven):
            record.notice_given_on = entry.given_on
        elif isinstance(entry, ConsultationStarted):
            record.consultation_started_on = entry.started_on
        elif isinstance(entry, FeedbackReceived):
            record.feedback_on = entry.received_on
        elif isinstance(entry, StepCompleted):
            record.steps_done[entry.step] = entry.completed_on
    return sorted(records.values(), key=lambda r: (r.key_date, r.item_id))
