"""End to end over HTTP: the real python-telegram-bot Application, long polling a loopback
fake Bot API server, with the real core, plugins and SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
from conftest import ADMIN, ALICE, GROUP, MEMBER, TOKEN, one_shot
from fake_bot_api import FakeBotApi, SentMessage, polling_application

from bot.clock import ManualClock
from bot.core import Core
from bot.frontends.telegram import CORE, build_application, start_core, stop_core
from bot.settings import Settings
from storage.repository import NewReminder


@asynccontextmanager
async def running_bot(
    api: FakeBotApi, db: Path | str, clock: ManualClock, **options: Any
) -> AsyncIterator[Any]:
    settings = Settings(telegram_bot_token=TOKEN, api_url=api.base_url, db=str(db), **options)
    app = build_application(settings, clock=clock)
    async with polling_application(app, poll_timeout=0.5):
        # run_polling would call post_init / post_shutdown; driving the lifecycle by hand, we do.
        await start_core(app, settings, clock)
        try:
            yield app
        finally:
            await stop_core(app)


def has(text: str) -> Any:
    return lambda m: text in (m.text or "")


async def notice(api: FakeBotApi, text: str) -> None:
    """Wait for a button press to be answered with a notice holding ``text``."""
    await api.wait_for_call(
        "answerCallbackQuery", lambda c: text in str(c.params.get("text", "")), timeout=10
    )


async def say(
    api: FakeBotApi,
    chat: int,
    user: int,
    text: str,
    expect: str,
    reply_to: SentMessage | None = None,
) -> SentMessage:
    """Send ``text`` (as a reply to ``reply_to``: a group's answer to the bot's question)
    and wait for the bot's message containing ``expect``."""
    replied = reply_to.message_id if reply_to is not None else None
    await api.send_text(chat, user, text, reply_to_message_id=replied)
    return await api.wait_for_message(chat, has(expect), timeout=10)


async def test_admin_sets_compacts_registers_and_member_is_refused(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock):
        assert api.calls_to("setMyCommands"), "the command menu is set at start"
        await say(api, GROUP, ADMIN, "/compact kent-2011 west-kent", "now follows")
        # A member who is neither admin nor officer is refused, and nothing changes.
        refusal = await say(api, GROUP, MEMBER, "/compact rbkc", "Only this group's admins")
        assert "Nothing was changed" in (refusal.text or "")
        await say(api, GROUP, MEMBER, "/compact", "Kent Compact 2011")
        # The chat follows West Kent, which counts earlier formal rounds toward its total.
        asked = await say(
            api,
            GROUP,
            ADMIN,
            "/consultation Library services review, opens 1 Dec 2026, closes 5 Jan 2027, "
            "by Sevenoaks DC",
            "earlier formal consultation rounds",
        )
        # In a group the bot sees only replies to it: its question asks for one.
        assert (asked.reply_markup or {}).get("force_reply") is True
        readback = await say(api, GROUP, ADMIN, "none", "Is this right?", reply_to=asked)
        assert "Earlier rounds: none given" in (readback.text or "")
        assert [b[0] for b in readback.buttons] == ["Confirm", "Change"]
        confirm = dict(readback.buttons)["Confirm"]
        assert confirm is not None
        await api.press_button(GROUP, ADMIN, readback.message_id, confirm)
        verdict = await api.wait_for_message(GROUP, has("Registered as item #1"), timeout=10)
        text = verdict.text or ""
        assert "Kent Compact 2011: ⚠️" in text and "West Kent Compact" in text
        assert "12 week written consultations" in text
        assert "Strictest:" in text
        listing = await say(api, GROUP, MEMBER, "/list", "Open items")
        assert "#1 consultation: Library services review" in (listing.text or "")
        refused = await say(api, GROUP, MEMBER, "/done 1", "Only this group's admins")
        assert refused.text
        await say(api, GROUP, ADMIN, "/done 1", "Item #1 is done")


async def test_questions_in_group_and_private(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock):
        answer = await say(
            api, GROUP, MEMBER, "/ask how much notice before they end our grant?", "notice"
        )
        assert "three months' notice in writing" in (answer.text or "")
        await say(api, ALICE, ALICE, "how long must a consultation be?", "12 weeks")
        # In a group, a plain message not addressed to the bot gets no answer.
        await say(api, GROUP, MEMBER, "/compacts", "Compacts I know")  # the /ask's all sent
        before = len(api.messages_to(GROUP))
        await api.send_text(GROUP, MEMBER, "how long must a consultation be?")
        await say(api, GROUP, MEMBER, "/help", "I know what your local Compact")
        assert len(api.messages_to(GROUP)) == before + 1


async def test_guided_registration_asks_for_the_missing_date(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock):
        await say(api, ALICE, ALICE, "/compact rbkc", "now follows")
        await say(
            api,
            ALICE,
            ALICE,
            "/consultation Parks review by KCC, opens 1 Dec 2026",
            "When does it close?",
        )
        await say(api, ALICE, ALICE, "31 Feb", "couldn't read")
        readback = await say(api, ALICE, ALICE, "23/2/27", "Is this right?")
        assert "Closes: Tue 23 February 2027" in (readback.text or "")
        change = dict(readback.buttons)["Change"]
        assert change is not None
        # Change keeps the registration: name the field and its new value.
        await api.press_button(ALICE, ALICE, readback.message_id, change)
        asked = await api.wait_for_message(ALICE, has("What should change?"), timeout=10)
        assert asked.method == "editMessageText" and "Opens: Tue 1 December 2026" in asked.text
        again = await say(api, ALICE, ALICE, "closes 2 March", "Is this right?")
        assert "Closes: Tue 2 March 2027" in (again.text or "")
        # The first read-back's Confirm would store values no longer shown: refused.
        first_confirm = dict(readback.buttons)["Confirm"]
        assert first_confirm is not None
        await api.press_button(ALICE, ALICE, readback.message_id, first_confirm, check=False)
        await notice(api, "old message")
        await say(api, ALICE, ALICE, "yes", "Registered as item #1")
        # Bad input changes nothing: a close before an open, an unknown Compact, a huge message.
        await say(
            api,
            ALICE,
            ALICE,
            "/consultation X by KCC, opens 3 Mar 2027, closes 1 Feb 2027",
            "is before opens",
        )
        await say(api, ALICE, ALICE, "stop", "Nothing was stored")
        await say(api, ALICE, ALICE, "/compact atlantis", "I don't know the Compact")
        await say(api, ALICE, ALICE, "x" * 10_000, "please keep it under")
        await say(api, ALICE, ALICE, "/frobnicate", "I don't know /frobnicate")
        await say(api, ALICE, ALICE, "/list", "#1")


async def _due_in(app: Any, chat: int, text: str, seconds: float) -> None:
    core: Core = app.bot_data[CORE]
    due = core.now() + timedelta(seconds=seconds)
    item = await one_shot(core.db).add_item(chat, "reminder", text, {}, ADMIN, core.now())
    await one_shot(core.db).add_reminders([NewReminder(chat, item, due, text, "test")])
    assert core.scheduler is not None
    await core.scheduler.idle()


async def test_reminder_arrives_with_buttons_and_snoozes(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock) as app:
        await say(api, GROUP, ADMIN, "/help", "I know")
        await _due_in(app, GROUP, "Send the consultation response", 30)
        clock.advance(30)
        reminder = await api.wait_for_message(GROUP, has("Send the consultation response"), 10)
        labels = [b[0] for b in reminder.buttons]
        assert labels == ["Done", "Snooze 1 day", "Stop reminders"]
        snooze = dict(reminder.buttons)["Snooze 1 day"]
        assert snooze is not None
        # A member who may not /done or /remind may not press them either.
        await api.press_button(GROUP, MEMBER, reminder.message_id, snooze)
        await notice(api, "Only this group's admins and officers")
        assert not api.calls_to("editMessageText")  # the reminder stays as it was
        core: Core = app.bot_data[CORE]
        assert await core.db.pending_reminders(GROUP) == []  # still sent, not snoozed
        await api.press_button(GROUP, ADMIN, reminder.message_id, snooze, check=False)
        edited = await api.wait_for_message(GROUP, has("Snoozed until"), 10)
        assert edited.method == "editMessageText"
        pending = await core.db.pending_reminders(GROUP)
        assert len(pending) == 1
        assert pending[0].due_at == clock.now() + timedelta(days=1)


async def test_a_press_under_a_digest_changes_only_its_own_reminder(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    """Issue 22, finding 8: "1: Done" under "⏰ 2 reminders" used to edit the message to
    reminder 1 alone, with no keyboard: reminder 2 and its buttons were erased."""
    async with running_bot(api, tmp_path / "bot.db", clock) as app:
        await say(api, GROUP, ADMIN, "/help", "I know")
        core: Core = app.bot_data[CORE]
        await _due_in(app, GROUP, "Ring the library team", 30)
        await _due_in(app, GROUP, "Send the parks response", 30)
        clock.advance(30)
        digest = await api.wait_for_message(GROUP, has("⏰ 2 reminders"), 10)
        buttons = dict(digest.buttons)
        assert [b[0] for b in digest.buttons][:3] == [
            "1: Done",
            "1: Snooze 1 day",
            "1: Stop reminders",
        ]
        first = (
            "Ring the library team"
            if "1. Ring" in (digest.text or "")
            else "Send the parks response"
        )
        second = ({"Ring the library team", "Send the parks response"} - {first}).pop()

        done = buttons["1: Done"]
        assert done is not None
        await api.press_button(GROUP, ADMIN, digest.message_id, done)
        edited = await api.wait_for_message(GROUP, has("Marked done"), 10)
        assert edited.method == "editMessageText" and edited.message_id == digest.message_id
        lines = (edited.text or "").split("\n")
        assert lines == ["⏰ 2 reminders:", f"1. {first} – Marked done.", f"2. {second}"]
        # Reminder 2 keeps its three buttons, and only those.
        assert edited.buttons == [
            (label, buttons[label]) for label in ("2: Done", "2: Snooze 1 day", "2: Stop reminders")
        ]

        snooze = buttons["2: Snooze 1 day"]
        assert snooze is not None
        await api.press_button(GROUP, ADMIN, digest.message_id, snooze)
        again = await api.wait_for_message(GROUP, has("Snoozed until"), 10)
        lines = (again.text or "").split("\n")
        assert lines[:2] == ["⏰ 2 reminders:", f"1. {first} – Marked done."]
        assert lines[2].startswith(f"2. {second} – Snoozed until")
        assert again.buttons == []
        pending = await core.db.pending_reminders(GROUP)
        assert [r.text for r in pending] == [second]


async def test_reminder_survives_a_restart_and_arrives_once(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    db = tmp_path / "bot.db"
    async with running_bot(api, db, clock) as app:
        await _due_in(app, GROUP, "Chase the grant letter", 3)
    # The bot was stopped before the reminder was due; it starts again later.
    clock.advance(60)
    assert not [m for m in api.messages_to(GROUP) if "Chase the grant letter" in (m.text or "")]
    async with running_bot(api, db, clock):
        await api.wait_for_message(GROUP, has("Chase the grant letter"), timeout=15)
        await say(api, GROUP, MEMBER, "/help", "I know")
    sent = [m for m in api.messages_to(GROUP) if "Chase the grant letter" in (m.text or "")]
    assert len(sent) == 1


async def test_forget_erases_after_confirmation(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock) as app:
        await say(api, GROUP, ADMIN, "/compact rbkc", "now follows")
        await say(api, GROUP, ADMIN, "/remind tomorrow at 10am send feedback", "I'll remind")
        refused = await say(api, GROUP, MEMBER, "/forget", "Only this group's admins")
        assert refused.text
        ask = await say(api, GROUP, ADMIN, "/forget", "Erase everything")
        erase = dict(ask.buttons)["Erase everything"]
        assert erase is not None
        await api.press_button(GROUP, ADMIN, ask.message_id, erase)
        await api.wait_for_message(GROUP, has("has been erased"), 10)
        core: Core = app.bot_data[CORE]
        assert await core.db.open_items(GROUP) == []
        assert (await core.db.chat_settings(GROUP)).compacts == []
        # An old button (a client may still show it) does nothing.
        await api.press_button(GROUP, ADMIN, ask.message_id, erase, check=False)
        await notice(api, "old message")


async def register_confirmed(api: FakeBotApi, chat: int, user: int, text: str) -> SentMessage:
    readback = await say(api, chat, user, text, "Is this right?")
    confirm = dict(readback.buttons)["Confirm"]
    assert confirm is not None
    await api.press_button(chat, user, readback.message_id, confirm)
    return await api.wait_for_message(chat, has("Registered as item #"), timeout=10)


def document_named(suffix: str) -> Any:
    return lambda m: m.document is not None and (m.document.filename or "").endswith(suffix)


async def test_follow_ups_report_and_calendar_arrive_as_files(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock):
        await say(api, GROUP, ADMIN, "/compact kent-2011", "now follows")
        await register_confirmed(
            api,
            GROUP,
            ADMIN,
            "/consultation Library review, opens 1 Oct 2026, closes 20 Nov 2026, by Sevenoaks DC",
        )
        await register_confirmed(
            api, GROUP, ADMIN, "/consultation Parks plan, opens today, closes in 12 weeks, by KCC"
        )
        refused = await say(api, GROUP, MEMBER, "/feedback 1 24 Nov 2026", "Only this group's")
        assert "Nothing was changed" in (refused.text or "")
        await say(api, GROUP, ADMIN, "/feedback 1 31 Feb 2026", "Nothing was changed")
        await say(api, GROUP, ADMIN, "/feedback 1 24 Nov 2026", "Recorded: feedback")

        report = await say(
            api, GROUP, MEMBER, "/report 2026", "Compact compliance report 2026 – Sevenoaks Youth"
        )
        assert "short of the standard: explanation owed: 1 (#1 – 34 days short)" in (
            report.text or ""
        )
        csv_doc = await api.wait_for_message(GROUP, document_named(".csv"), timeout=10)
        html_doc = await api.wait_for_message(GROUP, document_named(".html"), timeout=10)
        assert csv_doc.document is not None and html_doc.document is not None
        csv_text = csv_doc.document.content.decode("utf-8")
        assert "#1,consultation,Library review,Sevenoaks DC,2026-10-01" in csv_text
        assert b"<svg" in html_doc.document.content

        await say(api, GROUP, MEMBER, "/calendar", "date(s)")
        ics_doc = await api.wait_for_message(GROUP, document_named(".ics"), timeout=10)
        assert ics_doc.document is not None
        cal = icalendar.Calendar.from_ical(ics_doc.document.content)
        summaries = [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
        assert "The consultation close: Parks plan" in summaries
        # The closed Library review has nothing left in the calendar.
        assert not [s for s in summaries if "Library review" in s]

        await say(api, GROUP, MEMBER, "/report 1066", "not a year I can report on")
        empty = await say(api, GROUP, MEMBER, "/report 2024", "Nothing registered is dated 2024")
        assert empty.document is None


async def test_a_letter_arrives_as_a_message_and_a_word_file(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    import io

    from docx import Document

    async with running_bot(api, tmp_path / "bot.db", clock):
        await say(api, GROUP, ADMIN, "/compact rbkc", "now follows")
        await register_confirmed(
            api, GROUP, ADMIN, "/complaint against the council: they cut the consultation"
        )
        refused = await say(api, GROUP, MEMBER, "/letter 1", "Only this group's admins")
        assert "Nothing was changed" in (refused.text or "")
        letter = await say(api, GROUP, ADMIN, "/letter 1", "A letter for item #1 to Kensington")
        assert "Contact Kensington and Chelsea Social Council (KCSC)" in (letter.text or "")
        sent = await api.wait_for_message(GROUP, document_named(".docx"), timeout=10)
        assert sent.document is not None and sent.document.filename == "letter-item-1.docx"
        document = Document(io.BytesIO(sent.document.content))
        lines = [line for p in document.paragraphs for line in p.text.splitlines()]
        # Addressed as the Compact names the body, at the address it gives.
        at = lines.index("Kensington and Chelsea Social Council")
        assert lines[at + 1] == "London Lighthouse 111 to 117 Lancaster Road London W11 1QT"
        await say(api, GROUP, MEMBER, "/item 1", "letter drafted for step 1 to Kensington")


SUPERGROUP = -100777


async def _group_with_history(api: FakeBotApi, app: Any) -> Core:
    await say(api, GROUP, ADMIN, "/compact kent-2011", "now follows")
    await register_confirmed(
        api, GROUP, ADMIN, "/consultation Parks plan, opens today, closes in 12 weeks, by KCC"
    )
    await say(api, GROUP, ADMIN, "/officer list", "Officers")
    core: Core = app.bot_data[CORE]
    assert await core.db.pending_reminders(GROUP)
    return core


@pytest.mark.parametrize("announced", [True, False], ids=["service message", "error on send"])
async def test_a_group_upgraded_to_a_supergroup_keeps_everything(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock, announced: bool
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock) as app:
        core = await _group_with_history(api, app)
        before = await core.db.pending_reminders(GROUP)
        await api.migrate_group(GROUP, SUPERGROUP, ADMIN, announce=announced)
        if announced:
            await api.send_text(SUPERGROUP, ADMIN, "/list")
            await api.wait_for_message(SUPERGROUP, has("Parks plan"), 10)
        # The first reminder comes due: it reaches the supergroup either way.
        clock.set(before[0].due_at)
        await api.wait_for_message(SUPERGROUP, has("Parks plan"), 10)
        assert (await core.db.chat_settings(SUPERGROUP)).compacts == ["kent-2011"]
        assert [i.title for i in await core.db.open_items(SUPERGROUP)] == ["Parks plan"]
        assert await core.db.open_items(GROUP) == []
        assert await core.db.log(GROUP) == []
        kinds = [e.kind for e in await core.db.log(SUPERGROUP)]
        assert kinds[-1] == "chat_moved" and "item_registered" in kinds
        record, _ = await core.item_history(SUPERGROUP, before[0].item_id or 0)
        assert record.title == "Parks plan"
        assert not [m for m in api.messages_to(GROUP) if "⏰" in (m.text or "")]


async def test_a_second_confirm_registers_nothing_and_keeps_the_verdict(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock) as app:
        await say(api, GROUP, ADMIN, "/compact kent-2011", "now follows")
        readback = await say(
            api,
            GROUP,
            ADMIN,
            "/consultation Parks plan, opens today, closes in 8 weeks, by KCC",
            "Is this right?",
        )
        confirm = dict(readback.buttons)["Confirm"]
        assert confirm is not None
        await api.press_button(GROUP, ADMIN, readback.message_id, confirm)
        verdict = await api.wait_for_message(GROUP, has("Registered as item #1"), 10)
        edits = len(api.calls_to("editMessageText"))
        await api.press_button(GROUP, ADMIN, readback.message_id, confirm, check=False)
        await notice(api, "old message")
        assert len(api.calls_to("editMessageText")) == edits  # the verdict stays on screen
        assert verdict.text and "Registered as item #1" in verdict.text
        core: Core = app.bot_data[CORE]
        assert len(await core.db.open_items(GROUP)) == 1


async def test_a_verdict_longer_than_telegram_allows_arrives_whole_after_confirm(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock):
        codes = "kent-2011 west-kent perth-kinross kent-2007-draft rbkc"
        await say(api, GROUP, ADMIN, f"/compact {codes}", "now follows")
        rounds = await say(
            api,
            GROUP,
            ADMIN,
            "/consultation Library services review, opens today, closes in 5 weeks, "
            "by Sevenoaks District Council",
            "earlier formal consultation rounds",
        )
        statute = await say(api, GROUP, ADMIN, "none", "required by statute", reply_to=rounds)
        readback = await say(api, GROUP, ADMIN, "no", "Is this right?", reply_to=statute)
        confirm = dict(readback.buttons)["Confirm"]
        assert confirm is not None
        await api.press_button(GROUP, ADMIN, readback.message_id, confirm)
        first = await api.wait_for_message(GROUP, has("Registered as item #1"), 10)
        assert first.method == "editMessageText"
        rest = await api.wait_for_message(GROUP, has("Reminders scheduled"), 10)
        assert rest.method == "sendMessage"
        whole = "\n".join(m.text or "" for m in api.messages_to(GROUP) if m.seq >= first.seq)
        assert len(whole) > 4096
        assert "Strictest" in whole and "Reminders scheduled" in whole
        assert all(len(m.text or "") <= 4096 for m in api.messages_to(GROUP))


async def test_an_answer_fits_a_phone_and_more_gives_the_whole_clause(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock):
        await say(api, ALICE, ALICE, "/compact kent-2011 west-kent", "now follows")
        answer = await say(api, ALICE, ALICE, "how long must a consultation be?", "12 weeks")
        text = answer.text or ""
        assert len(text) < 1000 and "Working Together: A Compact between" not in text
        # Phone-sized: West Kent's clause is cut to its key sentence...
        whole = "In the unlikely event that we cannot meet the minimum period we will explain why."
        quoted = text.split("West Kent Compact —")[1].splitlines()[1]
        assert quoted.strip().startswith("“We will, wherever possible") and whole not in quoted
        more = dict(answer.buttons)["More: West Kent Compact"]
        assert more is not None
        await api.press_button(ALICE, ALICE, answer.message_id, more)
        clause = await api.wait_for_message(ALICE, has("word for word"), timeout=10)
        # ...and More sends all of it as a new message below, leaving the answer as it was.
        assert clause.method == "sendMessage" and whole in (clause.text or "")
        assert not api.calls_to("editMessageText")
