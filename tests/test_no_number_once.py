"""A registration's or change's reply says a Compact sets no number once per item kind in a
chat, then one line (issue 21): through the conversation over a real core and SQLite file."""

from __future__ import annotations

from bot.chat.conversation import Conversation
from bot.chat.messages import Incoming, Reply

GROUP, ADMIN = -801, 1


async def _yes() -> bool:
    return True


async def say(conv: Conversation, text: str) -> list[Reply]:
    msg = Incoming(GROUP, ADMIN, "Ada", text, private=False, is_admin=_yes)
    return await conv.handle_text(msg)


async def register(conv: Conversation, text: str) -> tuple[int, str]:
    replies = await say(conv, text)
    # A funding change's read-back first asks what the chat's Compacts need (has a
    # consultation started? did a rationale come?): "don't know" to each.
    while not replies[-1].buttons and "(or 'stop')" in replies[-1].text:
        replies = await say(conv, "don't know")
    confirm = replies[-1].buttons[0][0]
    assert confirm.label == "Confirm", replies[-1].text
    reply = await conv.handle_button(GROUP, ADMIN, confirm.data, _yes)
    assert reply.text.startswith("Registered as item #"), reply.text
    return int(reply.text.split("#")[1].split(":")[0]), reply.text


NO_NUMBER = "The West Kent Compact sets no notice period for ending"
"""The start of West Kent's explanation that it sets no notice period (its data's note)."""


async def test_no_number_is_explained_once_then_one_line(conversation: Conversation) -> None:
    await say(conversation, "/compact kent-2011 west-kent perth-kinross kent-2007-draft rbkc")
    first, text = await register(
        conversation, "/funding Youth grant, last funded 31 Mar 2027, by KCC"
    )
    assert text.count(NO_NUMBER) == 1
    assert "West Kent Compact: — no number set\n" in text

    second, again = await register(
        conversation, "/funding Lunch club grant, last funded 30 Jun 2027, by KCC"
    )
    assert NO_NUMBER not in again
    assert f"West Kent Compact: — no number set\n  (quoted in full for #{first})" in again
    assert "Kent Partners Compact 2007 draft: — no number set\n  (quoted in full for" in again
    # The Compacts that set a figure are still checked in full.
    assert "Kensington and Chelsea Compact asks for at least 3 months' notice" in again
    assert len(again) < len(text) - 1000

    [changed] = await say(conversation, f"/change {second} ends 31 Jul 2027")
    assert NO_NUMBER not in changed.text
    assert "West Kent Compact: — no number set\n  (quoted in full when it was registered)" in (
        changed.text
    )


async def test_another_kind_of_item_gets_its_own_explanation(conversation: Conversation) -> None:
    await say(conversation, "/compact west-kent rbkc")
    await register(conversation, "/funding Youth grant, last funded 31 Mar 2027, by KCC")
    _, complaint = await register(
        conversation, "/complaint Council ignored our letter, raised 1 Dec 2026"
    )
    assert "quoted in full for" not in complaint
