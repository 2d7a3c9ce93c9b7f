"""A chat's calendar feed: its secret token, its validators, and when it answers "not modified".

The address a calendar app subscribes to holds a token of 32 random bytes (URL-safe base64).
Only the token's SHA-256 is stored, so the database, its backups and replicas never hold an
address that works; a feed is found by that hash, so neither the lookup nor any comparison
sees the token, and what its timing could tell is a prefix of a hash, which says nothing
about the token.

The body is built the same way as ``/calendar``'s file, with the instant the chat's data last
changed as its DTSTAMP, so an unchanged chat gives the same bytes and the same ETag (a hash
of the body).  Last-Modified is the latest instant the data records (a log entry, a reminder
planned or sent) or the start of the chat's day (deadlines that have passed drop out at
midnight), whichever is later; a change the data does not date (a reminder snoozed or
stopped, a new time zone or title) still changes the body, and then the time it was first
served is used, so a client's If-Modified-Since never gets "not modified" for a body it has
not had.  Pure: the core reads and stores.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from storage.repository import CalendarChanges, ChatSettings, Reminder

TOKEN_BYTES = 32


def new_token() -> str:
    """A fresh secret for a feed's address (43 URL-safe characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What is stored of a token, and looked up by: its SHA-256, in hex.  Any string hashes
    (an address with a mangled token is looked up like any other, and found by none)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def body_etag(body: bytes) -> str:
    """The entity tag of a feed's body (without the quotes HTTP puts round it)."""
    return hashlib.sha256(body).hexdigest()[:32]


def fingerprint(
    settings: ChatSettings,
    changes: CalendarChanges,
    reminders: Sequence[Reminder],
    today: date,
) -> str:
    """Everything a chat's calendar is built from, but the log's contents (the log only ever
    grows, so its size and last id stand for it): an unchanged fingerprint means the same
    body, within one process (its code and Compacts do not change while it runs)."""
    parts = [
        repr(settings.title),
        settings.timezone,
        today.isoformat(),
        str(changes.entries),
        str(changes.last_entry),
        changes.at.isoformat() if changes.at else "",
        *(f"{r.id}|{r.item_id}|{r.key}|{r.due_at.isoformat()}|{r.text}" for r in reminders),
    ]
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Conditions:
    """What a request says it already has (RFC 9110 §13)."""

    etags: tuple[str, ...] | None = None
    """If-None-Match: the entity tags it holds (``*``: any), None when it sent none."""
    modified_since: datetime | None = None
    """If-Modified-Since, when it sent a valid one."""


def not_modified(conditions: Conditions, etag: str, modified: datetime | None) -> bool:
    """Whether the request already has this body: by its entity tags when it sends any
    (If-Modified-Since is then ignored), else by the date."""
    if conditions.etags is not None:
        return "*" in conditions.etags or etag in conditions.etags
    if conditions.modified_since is None or modified is None:
        return False
    return whole_seconds(modified) <= conditions.modified_since


def next_modified(
    previous: datetime | None,
    changed: datetime | None,
    day_start: datetime,
    now: datetime,
) -> datetime:
    """When a body unlike the one served before (``previous``: its Last-Modified) changed:
    the latest instant the data records, or the start of the chat's day; and if neither is
    later than ``previous``, now, the first time this body is served.  Always a whole second
    later than ``previous`` (HTTP dates have no fractions, and a client holding the old body
    must not be told it is up to date): for a second change within one second that is up to a
    second ahead of ``now``, so the header shows ``shown_modified`` until then."""
    latest = max(d for d in (changed, day_start) if d is not None)
    candidate = whole_seconds(min(latest, now))
    if previous is None or candidate > whole_seconds(previous):
        return candidate
    return max(whole_seconds(now), whole_seconds(previous) + timedelta(seconds=1))


def shown_modified(modified: datetime, now: datetime) -> datetime:
    """The Last-Modified header for a body changed at ``modified``: never later than the
    response itself (RFC 9110 §8.8.2.1)."""
    return min(modified, whole_seconds(now))


def whole_seconds(at: datetime) -> datetime:
    return at.replace(microsecond=0)


@dataclass(frozen=True)
class BuiltFeed:
    """A chat's feed body as last built in this process, and what it was built from."""

    fingerprint: str
    etag: str
    ics: bytes


class BuiltFeeds:
    """The feed bodies a process keeps, least recently asked for first, up to ``max_bytes``
    in all: a subscriber (or anyone who saw the address) asking again about a chat that has
    not changed is answered without building its calendar again."""

    def __init__(self, max_chats: int = 4096, max_bytes: int = 32 * 1024 * 1024) -> None:
        self._max_chats = max_chats
        self._max_bytes = max_bytes
        self._bytes = 0
        self._built: OrderedDict[int, BuiltFeed] = OrderedDict()

    def get(self, chat_id: int) -> BuiltFeed | None:
        built = self._built.get(chat_id)
        if built is not None:
            self._built.move_to_end(chat_id)
        return built

    def keep(self, chat_id: int, built: BuiltFeed) -> None:
        old = self._built.pop(chat_id, None)
        if old is not None:
            self._bytes -= len(old.ics)
        if len(built.ics) > self._max_bytes:
            return
        self._built[chat_id] = built
        self._bytes += len(built.ics)
        while len(self._built) > self._max_chats or self._bytes > self._max_bytes:
            _, dropped = self._built.popitem(last=False)
            self._bytes -= len(dropped.ics)

    def forget(self, chat_id: int) -> None:
        old = self._built.pop(chat_id, None)
        if old is not None:
            self._bytes -= len(old.ics)

    def __len__(self) -> int:
        return len(self._built)
