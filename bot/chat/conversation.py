"""The conversation: text and button presses in, replies out, the same for every front end.

Telegram and the terminal chat feed messages and presses here; replies are data the front
end sends.  This module only routes: commands to their handlers (declared in
``bot.chat.commands``), answers to a pending registration's question, everything else to
what it means (``bot.chat.meaning``: questions to the answerer); each handler module does
one job.  Nothing here touches the
database: handlers ask the core.
"""

from __future__ import annotations

import dataclasses
import secrets

from bot.chat import (
    buttons,
    chat_settings,
    clause_cards,
    meaning,
    registration,
    reminding,
)
from bot.chat.answers import more as more_clauses
from bot.chat.commands import Command, find
from bot.chat.forms import FORMS
from bot.chat.messages import (
    ALREADY_DONE,
    OLD_BUTTON,
    AdminCheck,
    Button,
    Card,
    Incoming,
    Press,
    Reply,
    valid_text,
)
from bot.chat.throttle import SLOW_DOWN, Throttle
from bot.core import AlreadyApplied, Core

MAX_MESSAGE = 4000
"""Longer messages are refused before any parsing."""


class Conversation:
    """Routes every chat's messages and presses; holds what lives between messages."""

    def __init__(
        self, core: Core, throttle: Throttle | None = None, *, feed_base: str | None = None
    ) -> None:
        self.core = core
        self.feed_base = feed_base
        """Where the bot's HTTP server serves calendar feeds (``https://host``), once it runs;
        None: no feeds (``/calendar link`` says so)."""
        self.registrations = registration.Registrations(core)
        # Chats (and titles) already stored: spares a database write on every message.
        self._known_chats: dict[int, str | None] = {}
        self.throttle = throttle or Throttle(core.clock)

    async def handle_text(self, msg: Incoming) -> list[Reply]:
        try:
            return await self._handle_text(_valid(msg))
        except AlreadyApplied:
            return [Reply(ALREADY_DONE)]

    async def _handle_text(self, msg: Incoming) -> list[Reply]:
        text = msg.text.strip()
        if not msg.private and (msg.addressed or text.startswith("/")):
            verdict = self.throttle.check(msg.chat_id, msg.user_id)
            if verdict == "ignore":
                return []
            if verdict == "warn":
                return [Reply(SLOW_DOWN)]
        if len(text) > MAX_MESSAGE:
            return [
                Reply(
                    f"That message is {len(text):,} characters long; please keep it "
                    f"under {MAX_MESSAGE:,}. Nothing was changed."
                )
            ]
        if msg.chat_id not in self._known_chats or (
            msg.chat_title is not None and self._known_chats[msg.chat_id] != msg.chat_title
        ):
            await self.core.ensure_chat(msg.chat_id, msg.chat_title)
            self._known_chats[msg.chat_id] = msg.chat_title
        if text.startswith("/"):
            # The command ends at the first space or new line: "/consultation" alone on the
            # first line, its fields on the next ones, is one registration.
            name, args = [*text[1:].split(maxsplit=1), ""][:2]
            return await self._command(msg, name.split("@", 1)[0].lower(), args.strip())
        registering = await self.registrations.waiting(msg.chat_id, msg.user_id)
        if registering:
            taken = await self.registrations.answer(msg, text)
            if taken is not None:
                return taken
        if not (msg.private or msg.addressed):
            return []
        replies = await meaning.act(self, msg, text)
        # A question asked while registering is answered; then the registration asks again.
        return replies + (await self.registrations.reprompt(msg) if registering else [])

    async def handle_button(
        self,
        chat_id: int,
        user_id: int,
        data: str,
        is_admin: AdminCheck,
        *,
        message_text: str | None = None,
        keyboard: tuple[tuple[Button, ...], ...] = (),
    ) -> Reply:
        """A button press; the reply replaces the pressed message's text (given with its
        buttons where the front end has them: a digest keeps its other reminders)."""
        press = Press(
            chat_id,
            user_id,
            valid_text(data),
            is_admin,
            message_text=message_text,
            keyboard=keyboard,
        )
        try:
            return await self._handle_button(press)
        except AlreadyApplied:
            return Reply(ALREADY_DONE, notice=True)

    async def handle_inline(self, user_id: int, query: str, bot_username: str) -> list[Card]:
        """An inline query (``@bot 12 weeks`` typed in any chat): clause cards to choose from.
        Nothing is stored."""
        return await clause_cards.clause_cards(self, user_id, valid_text(query), bot_username)

    async def _handle_button(self, press: Press) -> Reply:
        data = press.data
        action = buttons.decode(data)
        if isinstance(action, buttons.RegistrationAnswer):
            return await self.registrations.press(press, action)
        if isinstance(action, buttons.ReminderAction):
            return await reminding.press(self, press, action)
        if isinstance(action, buttons.MoreClauses):
            return await more_clauses(self, press, action)
        if isinstance(action, buttons.OfferAnswer):
            return await meaning.press(self, press, action)
        if isinstance(action, buttons.ForgetAnswer):
            return await chat_settings.forget_press(self, press, action)
        return Reply(OLD_BUTTON, notice=True)

    async def _command(self, msg: Incoming, name: str, args: str) -> list[Reply]:
        """Run a command; a registration under way waits, and asks again after it."""
        registering = await self.registrations.waiting(msg.chat_id, msg.user_id)
        if registering and name in ("cancel", "stop") and not args:
            return await self.registrations.abandon(msg)  # "/cancel" alone: this registration
        replies = await self.run_command(msg, name, args)
        if not registering or name in FORMS:  # a new registration keeps the old one as a draft
            return replies
        return replies + await self.registrations.reprompt(msg)

    async def run_command(self, msg: Incoming, name: str, args: str) -> list[Reply]:
        command = find(name)
        if command is None:
            return [Reply(f"I don't know /{name}. Try /help.")]
        needs_rights = command.who == "admins" or (command.who == "anyone to view" and args)
        if not msg.private and command.who == "admins only" and not await msg.is_admin():
            return [refusal(command)]
        if (
            needs_rights
            and not msg.private
            and not await self.may_change(msg.chat_id, msg.user_id, msg.is_admin)
        ):
            return [refusal(command)]
        return await command.handler(self, msg, args)

    async def may_change(self, chat_id: int, user_id: int, is_admin: AdminCheck) -> bool:
        """Admins (in a private chat: its one user) and the chat's officers may change things."""
        if await is_admin():
            return True
        return user_id in await self.core.officer_ids(chat_id)

    def new_token(self) -> str:
        return secrets.token_hex(4)

    async def chat_moved(self, old: int, new: int) -> bool:
        """A group became a supergroup: its history, settings and drafts follow it."""
        moved = await self.core.chat_moved(old, new)
        self._known_chats.pop(old, None)
        self.registrations.forget_chat(old)  # drafts are read again from the database
        return moved

    def forget_chat(self, chat_id: int) -> None:
        """Drop what is held in memory about an erased chat."""
        self._known_chats.pop(chat_id, None)
        self.registrations.forget_chat(chat_id)


def _valid(msg: Incoming) -> Incoming:
    """The message with every text in it valid Unicode (see ``valid_text``)."""
    replied = msg.reply_to_user
    return dataclasses.replace(
        msg,
        text=valid_text(msg.text),
        user_name=valid_text(msg.user_name, lines=False),
        chat_title=None if msg.chat_title is None else valid_text(msg.chat_title, lines=False),
        reply_to_user=(
            None if replied is None else (replied[0], valid_text(replied[1], lines=False))
        ),
    )


def refusal(command: Command) -> Reply:
    who = "admins" if command.who == "admins only" else "admins and officers"
    return Reply(f"Only this group's {who} can use /{command.name}. Nothing was changed.")


__all__ = ["MAX_MESSAGE", "Conversation", "Incoming", "Reply"]
