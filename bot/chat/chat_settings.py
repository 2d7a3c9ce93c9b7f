"""A chat's own settings: its Compacts, time zone, officers, and /forget."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.chat.buttons import ForgetAnswer, encode
from bot.chat.messages import OLD_BUTTON, Button, Incoming, Press, Reply
from bot.knowledge.places import find_compacts
from bot.knowledge.registry import CompactRegistry
from compacts.models import Compact

if TYPE_CHECKING:
    from bot.chat.conversation import Conversation


async def compacts(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    registry = conv.core.knowledge.registry
    lines = ["Compacts I know (use the code with /compact):"]
    for code in registry.codes:
        c = registry.get(code)
        draft = " – consultation draft" if c.is_draft else ""
        lines.append(f"{code}: {c.title}{draft}")
    return [Reply("\n".join(lines))]


async def compact(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    registry = conv.core.knowledge.registry
    if not args:
        codes = await conv.core.compacts_of(msg.chat_id)
        if not codes:
            return [
                Reply(
                    "This chat follows no Compact yet; questions are answered from "
                    "all of them. Set yours with e.g. /compact kent-2011 west-kent"
                )
            ]
        return [
            Reply(
                "This chat follows: "
                + ", ".join(f"{c} ({registry.get(c).short_name})" for c in codes)
            )
        ]
    chosen = _choose(registry, args)
    if isinstance(chosen, str):
        return [Reply(chosen)]
    unique = list(dict.fromkeys(c.code for c in chosen))
    await conv.core.choose_compacts(msg.chat_id, unique, msg.user_id)
    names = ", ".join(registry.get(c).short_name for c in unique)
    return [Reply(f"This chat now follows: {names}.")]


FILLERS = frozenset({"and", "&", "+", "the", "compact", "compacts"})


def _choose(registry: CompactRegistry, args: str) -> list[Compact] | str:
    """The Compacts ``args`` names (codes, names or places; several at once, with commas or
    not), or a one-line reply asking which one, or saying which is unknown."""
    chunks = [c.strip() for c in re.split(r"[,;]", args) if c.strip()]
    chosen: list[Compact] = []
    for chunk in chunks:
        words = chunk.split()
        start = 0
        while start < len(words) and words[start].lower() in FILLERS:
            start += 1
        while start < len(words):
            # The longest run of words from here that names exactly one Compact.
            for end in range(len(words), start, -1):
                found = find_compacts(registry, " ".join(words[start:end]))
                if len(found) == 1:
                    chosen.append(found[0])
                    start = end
                    while start < len(words) and words[start].lower() in FILLERS:
                        start += 1
                    break
            else:
                said = words[start][:50]
                found = find_compacts(registry, said)
                if found:
                    options = ", ".join(f"{c.short_name} ({c.code})" for c in found)
                    return f"'{said}' could be {options}: say which. Nothing was changed."
                known = ", ".join(registry.codes)
                return f"I don't know the Compact '{said}'. Known: {known}. Nothing was changed."
    if not chosen:
        return "Say which Compact, e.g. /compact west kent. Nothing was changed."
    return chosen


UK_PLACES = dict.fromkeys(
    (
        *"""edinburgh glasgow aberdeen dundee inverness perth stirling cardiff swansea
        newport belfast derry manchester birmingham leeds liverpool bristol sheffield
        newcastle nottingham leicester brighton oxford cambridge york maidstone sevenoaks
        tonbridge canterbury kent kensington chelsea scotland wales england uk britain
        gb""".split(),
        "northern ireland",
        "united kingdom",
        "great britain",
        "tunbridge wells",
    ),
    "Europe/London",
)
"""Places where the Compacts' groups are, which the zone database has no zone named after:
all of the UK keeps one time, Europe/London's."""

MAX_ZONE_NAME = 64
"""The longest zone name accepted (the database's longest is about 30 characters)."""

NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})
"""In the zone directory but not zones: the machine's own setting, a rules template, and
tzdata's "no zone" placeholder (abbreviated "-00")."""


@cache
def _zones() -> dict[str, str]:
    """Every zone name the zone database (the tzdata package) has, by its lower case."""
    names = (
        name
        for name in available_timezones()
        if name not in NOT_ZONES and not name.startswith(("posix/", "right/"))
    )
    return {name.lower(): name for name in names}


@cache
def _cities() -> dict[str, list[str]]:
    """Zones by their last part ("london" -> ["Europe/London"]); Etc/ ones (offsets) left out."""
    cities: dict[str, list[str]] = {}
    for name in sorted(_zones().values()):
        area, _, city = name.rpartition("/")
        if area and not name.startswith("Etc/"):
            cities.setdefault(city.lower(), []).append(name)
    return cities


def find_zone(text: str) -> str | list[str]:
    """The zone ``text`` names, by its canonical name ("europe/london" -> "Europe/London"),
    or else the zones it might mean (a city that several zones end with; [] for none)."""
    if not text or len(text) > MAX_ZONE_NAME or not text.isascii() or not text.isprintable():
        return []
    key = "_".join(text.split()).lower()
    name = _zones().get(key) or UK_PLACES.get(key.replace("_", " "))
    if name is None:
        candidates = _cities().get(key, [])
        if len(candidates) != 1:
            return candidates
        name = candidates[0]
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return []
    return name


async def timezone(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    if not args:
        tz = await conv.core.timezone(msg.chat_id)
        return [
            Reply(f"This chat's time zone is {tz.key}. Change it with e.g. /timezone Europe/London")
        ]
    found = find_zone(args)
    if isinstance(found, list):
        if found:
            return [
                Reply(
                    f"'{args}' could be {' or '.join(found[:4])}: say which. Nothing was changed."
                )
            ]
        shown = f" '{args[:50]}'" if args.isascii() and args.isprintable() else ""
        return [
            Reply(
                f"I don't know the time zone{shown}. Use a name like Europe/London. "
                "Nothing was changed."
            )
        ]
    await conv.core.set_timezone(msg.chat_id, found)
    return [Reply(f"Time zone set to {found}.")]


async def officer(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    action = args.split()[0].lower() if args else ""
    if action not in ("add", "remove", "list"):
        return [
            Reply(
                "Use /officer add or /officer remove as a reply to the person's "
                "message, or /officer list."
            )
        ]
    if action == "list":
        officers = await conv.core.officers(msg.chat_id)
        names = ", ".join(o.name for o in officers) or "none yet"
        return [Reply(f"Officers: {names}")]
    if msg.reply_to_user is None:
        return [Reply(f"Reply to a message of the person with /officer {action}.")]
    user_id, name = msg.reply_to_user
    if action == "add":
        await conv.core.add_officer(msg.chat_id, user_id, name)
        return [Reply(f"{name} is now an officer: they can register and close items.")]
    removed = await conv.core.remove_officer(msg.chat_id, user_id)
    return [
        Reply(
            f"{name} is no longer an officer."
            if removed
            else f"{name} was not an officer. Nothing was changed."
        )
    ]


async def forget(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    token = await conv.core.ask_to_forget(msg.chat_id)
    return [
        Reply(
            "Erase everything I hold about this chat – its Compacts, items, "
            "reminders and history? This cannot be undone.",
            [
                [
                    Button("Erase everything", encode(ForgetAnswer(True, token))),
                    Button("Keep it", encode(ForgetAnswer(False, token))),
                ]
            ],
        )
    ]


async def forget_press(conv: Conversation, press: Press, answer: ForgetAnswer) -> Reply:
    # Admins only: an officer (named by an admin) cannot erase the group's record.
    if not await press.is_admin():
        return Reply(
            "Only this group's admins can erase its data. Nothing was changed.", notice=True
        )
    if not await conv.core.answer_forget(press.chat_id, answer.token, answer.erase):
        return Reply(OLD_BUTTON, notice=True)
    if not answer.erase:
        return Reply("Kept. Nothing was erased.")
    conv.forget_chat(press.chat_id)
    return Reply("Done: everything about this chat has been erased.")
