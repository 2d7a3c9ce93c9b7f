"""Acting on what a message that is not a command means (``bot.chat.understanding``).

A situation to register is read and offered with a button; a request for a reminder sets
it (or asks the one thing missing); a request for the list, the calendar or the report
runs that command, and one for a letter or a change says which command does it; yes, no
and thanks answer what the bot last offered.  Questions go to the answerer.

What the bot offered (a Compact suggested, a registration) is kept with the chat in the
database (``Core.offer``), so a "yes" after a restart still answers it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from bot.chat import answers
from bot.chat.buttons import OfferAnswer, encode
from bot.chat.changes import USAGE as CHANGE_USAGE
from bot.chat.dateparsing import DateParseError, split_when_and_text
from bot.chat.forms import FORMS, Kind
from bot.chat.letters import EXAMPLE as LETTER_EXAMPLE
from bot.chat.messages import OLD_BUTTON, Button, Incoming, Press, Reply
from bot.chat.registration_parsing import parse_complaint, parse_consultation, parse_funding
from bot.chat.understanding import Context, Intent, read_intent

if TYPE_CHECKING:
    from bot.chat.conversation import Conversation
    from compacts.models import Compact


def _naming(conv: Conversation, text: str) -> list[Compact]:
    """The Compacts of the places and bodies ``text`` names (the gazetteer's)."""
    knowledge = conv.core.knowledge
    return [knowledge.registry.get(code) for code in knowledge.gazetteer.compacts_named(text)]


OFFER_TTL = timedelta(days=1)
"""An offer left unanswered this long is forgotten: a later "yes" is not taken as its answer."""

ASKS = 0.02
"""The share of "question" above which a situation is also answered as a question.  Round 5,
each spent set left out in turn: of the messages read as a registration, the 2 the writers
meant as questions score 0.19 and 0.42, 243 of the 257 meant as registrations under 0.02 (the
model trained on five sets is surer than round 3's, whose registrations scored under 0.02 and
situations that ask 0.3-0.4 in-sample, hence 0.15 then)."""

_PARSERS = {
    "consultation": parse_consultation,
    "funding": parse_funding,
    "complaint": parse_complaint,
}

# What a request for a reminder says before its "when" ("can you remind us on …").
_REMIND_LEAD = re.compile(
    r"^(?:(?:can|could|would|will)\s+(?:you|u)\s+|please\s+|pls\s+|and\s+|also\s+)*"
    r"(?:(?:set|make|give|send|add)\s+(?:up\s+)?(?:me\s+|us\s+)?(?:a\s+)?reminders?"
    r"(?:\s+(?:for|on|at))?|remind\s+(?:me|us|everyone|the\s+group|the\s+team|all)?"
    r"|(?:i|we)\s+need\s+a\s+reminder(?:\s+(?:for|on))?)\s*",
    re.IGNORECASE,
)
_ITEM_NUMBER = re.compile(r"(?:#|\bitem\s*)(\d{1,9})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Offer:
    """A Compact suggested for the chat, or a situation offered for registering."""

    what: Literal["compact", "register"]
    token: str
    at: datetime
    codes: tuple[str, ...] = ()
    kind: Kind | None = None
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "token": self.token,
            "at": self.at.isoformat(),
            "codes": list(self.codes),
            "kind": self.kind,
            "text": self.text,
        }

    @classmethod
    def from_json(cls, state: dict[str, Any]) -> Offer:
        return cls(
            state["what"],
            state["token"],
            datetime.fromisoformat(state["at"]),
            tuple(state.get("codes", ())),
            state.get("kind"),
            state.get("text", ""),
        )


async def open_offer(conv: Conversation, chat_id: int) -> Offer | None:
    stored = await conv.core.offer(chat_id)
    if stored is None:
        return None
    offer = Offer.from_json(stored)
    return offer if offer.at >= conv.core.now() - OFFER_TTL else None


async def act(conv: Conversation, msg: Incoming, text: str) -> list[Reply]:
    """Do what ``text`` asks, or offer it; the reply says which."""
    offer = await open_offer(conv, msg.chat_id)
    context: Context = "suggestion" if offer else "none"
    intent = read_intent(text, context)
    if intent.label == "change" and not await conv.core.open_items(msg.chat_id):
        # Nothing on file to change: "the district council cut our grant" is news to
        # register or a question when the model reads that next.
        other = read_intent(text, context, ruled_out=frozenset({"change"}))
        if other.label in ("register", "question"):
            intent = other
    label = intent.label
    if offer is not None and offer.what == "compact" and label == "no":
        # "not that one, the perth one": a no that names another place chooses that
        named = _naming(conv, text)
        if {c.code for c in named} - set(offer.codes):
            label = "choose_compact"
    if offer is not None and label in ("yes", "no", "stop"):
        await conv.core.set_offer(msg.chat_id, None)
        if label == "yes":
            return await _accept(conv, msg, offer, 0)
        return [Reply("OK, I'll leave it. Nothing was changed.")]
    if label == "thanks" and not _naming(conv, text):
        # Thanks names nobody: a message naming a place or body is about it.
        return [Reply("You're welcome.")]
    if label == "stop":
        return [Reply("Nothing is under way here; nothing was changed.")]
    if label == "register":
        offered = await _offer_registration(conv, msg, text, intent)
        if intent.asks >= ASKS:
            # A situation told with a question in it: the answer, then the offer.
            return [*await answers.answer(conv, msg, text), *offered]
        return offered
    if label == "remind":
        return await _remind(conv, msg, text)
    if label in ("list", "calendar", "report"):
        return [*await _about_named(conv, msg, text), *await conv.run_command(msg, label, "")]
    if label == "letter":
        number = _ITEM_NUMBER.search(text)
        if number:
            return await conv.run_command(msg, "letter", number.group(1))
        return [
            *await _about_named(conv, msg, text),
            Reply(
                "A letter is written for a registered item: /letter ITEM, e.g. "
                f"{LETTER_EXAMPLE} (/list shows the numbers)."
            ),
        ]
    if label == "change":
        return [
            *await _about_named(conv, msg, text),
            Reply(
                "To change a registered item, send /change ITEM FIELD VALUE, e.g. "
                f"{CHANGE_USAGE} (/list shows the numbers)."
            ),
        ]
    if label == "choose_compact":
        # A question naming a place is answered from its Compact (``answers.answer`` says
        # which, and how to follow it); only "which Compact is ours?" gets the suggestion.
        suggested = await _suggest_compact(conv, msg, text, True)
        if suggested is not None:
            return suggested
    return await answers.answer(conv, msg, text)


async def _about_named(conv: Conversation, msg: Incoming, text: str) -> list[Reply]:
    """The answer from its Compact when a message naming a place or body reads as a request
    for a command but gives no item ("PKC cut our grant with a letter"): what happened
    there first, the command's usage after."""
    return await answers.answer(conv, msg, text) if _naming(conv, text) else []


async def _suggest_compact(
    conv: Conversation, msg: Incoming, text: str, asked: bool
) -> list[Reply] | None:
    """Name the Compacts covering a place the message names, with a button to choose each,
    when the chat follows none (or the message says which it follows)."""
    if not asked and await conv.core.compacts_of(msg.chat_id):
        return None
    local = _naming(conv, text)
    if not local:
        if not asked:
            return None
        return [
            Reply("Which Compact? Name it or your town, or choose with /compact (see /compacts).")
        ]
    token = secrets.token_hex(4)
    offer = Offer("compact", token, conv.core.now(), tuple(c.code for c in local))
    await conv.core.set_offer(msg.chat_id, offer.to_json())
    names = " or ".join(f"{c.short_name} (/compact {c.code})" for c in local)
    rows = [
        [Button(f"Use {c.short_name}", encode(OfferAnswer(token, i)))] for i, c in enumerate(local)
    ]
    rows.append([Button("No", encode(OfferAnswer(token, None)))])
    return [
        Reply(
            f"That's {names}: its area is {local[0].area}. Choose it for this chat with the "
            "button (or say yes).",
            rows,
        )
    ]


async def _offer_registration(
    conv: Conversation, msg: Incoming, text: str, intent: Intent
) -> list[Reply]:
    """What the message gives, read as the registration it describes, with a button to
    register it (the guided registration asks for the rest)."""
    kind: Kind = intent.kind or "consultation"
    form = FORMS[kind]
    draft = _PARSERS[kind](text, await conv.core.today(msg.chat_id), conv.core.knowledge.gazetteer)
    read = form.readback({k: v for k, v in draft.fields.items() if v is not None})
    token = secrets.token_hex(4)
    offer = Offer("register", token, conv.core.now(), kind=kind, text=text)
    await conv.core.set_offer(msg.chat_id, offer.to_json())
    so_far = f"So far I read:\n{read}" if read else "I couldn't read its details yet."
    followed = await conv.core.compacts_of(msg.chat_id)
    named = conv.core.knowledge.gazetteer.named(text, followed, keep_followed=True)
    registry = conv.core.knowledge.registry
    if named:
        # Which Compact it goes to, as for a registration: the named body's.
        whose = " and ".join(f"the {registry.get(c).short_name}" for c in named)
        said = " and ".join(dict.fromkeys(m.said for m in named.values()))
        so_far = f"You named {said}: {whose} would check it. {so_far}"
    elif followed:
        whose = " and ".join(f"the {registry.get(c).short_name}" for c in followed)
        so_far = f"{whose[0].upper()}{whose[1:]} would check it. {so_far}"
    return [
        Reply(
            f"That sounds like {form.noun} to register. {so_far}\n"
            "Register it? I'll ask for anything missing (or use /" + kind + ").",
            [
                [
                    Button("Register it", encode(OfferAnswer(token, 0))),
                    Button("No", encode(OfferAnswer(token, None))),
                ]
            ],
        )
    ]


async def _remind(conv: Conversation, msg: Incoming, text: str) -> list[Reply]:
    """Set the reminder the message asks for, or ask for the one piece it lacks."""
    said = re.sub(r"^@\w+\s*", "", text.strip())  # "@compactbot remind us …" in a group
    args = _REMIND_LEAD.sub("", said, count=1).strip(" ?.!")
    args = re.sub(r"^(?:on|at|for)\s+", "", args, flags=re.IGNORECASE)
    tz = await conv.core.timezone(msg.chat_id)
    try:
        split_when_and_text(args, conv.core.now(), tz)
    except DateParseError as exc:
        # No time given, and a place named: a situation there, not a reminder wanted.
        about = await _about_named(conv, msg, text)
        if about:
            return about
        if "What should I remind" in str(exc):
            return [
                Reply(
                    "What should I remind you about? Say it with the time, e.g. "
                    "'remind us on 13 Jan to chase the council'."
                )
            ]
        return [
            Reply(
                "When should I remind you? Say a day or time, e.g. 'remind us on 13 Jan to "
                "chase the council' (or /remind 13 Jan chase the council). Registered items' "
                "deadlines are reminded of already: /calendar shows them."
            )
        ]
    return await conv.run_command(msg, "remind", args)


async def _accept(conv: Conversation, msg: Incoming, offer: Offer, choice: int) -> list[Reply]:
    if offer.what == "compact":
        code = offer.codes[min(choice, len(offer.codes) - 1)]
        return await conv.run_command(msg, "compact", code)
    assert offer.kind is not None
    return await conv.run_command(msg, offer.kind, offer.text)


async def press(conv: Conversation, press: Press, action: OfferAnswer) -> Reply:
    """A button under an offer: take it (run its command as the presser) or leave it."""
    offer = await open_offer(conv, press.chat_id)
    if offer is None or offer.token != action.token:
        return Reply(OLD_BUTTON, notice=True)
    if action.choice is None:
        await conv.core.set_offer(press.chat_id, None)
        return Reply("OK, I'll leave it. Nothing was changed.")
    if press.chat_id < 0 and not await conv.may_change(
        press.chat_id, press.user_id, press.is_admin
    ):
        return Reply(
            "Only this group's admins and officers can do that. Nothing was changed.",
            notice=True,
        )
    await conv.core.set_offer(press.chat_id, None)
    msg = Incoming(
        chat_id=press.chat_id,
        user_id=press.user_id,
        user_name="",
        text="",
        private=press.chat_id > 0,
        addressed=True,
        is_admin=press.is_admin,
    )
    replies = await _accept(conv, msg, offer, action.choice)
    return Reply(
        "\n\n".join(r.text for r in replies),
        replies[-1].buttons if replies else [],
        ask_reply=any(r.ask_reply for r in replies),
        edit=False,
    )
