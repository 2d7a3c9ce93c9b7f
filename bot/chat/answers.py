"""Questions and help: /ask, plain questions, /help and /start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.chat.buttons import MoreClauses, encode
from bot.chat.intent import is_greeting
from bot.chat.messages import OLD_BUTTON, Button, Incoming, Press, Reply
from bot.chat.replies import abridged, format_ask, format_show, section_name
from bot.knowledge.ask import BadQuestion
from bot.knowledge.places import compacts_naming, find_compacts
from compacts.models import TOPICS

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


INTRO = (
    "Hello! I know what your local Compact promises, and remind you before its deadlines.\n"
    'Ask me anything, e.g. "how long must a consultation be?"\n'
    "Tell me which Compact your group follows with /compact (a name or your town will do).\n"
    "/help lists all I can do."
)


async def answer(conv: Conversation, msg: Incoming, question: str) -> list[Reply]:
    """Greetings get a short introduction; a chat with no Compact that names a place is
    offered the Compacts covering it; anything else is answered from the chat's Compacts, or
    from all of them when it follows none."""
    if is_greeting(question):
        return [Reply(INTRO)]
    codes = await conv.core.compacts_of(msg.chat_id)
    knowledge = conv.core.knowledge
    if not codes and (local := compacts_naming(knowledge.registry, question)):
        names = " or ".join(f"{c.short_name} (/compact {c.code})" for c in local)
        return [
            Reply(
                f"That's {names}: its area is {local[0].area}. Choose it for this chat with "
                "the command in brackets, then ask again."
            )
        ]
    try:
        result = knowledge.answerer.ask(question, codes or None, limit=SHOWN)
    except BadQuestion as exc:
        return [Reply(str(exc))]
    more = [
        [
            Button(
                f"More: {knowledge.registry.get(code).short_name}",
                encode(MoreClauses(code, tuple(ids))),
            )
        ]
        for code, ids in abridged(result, SHOWN)
    ]
    return [Reply(format_ask(result, knowledge.registry, limit=SHOWN), more)]


async def more(conv: Conversation, press: Press, action: MoreClauses) -> Reply:
    """The whole of the clauses a short answer quoted, verbatim, as a new message."""
    registry = conv.core.knowledge.registry
    compact = registry.compacts.get(action.code)
    if compact is None:
        return Reply(OLD_BUTTON, notice=True)
    lines = [f"{compact.short_name}, word for word:"]
    for commitment_id in action.commitments:
        try:
            c = compact.commitment(commitment_id)
        except KeyError:
            continue
        lines.append(f"“{c.quote}” ({section_name(compact.section(c.section).title)})")
    if len(lines) == 1:
        return Reply(OLD_BUTTON, notice=True)
    lines.append(f"All it says on a topic: /show {compact.code} TOPIC")
    return Reply("\n\n".join(lines), edit=False)


async def show(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    """/show CODE [TOPIC]: a Compact's rules and, on a topic, its clauses word for word."""
    registry = conv.core.knowledge.registry
    words = args.split()
    if not words:
        return [Reply("Say which Compact, e.g. /show west-kent consultation (see /compacts).")]
    topic = words[-1].lower() if len(words) > 1 and words[-1].lower() in TOPICS else None
    name = " ".join(words[:-1] if topic else words)
    found = find_compacts(registry, name)
    if len(found) != 1:
        known = ", ".join(registry.codes)
        return [Reply(f"Say which Compact (one of {known}), e.g. /show west-kent consultation.")]
    return [Reply(format_show(found[0], topic))]
