"""Changes after the fact and follow-ups that respect an item's state, through the
conversation over a real core and SQLite file, on a clock that moves only when told."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from bot.chat.conversation import Conversation
from bot.chat.messages import Incoming, Reply
from bot.clock import ManualClock
from bot.domain.events import ConsultationLaunched
from bot.records.report_formats import render_csv
from storage.repository import Database

GROUP, ADMIN, MEMBER = -800, 1, 2


async def _yes() -> bool:
    return True


async def _no() -> bool:
    return False


@pytest.fixture
async def chat(conversation: Conversation) -> Conversation:
    await say(conversation, "/compact kent-2011")
    return conversation


async def say(conv: Conversation, text: str, user: int = ADMIN) -> list[Reply]:
    msg = Incoming(GROUP, user, "Ada", text, private=False, is_admin=_yes if user == ADMIN else _no)
    return await conv.handle_text(msg)


async def text_of(conv: Conversation, text: str, user: int = ADMIN) -> str:
    return "\n".join(r.text for r in await say(conv, text, user))


async def register(conv: Conversation, text: str, *answers: str) -> int:
    """Register an item, answering the questions Kent 2011 asks of a funding change (has a
    consultation started? did a rationale come?) with ``answers``, or "don't know"."""
    replies = await say(conv, text)
    pending = list(answers)
    while not replies[-1].buttons and "(or 'stop')" in replies[-1].text:
        replies = await say(conv, pending.pop(0) if pending else "don't know")
    confirm = replies[-1].buttons[0][0]
    assert confirm.label == "Confirm", replies[-1].text
    reply = await conv.handle_button(GROUP, ADMIN, confirm.data, _yes)
    assert reply.text.startswith("Registered as item #"), reply.text
    return int(reply.text.split("#")[1].split(":")[0])


async def test_change_a_close_date_rechecks_replans_and_keeps_history(
    chat: Conversation, db: Database
) -> None:
    item = await register(
        chat, "/consultation Parks plan, opens 1 Dec 2026, closes 5 Jan 2027, by KCC"
    )
    before = {r.due_at.date() for r in await db.pending_reminders(GROUP)}
    reply = await text_of(chat, f"/change {item} closes 23 Feb 2027")
    assert "Closes is now Tue 23 February 2027" in reply
    assert "✅ meets the Compact" in reply  # 12 weeks now: the standard is met
    after = {r.due_at.date() for r in await db.pending_reminders(GROUP)}
    assert after != before and date(2027, 2, 9) in after  # 14 days before the new close
    assert not {d for d in after if date(2027, 1, 1) <= d <= date(2027, 1, 5)}

    shown = await text_of(chat, f"/item {item}")
    assert "Closes 23 Feb 2027" in shown
    assert "changed closes: 5 January 2027 → 23 February 2027" in shown
    history = [e.kind for e in await db.log(GROUP)]
    assert history[-1] == "item_changed"
    report = await chat.core.report(GROUP, 2026)
    [row] = list(csv.DictReader(io.StringIO(render_csv(report, lambda c: c))))
    assert row["deadline"] == "2027-02-23" and row["outcome"] == "met the standard"


async def test_a_length_counts_from_the_opening_day_and_bad_changes_change_nothing(
    chat: Conversation, db: Database
) -> None:
    item = await register(
        chat, "/consultation Bus review, opens 4 Jan 2027, closes 1 Feb 2027, by KCC"
    )
    assert "Mon 29 March 2027" in await text_of(chat, f"/change {item} closes in 12 weeks")
    entries = len(await db.log(GROUP))
    for bad in (
        f"/change {item} closes 31 Feb 2027",
        f"/change {item} closes 1 Dec 2026",  # before it opens
        f"/change {item} colour blue",
        f"/change {item}",
        "/change 999 closes 15 March",
        "/change",
    ):
        reply = await text_of(chat, bad)
        assert "Nothing was changed" in reply, (bad, reply)
    assert "Only this group's admins" in await text_of(chat, f"/change {item} title X", MEMBER)
    assert len(await db.log(GROUP)) == entries


async def test_closed_items_refuse_follow_ups_until_reopened(
    chat: Conversation, db: Database, clock: ManualClock
) -> None:
    item = await register(chat, "/funding KCC ending our youth grant, last funded day 30 June 2027")
    assert "is cancelled" in await text_of(chat, f"/cancel {item}")
    entries = len(await db.log(GROUP))
    assert "no open item" in await text_of(chat, f"/cancel {item}")  # not logged twice
    assert "no open item" in await text_of(chat, f"/done {item} resolved")
    assert "/reopen" in await text_of(chat, f"/notice {item} today")
    assert "/reopen" in await text_of(chat, f"/change {item} ends 30 September 2027")
    assert len(await db.log(GROUP)) == entries
    assert "open again" in await text_of(chat, f"/reopen {item}")
    assert "is open already" in await text_of(chat, f"/reopen {item}")
    assert await db.pending_reminders(GROUP)  # its reminders planned again
    reply = await text_of(chat, f"/change {item} ends 30 September 2027")
    assert "Last funded day is now Thu 30 September 2027" in reply
    record, _ = await chat.core.item_history(GROUP, item)
    assert record.status == "open" and record.key_date == date(2027, 9, 30)


async def test_a_one_off_reminder_leaves_the_list_once_it_has_gone_out(
    chat: Conversation, db: Database, clock: ManualClock
) -> None:
    assert "I'll remind" in await text_of(chat, "/remind tomorrow call the council")
    assert "call the council" in await text_of(chat, "/list")
    [reminder] = await db.pending_reminders(GROUP)
    async with db.transaction() as tx:
        [claimed] = await tx.claim_due(reminder.due_at, 10, "test", 60.0)
        await tx.mark_sent([claimed.id], reminder.due_at + timedelta(seconds=1), "test")
    assert "call the council" not in await text_of(chat, "/list")


async def test_registering_the_same_item_twice_asks_first(chat: Conversation) -> None:
    text = "/consultation Parks plan, opens 1 Dec 2026, closes 23 Feb 2027, by KCC"
    first = await register(chat, text)
    readback = (await say(chat, text.replace("Parks plan", "parks  PLAN")))[-1]
    assert f"looks like item #{first}" in readback.text
    other = (await say(chat, text.replace("Parks plan", "Library plan")))[-1]
    assert "looks like" not in other.text


# Issue 22, finding 9: a change keeps the item consistent -----------------------------------


async def test_moving_the_opening_moves_a_close_given_as_a_length(
    chat: Conversation, db: Database
) -> None:
    item = await register(
        chat, "/consultation Parks plan, opens 1 Feb 2027, closes in 8 weeks, by KCC"
    )
    reply = await text_of(chat, f"/change {item} opens 8 feb 2027")
    assert "Opens is now Mon 8 February 2027" in reply
    assert "Closes moves with it (8 weeks from opening): now Mon 5 April 2027." in reply
    record, _ = await chat.core.item_history(GROUP, item)
    assert isinstance(record.event, ConsultationLaunched)
    assert (record.event.opens, record.event.closes) == (date(2027, 2, 8), date(2027, 4, 5))
    assert (
        "changed opens, closes: 1 February 2027, 29 March 2027 → 8 February 2027, 5 April 2027"
    ) in await text_of(chat, f"/item {item}")


async def test_a_close_given_as_a_date_stays_and_the_reply_says_so(
    chat: Conversation, db: Database
) -> None:
    item = await register(
        chat, "/consultation Bus review, opens 4 Jan 2027, closes 1 Mar 2027, by KCC"
    )
    reply = await text_of(chat, f"/change {item} opens 11 jan 2027")
    assert "Closes stays Mon 1 March 2027 (it was given as a date)" in reply
    assert f"/change {item} closes" in reply
    # Given as a length later, the close then moves with the opening.
    await text_of(chat, f"/change {item} closes in 10 weeks")
    moved = await text_of(chat, f"/change {item} opens 18 jan 2027")
    assert "Closes moves with it (10 weeks from opening): now Mon 29 March 2027." in moved


async def test_an_opening_after_the_close_is_refused_in_one_line(
    chat: Conversation, db: Database
) -> None:
    item = await register(
        chat, "/consultation Bus review, opens 4 Jan 2027, closes 1 Mar 2027, by KCC"
    )
    entries = len(await db.log(GROUP))
    replies = await say(chat, f"/change {item} opens 20 mar 2027")
    [reply] = replies
    assert reply.text == (
        "The consultation closes (01 Mar 2027) before it opens (20 Mar 2027). Nothing was changed."
    )
    assert len(await db.log(GROUP)) == entries
    record, _ = await chat.core.item_history(GROUP, item)
    assert isinstance(record.event, ConsultationLaunched)
    assert record.event.opens == date(2027, 1, 4)


async def test_notice_after_the_funding_ended_is_recorded(chat: Conversation, db: Database) -> None:
    """Issue 22, finding 1: the chat said "Nothing was changed" to notice given after the last
    funded day; it is recorded, and late."""
    item = await register(chat, "/funding KCC ending our youth grant, last funded day 31 Oct 2026")
    reply = await text_of(chat, f"/notice {item} 15 Nov 2026")
    assert f"Recorded: notice on item #{item} was given on 15 November 2026." in reply
    assert "Nothing was changed" not in reply
    assert "came 15 days after the funding ended (31 October 2026)" in reply
    assert "Kent Compact 2011: ❌" in reply
    record, _ = await chat.core.item_history(GROUP, item)
    assert record.notice_given_on == date(2026, 11, 15)
