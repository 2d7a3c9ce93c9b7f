"""Every unit of work is stored whole or not at all.

For each unit the core carries out, a run with no fault counts its write statements; then
the unit runs again on a fresh database once per write, failing just before that write.
Each failed run must leave every table exactly as it was before the unit began.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import Databases
from raw_sql import snapshot

from bot.clock import ManualClock
from bot.core import Core
from bot.domain.events import ComplaintRaised, ConsultationLaunched, FundingEnding
from bot.knowledge.knowledge import Knowledge
from storage.repository import Database

CHAT, OTHER, ADMIN = -700, -701, 5
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)

pytestmark = pytest.mark.both_backends


class InjectedFault(Exception):
    """Stands for a full disk, a lost connection, a kill: anything between two writes."""


@dataclass
class Faults:
    fail_at: int | None = None
    writes: int = 0

    def __call__(self, sql: str) -> None:
        if self.fail_at is not None and self.writes == self.fail_at:
            raise InjectedFault(sql)
        self.writes += 1


async def prepare(core: Core) -> dict[str, int]:
    """A chat with a Compact, one item of each kind (and a cancelled one), a draft and an
    officer."""
    await core.choose_compacts(CHAT, ["kent-2011", "rbkc"], ADMIN)
    await core.add_officer(CHAT, 77, "Olu")
    await core.save_draft(CHAT, ADMIN, {"kind": "consultation", "fields": {}})
    consultation = await core.register(
        ConsultationLaunched(
            chat_id=CHAT, title="Parks", opens=date(2026, 10, 1), closes=date(2026, 11, 1)
        ),
        "Parks",
        {},
    )
    funding = await core.register(
        FundingEnding(chat_id=CHAT, title="Grant", last_funded_day=date(2027, 6, 30)),
        "Grant",
        {},
    )
    complaint = await core.register(
        ComplaintRaised(chat_id=CHAT, against="public", raised_on=date(2026, 11, 20)),
        "Complaint",
        {},
    )
    closed = await core.register(
        FundingEnding(chat_id=CHAT, title="Old grant", last_funded_day=date(2027, 3, 31)),
        "Old grant",
        {},
    )
    await core.close_item(CHAT, closed.item_id, "cancelled", ADMIN)
    reminder = (await core.pending_reminders(CHAT))[0]
    return {
        "closed": closed.item_id,
        "consultation": consultation.item_id,
        "funding": funding.item_id,
        "complaint": complaint.item_id,
        "reminder": reminder.id,
    }


Unit = Callable[[Core, dict[str, int]], Awaitable[object]]

UNITS: dict[str, Unit] = {
    "register a consultation": lambda core, ids: core.register(
        ConsultationLaunched(
            chat_id=CHAT, title="Library", opens=date(2026, 12, 1), closes=date(2027, 1, 5)
        ),
        "Library",
        {"opens": "2026-12-01"},
        draft_of=ADMIN,
    ),
    "register a funding change": lambda core, ids: core.register(
        FundingEnding(chat_id=CHAT, title="Youth", last_funded_day=date(2027, 9, 30)), "Youth", {}
    ),
    "set a one-off reminder": lambda core, ids: core.add_adhoc_reminder(
        CHAT, ADMIN, NOW + timedelta(days=1), "call the council"
    ),
    "close an item": lambda core, ids: core.close_item(
        CHAT, ids["complaint"], "done", ADMIN, "resolved"
    ),
    "cancel an item": lambda core, ids: core.close_item(CHAT, ids["funding"], "cancelled", ADMIN),
    "record notice": lambda core, ids: core.record_notice(
        CHAT, ids["funding"], date(2026, 11, 24), ADMIN
    ),
    "record a consultation start": lambda core, ids: core.record_consultation_start(
        CHAT, ids["funding"], date(2026, 11, 24), ADMIN
    ),
    "record feedback": lambda core, ids: core.record_feedback(
        CHAT, ids["consultation"], date(2026, 11, 20), ADMIN
    ),
    "record a complaint step": lambda core, ids: core.record_step(
        CHAT, ids["complaint"], 1, date(2026, 11, 24), ADMIN
    ),
    "choose Compacts": lambda core, ids: core.choose_compacts(CHAT, ["west-kent"], ADMIN),
    "set the time zone": lambda core, ids: core.set_timezone(CHAT, "Europe/Paris"),
    "add an officer": lambda core, ids: core.add_officer(CHAT, 78, "Bea"),
    "snooze a reminder": lambda core, ids: core.snooze_reminder(
        CHAT, ids["reminder"], NOW + timedelta(days=1)
    ),
    "stop reminders": lambda core, ids: core.stop_reminders(CHAT, ids["reminder"]),
    "change an item": lambda core, ids: core.change_item(
        CHAT, ids["consultation"], {"closes": date(2026, 12, 24)}, ADMIN
    ),
    "reopen an item": lambda core, ids: core.reopen_item(CHAT, ids["closed"], ADMIN),
    "log a letter": lambda core, ids: core.write_letters(CHAT, ids["complaint"], ADMIN),
    "forget the chat": lambda core, ids: core.forget(CHAT),
    "move to a supergroup": lambda core, ids: core.chat_moved(CHAT, OTHER),
    "the bot leaves": lambda core, ids: core.chat_left(CHAT, "bot kicked"),
}


async def _fresh(path: str, knowledge: Knowledge) -> tuple[Database, Core, dict[str, int]]:
    clock = ManualClock(NOW)
    db = await Database.open(path, clock=clock)
    core = Core(knowledge, db, clock=clock)
    return db, core, await prepare(core)


@pytest.mark.parametrize("name", list(UNITS))
async def test_a_unit_of_work_is_all_or_nothing(
    name: str, databases: Databases, knowledge: Knowledge
) -> None:
    unit = UNITS[name]
    counting = Faults()
    path = await databases.new("count")
    db, core, ids = await _fresh(path, knowledge)
    before = await snapshot(path)
    db.faults = counting
    await unit(core, ids)
    await db.close()
    assert await snapshot(path) != before, "the unit changed nothing"
    assert counting.writes >= 1

    for k in range(counting.writes):
        path = await databases.new(f"fail-{k}")
        db, core, ids = await _fresh(path, knowledge)
        before = await snapshot(path)
        db.faults = Faults(fail_at=k)
        with pytest.raises(InjectedFault):
            await unit(core, ids)
        db.faults = None
        await db.close()
        assert await snapshot(path) == before, f"{name}: failing before write {k + 1} kept a part"
