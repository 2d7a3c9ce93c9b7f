"""What goes in and out of a conversation, whatever front end carries it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.domain.plain_text import printable

OLD_BUTTON = "That button is from an old message; nothing was changed."
"""The answer to a press of a button the bot no longer knows."""


ALREADY_DONE = "I had already handled that message (it reached me twice); nothing more was changed."


def after_failure(stored: list[str]) -> str:
    """What to tell the user when handling their message failed part-way: truthfully, what
    was stored before it failed (so they don't send it again), or that nothing was."""
    if not stored:
        return "Sorry, something went wrong on my side; nothing was changed. Please try again."
    done = "; ".join(stored)
    return (
        f"Something went wrong after I had stored this: {done}. It is saved, so please don't "
        "send it again; /list shows it."
    )


@dataclass(frozen=True)
class Button:
    label: str
    data: str
    """What the button sends back when pressed (see ``bot.chat.buttons``)."""


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply (a report, a calendar)."""

    filename: str
    content: bytes
    caption: str = ""


@dataclass(frozen=True)
class Privately:
    """A reply meant for the sender alone (a secret address asked for in a group): sent to
    their private chat with the bot, and one of these lines said where they asked."""

    said_here: str
    """Once they have it."""
    if_unreachable: str
    """When the bot cannot message them (they never started a chat with it: Telegram
    refuses with 403)."""


@dataclass
class Reply:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)
    ask_reply: bool = False
    """In groups the bot only sees replies to it: ask the user to reply to this message."""
    edit: bool = True
    """For a button press: replace the pressed message (False: a new message below it)."""
    notice: bool = False
    """For a button press that changed nothing (a stale or second press, no rights): a short
    notice on the button for the presser, leaving the pressed message as it is."""
    link_preview: bool = True
    """False: no preview of a link in the text (Telegram would fetch the address)."""
    privately: Privately | None = None
    """Set: the text goes to the sender's private chat instead (see ``Privately``)."""


@dataclass(frozen=True)
class Card:
    """Something offered to send from any chat (Telegram's inline mode): shown as its title
    and description, sent as its text."""

    id: str
    title: str
    description: str
    text: str


def valid_text(text: str, *, lines: bool = True) -> str:
    """``text`` as valid Unicode without control characters: lone surrogates (which UTF-8, so
    SQLite, cannot hold) become "?" (Telegram's JSON can carry them: "\\udcff"), control
    characters go (``bot.domain.plain_text``), line breaks stay if ``lines``."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return printable(text, lines=lines)


def anonymous_admin_id(chat_id: int) -> int:
    """The one user id under which a group's anonymous admins act: the group's own id.

    Telegram hides who an anonymous admin is (their messages come from GroupAnonymousBot,
    on behalf of the group), so what they start belongs to this per-chat identity; a group's
    id is negative, so no person has it.
    """
    return chat_id


AdminCheck = Callable[[], Awaitable[bool]]
"""Asked only when an action needs it (Telegram: a cached getChatAdministrators)."""


@dataclass
class Incoming:
    """A message as the conversation needs it, whatever it came through."""

    chat_id: int
    user_id: int
    user_name: str
    text: str
    private: bool
    is_admin: AdminCheck
    addressed: bool = True
    """In a group: whether the message is a command, a reply to the bot or mentions it."""
    reply_to_user: tuple[int, str] | None = None
    chat_title: str | None = None


@dataclass(frozen=True)
class Press:
    """A button press."""

    chat_id: int
    user_id: int
    data: str
    is_admin: AdminCheck
    message_text: str | None = None
    """The pressed message's text, where the front end has it (a digest edits one line)."""
    keyboard: tuple[tuple[Button, ...], ...] = ()
    """The pressed message's buttons, where the front end has them."""
