"""Questions and help: /ask, plain questions, /help and /start."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.chat.buttons import MoreClauses, encode
from bot.chat.intent import is_greeting
from bot.chat.messages import OLD_BUTTON, Button, Incoming, Press, Reply
from bot.chat.replies import (
    abridged,
    figure_of,
    format_ask,
    format_show,
    key_sentence,
    section_name,
)
from bot.knowledge.ask import Answer, AskResult, BadQuestion
from bot.knowledge.gazetteer import Mention
from bot.knowledge.places import find_compacts
from bot.knowledge.registry import CompactRegistry
from compacts.models import TOPICS, Compact

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


_WHICH = re.compile(r"\b(which|what)\b[^?.!]*\bcompacts?\b", re.IGNORECASE)
"""A question asking which Compact a place has ("we're in Sevenoaks, which compact is that?")."""

SHORT_ALL = 1000
"""The most the answer of every Compact takes, in characters, when a chat follows none and
the question names no place: one line each, with a button for the whole of it."""


async def answer(conv: Conversation, msg: Incoming, question: str) -> list[Reply]:
    """Greetings get a short introduction.  A question naming a place, a body or a Compact
    is answered from that Compact, whatever the chat follows, saying so in one line; any
    other from the chat's Compacts, or, when it follows none, in one short line from each."""
    if is_greeting(question):
        return [Reply(INTRO)]
    codes = await conv.core.compacts_of(msg.chat_id)
    knowledge = conv.core.knowledge
    named = knowledge.gazetteer.named(question, codes)
    routed = ""
    asked = codes
    if not codes and named and _WHICH.search(question):
        local = [knowledge.registry.get(code) for code in named]
        names = " or ".join(f"{c.short_name} (/compact {c.code})" for c in local)
        return [
            Reply(
                f"That's {names}: its area is {local[0].area}. Choose it for this chat with "
                "the command in brackets."
            )
        ]
    if named and set(named) != set(codes):
        asked = list(named)
        routed = _routing_line(knowledge.registry, named, followed=bool(codes))
    try:
        result = knowledge.answerer.ask(question, asked or None, limit=SHOWN)
    except BadQuestion as exc:
        return [Reply(str(exc))]
    if not asked:
        return [_short_answers(result, knowledge.registry)]
    more = [
        [
            Button(
                f"More: {knowledge.registry.get(code).short_name}",
                encode(MoreClauses(code, tuple(ids))),
            )
        ]
        for code, ids in abridged(result, SHOWN)
    ]
    text = format_ask(result, knowledge.registry, limit=SHOWN)
    return [Reply(f"{routed}\n{text}" if routed else text, more)]


def _routing_line(registry: CompactRegistry, named: dict[str, Mention], followed: bool) -> str:
    """One line saying which Compact answers and why: "You named Sevenoaks: this is from
    the West Kent Compact (/compact west-kent to follow it)."""
    said = list(
        dict.fromkeys(
            m.said
            if m.what != "body" or m.name.casefold() == m.said.casefold()
            else f"{m.said} ({m.name})"
            for m in named.values()
        )
    )
    compacts = [registry.get(code) for code in named]
    whose = " and ".join(f"the {c.short_name}" for c in compacts)
    line = f"You named {' and '.join(said)}: this is from {whose}"
    if not followed and len(compacts) == 1:
        line += f" (/compact {compacts[0].code} to follow it)"
    return line + "."


def _short_answers(result: AskResult, registry: CompactRegistry) -> Reply:
    """Each Compact's answer in one line, within ``SHORT_ALL`` characters, with a button per
    Compact for its clauses in full."""
    head = "Your chat follows no Compact yet, so here is each one in short:"
    foot = "Choose yours with /compact (a name or your town will do)."
    answers = result.answers
    figures = [_in_short(a, registry.get(a.compact)) for a in answers]
    rooms = _shares(
        [len(" ".join(f.split())) for f in figures],
        SHORT_ALL - len(head) - len(foot) - 3 * len(answers) - len(answers) - 1,
    )
    lines = [head]
    buttons: list[list[Button]] = []
    for a, figure, room in zip(answers, figures, rooms, strict=True):
        compact = registry.get(a.compact)
        lines.append(f"• {_shortened(figure, room)}")
        ids = tuple(c.commitment for c in a.citations)
        if ids:
            buttons.append(
                [Button(f"In full: {compact.short_name}", encode(MoreClauses(a.compact, ids)))]
            )
    lines.append(foot)
    return Reply("\n".join(lines), buttons)


def _in_short(answer: Answer, compact: Compact) -> str:
    """An answer in one line: its figure, and the key sentence of its clause where the
    clause is the answer."""
    if answer.kind == "unknown":
        return f"{compact.short_name}: nothing I can find answers this."
    text = figure_of(answer, compact).rstrip()
    quoted = text.endswith(":") or text.endswith("quoted below.")
    if quoted and answer.citations:
        text = re.sub(r",? quoted below\.$", ":", text)
        text += f" “{key_sentence(answer.citations[0].quote, answer.text)}”"
    return text


def _shares(lengths: list[int], room: int) -> list[int]:
    """Room for each line: a fair share each, what a short line leaves over going to the
    longer ones."""
    shares = [0] * len(lengths)
    left = room
    order = sorted(range(len(lengths)), key=lambda k: lengths[k])
    for n, k in enumerate(order):
        shares[k] = min(lengths[k], left // (len(lengths) - n))
        left -= shares[k]
    return shares


def _shortened(text: str, room: int) -> str:
    text = " ".join(text.split())
    if len(text) <= room:
        return text
    cut = text[: room - 1].rsplit(" ", 1)[0].rstrip(" ,;:—-")
    return f"{cut}…"


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
