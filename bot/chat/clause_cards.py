"""Inline mode: ``@botname 12 weeks`` (or ``notice``, ``complaint``) in any chat offers the
clauses that answer it, as cards to send there.

Answered by the same engine as ``/ask`` (``Answerer.ask``), from the Compacts the asker's own
chats follow, or from all of them when those follow none.  "Their own chats" are what the bot
can know of them without asking Telegram (``Core.compacts_of_person``): their private chat
with the bot (its id is theirs), and the groups where they are an officer, have a
registration under way, or did anything the group's log records (registered, followed up,
chose the Compacts, drafted a letter).  Telegram does not say which groups someone is merely
in, so a member who has only asked questions in a group gets all the Compacts.

Each card is one clause an answer quotes, best answer first, each clause once.  The clause an
answer's figure comes from is titled with that figure and its Compact, and sends the figure,
the clause word for word and where it stands (section, Compact); a clause quoted beside it is
titled with its Compact and section, and sends the clause and where it stands, with no figure
it does not say.  The description is the clause's key sentence.  An empty query gets
a card saying how to use it; a query is read up to Telegram's own 256 characters; one that
cannot be asked gets no cards.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from bot.chat.messages import Card
from bot.chat.replies import figure_of, format_clause, key_sentence, section_name
from bot.knowledge.ask import BadQuestion

if TYPE_CHECKING:
    from bot.chat.conversation import Conversation

MAX_CARDS = 50
"""Telegram takes at most 50 results for an inline query."""
MAX_QUERY = 256
"""Telegram's limit on an inline query; a longer one is cut at a word."""
ANSWERS = 10
"""Compacts answered from (the engine's default for one question)."""
TITLE = 120
DESCRIPTION = 200


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def help_card(bot_username: str) -> Card:
    example = f"@{bot_username} 12 weeks"
    return Card(
        id="help",
        title="Quote your Compact, word for word",
        description=f"Type a figure or a word after @{bot_username}: 12 weeks, notice, complaint",
        text=(
            f"To quote what a Compact says in any chat, type {example} (or notice, or "
            "complaint) and choose a clause: it comes with its section and Compact, word for word."
        ),
    )


async def clause_cards(
    conv: Conversation, user_id: int, query: str, bot_username: str
) -> list[Card]:
    """The cards for ``query`` typed by ``user_id`` (see the module's docstring)."""
    question = " ".join(query.split())
    if len(question) > MAX_QUERY:
        question = question[:MAX_QUERY].rsplit(" ", 1)[0]
    if not question:
        return [help_card(bot_username)]
    codes = await conv.core.compacts_of_person(user_id)
    knowledge = conv.core.knowledge
    # A place or body the query names picks its Compact, as in a chat.
    codes = knowledge.gazetteer.compacts_named(question, codes) or codes
    try:
        result = knowledge.answerer.ask(question, codes or None, limit=ANSWERS)
    except BadQuestion:
        return []
    cards: list[Card] = []
    seen: set[str] = set()
    for answer in result.answers:
        if answer.kind == "unknown":
            continue
        compact = knowledge.registry.get(answer.compact)
        for n, citation in enumerate(answer.citations):
            key = f"{compact.code}/{citation.commitment}"
            # Telegram refuses an answer whose results share an id: a clause two answers
            # quote is offered once, with the better answer's figure.
            if key in seen:
                continue
            seen.add(key)
            clause = key_sentence(citation.quote, answer.text, question)
            section = section_name(citation.section)
            # The answer's figure goes with the clause it comes from (the first); the clauses
            # quoted beside it are offered as themselves, so no card puts a figure on a clause
            # that does not say it.
            main = n == 0
            title = figure_of(answer, compact) if main else f"{compact.short_name}: {section}"
            cards.append(
                Card(
                    id=hashlib.sha256(key.encode()).hexdigest()[:40],
                    title=_cut(title, TITLE),
                    description=_cut(f"“{clause}” ({section})", DESCRIPTION),
                    text=format_clause(
                        answer, citation, compact, with_figure=main, question=question
                    ),
                )
            )
            if len(cards) == MAX_CARDS:
                return cards
    return cards
