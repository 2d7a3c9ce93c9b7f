"""Reading and writing a test database behind the repository's back (as an old version of
the bot, another process or a curious admin would), on SQLite or PostgreSQL alike.

Statements use ``?`` placeholders on both.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import asyncpg

from storage.postgres import numbered

ERRORS: tuple[type[BaseException], ...] = (sqlite3.DatabaseError, asyncpg.PostgresError)
"""What a statement the database refuses raises."""


def is_postgres(target: str) -> bool:
    return target.startswith("postgresql://")


async def fetch(target: str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    if is_postgres(target):
        conn = await asyncpg.connect(target)
        try:
            return [tuple(r) for r in await conn.fetch(numbered(sql), *params)]
        finally:
            await conn.close()
    with sqlite3.connect(target) as lite:
        rows = lite.execute(sql, params).fetchall()
    lite.close()
    return rows


async def execute(target: str, *statements: tuple[str, Sequence[Any]] | str) -> None:
    """Run statements in one transaction."""
    pairs = [(s, ()) if isinstance(s, str) else s for s in statements]
    if is_postgres(target):
        conn = await asyncpg.connect(target)
        try:
            async with conn.transaction():
                for sql, params in pairs:
                    await conn.execute(numbered(sql), *params)
        finally:
            await conn.close()
        return
    with sqlite3.connect(target) as lite:
        for sql, params in pairs:
            lite.execute(sql, params)
    lite.close()


async def tables(target: str) -> list[str]:
    if is_postgres(target):
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    return sorted(r[0] for r in await fetch(target, sql))


async def columns(target: str, table: str) -> list[str]:
    if is_postgres(target):
        rows = await fetch(
            target,
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?"
            " AND table_schema = current_schema() ORDER BY ordinal_position",
            (table,),
        )
        return [r[0] for r in rows]
    return [r[1] for r in await fetch(target, f"PRAGMA table_info({table})")]


async def snapshot(target: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    names = await tables(target)
    if is_postgres(target):
        conn = await asyncpg.connect(target)
        try:
            return {
                t: sorted((tuple(r) for r in await conn.fetch(f"SELECT * FROM {t}")), key=repr)
                for t in names
            }
        finally:
            await conn.close()
    with sqlite3.connect(target) as lite:
        state = {t: sorted(lite.execute(f"SELECT * FROM {t}"), key=repr) for t in names}
    lite.close()
    return state
