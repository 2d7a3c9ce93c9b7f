"""What a plain message means, acted on: over a real core and SQLite file (PostgreSQL
too where the stored offer matters), and over the fake Bot API where buttons matter."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ALICE
from fake_bot_api import FakeBotApi
from test_telegram_e2e import has, running_bot, say

from bot.chat.conversation import Conversation
from bot.chat.messages import Incoming, Reply
from bot.chat.throttle import Throttle
from bot.chat.understanding import read_intent
from bot.clock import ManualClock
from bot.core import Core
from bot.knowledge.knowledge import Knowledge
from storage.repository import Database

ME = 7
GROUP, ADMIN, MEMBER = -500, 1, 2


async def _yes() -> bool:
    return True


async def _no() -> bool:
    return False


async def tell(conv: Conversation, text: str) -> list[Reply]:
    return await conv.handle_text(Incoming(ME, ME, "Ann", text, private=True, is_admin=_yes))


async def text_of(conv: Conversation, text: str) -> str:
    return "\n".join(r.text for r in await tell(conv, text))


async def in_group(conv: Conversation, text: str, user: int) -> str:
    msg = Incoming(GROUP, user, "Bo", text, private=False, is_admin=_yes if user == ADMIN else _no)
    return "\n".join(r.text for r in await conv.handle_text(msg))


def button(reply: Reply, label: str) -> str:
    return next(b.data for row in reply.buttons for b in row if b.label == label)


async def readback(conv: Conversation) -> Reply:
    """A consultation read back and waiting for Confirm."""
    await tell(conv, "/compact kent-2011")
    replies = await tell(
        conv, "/consultation Parks plan by KCC, opens 1 Dec 2026, closes 20 Jan 2027"
    )
    assert "Is this right?" in replies[-1].text
    return replies[-1]


async def test_a_situation_is_read_and_offered_with_a_button(conversation: Conversation) -> None:
    [offer] = await tell(conversation, "kcc have sent us a survey on the parks plan, closes 20 jan")
    assert "a consultation to register" in offer.text
    assert "Closes: Wed 20 January 2027" in offer.text  # what was read so far
    assert not await conversation.core.open_items(ME)  # offered, not stored
    pressed = await conversation.handle_button(ME, ME, button(offer, "Register it"), _yes)
    assert pressed.edit is False and "(or 'stop')" in pressed.text  # the guided flow asks
    [stale] = [await conversation.handle_button(ME, ME, button(offer, "Register it"), _yes)]
    assert stale.notice  # the offer was taken once


@pytest.mark.parametrize(
    ("said", "noun"),
    [
        ("our grant from the council ends in march", "a funding change"),
        ("the borough has refused to meet us about the cuts", "a complaint"),
    ],
)
async def test_each_kind_of_situation_is_offered_as_its_kind(
    conversation: Conversation, said: str, noun: str
) -> None:
    assert f"{noun} to register" in await text_of(conversation, said)
    assert "No" in [b.label for row in (await tell(conversation, said))[0].buttons for b in row]


@pytest.mark.both_backends
async def test_an_offer_survives_a_restart_and_yes_takes_it(
    db: Database, knowledge: Knowledge, clock: ManualClock
) -> None:
    first = Conversation(Core(knowledge, db, clock=clock), Throttle(clock, limit=10**6))
    assert "to register" in await text_of(first, "our core grant ends on 31 march 2027")
    again = Conversation(Core(knowledge, db, clock=clock), Throttle(clock, limit=10**6))
    answer = await text_of(again, "yes pls")
    assert "Who is the funder?" in answer  # the registration began from the stored offer
    assert "Last funded day" not in answer


async def test_no_leaves_an_offer_and_a_later_yes_means_nothing(
    conversation: Conversation,
) -> None:
    await tell(conversation, "the council is cutting our grant from april")
    assert "Nothing was changed" in await text_of(conversation, "no thanks")
    assert "Who is the funder?" not in await text_of(conversation, "yes")


async def test_a_place_is_suggested_and_yes_chooses_its_compact(
    conversation: Conversation,
) -> None:
    [suggestion] = await tell(conversation, "we're a small charity in sevenoaks")
    assert "/compact west-kent" in suggestion.text
    assert await conversation.core.compacts_of(ME) == []
    assert "now follows" in await text_of(conversation, "yes thats us, use that one please")
    assert await conversation.core.compacts_of(ME) == ["west-kent"]


async def test_a_different_place_after_a_suggestion_is_suggested_instead(
    conversation: Conversation,
) -> None:
    await tell(conversation, "we're a small charity in sevenoaks")
    assert "/compact perth-kinross" in await text_of(conversation, "not that one, the perth one")
    await tell(conversation, "yep")
    assert await conversation.core.compacts_of(ME) == ["perth-kinross"]


async def test_a_suggestion_button_chooses_that_compact(conversation: Conversation) -> None:
    [suggestion] = await tell(conversation, "we work in kensington and chelsea")
    pressed = await conversation.handle_button(
        ME, ME, button(suggestion, "Use Kensington and Chelsea Compact"), _yes
    )
    assert "now follows" in pressed.text
    assert await conversation.core.compacts_of(ME) == ["rbkc"]


async def test_a_reminder_asked_for_in_words_is_set(conversation: Conversation) -> None:
    said = await text_of(conversation, "can you remind me on 13 jan to chase the council")
    assert "I'll remind this chat on Wed 13 Jan 2027" in said and "chase the council" in said
    [reminder] = await conversation.core.pending_reminders(ME)
    assert reminder.text == "chase the council"


async def test_a_reminder_without_a_day_asks_for_it_and_sets_nothing(
    conversation: Conversation,
) -> None:
    assert "When should I remind you?" in await text_of(
        conversation, "can you remind us before the deadline"
    )
    assert "What should I remind you about?" in await text_of(conversation, "remind me on friday")
    assert await conversation.core.pending_reminders(ME) == []


async def test_a_member_asking_for_a_reminder_in_a_group_is_refused(
    conversation: Conversation,
) -> None:
    said = await in_group(conversation, "remind us on 13 jan to chase kcc", MEMBER)
    assert "Only this group's admins" in said
    assert await conversation.core.pending_reminders(GROUP) == []
    said = await in_group(conversation, "remind us on 13 jan to chase kcc", ADMIN)
    assert "I'll remind" in said


async def test_requests_for_commands_run_them_or_say_which(conversation: Conversation) -> None:
    assert "No open items" in await text_of(conversation, "what have we got on file for us")
    calendar = await text_of(conversation, "any deadlines coming up this month?")
    assert "No open deadlines" in calendar
    assert "/letter ITEM" in await text_of(conversation, "could you draft a letter to the council")
    assert "/change ITEM" in await text_of(
        conversation, "the council extended the deadline to 3 march"
    )
    report = await tell(conversation, "we need a report for the trustees")
    assert report and "report" in report[0].text.lower()


async def test_news_read_as_a_change_with_nothing_on_file_is_offered_to_register(
    conversation: Conversation,
) -> None:
    said = "the district council cut our grant, what now"
    assert read_intent(said).label == "change"  # the model's first reading
    fresh = await text_of(conversation, said)
    assert "/change ITEM" not in fresh and "a funding change to register" in fresh
    assert "leave it" in await text_of(conversation, "no")  # the offer declined
    # With an item on file, the same words are read as a change to it.
    await readback(conversation)
    assert "Registered as item #1" in await text_of(conversation, "yes pls")
    assert "/change ITEM" in await text_of(conversation, said)


async def test_thanks_is_answered_as_thanks(conversation: Conversation) -> None:
    for said in ("thank you!", "thanks so much", "cheers", "ta"):
        assert await text_of(conversation, said) == "You're welcome."


async def test_questions_still_go_to_the_answerer(conversation: Conversation) -> None:
    await tell(conversation, "/compact west kent")
    said = await text_of(conversation, "how long must a consultation be?")
    assert "week" in said and "to register" not in said


async def test_yes_in_the_ways_people_write_it_confirms_a_readback(
    conversation: Conversation,
) -> None:
    await readback(conversation)
    assert "Registered as item #1" in await text_of(conversation, "yes pls")


async def test_thanks_at_a_readback_stores_nothing(conversation: Conversation) -> None:
    await readback(conversation)
    said = await text_of(conversation, "thanks")
    assert "You're welcome" in said and "It waits for Confirm" in said
    assert not await conversation.core.open_items(ME)


async def test_a_correction_at_a_readback_changes_that_field_and_reads_back(
    conversation: Conversation,
) -> None:
    await readback(conversation)
    closes = await text_of(conversation, "closes 19/2/27 actually")
    assert "Is this right?" in closes and "Closes: Fri 19 February 2027" in closes
    body = await text_of(conversation, "no, it's PKC")
    assert "Public body: PKC" in body and "Closes: Fri 19 February 2027" in body
    assert "Registered as item #1" in await text_of(conversation, "yep")
    [item] = await conversation.core.open_items(ME)
    assert item.title == "Parks plan"


async def test_a_bare_no_at_a_readback_asks_what_to_change(conversation: Conversation) -> None:
    await readback(conversation)
    assert "What should change?" in await text_of(conversation, "not quite")
    assert not await conversation.core.open_items(ME)


async def test_never_mind_at_a_readback_abandons_it(conversation: Conversation) -> None:
    await readback(conversation)
    assert "Nothing was stored" in await text_of(conversation, "oh never mind")
    assert "Nothing is under way" in await text_of(conversation, "cancel")


async def test_a_situation_registered_from_plain_words_over_telegram(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock):
        offer = await say(
            api, ALICE, ALICE, "our grant from kcc ends on 31 march 2027", "to register"
        )
        register = dict(offer.buttons)["Register it"]
        assert register is not None
        await api.press_button(ALICE, ALICE, offer.message_id, register)
        step = await api.wait_for_message(
            ALICE, lambda m: "(or 'stop')" in (m.text or "") or has("Is this right?")(m), 10
        )
        if "Who is the funder?" in (step.text or ""):  # the funder read from the words or asked
            step = await say(api, ALICE, ALICE, "KCC", "Is this right?")
        if "started a consultation" in (step.text or ""):  # KCC's Compact (Kent 2011) asks
            await say(api, ALICE, ALICE, "no", "rationale")
            step = await say(api, ALICE, ALICE, "no", "Is this right?")
        assert "Last funded day: Wed 31 March 2027" in (step.text or "")
        await say(api, ALICE, ALICE, "yes pls", "Registered as item #1")
