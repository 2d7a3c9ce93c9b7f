"""The embedded backend: one aiosqlite connection to one file, in WAL mode.

Reads and transactions share the connection, so an asyncio lock keeps coroutines from
interleaving inside a transaction (``BEGIN IMMEDIATE`` also keeps other processes out).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from storage.dialects import SQLITE, Dialect
from storage.migrations import MIGRATIONS, SCHEMA_VERSION


class SqliteSession:
    """Statements inside one transaction."""

    __slots__ = ("_conn",)

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        cur = await self._conn.execute(sql, params)
        return list(await cur.fetchall())

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cur = await self._conn.execute(sql, params)
        return cur.rowcount

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await self._conn.executemany(sql, rows)


class SqliteBackend:
    dialect: Dialect = SQLITE
    shared = False
    """One process runs the bot on a file (others may deliver reminders, with leases)."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self.path = path
        self.display = path

    @classmethod
    async def open(cls, path: str, busy_timeout: float) -> SqliteBackend:
        if await asyncio.to_thread(Path(path).is_dir):
            raise IsADirectoryError(f"{path} is a directory")
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves so transactions are explicit.
            conn = await aiosqlite.connect(path, isolation_level=None)
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
        except BaseException:
            await conn.close()
            raise
        return cls(conn, path)

    async def read_all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        async with self._lock:
            cur = await self._conn.execute(sql, params)
            return list(await cur.fetchall())

    async def _begin(self, sql: str) -> None:
        """Start a transaction, even when the caller is cancelled meanwhile: the statement
        runs on aiosqlite's thread whatever the awaiting task does, so a cancel that lands
        while it runs must end what it began, or this connection would hold the database's
        write lock with no one left to release it ("database is locked" for every other
        connection)."""
        begun = asyncio.ensure_future(self._execute(sql))
        try:
            await asyncio.shield(begun)
        except asyncio.CancelledError:
            await self._end_begun(begun)
            raise

    async def _end_begun(self, begun: asyncio.Future[None]) -> None:
        try:
            await begun
        except Exception:
            return  # it never began
        await self._rollback()

    async def _execute(self, sql: str) -> None:
        await self._conn.execute(sql)

    async def _rollback(self) -> None:
        # Shielded: a second cancel must not leave the transaction open either.
        await asyncio.shield(self._execute("ROLLBACK"))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteSession]:
        async with self._lock:
            await self._begin("BEGIN IMMEDIATE")
            try:
                yield SqliteSession(self._conn)
            except BaseException:
                await self._rollback()
                raise
            await self._conn.execute("COMMIT")

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[SqliteSession]:
        """Reads that all see the database as it was at the first (WAL: a deferred read
        transaction), while other connections go on writing."""
        async with self._lock:
            await self._begin("BEGIN DEFERRED")
            try:
                yield SqliteSession(self._conn)
            finally:
                await self._rollback()

    async def schema_version(self) -> int:
        async with self._lock:
            return await self._schema_version()

    async def _schema_version(self) -> int:
        cur = await self._conn.execute("SELECT max(version) FROM schema_migrations")
        row = await cur.fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    async def migrate(self, target: int, stamp: Callable[[], int]) -> None:
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
                script = (
                    "BEGIN IMMEDIATE;\n"
                    + MIGRATIONS[version - 1].sqlite
                    + f"\nINSERT INTO schema_migrations (version, applied_at)"
                    f" VALUES ({version}, {stamp()});\nCOMMIT;"
                )
                try:
                    await self._conn.executescript(script)
                except BaseException:
                    if self._conn.in_transaction:
                        await self._conn.execute("ROLLBACK")
                    raise

    async def check_writable(self) -> None:
        # A read-only file opens and reads fine; find out now, not at the first write.
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            await self._conn.execute("ROLLBACK")

    async def checkpoint(self) -> None:
        async with self._lock:
            await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()
