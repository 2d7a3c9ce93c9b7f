"""Durable storage for compactbot: every SQL statement of the project lives here.

One aiosqlite connection in WAL mode. Instants are stored as INTEGER microseconds since the
Unix epoch (UTC), so they sort numerically and compare exactly. Multi-statement operations hold
an asyncio lock so coroutines sharing the connection never interleave inside a transaction.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from bot.clock import Clock, SystemClock

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)

# Seconds past its planned time after which a delivered reminder counts as late.
LATE_GRACE_SECONDS = 60.0

ITEM_STATUSES = ("open", "done", "cancelled")

# Reminder lifecycle: pending -> sending (claimed, with a lease) -> sent; sending -> pending
# (retry, or the lease ran out: its owner died);
# pending/sending -> held (chat paused) -> pending (resumed); -> cancelled | undeliverable.
REMINDER_STATUSES = ("pending", "sending", "sent", "held", "cancelled", "undeliverable")

# Forward-only migrations; index + 1 is the schema version recorded in schema_migrations.
MIGRATIONS: list[str] = [
    # 1: initial schema.
    """
    CREATE TABLE chats (
        chat_id     INTEGER PRIMARY KEY,
        title       TEXT,
        compacts    TEXT NOT NULL DEFAULT '[]',
        timezone    TEXT NOT NULL DEFAULT 'Europe/London',
        created_at  INTEGER NOT NULL
    );
    CREATE TABLE officers (
        chat_id   INTEGER NOT NULL REFERENCES chats(chat_id),
        user_id   INTEGER NOT NULL,
        name      TEXT NOT NULL,
        added_at  INTEGER NOT NULL,
        PRIMARY KEY (chat_id, user_id)
    );
    CREATE TABLE items (
        id             INTEGER PRIMARY KEY,
        chat_id        INTEGER NOT NULL REFERENCES chats(chat_id),
        kind           TEXT NOT NULL,
        title          TEXT NOT NULL,
        data           TEXT NOT NULL DEFAULT '{}',
        status         TEXT NOT NULL DEFAULT 'open'
                       CHECK (status IN ('open', 'done', 'cancelled')),
        registered_by  INTEGER,
        registered_at  INTEGER NOT NULL,
        status_at      INTEGER
    );
    CREATE INDEX items_chat_status ON items(chat_id, status);
    CREATE TABLE events (
        id       INTEGER PRIMARY KEY,
        chat_id  INTEGER NOT NULL REFERENCES chats(chat_id),
        item_id  INTEGER REFERENCES items(id),
        kind     TEXT NOT NULL,
        actor    INTEGER,
        payload  TEXT NOT NULL DEFAULT '{}',
        at       INTEGER NOT NULL
    );
    CREATE INDEX events_chat_at ON events(chat_id, at);
    CREATE TABLE reminders (
        id          INTEGER PRIMARY KEY,
        chat_id     INTEGER NOT NULL REFERENCES chats(chat_id),
        item_id     INTEGER REFERENCES items(id),
        key         TEXT NOT NULL,
        text        TEXT NOT NULL,
        due_at      INTEGER NOT NULL,
        status      TEXT NOT NULL DEFAULT 'pending',
        created_at  INTEGER NOT NULL
    );
    -- item ids are global; ad-hoc reminders (no item) are unique per chat and key.
    CREATE UNIQUE INDEX reminders_key ON reminders(chat_id, ifnull(item_id, 0), key);
    CREATE INDEX reminders_item ON reminders(item_id);
    CREATE INDEX reminders_chat_status ON reminders(chat_id, status);
    """,
    # 2: delivery bookkeeping (retries, lateness, paused chats) and an append-only event log.
    """
    ALTER TABLE reminders ADD COLUMN planned_at INTEGER;
    UPDATE reminders SET planned_at = due_at;
    ALTER TABLE reminders ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE reminders ADD COLUMN last_error TEXT;
    ALTER TABLE reminders ADD COLUMN claimed_at INTEGER;
    ALTER TABLE reminders ADD COLUMN sent_at INTEGER;
    ALTER TABLE reminders ADD COLUMN late INTEGER NOT NULL DEFAULT 0;
    -- Partial index: the scheduler's hot path only ever looks at pending rows by due time.
    CREATE INDEX reminders_pending_due ON reminders(due_at, id) WHERE status = 'pending';
    CREATE INDEX reminders_sending ON reminders(id) WHERE status = 'sending';
    ALTER TABLE chats ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE chats ADD COLUMN paused_reason TEXT;
    CREATE TRIGGER events_append_only BEFORE UPDATE ON events
    BEGIN
        SELECT RAISE(ABORT, 'events are append-only');
    END;
    """,
    # 3: a chat's Compacts become rows (ordered) instead of a JSON column.
    """
    CREATE TABLE chat_compacts (
        chat_id   INTEGER NOT NULL REFERENCES chats(chat_id),
        position  INTEGER NOT NULL,
        code      TEXT NOT NULL,
        PRIMARY KEY (chat_id, position)
    );
    INSERT INTO chat_compacts (chat_id, position, code)
        SELECT chats.chat_id, CAST(j.key AS INTEGER), j.value
        FROM chats, json_each(chats.compacts) AS j
        WHERE json_valid(chats.compacts);
    ALTER TABLE chats DROP COLUMN compacts;
    """,
    # 4: an item's history is read on every follow-up (notice given, feedback, step).
    """
    CREATE INDEX events_item ON events(item_id, at);
    """,
    # 5: registrations being put together survive a restart.
    """
    CREATE TABLE drafts (
        chat_id     INTEGER NOT NULL REFERENCES chats(chat_id),
        user_id     INTEGER NOT NULL,
        state       TEXT NOT NULL,
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (chat_id, user_id)
    );
    """,
    # 6: the event log is the typed compliance log; clause texts are stored once, by hash.
    """
    ALTER TABLE events RENAME TO log_entries;
    DROP INDEX events_chat_at;
    DROP INDEX events_item;
    DROP TRIGGER events_append_only;
    CREATE INDEX log_entries_chat_at ON log_entries(chat_id, at);
    CREATE INDEX log_entries_item ON log_entries(item_id, at);
    CREATE TRIGGER log_entries_append_only BEFORE UPDATE ON log_entries
    BEGIN
        SELECT RAISE(ABORT, 'the log is append-only');
    END;
    -- A citation (Compact, commitment, section, verbatim quote) as JSON, by content hash.
    CREATE TABLE clauses (
        ref   TEXT PRIMARY KEY,
        text  TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 7: a claimed reminder carries its owner and a lease, so only expired claims are retried
    # and two processes on one database never deliver the same reminder twice.
    """
    ALTER TABLE reminders ADD COLUMN claimed_by TEXT;
    ALTER TABLE reminders ADD COLUMN lease_until INTEGER;
    UPDATE reminders SET status = 'pending' WHERE status = 'sending';
    DROP INDEX reminders_sending;
    CREATE INDEX reminders_sending ON reminders(lease_until) WHERE status = 'sending';
    """,
    # 8: a group upgraded to a supergroup takes its log along: entries may change chat,
    # never what they say.
    """
    DROP TRIGGER log_entries_append_only;
    CREATE TRIGGER log_entries_append_only
    BEFORE UPDATE OF id, item_id, kind, actor, payload, at ON log_entries
    BEGIN
        SELECT RAISE(ABORT, 'the log is append-only');
    END;
    """,
    # 9: updates are stored before Telegram is told they arrived (the inbox), and each unit
    # of work an update causes is applied once (its key in ``applied``).
    """
    CREATE TABLE inbox (
        update_id    INTEGER PRIMARY KEY,
        chat_id      INTEGER,
        payload      TEXT NOT NULL,
        received_at  INTEGER NOT NULL,
        done_at      INTEGER
    );
    CREATE INDEX inbox_pending ON inbox(update_id) WHERE done_at IS NULL;
    CREATE TABLE applied (
        key  TEXT PRIMARY KEY,
        at   INTEGER NOT NULL
    ) WITHOUT ROWID;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


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


def _ids_json(ids: Iterable[int]) -> str:
    # A JSON array bound as one parameter avoids SQLite's variable limit for large id lists.
    return json.dumps([int(i) for i in ids])


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


# Rows per multi-row INSERT: 6 parameters each stays well under SQLite's 32766 variable limit.
_INSERT_CHUNK = 4000


class DatabaseUnavailable(Exception):
    """The database cannot be opened, migrated or written; the message says which and why."""


FaultHook = Callable[[str], None]
"""Called with each write statement inside a transaction, before it runs; raising aborts
the transaction. Only tests set one (``Database.faults``), to prove units are atomic."""


class Reader:
    """Every read of the database. ``Database`` reads under its lock; a ``Tx`` reads inside
    its transaction (so a unit of work sees its own writes)."""

    _conn: aiosqlite.Connection
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
            "SELECT ref, text FROM clauses WHERE ref IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(set(refs))),),
        )
        return {r[0]: r[1] for r in rows}

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
            " UNION ALL SELECT min(lease_until) FROM reminders WHERE status = 'sending')"
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

    async def pending_updates(self) -> list[tuple[int, str]]:
        """Updates stored but not yet handled (a crash came in between), oldest first."""
        rows = await self._all(
            "SELECT update_id, payload FROM inbox WHERE done_at IS NULL ORDER BY update_id"
        )
        return [(r[0], r[1]) for r in rows]

    async def table_names(self) -> list[str]:
        """All user tables (for audits such as forget_chat's)."""
        rows = await self._all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
        return [r[0] for r in rows]


class Tx(Reader):
    """One unit of work: every write of the database, inside one transaction.

    Get one from ``Database.transaction()``; it commits when the block ends and rolls back
    if anything in it raises, so a unit of work is stored whole or not at all.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._conn = db._conn
        self._clock = db._clock
        self.reminders_changed = False
        """Set by writes that may change when the scheduler next has work."""

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        cur = await self._conn.execute(sql, params)
        return list(await cur.fetchall())

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Cursor:
        if self._db.faults is not None:
            self._db.faults(sql)
        return await self._conn.execute(sql, params)

    async def _run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            if self._db.faults is not None:
                self._db.faults(sql)
            await self._conn.executemany(sql, rows)

    def _now(self) -> int:
        return to_db(self._clock.now())

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
            " ON CONFLICT (chat_id) DO UPDATE SET title = coalesce(excluded.title, title)",
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
        cur = await self._run(
            "DELETE FROM officers WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
        )
        return cur.rowcount > 0

    async def pause_chat(self, chat_id: int, reason: str) -> int:
        """Stop delivering to a chat (e.g. bot blocked); returns reminders put on hold."""
        await self._ensure_chats([chat_id])
        await self._run(
            "UPDATE chats SET paused = 1, paused_reason = ? WHERE chat_id = ?", (reason, chat_id)
        )
        cur = await self._run(
            "UPDATE reminders SET status = 'held', claimed_by = NULL, lease_until = NULL"
            " WHERE chat_id = ? AND status IN ('pending', 'sending')",
            (chat_id,),
        )
        self.reminders_changed = True
        return cur.rowcount

    async def resume_chat(self, chat_id: int) -> int:
        """Deliver to the chat again; returns reminders released from hold."""
        await self._run(
            "UPDATE chats SET paused = 0, paused_reason = NULL WHERE chat_id = ?", (chat_id,)
        )
        cur = await self._run(
            "UPDATE reminders SET status = 'pending' WHERE chat_id = ? AND status = 'held'",
            (chat_id,),
        )
        self.reminders_changed = True
        return cur.rowcount

    async def forget_chat(self, chat_id: int) -> None:
        """Delete everything stored about a chat."""
        # Children before parents so foreign keys hold at every step.
        for table in _CHAT_TABLES:
            await self._run(f"DELETE FROM {table} WHERE chat_id = ?", (chat_id,))
        # Handled updates hold the chat's messages too; one still being handled is kept
        # (it is the /forget itself, or comes after it).
        await self._run("DELETE FROM inbox WHERE chat_id = ? AND done_at IS NOT NULL", (chat_id,))
        self.reminders_changed = True

    async def move_chat(self, old: int, new: int) -> bool:
        """Move everything of chat ``old`` to ``new`` (a group upgraded to a supergroup).

        False, changing nothing, when ``old`` is unknown or ``new`` already has a history."""
        if await self._one("SELECT 1 FROM chats WHERE chat_id = ?", (old,)) is None:
            return False
        for table in ("items", "log_entries", "drafts", "officers"):
            if await self._one(f"SELECT 1 FROM {table} WHERE chat_id = ? LIMIT 1", (new,)):
                return False
        await self._run("DELETE FROM chat_compacts WHERE chat_id = ?", (new,))
        await self._run("DELETE FROM chats WHERE chat_id = ?", (new,))
        await self._run(
            "INSERT INTO chats (chat_id, title, timezone, created_at, paused, paused_reason)"
            " SELECT ?, title, timezone, created_at, 0, NULL FROM chats WHERE chat_id = ?",
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
        self.reminders_changed = True
        return True

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
        cur = await self._run(
            "INSERT INTO items (chat_id, kind, title, data, registered_by, registered_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (chat_id, kind, title, _json(data), registered_by, to_db(at)),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    async def set_item_status(self, chat_id: int, item_id: int, status: str, at: datetime) -> bool:
        """Change an item's status; done/cancelled also cancels its unsent reminders."""
        if status not in ITEM_STATUSES:
            raise ValueError(f"unknown item status {status!r}")
        cur = await self._run(
            "UPDATE items SET status = ?, status_at = ? WHERE id = ? AND chat_id = ?",
            (status, to_db(at), item_id, chat_id),
        )
        if cur.rowcount == 0:
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
        cur = await self._run(
            "INSERT INTO log_entries (chat_id, item_id, kind, actor, payload, at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (chat_id, item_id, kind, actor, _json(payload), to_db(at)),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

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
        cur = await self._run("DELETE FROM drafts WHERE updated_at < ?", (to_db(before),))
        return cur.rowcount

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
            "SELECT chat_id FROM chats WHERE paused = 1 AND chat_id IN"
            " (SELECT value FROM json_each(?))",
            (_ids_json({r.chat_id for r in reminders}),),
        )
        paused = {row[0] for row in rows}
        for start in range(0, len(reminders), _INSERT_CHUNK):
            chunk = reminders[start : start + _INSERT_CHUNK]
            params: list[Any] = []
            for r in chunk:
                due = to_db(r.due_at)
                status = "held" if r.chat_id in paused else "pending"
                params += (r.chat_id, r.item_id, r.key, r.text, due, due, status, now)
            values = ",".join(["(?,?,?,?,?,?,?,?)"] * len(chunk))
            # RETURNING yields only rows actually inserted; conflicts are looked up below.
            cur = await self._run(
                "INSERT INTO reminders"
                " (chat_id, item_id, key, text, due_at, planned_at, status, created_at)"
                f" VALUES {values} ON CONFLICT DO NOTHING"
                " RETURNING id, chat_id, ifnull(item_id, 0), key",
                params,
            )
            for rid, chat_id, item_id, key in await cur.fetchall():
                ids[(chat_id, item_id, key)] = rid
        for r in reminders:
            k = (r.chat_id, r.item_id or 0, r.key)
            if k not in ids:
                row = await self._one(
                    "SELECT id FROM reminders WHERE chat_id = ? AND ifnull(item_id, 0) = ?"
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
        cur = await self._run(
            "UPDATE reminders SET due_at = ?, planned_at = ?, attempts = 0, sent_at = NULL,"
            " late = 0, last_error = NULL,"
            " status = CASE WHEN (SELECT paused FROM chats WHERE chats.chat_id = reminders.chat_id)"
            " THEN 'held' ELSE 'pending' END"
            " WHERE id = ? AND chat_id = ? AND status IN ('pending', 'held', 'sent')",
            (stamp, stamp, reminder_id, chat_id),
        )
        self.reminders_changed = True
        return cur.rowcount > 0

    async def stop_reminder(self, chat_id: int, reminder_id: int) -> int:
        """Cancel a reminder and every other unsent reminder of its item; returns how many."""
        row = await self._one(
            "SELECT item_id FROM reminders WHERE id = ? AND chat_id = ?", (reminder_id, chat_id)
        )
        if row is None:
            return 0
        cur = await self._run(
            "UPDATE reminders SET status = 'cancelled' WHERE chat_id = ?"
            " AND status IN ('pending', 'held') AND (id = ? OR (item_id IS NOT NULL"
            " AND item_id = ?))",
            (chat_id, reminder_id, row[0]),
        )
        self.reminders_changed = True
        return cur.rowcount

    async def delete_unsent_reminders(self, chat_id: int, item_id: int) -> int:
        """Drop an item's reminders that never went out (it changed or was reopened: they
        are planned anew); those sent stay, as a record."""
        cur = await self._run(
            "DELETE FROM reminders WHERE chat_id = ? AND item_id = ?"
            " AND status IN ('pending', 'held', 'cancelled')",
            (chat_id, item_id),
        )
        self.reminders_changed = True
        return cur.rowcount

    async def cancel_reminders(
        self, chat_id: int, item_id: int, key_contains: str | None = None
    ) -> int:
        """Cancel the unsent reminders of an item (only those whose key contains
        ``key_contains``, if given); returns how many."""
        cur = await self._run(
            "UPDATE reminders SET status = 'cancelled' WHERE chat_id = ? AND item_id = ?"
            " AND status IN ('pending', 'held') AND instr(key, ?) > 0",
            (chat_id, item_id, key_contains or ""),
        )
        self.reminders_changed = True
        return cur.rowcount

    # ---------------------------------------------------------------- inbox

    async def store_update(self, update_id: int, chat_id: int | None, payload: str) -> bool:
        """Keep an update before it is acknowledged; False if it was already stored."""
        cur = await self._run(
            "INSERT INTO inbox (update_id, chat_id, payload, received_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (update_id, chat_id, payload, self._now()),
        )
        return cur.rowcount > 0

    async def update_done(self, update_id: int) -> None:
        await self._run(
            "UPDATE inbox SET done_at = ? WHERE update_id = ? AND done_at IS NULL",
            (self._now(), update_id),
        )

    async def claim_key(self, key: str) -> bool:
        """Record that the unit of work ``key`` is applied; False if it already was."""
        cur = await self._run(
            "INSERT INTO applied (key, at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (key, self._now()),
        )
        return cur.rowcount > 0

    async def prune_inbox(self, before: datetime) -> int:
        """Forget handled updates and applied keys older than ``before``."""
        stamp = to_db(before)
        cur = await self._run(
            "DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?", (stamp,)
        )
        await self._run("DELETE FROM applied WHERE at < ?", (stamp,))
        return cur.rowcount

    # ---------------------------------------------------------------- delivery (leases)

    async def claim_due(
        self, now: datetime, limit: int, owner: str, lease: float
    ) -> list[Reminder]:
        """Claim up to ``limit`` due reminders for ``owner`` until ``now + lease`` seconds;
        returned in due order. Pending rows only: another owner's claim is never taken
        while its lease runs (``recover_expired`` frees it once it has run out)."""
        stamp = to_db(now)
        until = to_db(now + timedelta(seconds=lease))
        cur = await self._run(
            "UPDATE reminders SET status = 'sending', claimed_at = ?, claimed_by = ?,"
            " lease_until = ?"
            " WHERE id IN (SELECT id FROM reminders WHERE status = 'pending' AND due_at <= ?"
            " ORDER BY due_at, id LIMIT ?)"
            f" RETURNING {_REMINDER_COLS}",
            (stamp, owner, until, stamp, limit),
        )
        claimed = [_reminder(r) for r in await cur.fetchall()]
        # RETURNING order is unspecified by SQLite.
        claimed.sort(key=lambda r: (r.due_at, r.id))
        return claimed

    async def renew_lease(self, ids: Sequence[int], owner: str, until: datetime) -> int:
        """Extend ``owner``'s claim on reminders still being delivered."""
        if not ids:
            return 0
        cur = await self._run(
            "UPDATE reminders SET lease_until = ? WHERE status = 'sending' AND claimed_by = ?"
            " AND id IN (SELECT value FROM json_each(?))",
            (to_db(until), owner, _ids_json(ids)),
        )
        return cur.rowcount

    async def recover_expired(self, now: datetime) -> int:
        """Claims whose lease ran out (their owner died or stalled) go back to pending (or held
        if the chat is paused); returns how many. Live leases are left alone."""
        cur = await self._run(
            "UPDATE reminders SET status = CASE WHEN (SELECT paused FROM chats"
            " WHERE chats.chat_id = reminders.chat_id) THEN 'held' ELSE 'pending' END,"
            " claimed_at = NULL, claimed_by = NULL, lease_until = NULL"
            " WHERE status = 'sending' AND (lease_until IS NULL OR lease_until <= ?)",
            (to_db(now),),
        )
        if cur.rowcount:
            self.reminders_changed = True
        return cur.rowcount

    async def release(self, owner: str) -> int:
        """Give back every claim of ``owner`` (a graceful shutdown), for others to take."""
        cur = await self._run(
            "UPDATE reminders SET status = CASE WHEN (SELECT paused FROM chats"
            " WHERE chats.chat_id = reminders.chat_id) THEN 'held' ELSE 'pending' END,"
            " claimed_at = NULL, claimed_by = NULL, lease_until = NULL"
            " WHERE status = 'sending' AND claimed_by = ?",
            (owner,),
        )
        if cur.rowcount:
            self.reminders_changed = True
        return cur.rowcount

    async def mark_sent(
        self, ids: Sequence[int], at: datetime, owner: str, note: str | None = None
    ) -> int:
        """Mark ``owner``'s delivered reminders sent (one statement), with a ``note`` when
        delivery could not be confirmed."""
        if not ids:
            return 0
        cur = await self._run(
            "UPDATE reminders SET status = 'sent', sent_at = ?, claimed_by = NULL,"
            " lease_until = NULL, last_error = coalesce(?, last_error)"
            " WHERE status = 'sending' AND claimed_by = ?"
            " AND id IN (SELECT value FROM json_each(?))",
            (to_db(at), note, owner, _ids_json(ids)),
        )
        return cur.rowcount

    async def mark_late(self, ids: Sequence[int]) -> int:
        """Record that these reminders went out late (the bot was down or failing)."""
        if not ids:
            return 0
        cur = await self._run(
            "UPDATE reminders SET late = 1 WHERE id IN (SELECT value FROM json_each(?))",
            (_ids_json(ids),),
        )
        return cur.rowcount

    async def mark_retry(
        self, reminder_id: int, reason: str, retry_at: datetime, owner: str
    ) -> bool:
        """Return ``owner``'s in-flight reminder to pending at ``retry_at`` after a failure."""
        cur = await self._run(
            "UPDATE reminders SET status = 'pending', attempts = attempts + 1, due_at = ?,"
            " last_error = ?, claimed_by = NULL, lease_until = NULL"
            " WHERE id = ? AND status = 'sending' AND claimed_by = ?",
            (to_db(retry_at), reason, reminder_id, owner),
        )
        self.reminders_changed = True
        return cur.rowcount > 0

    async def mark_undeliverable(self, reminder_id: int, reason: str) -> bool:
        """Give up on a reminder, recording why."""
        cur = await self._run(
            "UPDATE reminders SET status = 'undeliverable', attempts = attempts + 1,"
            " last_error = ?, claimed_by = NULL, lease_until = NULL"
            " WHERE id = ? AND status IN ('sending', 'pending', 'held')",
            (reason, reminder_id),
        )
        return cur.rowcount > 0


_CHAT_TABLES = (
    "log_entries",
    "reminders",
    "items",
    "officers",
    "chat_compacts",
    "drafts",
    "chats",
)
"""Every table with a chat_id, children before parents (``chats`` last)."""


class Database(Reader):
    """Async repository over one SQLite file. Create with ``await Database.open(path)``.

    Reads go straight to the database; every write happens in a unit of work::

        async with db.transaction() as tx:
            item_id = await tx.add_item(...)
            await tx.add_reminders(...)
            await tx.append_log(...)

    which commits as a whole or not at all.  One connection serves both, so a lock keeps
    coroutines from interleaving inside a transaction.
    """

    def __init__(self, conn: aiosqlite.Connection, path: str, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None
        self._reminder_listeners: list[Callable[[], None]] = []
        self.path = path
        self.faults: FaultHook | None = None
        """Tests only: see ``FaultHook``."""

    # ---------------------------------------------------------------- lifecycle

    @classmethod
    async def open(
        cls,
        path: str | Path,
        *,
        migrate_to: int | None = None,
        clock: Clock | None = None,
        busy_timeout: float = 5.0,
    ) -> Database:
        """Open (creating if needed) and migrate to ``migrate_to`` (default: latest), and make
        sure it can be written; raises DatabaseUnavailable saying why not.

        ``clock`` stamps rows the caller gives no time for (a chat's creation, a migration)."""
        try:
            return await cls._open(path, migrate_to, clock, busy_timeout)
        except (sqlite3.Error, OSError) as exc:
            raise DatabaseUnavailable(f"cannot use the database {path}: {exc}") from exc

    @classmethod
    async def _open(
        cls, path: str | Path, migrate_to: int | None, clock: Clock | None, busy_timeout: float
    ) -> Database:
        if await asyncio.to_thread(Path(path).is_dir):
            raise DatabaseUnavailable(f"cannot use the database {path}: it is a directory")
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves so transactions are explicit.
            conn = await aiosqlite.connect(str(path), isolation_level=None)
        except BaseException:
            # aiosqlite stops its thread after a failed connect without awaiting it; give it
            # a moment, or it reports into a closed event loop as the process exits.
            await asyncio.sleep(0.05)
            raise
        try:
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            # How long a write waits for another connection's lock before it fails.
            await conn.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            # forget_chat must really forget: overwrite freed content instead of leaving it.
            await conn.execute("PRAGMA secure_delete=ON")
            db = cls(conn, str(path), clock or SystemClock())
            await db._migrate(SCHEMA_VERSION if migrate_to is None else migrate_to)
            # A read-only file opens and reads fine; find out now, not at the first write.
            await conn.execute("BEGIN IMMEDIATE")
            await conn.execute("ROLLBACK")
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        async with self._lock:
            await self._conn.close()

    async def schema_version(self) -> int:
        """Highest applied migration."""
        async with self._lock:
            return await self._schema_version()

    async def _schema_version(self) -> int:
        cur = await self._conn.execute("SELECT max(version) FROM schema_migrations")
        row = await cur.fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    async def _migrate(self, target: int) -> None:
        if not 0 <= target <= SCHEMA_VERSION:
            raise ValueError(f"unknown schema version {target}")
        async with self._lock:
            await self._conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)"
            )
            current = await self._schema_version()
            if current > SCHEMA_VERSION:
                raise RuntimeError(
                    f"database schema {current} is newer than this code ({SCHEMA_VERSION})"
                )
            for version in range(current + 1, target + 1):
                stamp = to_db(self._clock.now())
                script = (
                    "BEGIN IMMEDIATE;\n"
                    + MIGRATIONS[version - 1]
                    + f"\nINSERT INTO schema_migrations (version, applied_at)"
                    f" VALUES ({version}, {stamp});\nCOMMIT;"
                )
                try:
                    await self._conn.executescript(script)
                except BaseException:
                    if self._conn.in_transaction:
                        await self._conn.execute("ROLLBACK")
                    raise

    # ---------------------------------------------------------------- units of work

    def on_reminders_changed(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each commit that planned, moved or freed reminders (the
        scheduler's wake-up): callers never have to remember to poke it."""
        self._reminder_listeners.append(listener)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """One unit of work: BEGIN IMMEDIATE, then COMMIT, or ROLLBACK on any error."""
        self._not_inside_own_transaction()
        async with self._lock:
            self._holder = asyncio.current_task()
            tx = Tx(self)
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield tx
                except BaseException:
                    await self._conn.execute("ROLLBACK")
                    raise
                await self._conn.execute("COMMIT")
            finally:
                self._holder = None
        if tx.reminders_changed:
            for listener in self._reminder_listeners:
                listener()

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        self._not_inside_own_transaction()
        async with self._lock:
            cur = await self._conn.execute(sql, params)
            return list(await cur.fetchall())

    def _not_inside_own_transaction(self) -> None:
        # The lock is not re-entrant: inside a unit of work, use the Tx's own reads.
        if self._holder is not None and self._holder is asyncio.current_task():
            raise RuntimeError("inside a transaction: read and write through its Tx")

    async def checkpoint(self) -> None:
        """Fold the WAL into the database file and truncate it (after erasing data, so the
        erased text is not left in the -wal file)."""
        async with self._lock:
            await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
