"""Nothing dropped: several registrations at once, each kept as a draft until it is
confirmed or abandoned (real core, real SQLite file; Telegram over the fake Bot API).

Three registrations pasted as one message, or started one after another, are three drafts;
every read-back says which it is; Confirm on one stores that one and says which are still
waiting; the drafts outlive a restart.  A command alone on its first line with its fields on
the lines after it is one registration.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import ALICE, TOKEN
from fake_bot_api import FakeBotApi, polling_application

from bot.chat import buttons
from bot.chat.conversation import Conversation
from bot.chat.messages import Incoming, Reply
from bot.clock import ManualClock
from bot.core import Core
from bot.frontends.telegram import build_application, start_core, stop_core
from bot.knowledge.knowledge import Knowledge
from bot.settings import Settings
from storage.repository import Database

ME = 42

THREE = (
    "/consultation Library review by KCC, opens 1 Dec 2026, closes 23 Feb 2027\n"
    "/consultation Parks plan by KCC, opens 2 Dec 2026, closes 24 Feb 2027\n"
    "/consultation Bus routes by KCC, opens 3 Dec 2026, closes 25 Feb 2027"
)


async def _yes() -> bool:
    return True


async def send(conv: Conversation, text: str) -> list[Reply]:
    return await conv.handle_text(Incoming(ME, ME, "Ada", text, private=True, is_admin=_yes))


def confirm_of(reply: Reply) -> str:
    [data] = [b.data for row in reply.buttons for b in row if b.label == "Confirm"]
    return data


async def titles(conv: Conversation) -> list[str]:
    return sorted(i.title for i in await conv.core.open_items(ME))


async def drafts_kept(conv: Conversation) -> int:
    stored = await conv.core.drafts(conv.core.now() - timedelta(days=1))
    return sum(1 + len(d.state.get("others", [])) for d in stored)


async def test_three_pasted_as_one_message_are_three_drafts(conversation: Conversation) -> None:
    await send(conversation, "/compact kent-2011")
    replies = await send(conversation, THREE)
    readbacks = [r for r in replies if r.buttons]
    assert [r.text.split(":")[0] for r in readbacks] == [
        "Draft 1 of 3 (Library review)",
        "Draft 2 of 3 (Parks plan)",
        "Draft 3 of 3 (Bus routes)",
    ]
    assert "Closes: Thu 25 February 2027" in readbacks[2].text
    assert await drafts_kept(conversation) == 3
    # Confirm on the second stores the second only, and says which still wait.
    pressed = await conversation.handle_button(ME, ME, confirm_of(readbacks[1]), _yes)
    assert pressed.text.startswith("Registered as item #1: Parks plan")
    assert "Still waiting: 2 drafts (Library review, Bus routes)" in pressed.text
    assert await titles(conversation) == ["Parks plan"]
    assert await drafts_kept(conversation) == 2
    # The first one's button still works; then "yes" confirms the last one.
    await conversation.handle_button(ME, ME, confirm_of(readbacks[0]), _yes)
    [done] = [r.text for r in await send(conversation, "yes") if r.text.startswith("Registered")]
    assert done.startswith("Registered as item #3: Bus routes")
    assert await titles(conversation) == ["Bus routes", "Library review", "Parks plan"]
    assert await drafts_kept(conversation) == 0


async def test_one_after_another_none_is_dropped_and_confirm_says_what_waits(
    conversation: Conversation,
) -> None:
    await send(conversation, "/compact kent-2011")
    first = (await send(conversation, THREE.splitlines()[0]))[-1]
    assert first.text.startswith("Is this right?")  # one draft: no label
    kept, second = await send(conversation, THREE.splitlines()[1])
    assert kept.text.startswith("Kept as a draft: Library review")
    assert second.text.startswith("Draft 2 of 2 (Parks plan): Is this right?")
    registered, waiting, again = await send(conversation, "confirm")
    assert registered.text.startswith("Registered as item #1: Parks plan")
    assert waiting.text == "Still waiting: 1 draft (Library review)."
    assert again.text.startswith("Is this right?") and "Library review" in again.text
    # The first read-back's Confirm is still good.
    await conversation.handle_button(ME, ME, confirm_of(first), _yes)
    assert await titles(conversation) == ["Library review", "Parks plan"]


async def test_stop_abandons_the_current_draft_only(conversation: Conversation) -> None:
    await send(conversation, "/compact kent-2011")
    await send(conversation, THREE.splitlines()[0])
    await send(conversation, "/consultation Parks plan")
    abandoned, waiting, again = await send(conversation, "stop")
    assert abandoned.text == "Registration abandoned (Parks plan). Nothing was stored."
    assert "Still waiting: 1 draft (Library review)" in waiting.text
    assert again.buttons and "Library review" in again.text
    assert await drafts_kept(conversation) == 1


async def test_drafts_outlive_a_restart(tmp_path: Path, knowledge: Knowledge) -> None:
    clock = ManualClock(datetime(2026, 11, 25, 12, tzinfo=UTC))
    path = str(tmp_path / "bot.db")
    db = await Database.open(path, clock=clock)
    try:
        conv = Conversation(Core(knowledge, db, clock=clock))
        await send(conv, "/compact kent-2011")
        readbacks = [r for r in await send(conv, THREE) if r.buttons]
    finally:
        await db.close()
    db = await Database.open(path, clock=clock)
    try:
        conv = Conversation(Core(knowledge, db, clock=clock))
        pressed = await conv.handle_button(ME, ME, confirm_of(readbacks[2]), _yes)
        assert pressed.text.startswith("Registered as item #1: Bus routes")
        assert "Still waiting: 2 drafts (Library review, Parks plan)" in pressed.text
        assert await drafts_kept(conv) == 2
    finally:
        await db.close()


async def test_a_bare_command_with_its_fields_on_the_next_lines(
    conversation: Conversation,
) -> None:
    await send(conversation, "/compact kent-2011")
    [readback] = await send(
        conversation,
        "/consultation\nTitle: Waste collection changes\nBy: Kent County Council\n"
        "Opens: 4 Dec 2026\nCloses: 26 Feb 2027",
    )
    assert readback.text.startswith("Is this right?")
    for line in (
        "Title: Waste collection changes",
        "Public body: Kent County Council",
        "Opens: Fri 4 December 2026",
        "Closes: Fri 26 February 2027",
    ):
        assert line in readback.text
    await send(conversation, "yes")
    await send(conversation, "/compact perth-kinross")  # no further questions on funding
    # Free lines are read as the message would be on one line. (A funder no Compact names:
    # KCC would bring Kent 2011's own questions about the change.)
    [readback] = await send(
        conversation,
        "/funding\nHackney Council\nYouth work grant\nthe change takes effect 1 July 2027",
    )
    assert "Funder: Hackney Council" in readback.text and "Title: Youth work grant" in readback.text
    assert "Last funded day: Wed 30 June 2027 (the day before 1 July 2027" in readback.text


async def test_a_bare_command_and_field_lines_over_telegram(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    settings = Settings(telegram_bot_token=TOKEN, api_url=api.base_url, db=tmp_path / "b.db")
    app = build_application(settings, clock=clock)
    async with polling_application(app, poll_timeout=0.5):
        await start_core(app, settings, clock)
        try:
            await api.send_text(ALICE, ALICE, "/compact kent-2011")
            await api.wait_for_message(ALICE, lambda m: "now follows" in (m.text or ""))
            await api.send_text(
                ALICE,
                ALICE,
                "/consultation\nTitle: Library review\nBy: KCC\nOpens: 1 Dec 2026\n"
                "Closes: 23 Feb 2027",
            )
            readback = await api.wait_for_message(
                ALICE, lambda m: "Is this right?" in (m.text or ""), timeout=10
            )
            assert "Public body: KCC" in (readback.text or "")
            assert "Closes: Tue 23 February 2027" in (readback.text or "")
            [confirm] = [data for text, data in readback.buttons if text == "Confirm"]
            assert confirm is not None
            assert isinstance(buttons.decode(confirm), buttons.RegistrationAnswer)
            await api.press_button(ALICE, ALICE, readback.message_id, confirm)
            await api.wait_for_call(
                "editMessageText",
                lambda c: "Registered as item #1" in str(c.params.get("text", "")),
                timeout=10,
            )
        finally:
            await stop_core(app)


async def test_more_than_ten_waiting_is_refused_and_nothing_changes(
    conversation: Conversation,
) -> None:
    await send(conversation, "/compact kent-2011")
    eleven = "\n".join(
        f"/consultation Review {n} by KCC, opens 1 Dec 2026, closes 23 Feb 2027" for n in range(11)
    )
    [refused] = await send(conversation, eleven)
    assert "more than 10 registrations waiting" in refused.text
    assert "Nothing was changed" in refused.text
    assert await drafts_kept(conversation) == 0


async def test_a_bare_command_then_registration_lines_gives_no_empty_draft(
    conversation: Conversation,
) -> None:
    await send(conversation, "/compact kent-2011")
    replies = await send(conversation, "/consultation\n" + "\n".join(THREE.splitlines()[:2]))
    assert [r.text.split(":")[0] for r in replies if r.buttons] == [
        "Draft 1 of 2 (Library review)",
        "Draft 2 of 2 (Parks plan)",
    ]
    assert await drafts_kept(conversation) == 2
