"""What the core's operations give back to the chat and the command line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.verdicts import CheckResult
from bot.records.compliance import ItemRecord
from bot.records.letters import Letter
from bot.records.log import RegisteredEvent


@dataclass
class Registered:
    """What registering an event produced."""

    item_id: int
    results: list[CheckResult]
    reminders_planned: int


@dataclass
class WrittenLetter:
    """A letter drafted for the group: its data, its text and its .docx."""

    letter: Letter
    text: str
    docx: bytes
    filename: str


@dataclass(frozen=True)
class FeedLink:
    """A chat's calendar feed address: ``token`` only when it was just made (afterwards only
    its hash is kept)."""

    token: str | None
    created_at: datetime
    created_by: int | None
    revoked: bool = False
    """Whether making it revoked an earlier address."""


@dataclass(frozen=True)
class ServedFeed:
    """What the feed answers: its validators, and its body (None: the client has it)."""

    etag: str
    modified: datetime
    """Last-Modified, as the header shows it."""
    ics: bytes | None


class FollowUpError(ValueError):
    """A follow-up that does not fit its item (wrong kind, date out of order): nothing stored."""


@dataclass
class FollowUp:
    """What recording a follow-up produced."""

    record: ItemRecord
    """The item as it stood before this follow-up (read once, to check the follow-up fits)."""
    results: list[CheckResult]
    reminders_planned: int
    closed: bool = False


@dataclass
class Changed:
    """What changing (or reopening) an item produced."""

    record: ItemRecord
    """The item as it stood before."""
    event: RegisteredEvent
    """The item as it stands now."""
    results: list[CheckResult]
    reminders_planned: int
