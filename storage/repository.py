"""Durable storage for compactbot: every SQL statement of the project lives here.

One aiosqlite connection in WAL mode. Instants are stored as INTEGER microseconds since the
Unix epoch (UTC), so they sort numerically and compare exactly. Multi-statement operations hold
an asyncio lock so coroutines sharing the connection never interleave inside a transaction.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
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

# Reminder lifecycle: pending -> sending -> sent; sending -> pending (retry/crash recovery);
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


class Database:
    """Async repository over one SQLite file. Create with ``await Database.open(path)``."""

    def __init__(self, conn: aiosqlite.Connection, path: str, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock
        self._lock = asyncio.Lock()
        self.path = path

    # ---------------------------------------------------------------- lifecycle

    @classmethod
    async def open(
        cls, path: str | Path, *, migrate_to: int | None = None, clock: Clock | None = None
    ) -> Database:
        """Open (creating if needed) and migrate to ``migrate_to`` (default: latest).

        ``clock`` stamps rows the caller gives no time for (a chat's creation, a migration)."""
        # isolation_level=None: we issue BEGIN/COMMIT ourselves so transactions are explicit.
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        try:
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA busy_timeout=5000")
            # forget_chat must really forget: overwrite freed content instead of leaving it.
            await conn.execute("PRAGMA secure_delete=ON")
            db = cls(conn, str(path), clock or SystemClock())
            await db._migrate(SCHEMA_VERSION if migrate_to is None else migrate_to)
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

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[aiosqlite.Connection]:
        """Serialised write transaction; rolls back on any error."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    async def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        async with self._lock:
            cur = await self._conn.execute(sql, params)
            return list(await cur.fetchall())

    async def _fetchone(self, sql: str, params: Sequence[Any] = ()) -> Any:
        async with self._lock:
            cur = await self._conn.execute(sql, params)
            return await cur.fetchone()

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One autocommitted statement; returns rows changed."""
        async with self._lock:
            cur = await self._conn.execute(sql, params)
            return cur.rowcount

    async def table_names(self) -> list[str]:
        """All user tables (for audits such as forget_chat's)."""
        rows = await self._fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
        return [r[0] for r in rows]

    # ---------------------------------------------------------------- chats

    async def _ensure_chats(self, conn: aiosqlite.Connection, chat_ids: Iterable[int]) -> None:
        now = to_db(self._clock.now())
        await conn.executemany(
            "INSERT OR IGNORE INTO chats (chat_id, created_at) VALUES (?, ?)",
            [(c, now) for c in set(chat_ids)],
        )

    async def ensure_chat(self, chat_id: int, title: str | None) -> None:
        """Create the chat if new; refresh its title when one is given."""
        await self._write(
            "INSERT INTO chats (chat_id, title, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET title = coalesce(excluded.title, title)",
            (chat_id, title, to_db(self._clock.now())),
        )

    async def chat_settings(self, chat_id: int) -> ChatSettings:
        """Settings of a chat; defaults for a chat never seen."""
        async with self._lock:
            cur = await self._conn.execute(
                "SELECT timezone, paused, paused_reason, title FROM chats WHERE chat_id = ?",
                (chat_id,),
            )
            row = await cur.fetchone()
            cur = await self._conn.execute(
                "SELECT code FROM chat_compacts WHERE chat_id = ? ORDER BY position", (chat_id,)
            )
            codes = [r[0] for r in await cur.fetchall()]
        if row is None:
            return ChatSettings(chat_id=chat_id)
        return ChatSettings(
            chat_id=chat_id,
            compacts=codes,
            timezone=row[0],
            paused=bool(row[1]),
            paused_reason=row[2],
            title=row[3],
        )

    async def set_compacts(self, chat_id: int, codes: list[str]) -> None:
        """Replace the chat's Compacts (order kept, duplicates dropped)."""
        unique = list(dict.fromkeys(codes))
        async with self._tx() as conn:
            await self._ensure_chats(conn, [chat_id])
            await conn.execute("DELETE FROM chat_compacts WHERE chat_id = ?", (chat_id,))
            await conn.executemany(
                "INSERT INTO chat_compacts (chat_id, position, code) VALUES (?, ?, ?)",
                [(chat_id, i, code) for i, code in enumerate(unique)],
            )

    async def set_timezone(self, chat_id: int, tz: str) -> None:
        """Set the chat's IANA timezone name (validated by the caller)."""
        async with self._tx() as conn:
            await self._ensure_chats(conn, [chat_id])
            await conn.execute("UPDATE chats SET timezone = ? WHERE chat_id = ?", (tz, chat_id))

    async def add_officer(self, chat_id: int, user_id: int, name: str) -> None:
        """Add (or rename) an officer of the chat."""
        async with self._tx() as conn:
            await self._ensure_chats(conn, [chat_id])
            await conn.execute(
                "INSERT INTO officers (chat_id, user_id, name, added_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (chat_id, user_id) DO UPDATE SET name = excluded.name",
                (chat_id, user_id, name, to_db(self._clock.now())),
            )

    async def remove_officer(self, chat_id: int, user_id: int) -> bool:
        """Remove an officer; False if they were not one."""
        changed = await self._write(
            "DELETE FROM officers WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
        )
        return changed > 0

    async def officers(self, chat_id: int) -> list[Officer]:
        """The chat's officers, oldest first."""
        rows = await self._fetchall(
            "SELECT chat_id, user_id, name, added_at FROM officers WHERE chat_id = ?"
            " ORDER BY added_at, user_id",
            (chat_id,),
        )
        return [Officer(r[0], r[1], r[2], from_db(r[3])) for r in rows]

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
        async with self._tx() as conn:
            await self._ensure_chats(conn, [chat_id])
            cur = await conn.execute(
                "INSERT INTO items (chat_id, kind, title, data, registered_by, registered_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (chat_id, kind, title, json.dumps(data), registered_by, to_db(at)),
            )
            assert cur.lastrowid is not None
            return cur.lastrowid

    async def item(self, chat_id: int, item_id: int) -> Item | None:
        """One item, only if it belongs to the chat."""
        row = await self._fetchone(
            f"SELECT {_ITEM_COLS} FROM items WHERE id = ? AND chat_id = ?", (item_id, chat_id)
        )
        return None if row is None else _item(row)

    async def open_items(self, chat_id: int) -> list[Item]:
        """The chat's open items, oldest first."""
        rows = await self._fetchall(
            f"SELECT {_ITEM_COLS} FROM items WHERE chat_id = ? AND status = 'open'"
            " ORDER BY registered_at, id",
            (chat_id,),
        )
        return [_item(r) for r in rows]

    async def set_item_status(self, chat_id: int, item_id: int, status: str, at: datetime) -> bool:
        """Change an item's status; done/cancelled also cancels its unsent reminders."""
        if status not in ITEM_STATUSES:
            raise ValueError(f"unknown item status {status!r}")
        async with self._tx() as conn:
            cur = await conn.execute(
                "UPDATE items SET status = ?, status_at = ? WHERE id = ? AND chat_id = ?",
                (status, to_db(at), item_id, chat_id),
            )
            if cur.rowcount == 0:
                return False
            if status != "open":
                await conn.execute(
                    "UPDATE reminders SET status = 'cancelled' WHERE item_id = ? AND chat_id = ?"
                    " AND status IN ('pending', 'held')",
                    (item_id, chat_id),
                )
            return True

    # ---------------------------------------------------------------- event log

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
        async with self._tx() as conn:
            await self._ensure_chats(conn, [chat_id])
            if clauses:
                await conn.executemany(
                    "INSERT INTO clauses (ref, text) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    list(clauses.items()),
                )
            cur = await conn.execute(
                "INSERT INTO log_entries (chat_id, item_id, kind, actor, payload, at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (chat_id, item_id, kind, actor, _json(payload), to_db(at)),
            )
            assert cur.lastrowid is not None
            return cur.lastrowid

    async def log(self, chat_id: int, since: datetime | None = None) -> list[StoredEntry]:
        """The chat's log in order, optionally only entries at or after ``since``."""
        rows = await self._fetchall(
            "SELECT id, chat_id, item_id, kind, actor, payload, at FROM log_entries"
            " WHERE chat_id = ? AND at >= ? ORDER BY at, id",
            (chat_id, to_db(since) if since is not None else -(2**62)),
        )
        return [_entry(r) for r in rows]

    async def item_log(self, chat_id: int, item_id: int) -> list[StoredEntry]:
        """One item's log entries in order (empty if the item is not the chat's)."""
        rows = await self._fetchall(
            "SELECT id, chat_id, item_id, kind, actor, payload, at FROM log_entries"
            " WHERE chat_id = ? AND item_id = ? ORDER BY at, id",
            (chat_id, item_id),
        )
        return [_entry(r) for r in rows]

    async def clause_texts(self, refs: Iterable[str]) -> dict[str, str]:
        """The stored citations of clause references (see ``bot.records.log.clause_ref``)."""
        rows = await self._fetchall(
            "SELECT ref, text FROM clauses WHERE ref IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(set(refs))),),
        )
        return {r[0]: r[1] for r in rows}

    # ---------------------------------------------------------------- drafts

    async def save_draft(
        self, chat_id: int, user_id: int, state: dict[str, Any], at: datetime
    ) -> None:
        """Store (or replace) a user's unfinished registration in a chat."""
        async with self._tx() as conn:
            await self._ensure_chats(conn, [chat_id])
            await conn.execute(
                "INSERT INTO drafts (chat_id, user_id, state, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (chat_id, user_id) DO UPDATE"
                " SET state = excluded.state, updated_at = excluded.updated_at",
                (chat_id, user_id, json.dumps(state), to_db(at)),
            )

    async def delete_draft(self, chat_id: int, user_id: int) -> None:
        await self._write(
            "DELETE FROM drafts WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
        )

    async def drafts(self, since: datetime) -> list[StoredDraft]:
        """Drafts touched at or after ``since``; older ones are deleted as abandoned."""
        stamp = to_db(since)
        async with self._tx() as conn:
            await conn.execute("DELETE FROM drafts WHERE updated_at < ?", (stamp,))
            cur = await conn.execute("SELECT chat_id, user_id, state, updated_at FROM drafts")
            rows = await cur.fetchall()
        return [StoredDraft(r[0], r[1], json.loads(r[2]), from_db(r[3])) for r in rows]

    # ---------------------------------------------------------------- reminders

    async def add_reminders(self, reminders: Sequence[NewReminder]) -> list[int]:
        """Plan reminders; returns their ids in input order. A reminder already planned with the
        same (chat, item, key) is left as it is and its existing id returned."""
        if not reminders:
            return []
        now = to_db(self._clock.now())
        ids: dict[tuple[int, int, str], int] = {}
        async with self._tx() as conn:
            await self._ensure_chats(conn, (r.chat_id for r in reminders))
            cur = await conn.execute(
                "SELECT chat_id FROM chats WHERE paused = 1 AND chat_id IN"
                " (SELECT value FROM json_each(?))",
                (_ids_json({r.chat_id for r in reminders}),),
            )
            paused = {row[0] for row in await cur.fetchall()}
            for start in range(0, len(reminders), _INSERT_CHUNK):
                chunk = reminders[start : start + _INSERT_CHUNK]
                params: list[Any] = []
                for r in chunk:
                    due = to_db(r.due_at)
                    status = "held" if r.chat_id in paused else "pending"
                    params += (r.chat_id, r.item_id, r.key, r.text, due, due, status, now)
                values = ",".join(["(?,?,?,?,?,?,?,?)"] * len(chunk))
                # RETURNING yields only rows actually inserted; conflicts are looked up below.
                cur = await conn.execute(
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
                    cur = await conn.execute(
                        "SELECT id FROM reminders WHERE chat_id = ? AND ifnull(item_id, 0) = ?"
                        " AND key = ?",
                        k,
                    )
                    row = await cur.fetchone()
                    assert row is not None
                    ids[k] = row[0]
        return [ids[(r.chat_id, r.item_id or 0, r.key)] for r in reminders]

    async def reminder(self, chat_id: int, reminder_id: int) -> Reminder | None:
        """One reminder, only if it belongs to the chat."""
        row = await self._fetchone(
            f"SELECT {_REMINDER_COLS} FROM reminders WHERE id = ? AND chat_id = ?",
            (reminder_id, chat_id),
        )
        return None if row is None else _reminder(row)

    async def next_due_at(self) -> datetime | None:
        """Earliest pending reminder (paused chats' reminders are 'held', so not counted)."""
        row = await self._fetchone("SELECT min(due_at) FROM reminders WHERE status = 'pending'")
        return None if row is None or row[0] is None else from_db(row[0])

    async def claim_due(self, now: datetime, limit: int) -> list[Reminder]:
        """Atomically mark up to ``limit`` due reminders 'sending'; returned in due order."""
        stamp = to_db(now)
        async with self._lock:
            # A single UPDATE statement is its own transaction: nothing is claimed twice.
            cur = await self._conn.execute(
                "UPDATE reminders SET status = 'sending', claimed_at = ?"
                " WHERE id IN (SELECT id FROM reminders WHERE status = 'pending' AND due_at <= ?"
                " ORDER BY due_at, id LIMIT ?)"
                f" RETURNING {_REMINDER_COLS}",
                (stamp, stamp, limit),
            )
            rows = await cur.fetchall()
        claimed = [_reminder(r) for r in rows]
        # RETURNING order is unspecified by SQLite.
        claimed.sort(key=lambda r: (r.due_at, r.id))
        return claimed

    async def mark_sent(
        self, ids: Sequence[int], at: datetime, *, grace_seconds: float = LATE_GRACE_SECONDS
    ) -> int:
        """Mark delivered reminders sent (one statement); late = sent over grace after planned."""
        if not ids:
            return 0
        stamp = to_db(at)
        return await self._write(
            "UPDATE reminders SET status = 'sent', sent_at = ?, late = (? - planned_at > ?)"
            " WHERE status = 'sending' AND id IN (SELECT value FROM json_each(?))",
            (stamp, stamp, int(grace_seconds * 1_000_000), _ids_json(ids)),
        )

    async def mark_retry(self, reminder_id: int, reason: str, retry_at: datetime) -> bool:
        """Return an in-flight reminder to pending at ``retry_at`` after a failed attempt."""
        changed = await self._write(
            "UPDATE reminders SET status = 'pending', attempts = attempts + 1, due_at = ?,"
            " last_error = ? WHERE id = ? AND status = 'sending'",
            (to_db(retry_at), reason, reminder_id),
        )
        return changed > 0

    async def mark_undeliverable(self, reminder_id: int, reason: str) -> bool:
        """Give up on a reminder, recording why."""
        changed = await self._write(
            "UPDATE reminders SET status = 'undeliverable', attempts = attempts + 1,"
            " last_error = ? WHERE id = ? AND status IN ('sending', 'pending', 'held')",
            (reason, reminder_id),
        )
        return changed > 0

    async def pause_chat(self, chat_id: int, reason: str) -> int:
        """Stop delivering to a chat (e.g. bot blocked); returns reminders put on hold."""
        async with self._tx() as conn:
            await self._ensure_chats(conn, [chat_id])
            await conn.execute(
                "UPDATE chats SET paused = 1, paused_reason = ? WHERE chat_id = ?",
                (reason, chat_id),
            )
            cur = await conn.execute(
                "UPDATE reminders SET status = 'held' WHERE chat_id = ?"
                " AND status IN ('pending', 'sending')",
                (chat_id,),
            )
            return cur.rowcount

    async def resume_chat(self, chat_id: int) -> int:
        """Deliver to the chat again; returns reminders released from hold."""
        async with self._tx() as conn:
            await conn.execute(
                "UPDATE chats SET paused = 0, paused_reason = NULL WHERE chat_id = ?", (chat_id,)
            )
            cur = await conn.execute(
                "UPDATE reminders SET status = 'pending' WHERE chat_id = ? AND status = 'held'",
                (chat_id,),
            )
            return cur.rowcount

    async def snooze(self, chat_id: int, reminder_id: int, until: datetime) -> bool:
        """Re-arm a pending, held or already-sent reminder for ``until``."""
        stamp = to_db(until)
        changed = await self._write(
            "UPDATE reminders SET due_at = ?, planned_at = ?, attempts = 0, sent_at = NULL,"
            " late = 0, last_error = NULL,"
            " status = CASE WHEN (SELECT paused FROM chats WHERE chats.chat_id = reminders.chat_id)"
            " THEN 'held' ELSE 'pending' END"
            " WHERE id = ? AND chat_id = ? AND status IN ('pending', 'held', 'sent')",
            (stamp, stamp, reminder_id, chat_id),
        )
        return changed > 0

    async def stop_reminder(self, chat_id: int, reminder_id: int) -> int:
        """Cancel a reminder and every other unsent reminder of its item; returns how many."""
        async with self._tx() as conn:
            cur = await conn.execute(
                "SELECT item_id FROM reminders WHERE id = ? AND chat_id = ?",
                (reminder_id, chat_id),
            )
            row = await cur.fetchone()
            if row is None:
                return 0
            cur = await conn.execute(
                "UPDATE reminders SET status = 'cancelled' WHERE chat_id = ?"
                " AND status IN ('pending', 'held') AND (id = ? OR (item_id IS NOT NULL"
                " AND item_id = ?))",
                (chat_id, reminder_id, row[0]),
            )
            return cur.rowcount

    async def cancel_reminders(
        self, chat_id: int, item_id: int, key_contains: str | None = None
    ) -> int:
        """Cancel the unsent reminders of an item (only those whose key contains
        ``key_contains``, if given); returns how many."""
        return await self._write(
            "UPDATE reminders SET status = 'cancelled' WHERE chat_id = ? AND item_id = ?"
            " AND status IN ('pending', 'held') AND instr(key, ?) > 0",
            (chat_id, item_id, key_contains or ""),
        )

    async def pending_reminders(self, chat_id: int) -> list[Reminder]:
        """The chat's reminders still to be delivered (pending, held or in flight), by due time."""
        rows = await self._fetchall(
            f"SELECT {_REMINDER_COLS} FROM reminders WHERE chat_id = ?"
            " AND status IN ('pending', 'held', 'sending') ORDER BY due_at, id",
            (chat_id,),
        )
        return [_reminder(r) for r in rows]

    async def count_reminders(self, status: str | None = None) -> int:
        """Number of reminders (optionally in one status), across all chats."""
        if status is None:
            row = await self._fetchone("SELECT count(*) FROM reminders")
        else:
            row = await self._fetchone("SELECT count(*) FROM reminders WHERE status = ?", (status,))
        return int(row[0])

    async def recover_in_flight(self) -> int:
        """On start: reminders a crash left 'sending' go back to pending (or held if paused)."""
        return await self._write(
            "UPDATE reminders SET status = CASE WHEN (SELECT paused FROM chats"
            " WHERE chats.chat_id = reminders.chat_id) THEN 'held' ELSE 'pending' END,"
            " claimed_at = NULL WHERE status = 'sending'"
        )

    async def forget_chat(self, chat_id: int) -> None:
        """Delete everything stored about a chat, in one transaction."""
        async with self._tx() as conn:
            # Children before parents so foreign keys hold at every step.
            for table in (
                "log_entries",
                "reminders",
                "items",
                "officers",
                "chat_compacts",
                "drafts",
                "chats",
            ):
                await conn.execute(f"DELETE FROM {table} WHERE chat_id = ?", (chat_id,))
