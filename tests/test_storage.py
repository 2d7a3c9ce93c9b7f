"""storage.repository against a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import raw_sql
from conftest import Databases, one_shot
from hypothesis import given
from hypothesis import strategies as st

from storage.repository import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Database,
    IntegrityError,
    NewReminder,
    from_db,
    to_db,
)
from storage.sqlite import SqliteBackend

pytestmark = pytest.mark.both_backends

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
ME, LEASE = "this-process", 300.0


def rem(chat: int, key: str, due: datetime, item: int | None = None, text: str = "") -> NewReminder:
    return NewReminder(chat_id=chat, item_id=item, due_at=due, text=text or key, key=key)


# ---------------------------------------------------------------- migrations


async def test_upgrade_from_first_schema_keeps_and_converts_data(databases: Databases) -> None:
    path = await databases.new("old")
    old = await Database.open(path, migrate_to=1)
    assert await old.schema_version() == 1
    await old.close()

    # Write rows the way version-1 code did (compacts as a JSON column, no delivery columns).
    due = to_db(T0 + timedelta(days=3))
    await raw_sql.execute(
        path,
        "INSERT INTO chats (chat_id, title, compacts, timezone, created_at)"
        " VALUES (-100, 'Friends of the Park', '[\"kent-2011\", \"west-kent\"]',"
        " 'Europe/London', 0)",
        "INSERT INTO items (id, chat_id, kind, title, data, registered_by, registered_at)"
        " VALUES (7, -100, 'consultation', 'Parks budget', '{\"weeks\": 12}', 42, 5)",
        "INSERT INTO events (chat_id, item_id, kind, actor, payload, at)"
        " VALUES (-100, 7, 'registered', 42, '{}', 5)",
        (
            "INSERT INTO reminders (chat_id, item_id, key, text, due_at, created_at)"
            " VALUES (-100, 7, 'close-1w', 'Consultation closes in a week', ?, 5)",
            (due,),
        ),
    )

    db = await Database.open(path)
    try:
        assert await db.schema_version() == SCHEMA_VERSION == len(MIGRATIONS)
        settings = await db.chat_settings(-100)
        assert settings.compacts == ["kent-2011", "west-kent"]
        assert settings.title == "Friends of the Park"
        assert settings.paused is False
        item = await db.item(-100, 7)
        assert item is not None and item.data == {"weeks": 12} and item.registered_by == 42
        assert [e.kind for e in await db.log(-100)] == ["registered"]
        [r] = await db.pending_reminders(-100)
        assert (r.status, r.attempts, r.last_error, r.late) == ("pending", 0, None, False)
        assert r.planned_at == r.due_at == T0 + timedelta(days=3)
        assert await db.next_due_at() == T0 + timedelta(days=3)
        # New-schema features work on upgraded data.
        assert await one_shot(db).add_reminders([rem(-100, "close-1w", T0, item=7)]) == [r.id]
    finally:
        await db.close()

    # Re-opening is a no-op: nothing applied twice.
    again = await Database.open(path)
    try:
        assert await again.schema_version() == SCHEMA_VERSION
        assert (await again.chat_settings(-100)).compacts == ["kent-2011", "west-kent"]
    finally:
        await again.close()
    rows = await raw_sql.fetch(path, "SELECT version FROM schema_migrations ORDER BY version")
    assert [r[0] for r in rows] == list(range(1, SCHEMA_VERSION + 1))


async def test_refuses_database_from_newer_code(databases: Databases) -> None:
    path = await databases.new("new")
    db = await Database.open(path)
    await db.close()
    await raw_sql.execute(
        path, ("INSERT INTO schema_migrations VALUES (?, 0)", (SCHEMA_VERSION + 1,))
    )
    with pytest.raises(RuntimeError, match="newer"):
        await Database.open(path)


async def test_both_dialects_build_the_same_schema(databases: Databases) -> None:
    path = await databases.new("schema")
    db = await Database.open(path)
    await db.close()
    tables = await raw_sql.tables(path)
    assert tables == sorted(
        ["applied", "calendar_feeds", "chat_compacts", "chats", "clauses", "confirmations",
         "drafts", "inbox", "items", "log_entries", "officers", "reminders",
         "schema_migrations", "send_slots", "workers"]
    )  # fmt: skip
    assert await raw_sql.columns(path, "calendar_feeds") == [
        "chat_id", "token_hash", "created_by", "created_at", "etag", "modified_at"
    ]  # fmt: skip
    assert await raw_sql.columns(path, "reminders") == [
        "id", "chat_id", "item_id", "key", "text", "due_at", "status", "created_at",
        "planned_at", "attempts", "last_error", "claimed_at", "sent_at", "late", "claimed_by",
        "lease_until",
    ]  # fmt: skip
    assert await raw_sql.columns(path, "chats") == [
        "chat_id",
        "title",
        "timezone",
        "created_at",
        "paused",
        "paused_reason",
        "offer",
    ]


async def test_foreign_keys_hold(db: Database) -> None:
    if db.dialect == "sqlite":
        assert (await raw_sql.fetch(db.path, "PRAGMA journal_mode"))[0][0] == "wal"
    with pytest.raises(IntegrityError):
        await one_shot(db).add_reminders([rem(1, "k", T0, item=999)])  # no such item
    assert await db.count_reminders() == 0  # the failed batch left nothing behind


# ---------------------------------------------------------------- chats


async def test_chat_settings_and_officers(db: Database) -> None:
    assert await db.chat_settings(5) == (await db.chat_settings(5))
    default = await db.chat_settings(5)
    assert (default.compacts, default.timezone, default.paused) == ([], "Europe/London", False)

    await one_shot(db).ensure_chat(5, "Tenants")
    await one_shot(db).ensure_chat(5, None)  # a missing title does not erase the known one
    await one_shot(db).set_compacts(5, ["rbkc", "kent-2011", "rbkc"])
    await one_shot(db).set_timezone(5, "Europe/Paris")
    s = await db.chat_settings(5)
    assert (s.title, s.compacts, s.timezone) == ("Tenants", ["rbkc", "kent-2011"], "Europe/Paris")
    await one_shot(db).set_compacts(5, ["west-kent"])
    assert (await db.chat_settings(5)).compacts == ["west-kent"]

    await one_shot(db).add_officer(5, 10, "Ann")
    await one_shot(db).add_officer(5, 11, "Bob")
    await one_shot(db).add_officer(5, 10, "Ann Smith")
    assert [(o.user_id, o.name) for o in await db.officers(5)] == [(10, "Ann Smith"), (11, "Bob")]
    assert await one_shot(db).remove_officer(5, 10) is True
    assert await one_shot(db).remove_officer(5, 10) is False
    assert [o.user_id for o in await db.officers(5)] == [11]
    assert await db.officers(6) == []


# ---------------------------------------------------------------- items and events


async def test_items_are_private_to_their_chat(db: Database) -> None:
    a = await one_shot(db).add_item(1, "complaint", "Late grant", {"amount": 500}, 9, T0)
    b = await one_shot(db).add_item(2, "consultation", "Library", {}, None, T0)
    item = await db.item(1, a)
    assert item is not None
    assert (item.kind, item.title, item.data, item.status) == (
        "complaint",
        "Late grant",
        {"amount": 500},
        "open",
    )
    assert item.registered_at == T0
    assert await db.item(2, a) is None
    assert await one_shot(db).set_item_status(2, a, "done", T0) is False  # not chat 2's item
    assert [i.id for i in await db.open_items(1)] == [a]
    assert [i.id for i in await db.open_items(2)] == [b]
    with pytest.raises(ValueError):
        await one_shot(db).set_item_status(1, a, "archived", T0)


async def test_closing_item_cancels_its_reminders_only(db: Database) -> None:
    item = await one_shot(db).add_item(1, "consultation", "Parks", {}, None, T0)
    other = await one_shot(db).add_item(1, "consultation", "Roads", {}, None, T0)
    ids = await one_shot(db).add_reminders(
        [
            rem(1, "a", T0, item=item),
            rem(1, "b", T0 + timedelta(days=1), item=item),
            rem(1, "c", T0, item=other),
        ]
    )
    [sent] = await one_shot(db).claim_due(T0, 1, ME, LEASE)
    assert sent.id == ids[0]
    await one_shot(db).mark_sent([sent.id], T0, ME)

    assert await one_shot(db).set_item_status(1, item, "done", T0) is True
    assert await db.open_items(1) == [await db.item(1, other)]
    statuses = {r.id: r.status for r in await db.pending_reminders(1)}
    assert statuses == {ids[2]: "pending"}  # 'b' cancelled, 'c' untouched
    assert (await db.reminder(1, ids[1])).status == "cancelled"  # type: ignore[union-attr]
    assert (await db.reminder(1, ids[0])).status == "sent"  # type: ignore[union-attr]
    assert await one_shot(db).cancel_reminders(1, other) == 1
    assert await db.next_due_at() is None


async def test_the_log_is_append_only(db: Database) -> None:
    e1 = await one_shot(db).append_log(1, None, "joined", 7, {"by": "x"}, T0)
    later = T0 + timedelta(hours=1)
    e2 = await one_shot(db).append_log(1, None, "compacts_chosen", 7, {"compacts": ["rbkc"]}, later)
    await one_shot(db).append_log(2, None, "joined", 8, {}, T0)
    assert [e.id for e in await db.log(1)] == [e1, e2]
    [late] = await db.log(1, since=T0 + timedelta(minutes=30))
    assert (late.id, late.payload, late.at) == (e2, {"compacts": ["rbkc"]}, later)
    with pytest.raises(raw_sql.ERRORS, match="append-only"):
        await raw_sql.execute(
            db.path, ("UPDATE log_entries SET kind = 'edited' WHERE id = ?", (e1,))
        )


async def test_clause_texts_are_stored_once(db: Database) -> None:
    clause = {"ab12": '{"quote": "We will consult for 12 weeks."}'}
    for n in range(3):
        await one_shot(db).append_log(1, None, "x", 7, {"clause": "ab12", "n": n}, T0, clause)
    assert await db.clause_texts(["ab12", "nope"]) == clause
    assert await db.table_names() == sorted(await db.table_names())
    rows = await db.log(1)
    assert [r.payload["n"] for r in rows] == [0, 1, 2]


# ---------------------------------------------------------------- reminders


async def test_planning_twice_does_not_duplicate(db: Database) -> None:
    item = await one_shot(db).add_item(1, "consultation", "Parks", {}, None, T0)
    first = await one_shot(db).add_reminders([rem(1, "1w", T0, item=item), rem(1, "adhoc", T0)])
    again = await one_shot(db).add_reminders(
        [rem(1, "adhoc", T0), rem(1, "1w", T0, item=item), rem(2, "adhoc", T0)]
    )
    assert again[:2] == first[::-1]
    assert again[2] not in first  # same key, other chat: a different reminder
    assert await db.count_reminders() == 3


async def test_bulk_insert_returns_ids_in_order(db: Database) -> None:
    batch = [rem(i % 50, f"k{i}", T0 + timedelta(seconds=i)) for i in range(9000)]
    ids = await one_shot(db).add_reminders(batch)
    assert len(set(ids)) == 9000
    for r_id, new in zip(ids[::997], batch[::997], strict=True):
        stored = await db.reminder(new.chat_id, r_id)
        assert stored is not None and stored.key == new.key


async def test_claim_is_ordered_exclusive_and_bounded(db: Database) -> None:
    dues = [T0 + timedelta(minutes=m) for m in (5, 1, 3, 2, 4, 60)]
    ids = await one_shot(db).add_reminders([rem(i, f"k{i}", d) for i, d in enumerate(dues)])
    assert await db.next_due_at() == T0 + timedelta(minutes=1)
    now = T0 + timedelta(minutes=10)
    first = await one_shot(db).claim_due(now, 3, ME, LEASE)
    assert [r.due_at for r in first] == sorted(dues[:5])[:3]
    assert all(r.status == "sending" for r in first)
    second = await one_shot(db).claim_due(now, 10, ME, LEASE)
    assert [r.id for r in second] == [ids[4], ids[0]]  # minutes 4 and 5; 60 not yet due
    assert await one_shot(db).claim_due(now, 10, ME, LEASE) == []
    # The next thing to do: the claims' leases run out at 09:15 (if we died, someone must
    # re-send them), before the reminder due at 10:00.
    assert await db.next_due_at() == now + timedelta(seconds=LEASE)
    await one_shot(db).mark_sent([r.id for r in first + second], now, ME)
    assert await db.next_due_at() == T0 + timedelta(minutes=60)


async def test_mark_sent_only_for_the_owner_and_lateness_as_told(db: Database) -> None:
    ids = await one_shot(db).add_reminders(
        [rem(1, "a", T0), rem(1, "b", T0 + timedelta(seconds=30))]
    )
    claimed = await one_shot(db).claim_due(T0 + timedelta(seconds=30), 10, ME, LEASE)
    claimed_ids = [r.id for r in claimed]
    assert await one_shot(db).mark_sent(claimed_ids, T0, "someone else") == 0
    assert await one_shot(db).mark_sent(claimed_ids, T0 + timedelta(seconds=75), ME) == 2
    assert await one_shot(db).mark_late([ids[0]]) == 1
    a, b = [await db.reminder(1, i) for i in ids]
    assert a is not None and b is not None
    assert (a.status, a.late, b.late) == ("sent", True, False)
    assert a.sent_at == T0 + timedelta(seconds=75)
    assert await one_shot(db).mark_sent([ids[0]], T0, ME) == 0  # only in-flight ones


async def test_retry_and_undeliverable(db: Database) -> None:
    [rid] = await one_shot(db).add_reminders([rem(1, "a", T0)])
    await one_shot(db).claim_due(T0, 10, ME, LEASE)
    assert await one_shot(db).mark_retry(rid, "flood control", T0 + timedelta(seconds=30), ME)
    r = await db.reminder(1, rid)
    assert r is not None
    assert (r.status, r.attempts, r.last_error) == ("pending", 1, "flood control")
    assert r.due_at == T0 + timedelta(seconds=30) and r.planned_at == T0
    assert await one_shot(db).claim_due(T0 + timedelta(seconds=29), 10, ME, LEASE) == []
    [again] = await one_shot(db).claim_due(T0 + timedelta(seconds=30), 10, ME, LEASE)
    assert await one_shot(db).mark_undeliverable(again.id, "bad request: chat not found")
    r = await db.reminder(1, rid)
    assert r is not None
    assert (r.status, r.attempts, r.last_error) == (
        "undeliverable",
        2,
        "bad request: chat not found",
    )


async def test_pause_holds_and_resume_releases(db: Database) -> None:
    await one_shot(db).add_reminders([rem(1, "a", T0), rem(2, "b", T0 + timedelta(hours=1))])
    [inflight] = await one_shot(db).claim_due(T0, 1, ME, LEASE)
    assert await one_shot(db).pause_chat(1, "forbidden: bot was blocked by the user") == 1
    assert (await db.chat_settings(1)).paused_reason == "forbidden: bot was blocked by the user"
    assert (await db.reminder(1, inflight.id)).status == "held"  # type: ignore[union-attr]
    [new] = await one_shot(db).add_reminders([rem(1, "c", T0)])  # planned while paused
    assert (await db.reminder(1, new)).status == "held"  # type: ignore[union-attr]
    assert await db.next_due_at() == T0 + timedelta(hours=1)  # only chat 2 counts
    assert await one_shot(db).claim_due(T0 + timedelta(days=1), 10, ME, LEASE) != []  # chat 2's
    assert await one_shot(db).claim_due(T0 + timedelta(days=1), 10, ME, LEASE) == []

    assert await one_shot(db).resume_chat(1) == 2
    settings = await db.chat_settings(1)
    assert settings.paused is False and settings.paused_reason is None
    claimed = await one_shot(db).claim_due(T0 + timedelta(days=1), 10, ME, LEASE)
    assert sorted(r.id for r in claimed) == sorted([inflight.id, new])


async def test_snooze_and_stop(db: Database) -> None:
    item = await one_shot(db).add_item(1, "funding", "Grant cut", {}, None, T0)
    ids = await one_shot(db).add_reminders(
        [rem(1, "a", T0, item=item), rem(1, "b", T0 + timedelta(days=2), item=item)]
    )
    [sent] = await one_shot(db).claim_due(T0, 10, ME, LEASE)
    await one_shot(db).mark_sent([sent.id], T0, ME)
    tomorrow = T0 + timedelta(days=1)
    assert await one_shot(db).snooze(2, sent.id, tomorrow) is False  # another chat's reminder
    assert await one_shot(db).snooze(1, sent.id, tomorrow) is True
    r = await db.reminder(1, sent.id)
    assert r is not None
    assert (r.status, r.due_at, r.planned_at, r.sent_at) == ("pending", tomorrow, tomorrow, None)
    assert await db.next_due_at() == tomorrow
    assert await one_shot(db).stop_reminder(2, ids[0]) == 0
    assert await one_shot(db).stop_reminder(1, ids[0]) == 2  # the whole item's reminders
    assert await db.pending_reminders(1) == []


async def test_only_expired_leases_are_recovered(db: Database) -> None:
    await one_shot(db).add_reminders([rem(1, "a", T0), rem(2, "b", T0), rem(3, "c", T0)])
    mine = await one_shot(db).claim_due(T0, 2, ME, LEASE)
    await one_shot(db).pause_chat(3, "blocked")
    # Another process on the same database: nothing of ours is taken while the lease runs.
    assert await one_shot(db).recover_expired(T0 + timedelta(seconds=LEASE - 1)) == 0
    assert await one_shot(db).claim_due(T0 + timedelta(seconds=LEASE - 1), 10, "other", LEASE) == []
    renewed_until = T0 + timedelta(seconds=2 * LEASE)
    assert await one_shot(db).renew_lease([mine[0].id], ME, renewed_until) == 1
    assert await one_shot(db).renew_lease([mine[1].id], "other", renewed_until) == 0
    # Once our lease has run out (we died), the unrenewed one is free to be claimed again.
    assert await one_shot(db).recover_expired(T0 + timedelta(seconds=LEASE)) == 1
    [taken] = await one_shot(db).claim_due(T0 + timedelta(seconds=LEASE), 10, "other", LEASE)
    assert taken.id == mine[1].id
    assert await one_shot(db).mark_retry(taken.id, "x", T0, ME) is False  # not ours any more
    assert await db.count_reminders("sending") == 2


async def test_release_gives_back_every_claim_of_its_owner(db: Database) -> None:
    await one_shot(db).add_reminders([rem(1, "a", T0), rem(2, "b", T0)])
    await one_shot(db).claim_due(T0, 10, ME, LEASE)
    assert await one_shot(db).release("other") == 0
    assert await one_shot(db).release(ME) == 2
    assert len(await one_shot(db).claim_due(T0, 10, "other", LEASE)) == 2


async def test_forget_chat_leaves_nothing_behind(db: Database) -> None:
    gone, kept = -1009876543210, 424242
    for chat, title in ((gone, "Forgettable Allotment Society"), (kept, "Keep Me Club")):
        await one_shot(db).ensure_chat(chat, title)
        await one_shot(db).set_compacts(chat, ["kent-2011"])
        await one_shot(db).add_officer(chat, 77, f"officer of {title}")
        item = await one_shot(db).add_item(
            chat, "complaint", f"{title} item", {"chat": chat}, 77, T0
        )
        await one_shot(db).append_log(chat, item, "item_registered", 77, {"title": title}, T0)
        ids = await one_shot(db).add_reminders(
            [rem(chat, "a", T0, item=item, text=f"{title} due"), rem(chat, "b", T0)]
        )
        await one_shot(db).save_draft(chat, 77, {"fields": {"title": f"{title} draft"}}, T0)
    [claimed, *_] = await one_shot(db).claim_due(T0, 10, ME, LEASE)
    await one_shot(db).mark_sent([claimed.id], T0, ME)
    await one_shot(db).pause_chat(gone, "blocked")

    await one_shot(db).forget_chat(gone)

    tables = await db.table_names()
    assert {
        "chats",
        "officers",
        "items",
        "log_entries",
        "reminders",
        "chat_compacts",
        "drafts",
    } <= set(tables)
    for table in tables:
        for col in await raw_sql.columns(db.path, table):
            hits = await raw_sql.fetch(
                db.path,
                f"SELECT count(*) FROM {table} WHERE CAST({col} AS TEXT) = ? OR CAST({col} AS TEXT)"
                f" LIKE ? OR CAST({col} AS TEXT) LIKE '%Forgettable%'",
                (str(gone), f"%{gone}%"),
            )
            assert hits[0][0] == 0, f"{table}.{col} still mentions the forgotten chat"
    kept_rows = 0
    for t in ("chats", "officers", "items", "log_entries", "reminders", "chat_compacts", "drafts"):
        rows = await raw_sql.fetch(db.path, f"SELECT count(*) FROM {t} WHERE chat_id = ?", (kept,))
        kept_rows += rows[0][0]
    assert kept_rows == 1 + 1 + 1 + 1 + 2 + 1 + 1
    assert len(ids) == 2
    assert (await db.chat_settings(gone)).compacts == []


async def test_naive_datetimes_are_rejected(db: Database) -> None:
    with pytest.raises(ValueError, match="naive"):
        await one_shot(db).add_reminders([rem(1, "a", datetime(2025, 1, 1))])


@given(
    st.lists(
        st.datetimes(
            min_value=datetime(1990, 1, 1),
            max_value=datetime(2200, 1, 1),
            timezones=st.just(UTC),
        ),
        min_size=2,
        max_size=20,
    )
)
def test_instants_round_trip_and_sort(instants: list[datetime]) -> None:
    encoded = [to_db(i) for i in instants]
    assert [from_db(e) for e in encoded] == instants
    assert sorted(encoded) == [to_db(i) for i in sorted(instants)]


async def test_a_gone_workers_claims_are_free_after_a_grace_on_postgresql_by_lease_on_sqlite(
    databases: Databases,
) -> None:
    target = await databases.new("workers")
    dying, living = await Database.open(target), await Database.open(target)
    try:
        await dying.register_worker("dying-worker")
        await living.register_worker("living-worker")
        await one_shot(living).add_reminders([rem(1, "a", T0), rem(2, "b", T0)])
        [mine] = await one_shot(living).claim_due(T0, 1, "living-worker", LEASE)
        [theirs] = await one_shot(dying).claim_due(T0, 1, "dying-worker", LEASE)
        # A worker alive keeps its claims, lease or not.
        assert await one_shot(living).recover_expired(T0 + timedelta(seconds=1)) == 0
        await dying.close()  # killed: its connections, and on PostgreSQL its lock, go with it
        freed = await one_shot(living).recover_expired(T0 + timedelta(seconds=1), grace=10)
        if living.shared:
            # Seen gone, but it may only have lost its lock to a restart and still be
            # finishing a send: its claims wait out the grace, from when it was first seen
            # gone, long before its lease runs out.
            assert freed == 0
            assert not await living.claim_held([theirs.id], "dying-worker", T0)
            later = T0 + timedelta(seconds=10.5)
            assert await one_shot(living).recover_expired(later, grace=10) == 0
            assert await one_shot(living).recover_expired(later, grace=9) == 1
            assert await living.workers() == ["living-worker"]
        else:
            assert freed == 0  # one file, no locks to see: the lease decides
            assert await one_shot(living).recover_expired(T0 + timedelta(seconds=LEASE)) == 2
        assert (await living.reminder(2, theirs.id)).status == "pending"  # type: ignore[union-attr]
        assert mine.chat_id == 1
    finally:
        await living.close()


@pytest.mark.parametrize("begin", ["transaction", "snapshot"])
async def test_a_transaction_cancelled_while_it_begins_leaves_no_lock(
    tmp_path: Path, begin: str
) -> None:
    """A sender cancelled while its BEGIN runs (a dying worker's queued sends) must not leave
    the connection inside a transaction: SQLite would keep the write lock, and every other
    connection would get "database is locked"."""
    path = str(tmp_path / "lock.db")
    first = await SqliteBackend.open(path, busy_timeout=0.2)
    second = await SqliteBackend.open(path, busy_timeout=0.2)
    try:

        async def use() -> None:
            async with getattr(first, begin)():
                pass

        task = asyncio.create_task(use())
        await asyncio.sleep(0)  # the task now waits for its BEGIN
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await first.read_all("SELECT 1")  # what its thread was given has run
        assert not first._conn.in_transaction
        async with second.transaction():  # the write lock is free
            pass
    finally:
        await first.close()
        await second.close()
