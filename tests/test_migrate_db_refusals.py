"""``migrate-db`` refuses in one line, exit 2, leaving the target as it was (issue 23,
finding 11): text PostgreSQL cannot hold is found before anything is written, the copy is
read back inside the target's transaction, and a source the bot writes to meanwhile is
copied as it was at one moment."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
import raw_sql
from conftest import Databases
from test_migrate_db import cli, fill
from yearly_items import CHAT, NOW

from bot.knowledge.knowledge import Knowledge
from storage.repository import Database
from storage.transfer import copy_history

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


async def _empty(target: str) -> bool:
    rows = await raw_sql.snapshot(target)
    return all(not r for t, r in rows.items() if t != "schema_migrations")


async def test_a_nul_character_is_refused_before_anything_is_written(
    databases: Databases, tmp_path: Path, knowledge: Knowledge
) -> None:
    source, target = str(tmp_path / "old.db"), await databases.new("nul")
    await fill(source, knowledge)
    await raw_sql.execute(source, ("UPDATE officers SET name = ?", ("Ol\x00u",)))
    code, out, err = await asyncio.to_thread(cli, "migrate-db", "--from", source, "--to", target)
    assert code == 2 and err.count("\n") == 1 and "NUL character" in err, err
    assert "officers.name" in err and "Traceback" not in err
    assert await _empty(target)
    # Mended in the source, it copies (the target was not left holding half a copy).
    await raw_sql.execute(source, ("UPDATE officers SET name = ?", ("Olu",)))
    code, out, err = await asyncio.to_thread(cli, "migrate-db", "--from", source, "--to", target)
    assert code == 0 and "verified" in out, err


async def test_a_copy_that_reads_back_different_is_never_committed(
    databases: Databases, tmp_path: Path, knowledge: Knowledge
) -> None:
    source, target = str(tmp_path / "old.db"), await databases.new("altered")
    await fill(source, knowledge)
    await (await Database.open(target)).close()  # migrated, empty
    # A target that changes what it is given (a trigger someone left on it).
    await raw_sql.execute(
        target,
        "CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN NEW.name := upper(NEW.name); RETURN NEW; END $$",
        "CREATE TRIGGER shout BEFORE INSERT ON officers FOR EACH ROW EXECUTE FUNCTION shout()",
    )
    code, _, err = await asyncio.to_thread(cli, "migrate-db", "--from", source, "--to", target)
    assert code == 2 and err.count("\n") == 1, err
    assert "officers: 1 rows written, 1 read back" in err and "Traceback" not in err
    assert await _empty(target)


async def test_a_source_written_during_the_copy_is_copied_as_it_was(
    databases: Databases, tmp_path: Path, knowledge: Knowledge
) -> None:
    source_path, target_path = str(tmp_path / "live.db"), await databases.new("live")
    await fill(source_path, knowledge)
    before = await raw_sql.snapshot(source_path)
    source = await Database.open(source_path)
    target = await Database.open(target_path)
    written: list[int] = []

    def the_bot_writes(sql: str) -> None:
        """The running bot registers an item and its reminder while items are copied."""
        if written or not sql.startswith("INSERT INTO items"):
            return
        with sqlite3.connect(source_path) as bot:
            item = bot.execute(
                "INSERT INTO items (chat_id, kind, title, data, registered_at)"
                " VALUES (?, 'reminder', 'new', '{}', ?) RETURNING id",
                (CHAT, int(NOW.timestamp() * 1e6)),
            ).fetchone()[0]
            bot.execute(
                "INSERT INTO reminders (chat_id, item_id, key, text, due_at, created_at)"
                " VALUES (?, ?, 'adhoc', 'new', ?, ?)",
                (CHAT, item, int(NOW.timestamp() * 1e6), int(NOW.timestamp() * 1e6)),
            )
        bot.close()
        written.append(item)

    target.faults = the_bot_writes
    try:
        copied = await copy_history(source, target)
    finally:
        await source.close()
        await target.close()
    assert written, "the source was written during the copy"
    assert copied.tables["items"][0] == len(before["items"])
    assert copied.tables["reminders"][0] == len(before["reminders"])
    ids = [r[0] for r in await raw_sql.fetch(target_path, "SELECT id FROM items")]
    assert written[0] not in ids and len(ids) == len(before["items"])
