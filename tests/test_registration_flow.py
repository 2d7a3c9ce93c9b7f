"""Nothing typed during a registration is swallowed (real core, real SQLite file).

While the bot waits for a field: a command runs and the question is asked again; a question
is answered and the question asked again; a greeting gets the question again; only an
answer that reads as the field fills it.  At the read-back: yes stores it, no asks which
field, "closes 15 March" changes that field and reads it all back again.
"""

from __future__ import annotations

import pytest

from bot.chat import buttons
from bot.chat.conversation import Conversation
from bot.chat.messages import Incoming, Reply

ME = 42  # a private chat: its id is its one user's
GROUP, ADMIN = -700, 7


async def _yes() -> bool:
    return True


async def say(conv: Conversation, text: str) -> list[str]:
    msg = Incoming(ME, ME, "Ada", text, private=True, is_admin=_yes)
    return [r.text for r in await conv.handle_text(msg)]


async def said(conv: Conversation, text: str) -> str:
    return "\n".join(await say(conv, text))


async def replies(conv: Conversation, text: str) -> list[Reply]:
    return await conv.handle_text(Incoming(ME, ME, "Ada", text, private=True, is_admin=_yes))


async def in_group(conv: Conversation, text: str, addressed: bool = True) -> list[str]:
    msg = Incoming(GROUP, ADMIN, "Bo", text, private=False, is_admin=_yes, addressed=addressed)
    return [r.text for r in await conv.handle_text(msg)]


async def items(conv: Conversation, chat: int = ME) -> list[str]:
    return [i.title for i in await conv.core.open_items(chat)]


async def start(conv: Conversation) -> None:
    await say(conv, "/compact kent-2011")
    asked = await said(conv, "/consultation Library review")
    assert "Which public body" in asked


async def test_a_command_runs_and_the_question_is_asked_again(conversation: Conversation) -> None:
    await start(conversation)
    listed, again = await say(conversation, "/list")
    assert "No open items" in listed
    assert again.startswith("Still registering a consultation.") and "Which public body" in again
    # The registration waited: the next answer fills the field it asked for.
    assert "When does it open?" in await said(conversation, "KCC")
    [draft] = await conversation.core.drafts(conversation.core.now().replace(year=2000))
    assert draft.state["fields"]["body"] == "KCC"


async def test_a_question_is_answered_and_does_not_fill_the_field(
    conversation: Conversation,
) -> None:
    await start(conversation)
    answer, again = await say(conversation, "how long must a consultation be?")
    assert "12 weeks" in answer
    assert "Which public body" in again
    assert "Public body" not in answer
    # The field is still empty: the next answer fills it, then the open date is asked.
    assert "When does it open?" in await said(conversation, "Sevenoaks DC")


@pytest.mark.parametrize("text", ["hi", "thanks", "confirm", "yes", "ok"])
async def test_a_greeting_or_a_yes_is_not_a_public_body(
    conversation: Conversation, text: str
) -> None:
    await start(conversation)
    [again] = await say(conversation, text)
    assert "Which public body" in again and "I don't know" not in again
    assert "When does it open?" in await said(conversation, "KCC")
    readback = await said(conversation, "1 Dec")
    assert "When does it close?" in readback


async def test_only_a_date_fills_a_date(conversation: Conversation) -> None:
    await start(conversation)
    await say(conversation, "KCC")
    bad = await said(conversation, "soonish")
    assert "couldn't read 'soonish'" in bad and "When does it open?" in bad
    answer, again = await say(conversation, "when must they give feedback?")
    assert "When does it open?" in again and "couldn't read" not in answer
    assert "When does it close?" in await said(conversation, "opens 7 Dec")
    readback = await said(conversation, "closes in 6 weeks")
    assert "Closes: Mon 18 January 2027 (6 weeks from opening)" in readback


async def _at_readback(conv: Conversation) -> str:
    await say(conv, "/compact kent-2011")
    readback = await said(conv, "/consultation Library review by KCC, opens 7 Dec, for 12 weeks")
    assert "Is this right?" in readback and "Closes: Mon 1 March 2027" in readback
    return readback


@pytest.mark.parametrize("yes", ["yes", "ok", "Confirm", "yes please", "that's right"])
async def test_yes_at_the_read_back_stores_it(conversation: Conversation, yes: str) -> None:
    await _at_readback(conversation)
    done = await said(conversation, yes)
    assert "Registered as item #1: Library review" in done
    assert await items(conversation) == ["Library review"]
    # The registration is over: another yes is just a message.
    assert "Registered" not in await said(conversation, yes)
    assert await items(conversation) == ["Library review"]


@pytest.mark.parametrize("no", ["no", "change", "wrong"])
async def test_no_at_the_read_back_asks_which_field(conversation: Conversation, no: str) -> None:
    await _at_readback(conversation)
    asked = await said(conversation, no)
    assert "What should change?" in asked and "closes 15 March" in asked
    again = await said(conversation, "closes 15 March")
    assert "Is this right?" in again and "Closes: Mon 15 March 2027" in again
    assert await items(conversation) == []
    assert "Registered as item #1" in await said(conversation, "yes")


async def test_a_field_and_value_at_the_read_back_changes_it(conversation: Conversation) -> None:
    first = await replies(conversation, "/compact kent-2011")
    assert first
    [readback] = await replies(
        conversation, "/consultation Library review by KCC, opens 7 Dec, for 12 weeks"
    )
    again = await said(conversation, "opens 4 January")
    # The close was a length from the opening: it moves with the opening.
    assert "Opens: Mon 4 January 2027" in again and "Closes: Mon 29 March 2027" in again
    # The first read-back's Confirm no longer stores anything: it showed other dates.
    confirm = buttons.decode(readback.buttons[0][0].data)
    stale = await conversation.handle_button(ME, ME, buttons.encode(confirm), _yes)
    assert stale.notice and await items(conversation) == []
    named_only = await said(conversation, "title")
    assert "What is it called?" in named_only
    third = await said(conversation, "Library and archives review")
    assert "Title: Library and archives review" in third and "Is this right?" in third
    assert "Registered as item #1: Library and archives review" in await said(conversation, "ok")


async def test_the_change_button_keeps_the_registration(conversation: Conversation) -> None:
    [readback] = await replies(
        conversation, "/consultation Library review by KCC, opens 7 Dec, closes 23 Feb"
    )
    change = buttons.encode(buttons.decode(readback.buttons[0][1].data))
    pressed = await conversation.handle_button(ME, ME, change, _yes)
    assert "What should change?" in pressed.text and "Opens: Mon 7 December 2026" in pressed.text
    # Sevenoaks DC is West Kent's: its question on earlier rounds comes first.
    assert "earlier formal consultation rounds" in await said(conversation, "body Sevenoaks DC")
    again = await said(conversation, "none")
    assert "Public body: Sevenoaks DC" in again
    confirm = buttons.encode(buttons.decode(pressed.buttons[0][0].data))
    # The Confirm kept under "What should change?" is the old read-back's: refused too.
    assert (await conversation.handle_button(ME, ME, confirm, _yes)).notice
    assert "Registered" in await said(conversation, "confirm")


async def test_stop_and_a_bare_cancel_abandon_it(conversation: Conversation) -> None:
    await _at_readback(conversation)
    assert "abandoned" in await said(conversation, "/cancel")
    assert await items(conversation) == []
    await say(conversation, "/consultation Parks review")
    assert "abandoned" in await said(conversation, "stop")
    assert await conversation.core.drafts(conversation.core.now().replace(year=2000)) == []


async def test_a_new_registration_keeps_the_one_under_way_as_a_draft(
    conversation: Conversation,
) -> None:
    await start(conversation)
    kept, asked = await say(conversation, "/funding\nTitle: Youth grant\nFunder: KCC")
    assert "Kept as a draft: Library review" in kept
    assert asked.startswith("Draft 2 of 2 (Youth grant): ") and "last day funded" in asked
    # Answered and confirmed, the first one is taken up again, never dropped.
    asked = await said(conversation, "31 March 2027")
    assert asked.startswith("Draft 2 of 2 (Youth grant): Has the funder started a consultation")
    await say(conversation, "don't know")  # Kent 2011's questions about a funding change
    readback = await said(conversation, "don't know")
    assert readback.startswith("Draft 2 of 2 (Youth grant): Is this right?")
    registered, waiting, again = await say(conversation, "yes")
    assert registered.startswith("Registered as item #1: Youth grant")
    assert "Still waiting: 1 draft (Library review)" in waiting
    assert "Which public body" in again
    assert await items(conversation) == ["Youth grant"]


async def test_in_a_group_talk_not_meant_for_the_bot_is_left_alone(
    conversation: Conversation,
) -> None:
    await in_group(conversation, "/compact kent-2011")
    [asked] = await in_group(conversation, "/consultation Library review")
    assert "Which public body" in asked
    # Someone's remark, not a reply to the bot: no answer, no prompt, nothing filled.
    assert await in_group(conversation, "hi all, back in 5", addressed=False) == []
    assert await in_group(conversation, "what time is the meeting?", addressed=False) == []
    assert await in_group(conversation, "KCC", addressed=False) == []
    # An answer is a reply to the bot's question (Telegram asks for one in groups).
    assert "When does it open?" in "\n".join(await in_group(conversation, "KCC"))


@pytest.mark.parametrize(
    ("correction", "changed"),
    [
        ("closes 19/2/27 actually", "Closes: Fri 19 February 2027"),
        ("actually it closes on 19 Feb", "Closes: Fri 19 February 2027"),
        ("sorry, the closing date is 19/2/27", "Closes: Fri 19 February 2027"),
        ("no, it's PKC", "Public body: PKC"),
        ("the body should be Perth & Kinross Council", "Public body: Perth & Kinross Council"),
    ],
)
async def test_a_correction_at_the_read_back_changes_that_field_and_y_is_a_yes(
    conversation: Conversation, correction: str, changed: str
) -> None:
    await say(conversation, "/compact kent-2011")
    first = await said(
        conversation, "/consultation Library review by KCC, opens 1 Dec 2026, closes 23 Feb 2027"
    )
    assert first.startswith("Is this right?")
    again = await replies(conversation, correction)
    assert again[-1].text.startswith("Is this right?") and again[-1].buttons
    assert changed in again[-1].text
    # The other fields stay as they were.
    assert "Title: Library review" in again[-1].text and "Opens: Tue 1 December 2026" in (
        again[-1].text
    )
    assert (await said(conversation, "y")).startswith("Registered as item #1: Library review")
    [item] = await conversation.core.open_items(ME)
    assert item.title == "Library review"


async def test_a_funding_change_from_a_date_reads_back_the_day_before_in_words(
    conversation: Conversation,
) -> None:
    await say(conversation, "/compact perth-kinross")  # no further questions on funding
    readback = await said(
        conversation, "/funding Hackney Council youth grant, cut from 1 April 2027"
    )
    assert (
        "Last funded day: Wed 31 March 2027 (the day before 1 April 2027, the first day it no "
        "longer covers)" in readback
    )
    changed = await said(conversation, "no, it takes effect 1 July 2027")
    assert "Last funded day: Wed 30 June 2027 (the day before 1 July 2027" in changed
    changed = await said(conversation, "ends at the end of September 2027")
    assert "Last funded day: Thu 30 September 2027\n" in changed + "\n"


@pytest.mark.parametrize("stray", ["the one at the library", "hmm let me think", "not sure"])
async def test_after_no_a_phrase_naming_no_field_and_no_body_changes_nothing(
    conversation: Conversation, stray: str
) -> None:
    await say(conversation, "/compact kent-2011")
    await say(
        conversation, "/consultation Library review by KCC, opens 1 Dec 2026, closes 23 Feb 2027"
    )
    assert "What should change?" in await said(conversation, "no")
    asked = await said(conversation, stray)
    assert "I didn't see which field" in asked and "Is this right?" not in asked
    # Still waiting for a field; the body is still KCC when it is stored.
    again = await said(conversation, "closes 26 Feb 2027")
    assert "Public body: KCC" in again and "Closes: Fri 26 February 2027" in again
    assert stray not in again
    assert (await said(conversation, "yes")).startswith("Registered as item #1")
    [item] = await conversation.core.open_items(ME)
    assert item.data["body"] == "KCC"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("PKC", "Public body: PKC"),  # the gazetteer's
        ("tunbridge wells borough council", "Public body: tunbridge wells borough council"),
        ("Dover District Council", "Public body: Dover District Council"),  # a body's words
    ],
)
async def test_after_no_a_bare_body_name_is_the_body(
    conversation: Conversation, value: str, shown: str
) -> None:
    await say(conversation, "/compact kent-2011")
    await say(
        conversation, "/consultation Library review by KCC, opens 1 Dec 2026, closes 23 Feb 2027"
    )
    await said(conversation, "no")
    again = await said(conversation, value)
    assert "Is this right?" in again and shown in again


async def test_at_the_read_back_no_and_a_phrase_naming_no_body_changes_nothing(
    conversation: Conversation,
) -> None:
    await say(conversation, "/compact kent-2011")
    await say(
        conversation, "/consultation Library review by KCC, opens 1 Dec 2026, closes 23 Feb 2027"
    )
    reply = await said(conversation, "no, the other one")
    assert "Public body: the other one" not in reply and "Public body: other one" not in reply
    assert "Is this right?" not in reply
    done = await said(conversation, "closes 26 Feb 2027")
    assert "Public body: KCC" in done
