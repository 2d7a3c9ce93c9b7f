"""Every chat command, declared once: name, usage, help line, who may run it, handler.

``/help``, Telegram's command menu, the dispatcher and the usage errors are all made
from ``COMMANDS``; adding a command means adding one ``Command`` here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bot.chat import (
    answers,
    calendar_links,
    changes,
    chat_settings,
    evidence,
    follow_ups,
    letters,
    registration,
    reminding,
)
from bot.chat.messages import Incoming, Reply

if TYPE_CHECKING:
    from bot.chat.conversation import Conversation

Handler = Callable[["Conversation", Incoming, str], Awaitable[list[Reply]]]

Who = Literal["anyone", "admins", "anyone to view", "admins only"]
"""``admins``: the group's admins and the officers they named; ``admins only``: the group's
admins and no officer (erasing the group, naming officers: an officer must not be able to
make more officers, unmake the admin's, or erase the record).  ``anyone to view``: anyone
may run it bare (to see a setting, to get the calendar file); with arguments (changing the
setting, making a feed address) it needs rights."""


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    """As shown in /help: "/notice ID DATE"."""
    summary: str
    """What it does, in a few words (the help line and Telegram's command menu)."""
    who: Who
    handler: Handler
    example: str = ""
    """A command that works, shown when the user gets it wrong."""
    in_menu: bool = True

    def usage_error(self, problem: str) -> Reply:
        """A one-line refusal that shows how to get it right."""
        example = f" For example: {self.example}" if self.example else ""
        return Reply(f"{problem.rstrip('.')}.{example} Nothing was changed.")


COMMANDS: tuple[Command, ...] = (
    Command("help", "/help", "What I can do", "anyone", answers.help_command),
    Command(
        "ask",
        "/ask QUESTION",
        "Ask about your Compact",
        "anyone",
        answers.ask_command,
        "/ask how long must a consultation be?",
    ),
    Command("compacts", "/compacts", "The Compacts I know", "anyone", chat_settings.compacts),
    Command(
        "show",
        "/show CODE [TOPIC]",
        "A Compact's rules, or its clauses on a topic, word for word",
        "anyone",
        answers.show,
        "/show west-kent consultation",
    ),
    Command(
        "compact",
        "/compact [CODE...]",
        "Show or choose this chat's Compacts",
        "anyone to view",
        chat_settings.compact,
        "/compact kent-2011 west-kent",
    ),
    Command(
        "consultation",
        "/consultation TITLE, opens DATE, closes DATE, by BODY",
        "Register a consultation",
        "admins",
        registration.starter("consultation"),
        "/consultation Library review, opens 1 Dec, closes 23 Feb, by Sevenoaks DC",
    ),
    Command(
        "funding",
        "/funding FUNDER ending GRANT, last funded day DATE [, notice given DATE]",
        "Register a funding change",
        "admins",
        registration.starter("funding"),
        "/funding KCC ending our youth grant, last funded day 30 June 2027",
    ),
    Command(
        "complaint",
        "/complaint against the council|VCS: what happened",
        "Register a complaint",
        "admins",
        registration.starter("complaint"),
        "/complaint against the council: they cut the consultation to 3 weeks",
    ),
    Command("list", "/list", "Open items and their next deadlines", "anyone", evidence.list_items),
    Command(
        "item",
        "/item ID",
        "One item: how each Compact sees it, and its history",
        "anyone",
        evidence.item,
        "/item 3",
    ),
    Command(
        "report",
        "/report [YEAR] [BODY]",
        "How the Compact was kept, with CSV and HTML files",
        "anyone",
        evidence.report,
        "/report 2026",
    ),
    Command(
        "calendar",
        "/calendar [link|reset]",
        "Open deadlines and reminders as a calendar file, or a feed to subscribe to",
        "anyone to view",
        evidence.calendar,
        calendar_links.USAGE,
    ),
    Command(
        "letter",
        "/letter ID",
        "A letter citing the Compact, for an item below it (Word file too)",
        "admins",
        letters.letter,
        letters.EXAMPLE,
    ),
    Command(
        "notice",
        "/notice ID DATE",
        "Notice of a funding change was given",
        "admins",
        follow_ups.notice,
        "/notice 4 1 March 2027",
    ),
    Command(
        "consulted",
        "/consulted ID DATE",
        "The consultation on a funding change started",
        "admins",
        follow_ups.consulted,
        "/consulted 4 1 December 2026",
    ),
    Command(
        "feedback",
        "/feedback ID [DATE]",
        "Feedback on a consultation arrived",
        "admins",
        follow_ups.feedback,
        "/feedback 2 10 March",
    ),
    Command(
        "step",
        "/step ID N [DATE]",
        "Step N of a complaint's procedure is done",
        "admins",
        follow_ups.step,
        "/step 7 1 today",
    ),
    Command(
        "done",
        "/done ID [resolved|unresolved]",
        "Close an item",
        "admins",
        follow_ups.done,
        "/done 3 resolved",
    ),
    Command("cancel", "/cancel ID", "Cancel an item", "admins", follow_ups.cancel, "/cancel 3"),
    Command(
        "change",
        "/change ID FIELD VALUE",
        "Change an item after the fact (e.g. a later close)",
        "admins",
        changes.change,
        changes.USAGE,
    ),
    Command(
        "reopen", "/reopen ID", "Open a closed item again", "admins", changes.reopen, "/reopen 3"
    ),
    Command(
        "remind",
        "/remind WHEN TEXT",
        "Set a reminder",
        "admins",
        reminding.remind,
        "/remind in 10 minutes call the council",
    ),
    Command(
        "officer",
        "/officer add|remove|list",
        "Name officers (reply to their message)",
        "admins only",
        chat_settings.officer,
        "/officer add (as a reply to the person's message)",
    ),
    Command(
        "timezone",
        "/timezone [Area/City]",
        "Show or set the time zone",
        "anyone to view",
        chat_settings.timezone,
        "/timezone Europe/London",
    ),
    Command(
        "forget",
        "/forget",
        "Erase everything about this chat",
        "admins only",
        chat_settings.forget,
    ),
)

ALIASES = {"start": "help"}

_BY_NAME = {c.name: c for c in COMMANDS}


def find(name: str) -> Command | None:
    """The command called ``name`` (without the slash), aliases included."""
    return _BY_NAME.get(ALIASES.get(name, name))


def menu() -> list[tuple[str, str]]:
    """(command, description) pairs for Telegram's command menu."""
    return [(c.name, c.summary) for c in COMMANDS if c.in_menu]


def help_text() -> str:
    lines = ["I know what your local Compact promises and remind you before deadlines pass."]
    for heading, who in (
        ("Anyone:", ("anyone", "anyone to view")),
        ("Admins and officers:", ("admins",)),
        ("Admins only:", ("admins only",)),
    ):
        lines += ["", heading]
        lines += [f"{c.usage} – {c.summary}" for c in COMMANDS if c.who in who]
    return "\n".join(lines)
