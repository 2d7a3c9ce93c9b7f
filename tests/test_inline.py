"""Inline mode: ``@bot 12 weeks`` typed in any chat offers clause cards.

The cards come from the real engine and the real database (which Compacts the asker's chats
follow); the last test runs the real python-telegram-bot stack against the fake Bot API
(``inline_query`` → ``answerInlineQuery``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import raw_sql
from conftest import ALICE, GROUP
from fake_bot_api import FakeBotApi
from test_telegram_e2e import running_bot

from bot.chat.clause_cards import MAX_CARDS
from bot.chat.conversation import Conversation
from bot.chat.messages import Card, Incoming
from bot.chat.replies import MAX_SENT
from bot.clock import ManualClock
from bot.core import Core
from bot.frontends.telegram import INLINE_CACHE_SECONDS
from bot.knowledge.knowledge import Knowledge
from storage.repository import Database

STRANGER = 4242  # has never used the bot


async def _yes() -> bool:
    return True


@pytest.fixture
def conv(db: Database, knowledge: Knowledge, clock: ManualClock) -> Conversation:
    return Conversation(Core(knowledge, db, clock=clock))


async def say(conv: Conversation, chat: int, user: int, text: str) -> str:
    replies = await conv.handle_text(Incoming(chat, user, "Ada", text, chat == user, _yes))
    return "\n".join(r.text for r in replies)


def compacts_named(cards: list[Card], knowledge: Knowledge) -> set[str]:
    """The codes of the Compacts whose title a card's text ends with."""
    return {
        code
        for card in cards
        for code, compact in knowledge.registry.compacts.items()
        if card.text.endswith(f", {compact.title})")
    }


def quoted(card: Card) -> str:
    """The clause a card sends: after the figure (if any), before where it stands."""
    text = card.text[1:] if card.text.startswith("“") else card.text.split("\n\n“", 1)[1]
    return text.rsplit("”\n(", 1)[0]


async def test_someone_with_no_chats_gets_clauses_from_every_compact_verbatim(
    conv: Conversation, knowledge: Knowledge
) -> None:
    cards = await conv.handle_inline(STRANGER, "12 weeks", "CompactTestBot")
    assert 2 <= len(cards) <= MAX_CARDS
    assert len({c.id for c in cards}) == len(cards)  # Telegram refuses repeated ids
    # Several Compacts set 12 weeks; a stranger is offered them all.
    assert {"kent-2011", "west-kent", "rbkc"} <= compacts_named(cards, knowledge)
    for card in cards:
        assert len(card.text) <= MAX_SENT and card.title and card.description
        clause = quoted(card)
        # Word for word: the clause is in its Compact's text (a long one cut only with "…").
        [code] = compacts_named([card], knowledge)
        texts = [c.quote for c in knowledge.registry.get(code).commitments]
        pieces = [p.strip() for p in clause.split("…") if p.strip()]
        assert any(all(p in t for p in pieces) for t in texts), clause
    first = cards[0]
    assert "12 week" in first.title and "12 week" in first.text


async def test_cards_come_from_the_compacts_the_askers_chats_follow(
    conv: Conversation, knowledge: Knowledge, db: Database
) -> None:
    # Alice's private chat follows RBKC; she also acts in a group that follows West Kent.
    assert "now follows" in await say(conv, ALICE, ALICE, "/compact rbkc")
    assert "now follows" in await say(conv, GROUP, ALICE, "/compact west-kent")
    cards = await conv.handle_inline(ALICE, "12 weeks", "CompactTestBot")
    assert compacts_named(cards, knowledge) == {"rbkc", "west-kent"}
    # Her private chat's Compact comes first.
    assert compacts_named(cards[:1], knowledge) == {"rbkc"}
    # Someone else is not limited by Alice's chats.
    others = await conv.handle_inline(STRANGER, "12 weeks", "CompactTestBot")
    assert len(compacts_named(others, knowledge)) >= 3


async def test_a_place_or_body_in_the_query_picks_its_compact(
    conv: Conversation, knowledge: Knowledge
) -> None:
    assert "now follows" in await say(conv, ALICE, ALICE, "/compact rbkc")
    cards = await conv.handle_inline(ALICE, "pkc notice before a grant ends", "CompactTestBot")
    assert cards and compacts_named(cards, knowledge) == {"perth-kinross"}


async def test_a_clause_quoted_beside_the_figure_does_not_carry_the_figure(
    conv: Conversation,
) -> None:
    cards = await conv.handle_inline(STRANGER, "notice before they end our grant", "Bot")
    with_figure = [c for c in cards if not c.text.startswith("“")]
    bare = [c for c in cards if c.text.startswith("“")]
    assert with_figure and bare
    for card in bare:
        # Only the clause and where it stands: nothing said before the quote.
        assert card.text.count("“") == 1 and card.text.endswith(")")


async def test_empty_query_explains_nonsense_or_huge_offers_nothing_and_nothing_is_stored(
    conv: Conversation, db: Database
) -> None:
    before = await raw_sql.snapshot(db.path)
    [card] = await conv.handle_inline(STRANGER, "   ", "CompactTestBot")
    assert "@CompactTestBot 12 weeks" in card.text
    assert await conv.handle_inline(STRANGER, "zzzz qqqq", "CompactTestBot") == []
    huge = await conv.handle_inline(STRANGER, "notice " * 2000, "CompactTestBot")
    assert all(len(c.text) <= MAX_SENT for c in huge)
    assert await raw_sql.snapshot(db.path) == before


async def test_over_telegram_an_inline_query_is_answered_with_article_cards(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock):
        await api.send_text(ALICE, ALICE, "/compact west-kent")
        await api.wait_for_message(ALICE, lambda m: "now follows" in (m.text or ""))
        query = await api.send_inline_query(ALICE, "12 weeks", chat_type="group")
        answer = await api.wait_for_inline_answer(query, timeout=10)
        empty = await api.send_inline_query(ALICE, "")
        help_answer = await api.wait_for_inline_answer(empty, timeout=10)
    assert answer.is_personal and answer.cache_time == INLINE_CACHE_SECONDS
    assert answer.results and all(r["type"] == "article" for r in answer.results)
    assert all(t.endswith("West Kent Compact)") or "West Kent" in t for t in answer.texts)
    assert "wherever possible, allow a total of 12 weeks" in answer.texts[0]
    assert "@CompactTestBot 12 weeks" in help_answer.texts[0]
