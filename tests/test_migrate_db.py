"""``compactbot migrate-db``: a chat's (or every chat's) history moves between SQLite and
PostgreSQL whole, verified, and never over data already there."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import raw_sql
from conftest import Databases
from yearly_items import CHAT, NOW, register_year, stored_core

from bot.frontends.cli import main
from bot.knowledge.knowledge import Knowledge
from bot.records.report_formats import render_markdown
from storage.repository import Database
from storage.transfer import TABLES

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

OTHER = -2002
"""A second group: paused, with an officer, a draft, and a reminder claimed mid-delivery."""


async def fill(path: str, knowledge: Knowledge) -> dict[str, int]:
    async with stored_core(path, knowledge) as core:
        ids = await register_year(core)
        await core.add_officer(OTHER, 77, "Olu")
        await core.save_draft(OTHER, 77, {"kind": "consultation", "fields": {"title": "Roads"}})
        await core.add_adhoc_reminder(OTHER, 77, NOW + timedelta(hours=1), "call the council")
        await core.chat_left(OTHER, "bot kicked")
        async with core.db.transaction() as tx:  # a worker on the old database is sending it
            [claimed] = await tx.claim_due(NOW + timedelta(days=400), 1, "old-worker", 300)
        assert claimed.chat_id == CHAT
    return ids


async def picture(path: str, knowledge: Knowledge) -> dict[str, object]:
    """What a group would see of its history, from the bot's side."""
    async with stored_core(path, knowledge) as core:
        out: dict[str, object] = {}
        for chat in (CHAT, OTHER):
            out[f"report {chat}"] = render_markdown(
                await core.report(chat, 2026), knowledge.registry.display_name
            )
            out[f"items {chat}"] = [(i.id, i.title) for i in await core.open_items(chat)]
            out[f"reminders {chat}"] = [
                (r.id, r.text, r.due_at, r.status) for r in await core.pending_reminders(chat)
            ]
            out[f"officers {chat}"] = [(o.user_id, o.name) for o in await core.officers(chat)]
            out[f"settings {chat}"] = await core.db.chat_settings(chat)
            out[f"log {chat}"] = [(e.id, e.kind, e.payload) for e in await core.db.log(chat)]
        out["drafts"] = await core.drafts(NOW - timedelta(days=1))
        return out


def cli(*args: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "bot.frontends.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("direction", ["sqlite to postgresql", "postgresql to sqlite"])
async def test_every_chats_history_moves_whole_and_verified(
    direction: str, databases: Databases, tmp_path: Path, knowledge: Knowledge
) -> None:
    pg, lite = await databases.new("move"), str(tmp_path / "move.db")
    source, target = (lite, pg) if direction.startswith("sqlite") else (pg, lite)
    ids = await fill(source, knowledge)
    before = await picture(source, knowledge)
    source_rows = await raw_sql.snapshot(source)

    code, out, err = await asyncio.to_thread(cli, "migrate-db", "--from", source, "--to", target)
    assert (code, err) == (0, ""), err
    assert "Copied 2 chat(s)" in out and "verified" in out
    assert "reminders" in out and "sha256" in out

    waiting = [
        (rid, text, due, "pending" if status == "sending" else status)
        for rid, text, due, status in before[f"reminders {CHAT}"]  # type: ignore[attr-defined]
    ]
    assert ("sending" in str(before)) and waiting != before[f"reminders {CHAT}"]
    # Everything as it was, but the old database's worker's claim, which does not move.
    assert await picture(target, knowledge) == {**before, f"reminders {CHAT}": waiting}
    assert await raw_sql.snapshot(source) == source_rows  # the source is left as it was
    # The target carries on numbering after the copied ids.
    async with stored_core(target, knowledge) as core:
        new = await core.add_adhoc_reminder(CHAT, 7, NOW + timedelta(days=1), "new")
    assert new > max(ids.values())


async def test_one_chat_moves_beside_others_and_never_over_them(
    databases: Databases, tmp_path: Path, knowledge: Knowledge
) -> None:
    source, target = str(tmp_path / "old.db"), await databases.new("regional")
    await fill(source, knowledge)
    async with stored_core(target, knowledge) as core:  # the target already serves a group
        await core.add_officer(-9999, 5, "Someone else")
        taken = await core.add_adhoc_reminder(-9999, 5, NOW + timedelta(days=1), "theirs")
    code, out, err = await asyncio.to_thread(
        cli, "migrate-db", "--from", source, "--to", target, "--chat", str(OTHER)
    )
    assert code == 0, err
    assert "Copied 1 chat(s)" in out
    async with stored_core(target, knowledge) as core:
        assert [o.name for o in await core.officers(OTHER)] == ["Olu"]
        assert [o.name for o in await core.officers(-9999)] == ["Someone else"]
        assert await core.open_items(CHAT) == []  # only the chat asked for
    before = await raw_sql.snapshot(target)

    # Again: the chat is there now, so nothing is copied over it.
    code, out, err = await asyncio.to_thread(
        cli, "migrate-db", "--from", source, "--to", target, "--chat", str(OTHER)
    )
    assert code == 2 and err.count("\n") == 1 and "already holds chat" in err, err
    # Every chat into a target that holds data: refused too.
    code, out, err = await asyncio.to_thread(cli, "migrate-db", "--from", source, "--to", target)
    assert code == 2 and err.count("\n") == 1 and "not empty" in err, err
    # A chat whose item ids another chat has taken in the target cannot keep them: refused.
    code, out, err = await asyncio.to_thread(
        cli, "migrate-db", "--from", source, "--to", target, "--chat", str(CHAT)
    )
    assert code == 2 and err.count("\n") == 1 and f"items id {taken} of chat" in err, err
    assert await raw_sql.snapshot(target) == before


async def test_bad_input_is_one_line_and_exit_2(
    databases: Databases, tmp_path: Path, knowledge: Knowledge
) -> None:
    lite = str(tmp_path / "a.db")
    db = await Database.open(lite)
    await db.close()
    unreachable = "postgresql://nobody@127.0.0.1:1/none"
    cases = [
        (["--from", str(tmp_path / "missing.db"), "--to", lite], "no database at"),
        (["--from", lite, "--to", lite], "same database"),
        (["--from", lite, "--to", "mysql://x/y"], "not a database this bot knows"),
        (["--from", lite, "--to", unreachable], "cannot use the database"),
        (["--from", lite, "--to", str(tmp_path / "no" / "dir.db")], "no directory"),
        (["--from", lite, "--to", str(tmp_path / "b.db"), "--chat", "12x"], "not a Telegram chat"),
        (
            ["--from", lite, "--to", str(tmp_path / "c.db"), "--chat", "5"],
            "nothing stored for chat",
        ),
    ]
    for args, message in cases:
        code, out, err = await asyncio.to_thread(cli, "migrate-db", *args)
        assert code == 2 and err.count("\n") == 1 and message in err, (args, err)
        assert "Traceback" not in err and "nobody@" not in out


def test_the_cli_parser_knows_migrate_db(capsys: pytest.CaptureFixture[str], backend: str) -> None:
    assert main(["migrate-db", "--to", "x.db"]) == 2
    assert "--from" in capsys.readouterr().err


def test_every_table_with_a_chats_history_is_copied(backend: str) -> None:
    from storage.repository import _CHAT_TABLES

    copied = {t.name for t in TABLES}
    assert set(_CHAT_TABLES) <= copied and "clauses" in copied
