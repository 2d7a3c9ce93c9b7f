"""Control characters cannot poison a chat (issue 23, finding 10): none is stored from a
title, name or message, line breaks only where a field has lines, and none reaches the
calendar, the letter's .docx, the report's CSV or HTML, even from rows stored before."""

from __future__ import annotations

import io
import re

import raw_sql
from conftest import T0, one_shot
from docx import Document

from bot.chat.conversation import Conversation
from bot.chat.messages import Attachment, Incoming, Reply
from storage.repository import Database, NewReminder

CHAT = -77
NASTY = "\x00\x01\x08\x1b\x7f\x85\x9b\ufffe\uffff\U0001fffe"
UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\U0001fffe]")


async def _yes() -> bool:
    return True


async def say(conv: Conversation, text: str, title: str = f"Club{NASTY} of\nLines") -> list[Reply]:
    msg = Incoming(CHAT, 1, f"Ada{NASTY}\nLovelace", text, False, _yes, chat_title=title)
    return await conv.handle_text(msg)


def files(replies: list[Reply]) -> dict[str, Attachment]:
    return {f.filename.rsplit(".", 1)[-1]: f for r in replies for f in r.files}


async def test_no_control_character_is_stored_or_sent_in_any_file(
    conversation: Conversation, db: Database
) -> None:
    await say(conversation, "/compact kent-2011")
    [readback] = await say(
        conversation,
        f"/consultation Parks{NASTY} review, opens today, closes in 4 weeks, by K{NASTY}CC",
    )
    assert "Is this right?" in readback.text and not UNWANTED.search(readback.text)
    [done] = await say(conversation, "yes")
    assert "Registered as item #1" in done.text
    # A line break in a title would be a heading of its own in the letter: one line.
    [changed] = await say(conversation, f"/change 1 title Parks{NASTY}\nreview\r\nagain")
    assert "Parks review again" in changed.text
    await say(conversation, f"/remind tomorrow ring{NASTY} them")

    # Nothing stored holds a control character (the erased-chat test lists every table).
    for table, rows in (await raw_sql.snapshot(db.path)).items():
        for row in rows:
            for value in row:
                if isinstance(value, str) and table != "inbox":
                    assert not UNWANTED.search(value), (table, value)
    [title] = await raw_sql.fetch(db.path, "SELECT title FROM chats WHERE chat_id = ?", (CHAT,))
    assert title == ("Club of Lines",)
    [item] = await raw_sql.fetch(db.path, "SELECT title FROM items WHERE id = 1")
    assert item == ("Parks review again",)

    letter = files(await say(conversation, "/letter 1"))["docx"].content
    paragraphs = [p.text for p in Document(io.BytesIO(letter)).paragraphs]
    assert any("Parks review again" in p for p in paragraphs)
    assert "again" not in paragraphs and not UNWANTED.search("".join(paragraphs))

    calendar = files(await say(conversation, "/calendar"))["ics"].content.decode()
    assert "Parks review again" in calendar and not UNWANTED.search(calendar)
    report = files(await say(conversation, f"/report {T0.year}"))
    for kind in ("csv", "html"):
        text = report[kind].content.decode()
        assert "Parks review again" in text and not UNWANTED.search(text), kind


async def test_rows_stored_before_are_cleaned_on_the_way_out(
    conversation: Conversation, db: Database
) -> None:
    await say(conversation, "/compact kent-2011")
    await say(conversation, "/remind tomorrow call them")
    # As an older bot (or a hand-edited database) may have stored them.
    await raw_sql.execute(
        db.path,
        ("UPDATE chats SET title = ? WHERE chat_id = ?", (f"Old{NASTY}\nclub", CHAT)),
    )
    await one_shot(db).add_reminders(
        [NewReminder(CHAT, None, T0.replace(year=T0.year + 1), f"old{NASTY}\ntext", "old")]
    )
    calendar = files(await say(conversation, "/calendar", title=None))["ics"].content.decode()
    assert "old" in calendar and not UNWANTED.search(calendar)


async def test_a_command_reads_as_if_its_control_characters_were_not_there(
    conversation: Conversation, db: Database
) -> None:
    [reply] = await say(conversation, "/timezone Europe/Lon\x00don\x1b")
    assert reply.text == "Time zone set to Europe/London."
    assert (await db.chat_settings(CHAT)).timezone == "Europe/London"
