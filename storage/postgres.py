"""The PostgreSQL backend: an asyncpg connection pool, for several workers on one database.

Statements are the repository's, written with ``?``; they are numbered ``$1, $2, …`` here
(once per statement text, then cached; asyncpg keeps each prepared per connection).  Every
unit of work is one transaction on a pooled connection.  One more connection per worker, kept
open for as long as the worker lives, holds its session advisory locks: the worker's own
(PostgreSQL drops it the moment the connection goes, so the others see at once that a killed
worker's claims are free) and the turn of each chat whose updates it is handling.
"""

from __future__ import annotations

import asyncio
import re
import urllib.parse
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

import asyncpg

from storage.dialects import LOCK_MIGRATE, POSTGRES, Dialect
from storage.migrations import MIGRATIONS, SCHEMA_VERSION

ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,  # a statement on a connection the server has just cut
    asyncio.TimeoutError,
)
"""What a database that cannot be reached or used raises."""


@lru_cache(maxsize=2048)
def numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1, $2, …`` (statements never hold a literal ?)."""
    if "?" not in sql:
        return sql
    parts = sql.split("?")
    out = [parts[0]]
    for n, part in enumerate(parts[1:], start=1):
        out.append(f"${n}{part}")
    return "".join(out)


def _rowcount(status: str) -> int:
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _clean(params: Sequence[Any]) -> Sequence[Any]:
    """PostgreSQL's text holds no NUL character (SQLite's does): it is stored as U+FFFD."""
    for value in params:
        if (isinstance(value, str) and "\x00" in value) or (
            isinstance(value, list) and any(isinstance(v, str) and "\x00" in v for v in value)
        ):
            return [_no_nul(v) for v in params]
    return params


def _no_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [_no_nul(v) for v in value]
    return value


class PgSession:
    """Statements inside one transaction on one pooled connection."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(await self._conn.fetch(numbered(sql), *_clean(params)))

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return _rowcount(await self._conn.execute(numbered(sql), *_clean(params)))

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await self._conn.executemany(numbered(sql), [_clean(r) for r in rows])


class SessionLocks:
    """A worker's session advisory locks, on a connection of their own."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._conn: Any = None
        self._lock = asyncio.Lock()
        self._held: set[tuple[int, int]] = set()
        self._kept: set[tuple[int, int]] = set()
        """Locks taken back after the connection was lost (the worker's own)."""
        self.pid = 0
        """The server process of the connection holding the locks (``pg_locks.pid``)."""
        self.generation = 0
        """How many times the connection has been made: a lock taken under an earlier one
        was lost with it (and another worker may have acted on that meanwhile), even if
        it has been taken back since."""

    @property
    def connected(self) -> bool:
        """Whether the connection holding the locks is (as far as this process knows) alive:
        PostgreSQL dropped every lock of a connection that is gone."""
        return self._conn is not None and not self._conn.is_closed()

    async def _connection(self) -> Any:
        if self._conn is None or self._conn.is_closed():
            # A lost connection lost every lock with it: a chat another worker may now be
            # handling is not ours any more; the worker's own lock is taken again.
            self._held.clear()
            self._conn = None
            self._conn = await asyncpg.connect(self._url)
            self.generation += 1
            self.pid = int(self._conn.get_server_pid())
            for ns, key in sorted(self._kept):
                if await self._conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", ns, key):
                    self._held.add((ns, key))
        return self._conn

    async def try_lock(self, ns: int, key: int, *, keep: bool = False) -> bool:
        """Take the lock if nobody (this worker included) holds it; True if taken.  With
        ``keep``, a lock this worker holds already counts as taken, and it is taken back
        whenever the connection has to be made again."""
        async with self._lock:
            conn = await self._connection()
            if (ns, key) in self._held:
                return keep and (ns, key) in self._kept
            taken = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", ns, key))
            if taken:
                self._held.add((ns, key))
                if keep:
                    self._kept.add((ns, key))
            return taken

    async def unlock(self, ns: int, key: int) -> None:
        async with self._lock:
            self._kept.discard((ns, key))
            if (ns, key) not in self._held:
                return
            self._held.discard((ns, key))
            if self._conn is not None and not self._conn.is_closed():
                try:
                    await self._conn.fetchval("SELECT pg_advisory_unlock($1, $2)", ns, key)
                except ERRORS:
                    # Gone, or in a state nobody can tell: dropped, and every lock with it
                    # (the others see this worker as gone; it registers again).
                    self._conn.terminate()

    async def close(self) -> None:
        async with self._lock:
            self._held.clear()
            self._kept.clear()
            if self._conn is not None:
                await self._conn.close()
                self._conn = None


class PostgresBackend:
    dialect: Dialect = POSTGRES
    shared = True
    """Any number of workers may run the bot on this database at once."""

    def __init__(self, pool: Any, url: str) -> None:
        self._pool = pool
        self.url = url
        self.display = redacted(url)
        self.locks = SessionLocks(url)

    @classmethod
    async def open(cls, url: str, pool_size: int, connect_seconds: float) -> PostgresBackend:
        if not re.match(r"^postgres(ql)?://", url):
            raise ValueError(f"not a PostgreSQL URL: {redacted(url)}")
        pool = await asyncpg.create_pool(
            url,
            min_size=1,
            max_size=max(1, pool_size),
            timeout=connect_seconds,
            command_timeout=60,
        )
        backend = cls(pool, url)
        try:
            await backend.locks.try_lock(LOCK_MIGRATE, 0)  # opens the lock connection now
            await backend.locks.unlock(LOCK_MIGRATE, 0)
        except BaseException:
            await pool.close()
            raise
        return backend

    async def read_all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(await self._pool.fetch(numbered(sql), *_clean(params)))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PgSession]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield PgSession(conn)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[PgSession]:
        """Reads that all see the database as it was at the first (REPEATABLE READ)."""
        async with (
            self._pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            yield PgSession(conn)

    async def schema_version(self) -> int:
        async with self._pool.acquire() as conn:
            return await self._schema_version(conn)

    @staticmethod
    async def _schema_version(conn: Any) -> int:
        exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
        if not exists:
            return 0
        value = await conn.fetchval("SELECT max(version) FROM schema_migrations")
        return int(value) if value is not None else 0

    async def migrate(self, target: int, stamp: Callable[[], int]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            # Workers starting together: the first migrates, the others then find it done.
            await conn.execute(f"SELECT pg_advisory_xact_lock({LOCK_MIGRATE}, 0)")
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)"
            )
            current = await self._schema_version(conn)
            if current > SCHEMA_VERSION:
                raise RuntimeError(
                    f"database schema {current} is newer than this code ({SCHEMA_VERSION})"
                )
            for version in range(current + 1, target + 1):
                await conn.execute(MIGRATIONS[version - 1].postgres)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                    version,
                    stamp(),
                )

    async def check_writable(self) -> None:
        async with self._pool.acquire() as conn:
            if await conn.fetchval("SELECT pg_is_in_recovery()"):
                raise asyncpg.ReadOnlySQLTransactionError(
                    "the server is a read-only replica (in recovery)"
                )

    async def checkpoint(self) -> None:
        """Nothing to fold: PostgreSQL reclaims deleted rows by VACUUM (see the README)."""

    async def close(self) -> None:
        try:
            await self.locks.close()
        finally:
            await self._pool.close()
