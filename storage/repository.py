"""Durable storage for compactbot: the repository every part of the bot reads and writes.

All SQL of the project lives in ``storage/``: this module's statements (written once for both
databases, with ``?`` placeholders), ``dialects.py`` (the words SQLite and PostgreSQL say
differently), ``migrations.py`` (the schema, both dialects side by side) and the two backends,
``sqlite.py`` (one file, the embedded default) and ``postgres.py`` (a server, several workers).
Instants are stored as integer microseconds since the Unix epoch (UTC), so they sort
numerically and compare exactly.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from bot.clock import Clock, SystemClock
from storage.dialects import LOCK_CHAT_TURN, LOCK_CHAT_UNIT, LOCK_WORKER, Dialect, lock_key
from storage.migrations import MIGRATIONS, SCHEMA_VERSION, Migration

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Database",
    "DatabaseUnavailable",
    "Migration",
    "NewReminder",
    "Reader",
    "Reminder",
    "Turn",
    "TurnLost",
    "Tx",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)

# Seconds past its planned time after which a delivered reminder counts as late.
LATE_GRACE_SECONDS = 60.0

ITEM_STATUSES = ("open", "done", "cancelled")

# Reminder lifecycle: pending -> sending (claimed, with a lease) -> sent; sending -> pending
# (retry, or the lease ran out: its owner died);
# pending/sending -> held (chat paused) -> pending (resumed); -> cancelled | undeliverable.
REMINDER_STATUSES = ("pending", "sending", "sent", "held", "cancelled", "undeliverable")


def to_db(at: datetime) -> int:
    """Aware datetime -> integer microseconds since the epoch (exact, sortable)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime not allowed: {at!r}")
    return (at - EPOCH) // _MICRO


def from_db(value: int) -> datetime:
    """Integer microseconds since the epoch -> aware UTC datetime."""
    return EPOCH + timedelta(microseconds=value)


def _opt_from_db(value: int | None) -> datetime | None:
    return None if value is None else from_db(value)


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """A chat's configuration."""

    chat_id: int
    compacts: list[str] = field(default_factory=list)
    timezone: str = "Europe/London"
    paused: bool = False
    paused_reason: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Officer:
    """A person a chat has named as responsible for its Compact business."""

    chat_id: int
    user_id: int
    name: str
    added_at: datetime


@dataclass(frozen=True, slots=True)
class Item:
    """Something a group registered: a consultation, funding change, complaint or reminder."""

    id: int
    chat_id: int
    kind: str
    title: str
    data: dict[str, Any]
    status: str
    registered_by: int | None
    registered_at: datetime


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """One entry of a chat's append-only log, as stored (``bot.records.log`` types it)."""

    id: int
    chat_id: int
    item_id: int | None
    kind: str
    actor: int | None
    payload: dict[str, Any]
    at: datetime


@dataclass(frozen=True, slots=True)
class CalendarFeed:
    """A chat's calendar feed: the SHA-256 of its secret token (the token itself is never
    stored), who made it, and the ETag and Last-Modified it last served."""

    chat_id: int
    token_hash: str
    created_by: int | None
    created_at: datetime
    etag: str | None
    modified_at: datetime | None


@dataclass(frozen=True, slots=True)
class CalendarChanges:
    """What says whether a chat's calendar may have changed: its log (append-only, so its
    size and last id change with every entry) and the latest instant its log or reminders
    record (an entry, a reminder planned or sent)."""

    entries: int
    last_entry: int | None
    at: datetime | None


@dataclass(frozen=True, slots=True)
class StoredDraft:
    """A registration someone is putting together (its state is the conversation's JSON)."""

    chat_id: int
    user_id: int
    state: dict[str, Any]
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class NewReminder:
    """A reminder to plan; (chat, item, key) identifies it so planning twice is harmless."""

    chat_id: int
    item_id: int | None
    due_at: datetime
    text: str
    key: str


@dataclass(frozen=True, slots=True)
class Reminder:
    """A stored reminder. ``planned_at`` is when it was meant to fire; ``due_at`` is the next
    attempt (moved by retries)."""

    id: int
    chat_id: int
    item_id: int | None
    key: str
    text: str
    due_at: datetime
    planned_at: datetime
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    late: bool


_REMINDER_COLS = (
    "id, chat_id, item_id, key, text, due_at, planned_at, status, attempts, last_error,"
    " sent_at, late"
)


def _reminder(row: Sequence[Any]) -> Reminder:
    return Reminder(
        id=row[0],
        chat_id=row[1],
        item_id=row[2],
        key=row[3],
        text=row[4],
        due_at=from_db(row[5]),
        planned_at=from_db(row[6]),
        status=row[7],
        attempts=row[8],
        last_error=row[9],
        sent_at=_opt_from_db(row[10]),
        late=bool(row[11]),
    )


def _entry(row: Sequence[Any]) -> StoredEntry:
    return StoredEntry(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), from_db(row[6]))


_ITEM_COLS = "id, chat_id, kind, title, data, status, registered_by, registered_at"


def _item(row: Sequence[Any]) -> Item:
    return Item(
        id=row[0],
        chat_id=row[1],
        kind=row[2],
        title=row[3],
        data=json.loads(row[4]),
        status=row[5],
        registered_by=row[6],
        registered_at=from_db(row[7]),
    )


_FEED_COLS = "chat_id, token_hash, created_by, created_at, etag, modified_at"


def _feed(row: Sequence[Any]) -> CalendarFeed:
    return CalendarFeed(
        chat_id=row[0],
        token_hash=row[1],
        created_by=row[2],
        created_at=from_db(row[3]),
        etag=row[4],
        modified_at=_opt_from_db(row[5]),
    )


# Rows per multi-row INSERT: 8 parameters each stays under SQLite's 32766 variable limit.
_INSERT_CHUNK = 4000


class DatabaseUnavailable(Exception):
    """The database cannot be opened, migrated or written; the message says which and why."""


class TurnLost(Exception):
    """This worker's turn on a chat (``Database.chat_turn``) went with its lock connection:
    another worker may be handling the chat's updates now.  The unit of work that found it
    out is rolled back; the update is left in the inbox for whoever holds the turn."""


@dataclass
class Turn:
    """A worker's turn on a chat: the lock ``chat_turn`` took, and on which connection."""

    chat_id: int
    key: int
    generation: int
    pid: int
    lost: bool = False
    """Set once a unit of work found the turn gone (see ``TurnLost``)."""
    active: bool = True
    """False once the turn has ended (a task started in it may outlive it)."""


_TURN: ContextVar[Turn | None] = ContextVar("compactbot_chat_turn", default=None)

_TURN_HELD = (
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    f" AND classid = {LOCK_CHAT_TURN} AND objid = ? AND objsubid = 2 AND granted AND pid = ?)"
)


class IntegrityError(Exception):
    """A write broke a rule of the schema (a foreign key, a unique key, the append-only log)."""


FaultHook = Callable[[str], None]
"""Called with each write statement inside a transaction, before it runs; raising aborts
the transaction. Only tests set one (``Database.faults``), to prove units are atomic."""


class Session(Protocol):
    """Statements inside one transaction (a backend's)."""

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int: ...

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...


class Reader:
    """Every read of the database. ``Database`` reads on its own; a ``Tx`` reads inside its
    transaction (so a unit of work sees its own writes)."""

    _d: Dialect
    _clock: Clock

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        raise NotImplementedError

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = await self._all(sql, params)
        return rows[0] if rows else None

    # ---------------------------------------------------------------- chats

    async def chat_settings(self, chat_id: int) -> ChatSettings:
        """Settings of a chat; defaults for a chat never seen."""
        row = await self._one(
            "SELECT timezone, paused, paused_reason, title FROM chats WHERE chat_id = ?",
            (chat_id,),
        )
        if row is None:
            return ChatSettings(chat_id=chat_id)
        codes = await self._all(
            "SELECT code FROM chat_compacts WHERE chat_id = ? ORDER BY position", (chat_id,)
        )
        return ChatSettings(
            chat_id=chat_id,
            compacts=[r[0] for r in codes],
            timezone=row[0],
            paused=bool(row[1]),
            paused_reason=row[2],
            title=row[3],
        )

    async def officers(self, chat_id: int) -> list[Officer]:
        """The chat's officers, oldest first."""
        rows = await self._all(
            "SELECT chat_id, user_id, name, added_at FROM officers WHERE chat_id = ?"
            " ORDER BY added_at, user_id",
            (chat_id,),
        )
        return [Officer(r[0], r[1], r[2], from_db(r[3])) for r in rows]

    # ---------------------------------------------------------------- items

    async def item(self, chat_id: int, item_id: int) -> Item | None:
        """One item, only if it belongs to the chat."""
        row = await self._one(
            f"SELECT {_ITEM_COLS} FROM items WHERE id = ? AND chat_id = ?", (item_id, chat_id)
        )
        return None if row is None else _item(row)

    async def open_items(self, chat_id: int) -> list[Item]:
        """The chat's open items, oldest first; a one-off reminder only while it is still to
        come (once it went out, there is nothing left to do about it)."""
        rows = await self._all(
            f"SELECT {_ITEM_COLS} FROM items WHERE chat_id = ? AND status = 'open'"
            " AND (kind != 'reminder' OR EXISTS (SELECT 1 FROM reminders r"
            " WHERE r.item_id = items.id AND r.status IN ('pending', 'held', 'sending')))"
            " ORDER BY registered_at, id",
            (chat_id,),
        )
        return [_item(r) for r in rows]

    # ---------------------------------------------------------------- the log

    async def log(self, chat_id: int, since: datetime | None = None) -> list[StoredEntry]:
        """The chat's log in order, optionally only entries at or after ``since``."""
        rows = await self._all(
            "SELECT id, chat_id, item_id, kind, actor, payload, at FROM log_entries"
            " WHERE chat_id = ? AND at >= ? ORDER BY at, id",
            (chat_id, to_db(since) if since is not None else -(2**62)),
        )
        return [_entry(r) for r in rows]

    async def item_log(self, chat_id: int, item_id: int) -> list[StoredEntry]:
        """One item's log entries in order (empty if the item is not the chat's)."""
        rows = await self._all(
            "SELECT id, chat_id, item_id, kind, actor, payload, at FROM log_entries"
            " WHERE chat_id = ? AND item_id = ? ORDER BY at, id",
            (chat_id, item_id),
        )
        return [_entry(r) for r in rows]

    async def clause_texts(self, refs: Iterable[str]) -> dict[str, str]:
        """The stored citations of clause references (see ``bot.records.log.clause_ref``)."""
        rows = await self._all(
            f"SELECT ref, text FROM clauses WHERE ref{self._d.in_list}",
            (self._d.texts(sorted(set(refs))),),
        )
        return {r[0]: r[1] for r in rows}

    async def compacts_of_person(self, user_id: int) -> list[str]:
        """The Compacts the chats a person is part of follow, as far as the bot knows it:
        their private chat with the bot (its id is theirs), and the groups where they are
        an officer, have a registration under way, or did anything that was logged; the
        private chat's first, each code once."""
        rows = await self._all(
            "SELECT code FROM chat_compacts WHERE chat_id IN ("
            " SELECT CAST(? AS BIGINT)"
            " UNION SELECT chat_id FROM officers WHERE user_id = ?"
            " UNION SELECT chat_id FROM drafts WHERE user_id = ?"
            " UNION SELECT chat_id FROM log_entries WHERE actor = ?)"
            " ORDER BY CASE WHEN chat_id = ? THEN 0 ELSE 1 END, chat_id, position",
            (user_id, user_id, user_id, user_id, user_id),
        )
        return list(dict.fromkeys(r[0] for r in rows))

    # ---------------------------------------------------------------- calendar feeds

    async def calendar_feed(self, token_hash: str) -> CalendarFeed | None:
        """The feed whose token hashes to ``token_hash`` (None: unknown, or revoked)."""
        row = await self._one(
            f"SELECT {_FEED_COLS} FROM calendar_feeds WHERE token_hash = ?", (token_hash,)
        )
        return None if row is None else _feed(row)

    async def calendar_feed_of(self, chat_id: int) -> CalendarFeed | None:
        """The chat's feed, if it has one."""
        row = await self._one(
            f"SELECT {_FEED_COLS} FROM calendar_feeds WHERE chat_id = ?", (chat_id,)
        )
        return None if row is None else _feed(row)

    async def calendar_changes(self, chat_id: int) -> CalendarChanges:
        """See ``CalendarChanges``: read before the calendar itself, so a write in between
        can only make the calendar newer than what this says, never older."""
        row = await self._one(
            "SELECT (SELECT count(*) FROM log_entries WHERE chat_id = ?),"
            " (SELECT max(id) FROM log_entries WHERE chat_id = ?),"
            " (SELECT max(at) FROM log_entries WHERE chat_id = ?),"
            " (SELECT max(created_at) FROM reminders WHERE chat_id = ?),"
            " (SELECT max(sent_at) FROM reminders WHERE chat_id = ?)",
            (chat_id,) * 5,
        )
        stamps = [v for v in row[2:] if v is not None]
        return CalendarChanges(int(row[0]), row[1], from_db(max(stamps)) if stamps else None)

    # ---------------------------------------------------------------- drafts

    async def drafts(self, since: datetime) -> list[StoredDraft]:
        """Drafts touched at or after ``since`` (older ones are abandoned)."""
        rows = await self._all(
            "SELECT chat_id, user_id, state, updated_at FROM drafts WHERE updated_at >= ?",
            (to_db(since),),
        )
        return [StoredDraft(r[0], r[1], json.loads(r[2]), from_db(r[3])) for r in rows]

    # ---------------------------------------------------------------- reminders

    async def reminder(self, chat_id: int, reminder_id: int) -> Reminder | None:
        """One reminder, only if it belongs to the chat."""
        row = await self._one(
            f"SELECT {_REMINDER_COLS} FROM reminders WHERE id = ? AND chat_id = ?",
            (reminder_id, chat_id),
        )
        return None if row is None else _reminder(row)

    async def next_due_at(self) -> datetime | None:
        """When the scheduler next has work: the earliest pending reminder, or the earliest
        lease to expire (paused chats' reminders are 'held', so not counted)."""
        row = await self._one(
            "SELECT min(t) FROM (SELECT min(due_at) AS t FROM reminders WHERE status = 'pending'"
            " UNION ALL SELECT min(lease_until) FROM reminders WHERE status = 'sending') AS n"
        )
        return None if row is None or row[0] is None else from_db(row[0])

    async def oldest_due(self, now: datetime) -> datetime | None:
        """The due time of the oldest reminder that is due and not yet claimed (``/healthz``
        reports how far behind that is)."""
        row = await self._one(
            "SELECT min(due_at) FROM reminders WHERE status = 'pending' AND due_at <= ?",
            (to_db(now),),
        )
        return None if row is None or row[0] is None else from_db(row[0])

    async def pending_reminders(self, chat_id: int) -> list[Reminder]:
        """The chat's reminders still to be delivered (pending, held or in flight), by due time."""
        rows = await self._all(
            f"SELECT {_REMINDER_COLS} FROM reminders WHERE chat_id = ?"
            " AND status IN ('pending', 'held', 'sending') ORDER BY due_at, id",
            (chat_id,),
        )
        return [_reminder(r) for r in rows]

    async def count_reminders(self, status: str | None = None) -> int:
        """Number of reminders (optionally in one status), across all chats."""
        if status is None:
            row = await self._one("SELECT count(*) FROM reminders")
        else:
            row = await self._one("SELECT count(*) FROM reminders WHERE status = ?", (status,))
        return int(row[0])

    # ---------------------------------------------------------------- inbox

    async def pending_updates(
        self, received_before: datetime | None = None
    ) -> list[tuple[int, str]]:
        """Updates stored but not yet handled (a crash came in between), oldest first; only
        those received before ``received_before``, if given."""
        rows = await self._all(
            "SELECT update_id, payload FROM inbox WHERE done_at IS NULL AND received_at < ?"
            " ORDER BY update_id",
            (to_db(received_before) if received_before is not None else 2**62,),
        )
        return [(r[0], r[1]) for r in rows]

    async def pending_updates_of(self, chat_id: int, before: int) -> list[tuple[int, str]]:
        """The chat's stored updates not yet handled that came before update ``before``."""
        rows = await self._all(
            "SELECT update_id, payload FROM inbox WHERE chat_id = ? AND done_at IS NULL"
            " AND update_id < ? ORDER BY update_id",
            (chat_id, before),
        )
        return [(r[0], r[1]) for r in rows]

    async def update_handled(self, update_id: int) -> bool:
        """Whether a stored update was handled (by this worker or another)."""
        row = await self._one("SELECT done_at FROM inbox WHERE update_id = ?", (update_id,))
        return row is not None and row[0] is not None

    async def table_names(self) -> list[str]:
        """All user tables (for audits such as forget_chat's)."""
        return [r[0] for r in await self._all(self._d.table_names)]

    # ---------------------------------------------------------------- workers

    async def send_hold(self, key: str) -> int:
        """Until when (microseconds) sends under ``key`` are held after a retry_after."""
        row = await self._one("SELECT hold_until FROM send_slots WHERE key = ?", (key,))
        return 0 if row is None else int(row[0])

    async def workers(self) -> list[str]:
        """Workers that registered and have not been forgotten (see ``prune_workers``)."""
        return [r[0] for r in await self._all("SELECT owner FROM workers ORDER BY owner")]


class Tx(Reader):
    """One unit of work: every write of the database, inside one transaction.

    Get one from ``Database.transaction()``; it commits when the block ends and rolls back
    if anything in it raises, so a unit of work is stored whole or not at all.
    """

    def __init__(self, db: Database, session: Session) -> None:
        self._db = db
        self._s = session
        self._d = db._d
        self._clock = db._clock
        self.reminders_changed = False
        """Set by writes that may change when the scheduler next has work."""

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return await self._s.fetch(sql, params)

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """A write; returns how many rows it changed."""
        if self._db.faults is not None:
            self._db.faults(sql)
        return await self._s.execute(sql, params)

    async def _returning(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """A write with RETURNING; returns its rows."""
        if self._db.faults is not None:
            self._db.faults(sql)
        return await self._s.fetch(sql, params)

    async def _run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            if self._db.faults is not None:
                self._db.faults(sql)
            await self._s.executemany(sql, rows)

    def _now(self) -> int:
        return to_db(self._clock.now())

    async def lock_chat(self, *chat_ids: int) -> None:
        """Take the chats for the rest of this unit: no other unit on them interleaves with it
        (PostgreSQL: an advisory lock per chat until commit; SQLite's write transaction
        already excludes every other)."""
        if self._d.postgres:
            keys = sorted({lock_key(c) for c in chat_ids})
            for key in keys:
                await self._s.fetch(f"SELECT pg_advisory_xact_lock({LOCK_CHAT_UNIT}, ?)", (key,))
            turn = _TURN.get()
            if turn is not None and turn.active and turn.key in keys:
                await self._still_our_turn(turn)

    async def _still_our_turn(self, turn: Turn) -> None:
        """In the chat's turn, check that the turn is still ours before the unit acts: the
        lock connection may have died (and the server dropped the turn with it) without this
        process knowing yet.  Checked on the server, after the unit's own lock on the chat:
        a worker that took the turn since cannot have a unit of the chat in between, since
        its units wait for this one's lock; if the turn is gone, nothing is done."""
        locks = self._db._locks()
        held = (
            locks is not None
            and locks.generation == turn.generation
            and bool((await self._s.fetch(_TURN_HELD, (turn.key, turn.pid)))[0][0])
        )
        if not held:
            turn.lost = True
            raise TurnLost(f"the turn on chat {turn.chat_id} was lost with the lock connection")

    # ---------------------------------------------------------------- chats

    async def _ensure_chats(self, chat_ids: Iterable[int]) -> None:
        now = self._now()
        await self._run_many(
            "INSERT INTO chats (chat_id, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(c, now) for c in sorted(set(chat_ids))],
        )

    async def ensure_chat(self, chat_id: int, title: str | None) -> None:
        """Create the chat if new; refresh its title when one is given."""
        await self._run(
            "INSERT INTO chats (chat_id, title, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET title = coalesce(excluded.title, chats.title)",
            (chat_id, title, self._now()),
        )

    async def set_compacts(self, chat_id: int, codes: list[str]) -> None:
        """Replace the chat's Compacts (order kept, duplicates dropped)."""
        unique = list(dict.fromkeys(codes))
        await self._ensure_chats([chat_id])
        await self._run("DELETE FROM chat_compacts WHERE chat_id = ?", (chat_id,))
        await self._run_many(
            "INSERT INTO chat_compacts (chat_id, position, code) VALUES (?, ?, ?)",
            [(chat_id, i, code) for i, code in enumerate(unique)],
        )

    async def set_timezone(self, chat_id: int, tz: str) -> None:
        """Set the chat's IANA timezone name (validated by the caller)."""
        await self._ensure_chats([chat_id])
        await self._run("UPDATE chats SET timezone = ? WHERE chat_id = ?", (tz, chat_id))

    async def add_officer(self, chat_id: int, user_id: int, name: str) -> None:
        """Add (or rename) an officer of the chat."""
        await self._ensure_chats([chat_id])
        await self._run(
            "INSERT INTO officers (chat_id, user_id, name, added_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (chat_id, user_id) DO UPDATE SET name = excluded.name",
            (chat_id, user_id, name, self._now()),
        )

    async def remove_officer(self, chat_id: int, user_id: int) -> bool:
        """Remove an officer; False if they were not one."""
        count = await self._run(
            "DELETE FROM officers WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
        )
        return count > 0

    async def pause_chat(self, chat_id: int, reason: str) -> int:
        """Stop delivering to a chat (e.g. bot blocked); returns reminders put on hold."""
        await self.lock_chat(chat_id)
        await self._ensure_chats([chat_id])
        await self._run(
            "UPDATE chats SET paused = 1, paused_reason = ? WHERE chat_id = ?", (reason, chat_id)
        )
        count = await self._run(
            "UPDATE reminders SET status = 'held', claimed_by = NULL, lease_until = NULL"
            " WHERE chat_id = ? AND status IN ('pending', 'sending')",
            (chat_id,),
        )
        self.reminders_changed = True
        return count

    async def resume_chat(self, chat_id: int) -> int:
        """Deliver to the chat again; returns reminders released from hold."""
        await self.lock_chat(chat_id)
        await self._run(
            "UPDATE chats SET paused = 0, paused_reason = NULL WHERE chat_id = ?", (chat_id,)
        )
        count = await self._run(
            "UPDATE reminders SET status = 'pending' WHERE chat_id = ? AND status = 'held'",
            (chat_id,),
        )
        self.reminders_changed = True
        return count

    async def forget_chat(self, chat_id: int) -> None:
        """Delete everything stored about a chat."""
        await self.lock_chat(chat_id)
        # Children before parents so foreign keys hold at every step.
        for table in _CHAT_TABLES:
            await self._run(f"DELETE FROM {table} WHERE chat_id = ?", (chat_id,))
        await self._run("DELETE FROM confirmations WHERE chat_id = ?", (chat_id,))
        # Handled updates keep no payload (``update_done``); one still being handled keeps
        # it until then (it is the /forget itself, or comes after it).
        self.reminders_changed = True

    async def move_chat(self, old: int, new: int) -> bool:
        """Move everything of chat ``old`` to ``new`` (a group upgraded to a supergroup).

        False, changing nothing, when ``old`` is unknown or ``new`` already has a history."""
        await self.lock_chat(old, new)
        if await self._one("SELECT 1 FROM chats WHERE chat_id = ?", (old,)) is None:
            return False
        for table in ("items", "log_entries", "drafts", "officers"):
            if await self._one(f"SELECT 1 FROM {table} WHERE chat_id = ? LIMIT 1", (new,)):
                return False
        # A feed made in the new chat before the move gives way to the old chat's; kept if
        # the old chat has none (parked on the old chat, it moves back with everything).
        await self._run(
            "DELETE FROM calendar_feeds WHERE chat_id = ?"
            " AND EXISTS (SELECT 1 FROM calendar_feeds WHERE chat_id = ?)",
            (new, old),
        )
        await self._run("UPDATE calendar_feeds SET chat_id = ? WHERE chat_id = ?", (old, new))
        await self._run("DELETE FROM chat_compacts WHERE chat_id = ?", (new,))
        await self._run("DELETE FROM chats WHERE chat_id = ?", (new,))
        await self._run(
            "INSERT INTO chats (chat_id, title, timezone, created_at, paused, paused_reason)"
            " SELECT CAST(? AS BIGINT), title, timezone, created_at, 0, NULL FROM chats"
            " WHERE chat_id = ?",
            (new, old),
        )
        # Parents first (the new chat row exists), then every child, then the old row.
        for table in reversed(_CHAT_TABLES[:-1]):
            await self._run(f"UPDATE {table} SET chat_id = ? WHERE chat_id = ?", (new, old))
        await self._run(
            "UPDATE reminders SET status = 'pending', claimed_by = NULL, lease_until = NULL"
            " WHERE chat_id = ? AND status IN ('held', 'sending')",
            (new,),
        )
        await self._run("DELETE FROM chats WHERE chat_id = ?", (old,))
        await self._run("DELETE FROM confirmations WHERE chat_id = ?", (old,))
        self.reminders_changed = True
        return True

    # ---------------------------------------------------------------- confirmations

    async def ask_confirmation(self, chat_id: int, what: str, token: str, until: datetime) -> None:
        """Keep the token of a question (``what``) the chat is to confirm with a button until
        ``until``; it replaces any earlier one. Expired ones of every chat go."""
        await self._run("DELETE FROM confirmations WHERE expires_at < ?", (self._now(),))
        await self._run(
            "INSERT INTO confirmations (chat_id, what, token, expires_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (chat_id, what) DO UPDATE SET token = excluded.token,"
            " expires_at = excluded.expires_at",
            (chat_id, what, token, to_db(until)),
        )

    async def take_confirmation(self, chat_id: int, what: str, token: str) -> bool:
        """Use up the chat's question ``what`` if ``token`` is its token and it has not
        expired; False (changing nothing) otherwise. Only one press can take it."""
        count = await self._run(
            "DELETE FROM confirmations WHERE chat_id = ? AND what = ? AND token = ?"
            " AND expires_at >= ?",
            (chat_id, what, token, self._now()),
        )
        return count > 0

    # ---------------------------------------------------------------- items

    async def add_item(
        self,
        chat_id: int,
        kind: str,
        title: str,
        data: dict[str, Any],
        registered_by: int | None,
        at: datetime,
    ) -> int:
        """Register an item; returns its id."""
        await self._ensure_chats([chat_id])
        [row] = await self._returning(
            "INSERT INTO items (chat_id, kind, title, data, registered_by, registered_at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (chat_id, kind, title, _json(data), registered_by, to_db(at)),
        )
        return int(row[0])

    async def set_item_status(self, chat_id: int, item_id: int, status: str, at: datetime) -> bool:
        """Change an item's status; done/cancelled also cancels its unsent reminders."""
        if status not in ITEM_STATUSES:
            raise ValueError(f"unknown item status {status!r}")
        count = await self._run(
            "UPDATE items SET status = ?, status_at = ? WHERE id = ? AND chat_id = ?",
            (status, to_db(at), item_id, chat_id),
        )
        if count == 0:
            return False
        if status != "open":
            await self.cancel_reminders(chat_id, item_id)
        return True

    async def rename_item(self, chat_id: int, item_id: int, title: str) -> None:
        await self._run(
            "UPDATE items SET title = ? WHERE id = ? AND chat_id = ?", (title, item_id, chat_id)
        )

    # ---------------------------------------------------------------- the log

    async def append_log(
        self,
        chat_id: int,
        item_id: int | None,
        kind: str,
        actor: int | None,
        payload: dict[str, Any],
        at: datetime,
        clauses: Mapping[str, str] | None = None,
    ) -> int:
        """Append a log entry (and the clause texts it refers to, if new); returns its id."""
        await self._ensure_chats([chat_id])
        if clauses:
            await self._run_many(
                "INSERT INTO clauses (ref, text) VALUES (?, ?) ON CONFLICT DO NOTHING",
                sorted(clauses.items()),
            )
        [row] = await self._returning(
            "INSERT INTO log_entries (chat_id, item_id, kind, actor, payload, at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (chat_id, item_id, kind, actor, _json(payload), to_db(at)),
        )
        return int(row[0])

    # ---------------------------------------------------------------- calendar feeds

    async def add_calendar_feed(
        self, chat_id: int, token_hash: str, created_by: int | None, at: datetime
    ) -> bool:
        """Give the chat a feed; False, changing nothing, if it has one already."""
        await self._ensure_chats([chat_id])
        count = await self._run(
            "INSERT INTO calendar_feeds (chat_id, token_hash, created_by, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (chat_id) DO NOTHING",
            (chat_id, token_hash, created_by, to_db(at)),
        )
        return count > 0

    async def replace_calendar_feed(
        self, chat_id: int, token_hash: str, created_by: int | None, at: datetime
    ) -> bool:
        """Revoke the chat's feed (if any) and give it a new one; True if one was revoked."""
        revoked = await self._run("DELETE FROM calendar_feeds WHERE chat_id = ?", (chat_id,))
        await self.add_calendar_feed(chat_id, token_hash, created_by, at)
        return revoked > 0

    async def calendar_feed_served(self, token_hash: str, etag: str, modified_at: datetime) -> None:
        """The feed now serves a body with ``etag``, changed at ``modified_at`` (a feed
        revoked meanwhile stays revoked)."""
        await self._run(
            "UPDATE calendar_feeds SET etag = ?, modified_at = ? WHERE token_hash = ?",
            (etag, to_db(modified_at), token_hash),
        )

    # ---------------------------------------------------------------- drafts

    async def save_draft(
        self, chat_id: int, user_id: int, state: dict[str, Any], at: datetime
    ) -> None:
        """Store (or replace) a user's unfinished registration in a chat."""
        await self._ensure_chats([chat_id])
        await self._run(
            "INSERT INTO drafts (chat_id, user_id, state, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (chat_id, user_id) DO UPDATE"
            " SET state = excluded.state, updated_at = excluded.updated_at",
            (chat_id, user_id, _json(state), to_db(at)),
        )

    async def delete_draft(self, chat_id: int, user_id: int) -> None:
        await self._run("DELETE FROM drafts WHERE chat_id = ? AND user_id = ?", (chat_id, user_id))

    async def expire_drafts(self, before: datetime) -> int:
        """Drop drafts untouched since ``before`` (abandoned)."""
        return await self._run("DELETE FROM drafts WHERE updated_at < ?", (to_db(before),))

    # ---------------------------------------------------------------- reminders

    async def add_reminders(self, reminders: Sequence[NewReminder]) -> list[int]:
        """Plan reminders; returns their ids in input order. A reminder already planned with the
        same (chat, item, key) is left as it is and its existing id returned."""
        if not reminders:
            return []
        now = self._now()
        ids: dict[tuple[int, int, str], int] = {}
        await self._ensure_chats(r.chat_id for r in reminders)
        rows = await self._all(
            f"SELECT chat_id FROM chats WHERE paused = 1 AND chat_id{self._d.in_list}",
            (self._d.ids({r.chat_id for r in reminders}),),
        )
        paused = {row[0] for row in rows}
        planned = [
            (r.chat_id, r.item_id, r.key, r.text, to_db(r.due_at)) for r in reminders
        ]  # to_db first: a naive datetime is refused before anything is written
        if self._d.postgres:
            # One statement whatever the number: the rows as arrays, unnested.
            chunks = [planned]
        else:
            chunks = [
                planned[start : start + _INSERT_CHUNK]
                for start in range(0, len(planned), _INSERT_CHUNK)
            ]
        for chunk in chunks:
            if self._d.postgres:
                sql = (
                    "INSERT INTO reminders"
                    " (chat_id, item_id, key, text, due_at, planned_at, status, created_at)"
                    " SELECT c, i, k, t, d, d, s, CAST(? AS BIGINT)"
                    " FROM unnest(?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::bigint[],"
                    " ?::text[]) AS r(c, i, k, t, d, s)"
                    " ON CONFLICT DO NOTHING RETURNING id, chat_id, coalesce(item_id, 0), key"
                )
                params: list[Any] = [
                    now,
                    [p[0] for p in chunk],
                    [p[1] for p in chunk],
                    [p[2] for p in chunk],
                    [p[3] for p in chunk],
                    [p[4] for p in chunk],
                    ["held" if p[0] in paused else "pending" for p in chunk],
                ]
            else:
                params = []
                for chat_id, item_id, key, text, due in chunk:
                    status = "held" if chat_id in paused else "pending"
                    params += (chat_id, item_id, key, text, due, due, status, now)
                values = ",".join(["(?,?,?,?,?,?,?,?)"] * len(chunk))
                # RETURNING yields only rows actually inserted; conflicts are looked up below.
                sql = (
                    "INSERT INTO reminders"
                    " (chat_id, item_id, key, text, due_at, planned_at, status, created_at)"
                    f" VALUES {values} ON CONFLICT DO NOTHING"
                    " RETURNING id, chat_id, ifnull(item_id, 0), key"
                )
            for rid, chat_id, item_id, key in await self._returning(sql, params):
                ids[(chat_id, item_id, key)] = rid
        for r in reminders:
            k = (r.chat_id, r.item_id or 0, r.key)
            if k not in ids:
                row = await self._one(
                    "SELECT id FROM reminders WHERE chat_id = ? AND coalesce(item_id, 0) = ?"
                    " AND key = ?",
                    k,
                )
                assert row is not None
                ids[k] = row[0]
        self.reminders_changed = True
        return [ids[(r.chat_id, r.item_id or 0, r.key)] for r in reminders]

    async def snooze(self, chat_id: int, reminder_id: int, until: datetime) -> bool:
        """Re-arm a pending, held or already-sent reminder for ``until``."""
        stamp = to_db(until)
        count = await self._run(
            "UPDATE reminders SET due_at = ?, planned_at = ?, attempts = 0, sent_at = NULL,"
            " late = 0, last_error = NULL,"
            " status = CASE WHEN (SELECT paused FROM chats"
            " WHERE chats.chat_id = reminders.chat_id) = 1 THEN 'held' ELSE 'pending' END"
            " WHERE id = ? AND chat_id = ? AND status IN ('pending', 'held', 'sent')",
            (stamp, stamp, reminder_id, chat_id),
        )
        self.reminders_changed = True
        return count > 0

    async def stop_reminder(self, chat_id: int, reminder_id: int) -> int:
        """Cancel a reminder and every other unsent reminder of its item; returns how many."""
        row = await self._one(
            "SELECT item_id FROM reminders WHERE id = ? AND chat_id = ?", (reminder_id, chat_id)
        )
        if row is None:
            return 0
        count = await self._run(
            "UPDATE reminders SET status = 'cancelled' WHERE chat_id = ?"
            " AND status IN ('pending', 'held') AND (id = ? OR (item_id IS NOT NULL"
            " AND item_id = ?))",
            (chat_id, reminder_id, row[0]),
        )
        self.reminders_changed = True
        return count

    async def delete_unsent_reminders(self, chat_id: int, item_id: int) -> int:
        """Drop an item's reminders that never went out (it changed or was reopened: they
        are planned anew); those sent stay, as a record."""
        count = await self._run(
            "DELETE FROM reminders WHERE chat_id = ? AND item_id = ?"
            " AND status IN ('pending', 'held', 'cancelled')",
            (chat_id, item_id),
        )
        self.reminders_changed = True
        return count

    async def cancel_reminders(
        self, chat_id: int, item_id: int, key_contains: str | None = None
    ) -> int:
        """Cancel the unsent reminders of an item (only those whose key contains
        ``key_contains``, if given); returns how many."""
        contains = self._d.contains.format(col="key")
        count = await self._run(
            "UPDATE reminders SET status = 'cancelled' WHERE chat_id = ? AND item_id = ?"
            f" AND status IN ('pending', 'held') AND {contains}",
            (chat_id, item_id, key_contains or ""),
        )
        self.reminders_changed = True
        return count

    # ---------------------------------------------------------------- inbox

    async def store_update(self, update_id: int, chat_id: int | None, payload: str) -> bool:
        """Keep an update before it is acknowledged; False if it was already stored."""
        count = await self._run(
            "INSERT INTO inbox (update_id, chat_id, payload, received_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (update_id, chat_id, payload, self._now()),
        )
        return count > 0

    async def update_done(self, update_id: int) -> None:
        """Mark the update handled, keeping only what tells a redelivery apart (its id): its
        text, names and chat are dropped once it is applied."""
        await self._run(
            "UPDATE inbox SET done_at = ?, payload = '', chat_id = NULL"
            " WHERE update_id = ? AND done_at IS NULL",
            (self._now(), update_id),
        )

    async def claim_key(self, key: str) -> bool:
        """Record that the unit of work ``key`` is applied; False if it already was."""
        count = await self._run(
            "INSERT INTO applied (key, at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (key, self._now()),
        )
        return count > 0

    async def prune_inbox(self, keep: timedelta) -> int:
        """Forget handled updates and applied keys older than ``keep``; returns how many
        updates went."""
        stamp = to_db(self._clock.now() - keep)
        count = await self._run(
            "DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?", (stamp,)
        )
        # An update still waiting (kept before a long outage) keeps the keys of the units it
        # applied, however old: handled again, it must not apply them twice.
        [oldest] = await self._all("SELECT min(received_at) FROM inbox WHERE done_at IS NULL")
        cut = stamp if oldest[0] is None else min(stamp, int(oldest[0]))
        await self._run("DELETE FROM applied WHERE at < ?", (cut,))
        return count

    # ---------------------------------------------------------------- delivery (leases)

    async def claim_due(
        self, now: datetime, limit: int, owner: str, lease: float
    ) -> list[Reminder]:
        """Claim up to ``limit`` due reminders for ``owner`` until ``now + lease`` seconds;
        returned in due order. Pending rows only: another owner's claim is never taken
        while its lease runs (``recover_expired`` frees it once it has run out), and on
        PostgreSQL workers claiming at once skip each other's rows."""
        stamp = to_db(now)
        until = to_db(now + timedelta(seconds=lease))
        rows = await self._returning(self._d.claim_due, (stamp, owner, until, stamp, limit))
        claimed = [_reminder(r) for r in rows]
        # RETURNING order is unspecified.
        claimed.sort(key=lambda r: (r.due_at, r.id))
        return claimed

    async def renew_lease(self, ids: Sequence[int], owner: str, until: datetime) -> int:
        """Extend ``owner``'s claim on reminders still being delivered."""
        if not ids:
            return 0
        return await self._run(
            "UPDATE reminders SET lease_until = ? WHERE status = 'sending' AND claimed_by = ?"
            f" AND id{self._d.in_list}",
            (to_db(until), owner, self._d.ids(ids)),
        )

    async def recover_expired(self, now: datetime) -> int:
        """Claims whose lease ran out (their owner died or stalled) go back to pending (or held
        if the chat is paused); returns how many. Live leases are left alone.  On PostgreSQL
        a worker that is gone (its connection, and so its advisory lock, went with it) loses
        its claims at once, lease or not."""
        count = await self._run(self._d.recover_expired, (to_db(now),))
        if count:
            self.reminders_changed = True
        if self._d.postgres:  # forget workers that are gone and hold nothing
            await self._run(self._d.prune_workers)
        return count

    async def release(self, owner: str) -> int:
        """Give back every claim of ``owner`` (a graceful shutdown), for others to take."""
        count = await self._run(
            "UPDATE reminders SET status = CASE WHEN (SELECT paused FROM chats"
            " WHERE chats.chat_id = reminders.chat_id) = 1 THEN 'held' ELSE 'pending' END,"
            " claimed_at = NULL, claimed_by = NULL, lease_until = NULL"
            " WHERE status = 'sending' AND claimed_by = ?",
            (owner,),
        )
        if count:
            self.reminders_changed = True
        return count

    async def mark_sent(
        self, ids: Sequence[int], at: datetime, owner: str, note: str | None = None
    ) -> int:
        """Mark ``owner``'s delivered reminders sent (one statement), with a ``note`` when
        delivery could not be confirmed."""
        if not ids:
            return 0
        return await self._run(
            "UPDATE reminders SET status = 'sent', sent_at = ?, claimed_by = NULL,"
            " lease_until = NULL, last_error = coalesce(CAST(? AS TEXT), last_error)"
            f" WHERE status = 'sending' AND claimed_by = ? AND id{self._d.in_list}",
            (to_db(at), note, owner, self._d.ids(ids)),
        )

    async def mark_late(self, ids: Sequence[int]) -> int:
        """Record that these reminders went out late (the bot was down or failing)."""
        if not ids:
            return 0
        return await self._run(
            f"UPDATE reminders SET late = 1 WHERE id{self._d.in_list}", (self._d.ids(ids),)
        )

    async def mark_retry(
        self, reminder_id: int, reason: str, retry_at: datetime, owner: str
    ) -> bool:
        """Return ``owner``'s in-flight reminder to pending at ``retry_at`` after a failure."""
        count = await self._run(
            "UPDATE reminders SET status = 'pending', attempts = attempts + 1, due_at = ?,"
            " last_error = ?, claimed_by = NULL, lease_until = NULL"
            " WHERE id = ? AND status = 'sending' AND claimed_by = ?",
            (to_db(retry_at), reason, reminder_id, owner),
        )
        self.reminders_changed = True
        return count > 0

    async def mark_undeliverable(self, reminder_id: int, reason: str) -> bool:
        """Give up on a reminder, recording why."""
        count = await self._run(
            "UPDATE reminders SET status = 'undeliverable', attempts = attempts + 1,"
            " last_error = ?, claimed_by = NULL, lease_until = NULL"
            " WHERE id = ? AND status IN ('sending', 'pending', 'held')",
            (reason, reminder_id),
        )
        return count > 0

    # ---------------------------------------------------------------- workers and limits

    async def register_worker(self, owner: str) -> None:
        """Record a worker (its advisory lock key on PostgreSQL: ``Database.register_worker``)."""
        await self._run(
            "INSERT INTO workers (owner, lock_key, started_at) VALUES (?, ?, ?)"
            " ON CONFLICT (owner) DO UPDATE SET lock_key = excluded.lock_key,"
            " started_at = excluded.started_at",
            (owner, lock_key(owner), self._now()),
        )

    async def forget_worker(self, owner: str) -> None:
        await self._run("DELETE FROM workers WHERE owner = ?", (owner,))

    async def book_send(self, key: str, now: int, count: int, window: int) -> int:
        """Book the next send under ``key`` (a chat, or the whole bot): at most ``count`` in
        any ``window`` microseconds, none before a hold, none before the last booked; returns
        the instant (microseconds) to send at.  Workers booking at once queue on the row."""
        if self._d.postgres:
            [row] = await self._returning("SELECT book_send(?, ?, ?, ?)", (key, now, count, window))
            return int(row[0])
        await self._run("INSERT INTO send_slots (key) VALUES (?) ON CONFLICT DO NOTHING", (key,))
        row = await self._one("SELECT slots, hold_until FROM send_slots WHERE key = ?", (key,))
        booked: list[int] = json.loads(row[0])
        slot = max(now, int(row[1]))
        if booked:
            slot = max(slot, booked[-1])
        if len(booked) >= count:
            slot = max(slot, booked[-count] + window)
        booked = [*booked, slot][-count:]
        await self._run("UPDATE send_slots SET slots = ? WHERE key = ?", (json.dumps(booked), key))
        return slot

    async def admit_send(self, key: str, now: int, count: int, window: int) -> int | None:
        """Send under ``key`` (a chat) at ``now`` (microseconds) if its last ``count`` sends
        leave room in any ``window`` and no hold forbids it: recorded, None.  Otherwise
        nothing is recorded and the answer is when to ask again."""
        if self._d.postgres:
            [row] = await self._returning(
                "SELECT admit_send(?, ?, ?, ?)", (key, now, count, window)
            )
            return None if row[0] is None else int(row[0])
        await self._run("INSERT INTO send_slots (key) VALUES (?) ON CONFLICT DO NOTHING", (key,))
        row = await self._one("SELECT slots, hold_until FROM send_slots WHERE key = ?", (key,))
        sent: list[int] = json.loads(row[0])
        if now < int(row[1]):
            return int(row[1])
        if len(sent) >= count and now < sent[-count] + window:
            return sent[-count] + window
        await self._run(
            "UPDATE send_slots SET slots = ? WHERE key = ?",
            (json.dumps([*sent, now][-count:]), key),
        )
        return None

    async def hold_sends(self, keys: Sequence[str], until: int) -> None:
        """Nothing under ``keys`` goes out before ``until`` (Telegram said retry_after)."""
        greatest = self._d.greatest
        await self._run_many(
            "INSERT INTO send_slots (key, hold_until) VALUES (?, ?) ON CONFLICT (key) DO UPDATE"
            f" SET hold_until = {greatest}(send_slots.hold_until, excluded.hold_until)",
            [(key, until) for key in keys],
        )

    async def prune_send_slots(self, before: int) -> int:
        """Forget chats' bookings that all lie before ``before`` (they limit nothing now)."""
        if self._d.postgres:
            return await self._run(
                "DELETE FROM send_slots WHERE key LIKE 'chat:%' AND hold_until < ?"
                " AND coalesce(slots[array_length(slots, 1)], 0) < ?",
                (before, before),
            )
        return await self._run(
            "DELETE FROM send_slots WHERE key LIKE 'chat:%' AND hold_until < ?"
            " AND coalesce(json_extract(slots, '$[#-1]'), 0) < ?",
            (before, before),
        )


_CHAT_TABLES = (
    "calendar_feeds",
    "log_entries",
    "reminders",
    "items",
    "officers",
    "chat_compacts",
    "drafts",
    "chats",
)
"""Every table with a chat_id, children before parents (``chats`` last)."""


class Backend(Protocol):
    """What a database server offers the repository (``storage/sqlite.py``,
    ``storage/postgres.py``)."""

    dialect: Dialect
    shared: bool
    display: str

    async def read_all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

    def transaction(self) -> Any: ...

    def snapshot(self) -> Any: ...

    async def schema_version(self) -> int: ...

    async def migrate(self, target: int, stamp: Callable[[], int]) -> None: ...

    async def check_writable(self) -> None: ...

    async def checkpoint(self) -> None: ...

    async def close(self) -> None: ...


def is_postgres_url(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def sqlite_path(target: str | Path) -> str:
    """The file a target names: a path, or ``sqlite:///relative`` / ``sqlite:////absolute``."""
    text = str(target)
    if text.startswith("sqlite:///"):
        return text.removeprefix("sqlite:///")
    if text.startswith("sqlite:"):
        raise ValueError(f"not an SQLite URL (sqlite:///path): {text}")
    return text


class Database(Reader):
    """The repository over one database: an SQLite file or a PostgreSQL server.
    Create with ``await Database.open(path_or_url)``.

    Reads go straight to the database; every write happens in a unit of work::

        async with db.transaction() as tx:
            item_id = await tx.add_item(...)
            await tx.add_reminders(...)
            await tx.append_log(...)

    which commits as a whole or not at all.
    """

    def __init__(self, backend: Backend, clock: Clock) -> None:
        self._backend = backend
        self._d = backend.dialect
        self._clock = clock
        self._holders: set[asyncio.Task[Any]] = set()
        self._reminder_listeners: list[Callable[[], None]] = []
        self.path = backend.display
        """The file, or the server's URL without its password."""
        self.faults: FaultHook | None = None
        """Tests only: see ``FaultHook``."""

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._d.name

    @property
    def shared(self) -> bool:
        """Whether several workers may run the bot on this database at once (PostgreSQL)."""
        return self._backend.shared

    # ---------------------------------------------------------------- lifecycle

    @classmethod
    async def open(
        cls,
        target: str | Path,
        *,
        migrate_to: int | None = None,
        clock: Clock | None = None,
        busy_timeout: float = 5.0,
        pool_size: int = 10,
    ) -> Database:
        """Open ``target`` (a file path, ``sqlite:///path`` or ``postgresql://…``), create
        and migrate it to ``migrate_to`` (default: latest), and make sure it can be written;
        raises DatabaseUnavailable saying why not.

        ``clock`` stamps rows the caller gives no time for (a chat's creation, a migration)."""
        errors: tuple[type[BaseException], ...] = (sqlite3.Error, OSError)
        shown = str(target)
        backend: Backend
        try:
            if is_postgres_url(target):
                from storage import postgres

                errors = (*errors, *postgres.ERRORS)
                shown = postgres.redacted(str(target))
                backend = await postgres.PostgresBackend.open(
                    str(target), pool_size, connect_seconds=max(busy_timeout, 5.0)
                )
            else:
                from storage.sqlite import SqliteBackend

                shown = sqlite_path(target)
                backend = await SqliteBackend.open(shown, busy_timeout)
        except (*errors, ValueError) as exc:  # type: ignore[misc]
            raise DatabaseUnavailable(f"cannot use the database {shown}: {_reason(exc)}") from exc
        db = cls(backend, clock or SystemClock())
        try:
            await db._migrate(SCHEMA_VERSION if migrate_to is None else migrate_to)
            await backend.check_writable()
        except errors as exc:
            await backend.close()
            raise DatabaseUnavailable(f"cannot use the database {shown}: {_reason(exc)}") from exc
        except BaseException:
            await backend.close()
            raise
        return db

    async def close(self) -> None:
        """Close the connection(s) (checkpointing SQLite's WAL)."""
        await self._backend.close()

    async def schema_version(self) -> int:
        """Highest applied migration."""
        return await self._backend.schema_version()

    async def _migrate(self, target: int) -> None:
        if not 0 <= target <= SCHEMA_VERSION:
            raise ValueError(f"unknown schema version {target}")
        await self._backend.migrate(target, lambda: to_db(self._clock.now()))

    # ---------------------------------------------------------------- units of work

    def on_reminders_changed(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each commit that planned, moved or freed reminders (the
        scheduler's wake-up): callers never have to remember to poke it."""
        self._reminder_listeners.append(listener)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """One unit of work: begun, then committed, or rolled back on any error."""
        self._not_inside_own_transaction()
        task = asyncio.current_task()
        try:
            async with self._backend.transaction() as session:
                if task is not None:
                    self._holders.add(task)
                tx = Tx(self, session)
                yield tx
        except Exception as exc:
            if _is_integrity_error(exc):
                raise IntegrityError(str(exc)) from exc
            raise
        finally:
            if task is not None:
                self._holders.discard(task)
        if tx.reminders_changed:
            for listener in self._reminder_listeners:
                listener()

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Reader]:
        """Reads that all see one moment of the database, whatever is written meanwhile
        (``migrate-db`` copying from a database the bot still writes to)."""
        self._not_inside_own_transaction()
        async with self._backend.snapshot() as session:
            yield Tx(self, session)

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        self._not_inside_own_transaction()
        return await self._backend.read_all(sql, params)

    def _not_inside_own_transaction(self) -> None:
        # Inside a unit of work, read through its Tx (SQLite's lock is not re-entrant; on
        # PostgreSQL another connection would not see the unit's own writes).
        if self._holders and asyncio.current_task() in self._holders:
            raise RuntimeError("inside a transaction: read and write through its Tx")

    async def checkpoint(self) -> None:
        """Fold SQLite's WAL into the database file and truncate it (after erasing data, so
        the erased text is not left in the -wal file); nothing on PostgreSQL."""
        await self._backend.checkpoint()

    # ---------------------------------------------------------------- several workers

    async def register_worker(self, owner: str) -> None:
        """This process delivers as ``owner``: on PostgreSQL it holds ``owner``'s advisory
        lock for as long as its connection lives, so the others know when it is gone."""
        locks = self._locks()
        if locks is not None:
            key = lock_key(owner)
            if not await locks.try_lock(LOCK_WORKER, key, keep=True):
                raise RuntimeError(f"another live worker is registered as {owner}")
            async with self.transaction() as tx:
                await tx.register_worker(owner)

    def registration(self) -> int:
        """A token for the registration just made (``register_worker``): on PostgreSQL, the
        generation of the connection that holds the worker's lock."""
        locks = self._locks()
        return 0 if locks is None else int(locks.generation)

    def still_registered(self, token: int) -> bool:
        """Whether the worker still holds, without a break, the lock it registered with
        (``token`` from ``registration``).  Once the connection holding it is lost, the
        others see the worker as gone and take its claims: it must not act on them."""
        locks = self._locks()
        return locks is None or (locks.connected and locks.generation == token)

    async def unregister_worker(self, owner: str) -> None:
        locks = self._locks()
        if locks is not None:
            async with self.transaction() as tx:
                await tx.forget_worker(owner)
            await locks.unlock(LOCK_WORKER, lock_key(owner))

    @asynccontextmanager
    async def chat_turn(self, chat_id: int, poll: float = 0.01) -> AsyncIterator[Turn | None]:
        """This worker's turn to handle the chat's updates: no other worker handles the same
        chat meanwhile (PostgreSQL: a session advisory lock, dropped with a dead worker's
        connection).  SQLite has one worker, so its turn is always now (None).

        The lock is on a connection of its own, which may die while the turn lasts: each
        unit of work on the chat in the turn checks that it still holds it (``TurnLost``
        otherwise; ``Turn.lost`` then says so)."""
        locks = self._locks()
        if locks is None:
            yield None
            return
        key = lock_key(chat_id)
        wait = poll
        # Waiting on another process, not on the bot's clock: real time.
        while not await locks.try_lock(LOCK_CHAT_TURN, key):
            await asyncio.sleep(wait)
            wait = min(0.2, wait * 1.5)
        turn = Turn(chat_id, key, locks.generation, locks.pid)
        token = _TURN.set(turn)
        try:
            yield turn
        finally:
            turn.active = False
            _TURN.reset(token)
            await locks.unlock(LOCK_CHAT_TURN, key)

    async def ping(self) -> None:
        """Raise if the database cannot be read."""
        await self._all("SELECT 1")

    async def probe_write(self) -> None:
        """Raise unless the database takes a write now (``/healthz``): one row written and
        rolled back, so a database that reads fine but refuses writes (locked, read-only,
        disk full) is found before a user's registration is."""
        try:
            async with self.transaction() as tx:
                await tx._run(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", (-1, 0)
                )
                raise _RolledBack
        except _RolledBack:
            pass

    def _locks(self) -> Any:
        return getattr(self._backend, "locks", None)


class _RolledBack(Exception):
    """Ends ``probe_write``'s transaction without committing it."""


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, IsADirectoryError):
        return "it is a directory"
    return text


def _is_integrity_error(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.IntegrityError):
        return True
    asyncpg = sys.modules.get("asyncpg")  # loaded only by the PostgreSQL backend
    return asyncpg is not None and isinstance(exc, asyncpg.IntegrityConstraintViolationError)
