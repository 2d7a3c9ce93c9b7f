"""Questions and help: /ask, plain questions, /help and /start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.chat.messages import Incoming, Reply
from bot.chat.replies import format_ask
from bot.knowledge.ask import BadQuestion

if TYPE_CHECKING:
    from bot.chat.conversation import Conversation

SHOWN = 5
"""Answers a chat shows (one per Compact); the rest are counted, not built."""


async def help_command(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    from bot.chat.commands import help_text  # the command table imports this module

    warning = conv.core.delivery_warning()
    return [Reply(help_text() + (f"\n\n{warning}" if warning else ""))]


async def ask_command(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    if not args:
        return [Reply("Ask a question after /ask, e.g. /ask how long must a consultation be?")]
    return await answer(conv, msg, args)


async def answer(conv: Conversation, msg: Incoming, question: str) -> list[Reply]:
    """Answered from the chat's Compacts, or from all of them when it follows none."""
    codes = await conv.core.compacts_of(msg.chat_id)
    knowledge = conv.core.knowledge
    try:
        result = knowledge.answerer.ask(question, codes or None, limit=SHOWN)
    except BadQuestion as exc:
        return [Reply(str(exc))]
    return [Reply(format_ask(result, knowledge.registry, limit=SHOWN))]
