"""Moving house: a chat's (or every chat's) whole history from one database to another.

``copy_history`` copies settings, Compacts, the calendar feed (its token's hash: the
subscribed address keeps working), officers, items, the log, the clause texts it quotes,
reminders and drafts, chat by chat in one transaction of the target, keeping every id
(an item is ``#5`` in both), then, before committing, reads the target back and compares
each table's row count and checksum (SHA-256 over the rows in key order) with what it meant
to write.  The source is read in one snapshot, so a bot still writing to it cannot make the
copy inconsistent.  It refuses a target that already holds data (or, for one chat, that
chat's data or one of its ids), text the target cannot hold (a NUL into PostgreSQL), and
never changes the source.  A reminder claimed for delivery when the source was read is
copied as waiting (its claim belongs to a worker on the old database).

The inbox, applied units, workers and send slots are the running bot's bookkeeping, not a
chat's history: they are not copied (stop the bot on the old database first).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from storage.repository import Database, Reader, Tx


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    by_chat: bool = True


TABLES: tuple[Table, ...] = (
    Table("clauses", ("ref", "text"), ("ref",), by_chat=False),
    Table(
        "chats",
        ("chat_id", "title", "timezone", "created_at", "paused", "paused_reason"),
        ("chat_id",),
    ),
    Table("chat_compacts", ("chat_id", "position", "code"), ("chat_id", "position")),
    Table(
        "calendar_feeds",
        ("chat_id", "token_hash", "created_by", "created_at", "etag", "modified_at"),
        ("chat_id",),
    ),
    Table("officers", ("chat_id", "user_id", "name", "added_at"), ("chat_id", "user_id")),
    Table(
        "items",
        (
            "id",
            "chat_id",
            "kind",
            "title",
            "data",
            "status",
            "registered_by",
            "registered_at",
            "status_at",
        ),
        ("id",),
    ),
    Table("log_entries", ("id", "chat_id", "item_id", "kind", "actor", "payload", "at"), ("id",)),
    Table(
        "reminders",
        (
            "id",
            "chat_id",
            "item_id",
            "key",
            "text",
            "due_at",
            "status",
            "created_at",
            "planned_at",
            "attempts",
            "last_error",
            "claimed_at",
            "sent_at",
            "late",
            "claimed_by",
            "lease_until",
        ),
        ("id",),
    ),
    Table("drafts", ("chat_id", "user_id", "state", "updated_at"), ("chat_id", "user_id")),
)
"""What a history is, parents before children."""

_WITH_IDS = ("items", "log_entries", "reminders")


class TransferRefused(Exception):
    """The copy cannot be made as asked (the message says why); nothing was written."""


@dataclass
class Tally:
    rows: int = 0
    digest: Any = field(default_factory=hashlib.sha256)

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        for row in rows:
            self.digest.update(json.dumps(list(row), ensure_ascii=False).encode())
            self.digest.update(b"\n")
        self.rows += len(rows)

    @property
    def checksum(self) -> str:
        return str(self.digest.hexdigest())


@dataclass(frozen=True)
class Copied:
    """Per table: rows copied and their checksum, the same on both sides."""

    tables: dict[str, tuple[int, str]]
    chats: int


def _sorted(rows: list[Any], table: Table) -> list[tuple[Any, ...]]:
    """Rows as tuples in key order (sorted here: the two databases may collate text apart)."""
    positions = [table.columns.index(k) for k in table.key]
    plain = [tuple(r) for r in rows]
    return sorted(plain, key=lambda r: tuple(r[p] for p in positions))


def _as_waiting(row: tuple[Any, ...], paused: bool) -> tuple[Any, ...]:
    """A reminder claimed on the old database waits again on the new one."""
    columns = TABLES[-2].columns
    values = dict(zip(columns, row, strict=True))
    if values["status"] == "sending":
        values.update(
            status="held" if paused else "pending",
            claimed_at=None,
            claimed_by=None,
            lease_until=None,
        )
    return tuple(values[c] for c in columns)


async def _rows(db: Reader, table: Table, chat_id: int | None) -> list[tuple[Any, ...]]:
    cols = ", ".join(table.columns)
    if table.by_chat and chat_id is not None:
        rows = await db._all(f"SELECT {cols} FROM {table.name} WHERE chat_id = ?", (chat_id,))
    else:
        rows = await db._all(f"SELECT {cols} FROM {table.name}")
    return _sorted(rows, table)


async def _chat_ids(db: Reader) -> list[int]:
    """Every chat with anything stored (a chats row comes with every write)."""
    return [int(r[0]) for r in await db._all("SELECT chat_id FROM chats ORDER BY chat_id")]


async def _refuse_unless_empty(target: Database, chat_id: int | None, source: Reader) -> None:
    if chat_id is None:
        for table in TABLES:
            if await target._one(f"SELECT 1 FROM {table.name} LIMIT 1"):
                raise TransferRefused(
                    f"the target already holds data ({table.name} is not empty); "
                    "copy into a new, empty database"
                )
        return
    for table in TABLES:
        if table.by_chat and await target._one(
            f"SELECT 1 FROM {table.name} WHERE chat_id = ? LIMIT 1", (chat_id,)
        ):
            raise TransferRefused(f"the target already holds chat {chat_id} ({table.name})")
    for name in _WITH_IDS:
        ids = [
            r[0] for r in await source._all(f"SELECT id FROM {name} WHERE chat_id = ?", (chat_id,))
        ]
        if ids:
            taken = await target._all(
                f"SELECT id FROM {name} WHERE id{target._d.in_list} ORDER BY id",
                (target._d.ids(ids),),
            )
            if taken:
                raise TransferRefused(
                    f"{name} id {taken[0][0]} of chat {chat_id} is taken in the target by"
                    " another chat; ids are kept, so this chat cannot move there"
                )


async def _write(tx: Tx, table: Table, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    cols = ", ".join(table.columns)
    marks = ", ".join("?" * len(table.columns))
    conflict = " ON CONFLICT DO NOTHING" if table.name == "clauses" else ""
    await tx._run_many(f"INSERT INTO {table.name} ({cols}) VALUES ({marks}){conflict}", rows)


async def _continue_ids(tx: Tx) -> None:
    """PostgreSQL: new items, log entries and reminders are numbered after the copied ones."""
    if tx._d.postgres:
        for name in _WITH_IDS:
            await tx._all(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id))"
                f" FROM {name} HAVING max(id) IS NOT NULL"
            )


def _refuse_what_the_target_cannot_hold(
    target: Database, table: Table, rows: list[tuple[Any, ...]]
) -> None:
    """PostgreSQL's text holds no NUL character (SQLite's does; it would be stored as U+FFFD,
    and the copy would differ): refused before anything is written."""
    if not target._d.postgres:
        return
    for row in rows:
        for column, value in zip(table.columns, row, strict=True):
            if isinstance(value, str) and "\x00" in value:
                key = ", ".join(f"{k} {row[table.columns.index(k)]}" for k in table.key)
                raise TransferRefused(
                    f"{table.name}.{column} ({key}) holds a NUL character, which "
                    "PostgreSQL cannot store; remove it from the source and copy again"
                )


async def copy_history(source: Database, target: Database, chat_id: int | None = None) -> Copied:
    """Copy one chat's history (``chat_id``) or every chat's from ``source`` to ``target``
    and verify it; raises TransferRefused (nothing written) if it cannot be done as asked.

    The source is read as it was at one moment (a snapshot: the bot may still be writing
    to it), every row is checked before it is written, and the copy is read back and
    compared inside the target's transaction, so a copy that differs is never committed."""
    async with source.snapshot() as snapshot:
        return await _copy(snapshot, target, chat_id)


async def _copy(source: Reader, target: Database, chat_id: int | None) -> Copied:
    chats = await _chat_ids(source)
    if chat_id is not None:
        if chat_id not in chats:
            raise TransferRefused(f"the source has nothing stored for chat {chat_id}")
        chats = [chat_id]
    await _refuse_unless_empty(target, chat_id, source)
    expected = {t.name: Tally() for t in TABLES}
    found = {t.name: Tally() for t in TABLES}
    async with target.transaction() as tx:
        clauses = await _rows(source, TABLES[0], None)
        _refuse_what_the_target_cannot_hold(target, TABLES[0], clauses)
        expected["clauses"].add(clauses)
        await _write(tx, TABLES[0], clauses)
        for chat in chats:
            paused = False
            for table in TABLES[1:]:
                rows = await _rows(source, table, chat)
                if table.name == "chats":
                    paused = bool(rows and rows[0][4])
                if table.name == "reminders":
                    rows = [_as_waiting(r, paused) for r in rows]
                _refuse_what_the_target_cannot_hold(target, table, rows)
                expected[table.name].add(rows)
                await _write(tx, table, rows)
        await _continue_ids(tx)
        # Read back before committing: a copy that differs is rolled back, not left behind.
        if chat_id is None:
            found["clauses"].add(await _rows(tx, TABLES[0], None))
        else:  # the target may hold other chats' clauses too: compare the source's
            wanted = {r[0] for r in clauses}
            found["clauses"].add([r for r in await _rows(tx, TABLES[0], None) if r[0] in wanted])
        for chat in chats:
            for table in TABLES[1:]:
                found[table.name].add(await _rows(tx, table, chat))
        for table in TABLES:
            want, got = expected[table.name], found[table.name]
            if (want.rows, want.checksum) != (got.rows, got.checksum):
                raise TransferRefused(
                    f"{table.name}: {want.rows} rows written, {got.rows} read back, checksums"
                    f" {want.checksum[:12]} and {got.checksum[:12]} differ; nothing was kept"
                )
    return Copied(
        {t.name: (found[t.name].rows, found[t.name].checksum) for t in TABLES}, len(chats)
    )
