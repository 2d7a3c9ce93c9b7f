"""What the core keeps about a chat: its Compacts, time zone, officers, open items, reminders and
registrations under way; and a chat that leaves, returns or moves."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from bot.core.base import CoreBase
from bot.core.units import note_stored
from bot.domain.plain_text import printable
from bot.records.log import ChatMoved, CompactsChosen
from storage.repository import Item, Officer, Reminder, StoredDraft

FORGET_QUESTION_LASTS = timedelta(minutes=15)
"""How long /forget's "Erase everything?" buttons work."""


class Chats(CoreBase):
    """A chat's settings, officers, items, reminders and drafts."""

    # ------------------------------------------------------------------ chats

    async def ensure_chat(self, chat_id: int, title: str | None) -> None:
        """Know the chat; keep its title up to date."""
        async with self.db.transaction() as tx:
            await tx.ensure_chat(chat_id, None if title is None else printable(title))

    async def choose_compacts(self, chat_id: int, codes: list[str], actor: int | None) -> None:
        """The chat follows ``codes`` from now on (order kept, duplicates dropped)."""
        unique = list(dict.fromkeys(codes))
        async with self._unit("compacts", chat_id) as tx:
            await tx.set_compacts(chat_id, unique)
            await self._append(tx, chat_id, None, actor, CompactsChosen(compacts=unique))
        note_stored("the chat's Compacts chosen")

    async def set_timezone(self, chat_id: int, tz: str) -> None:
        async with self._unit("timezone", chat_id) as tx:
            await tx.set_timezone(chat_id, tz)
        note_stored(f"time zone set to {tz}")

    async def compacts_of_person(self, user_id: int) -> list[str]:
        """The Compacts followed by the chats a person is part of, as far as the bot knows
        (``Reader.compacts_of_person``), leaving out any this bot no longer has."""
        known = self.knowledge.registry.compacts
        return [c for c in await self.db.compacts_of_person(user_id) if c in known]

    async def officers(self, chat_id: int) -> list[Officer]:
        return await self.db.officers(chat_id)

    async def officer_ids(self, chat_id: int) -> set[int]:
        return {o.user_id for o in await self.db.officers(chat_id)}

    async def add_officer(self, chat_id: int, user_id: int, name: str) -> None:
        async with self._unit("officer", chat_id) as tx:
            await tx.add_officer(chat_id, user_id, printable(name))

    async def remove_officer(self, chat_id: int, user_id: int) -> bool:
        async with self._unit("officer-off", chat_id) as tx:
            return await tx.remove_officer(chat_id, user_id)

    async def ask_to_forget(self, chat_id: int) -> str:
        """The token of a new "Erase everything?" question for the chat, kept in the database
        (any worker may get the press) until ``FORGET_QUESTION_LASTS`` has passed."""
        token = secrets.token_urlsafe(12)
        async with self._unit("forget-ask", chat_id) as tx:
            await tx.ask_confirmation(chat_id, "forget", token, self.now() + FORGET_QUESTION_LASTS)
        return token

    async def answer_forget(self, chat_id: int, token: str, erase: bool) -> bool:
        """The chat's answer to its "Erase everything?" question: erases it all if ``erase``.
        False, changing nothing, if ``token`` is not the question's (an old button, one
        answered already, or expired)."""
        async with self._unit("forget", chat_id) as tx:
            if not await tx.take_confirmation(chat_id, "forget", token):
                return False
            if erase:
                await tx.forget_chat(chat_id)
        if erase:
            note_stored("everything about this chat erased")
            await self.db.checkpoint()
        return True

    async def forget(self, chat_id: int) -> None:
        """Erase everything stored about the chat, and leave none of it in the WAL file."""
        async with self._unit("forget", chat_id) as tx:
            await tx.forget_chat(chat_id)
        self._feeds.forget(chat_id)
        note_stored("everything about this chat erased")
        await self.db.checkpoint()

    async def chat_left(self, chat_id: int, reason: str) -> None:
        """The bot was removed or blocked: hold the chat's reminders."""
        async with self.db.transaction() as tx:
            await tx.pause_chat(chat_id, reason)

    async def chat_joined(self, chat_id: int, title: str | None) -> None:
        """The bot is (back) in the chat: release its held reminders."""
        async with self.db.transaction() as tx:
            await tx.ensure_chat(chat_id, None if title is None else printable(title))
            await tx.resume_chat(chat_id)

    async def chat_moved(self, old: int, new: int) -> bool:
        """A group became a supergroup (``migrate_to_chat_id``): everything it had moves to
        the new id, in one unit; its reminders carry on there. False if there was nothing
        to move (already moved, or the new chat already has a history of its own)."""
        async with self.db.transaction() as tx:
            moved = await tx.move_chat(old, new)
            if moved:
                await self._append(tx, new, None, None, ChatMoved(old_chat_id=old))
            return moved

    # ------------------------------------------------------------------ items and reminders

    async def open_items(self, chat_id: int) -> list[Item]:
        return await self.db.open_items(chat_id)

    async def item(self, chat_id: int, item_id: int) -> Item | None:
        return await self.db.item(chat_id, item_id)

    async def pending_reminders(self, chat_id: int) -> list[Reminder]:
        return await self.db.pending_reminders(chat_id)

    async def reminder(self, chat_id: int, reminder_id: int) -> Reminder | None:
        return await self.db.reminder(chat_id, reminder_id)

    async def snooze_reminder(self, chat_id: int, reminder_id: int, until: datetime) -> bool:
        async with self._unit("snooze", chat_id) as tx:
            snoozed = await tx.snooze(chat_id, reminder_id, until)
        if snoozed:
            note_stored(f"reminder #{reminder_id} snoozed")
        return snoozed

    async def stop_reminders(self, chat_id: int, reminder_id: int) -> int:
        """Cancel a reminder and the other unsent reminders of its item."""
        async with self._unit("stop", chat_id) as tx:
            return await tx.stop_reminder(chat_id, reminder_id)

    # ------------------------------------------------------------------ drafts

    async def drafts(self, since: datetime) -> list[StoredDraft]:
        """Registrations being put together, touched since ``since``; older ones are dropped."""
        async with self.db.transaction() as tx:
            await tx.expire_drafts(since)
            return await tx.drafts(since)

    async def save_draft(self, chat_id: int, user_id: int, state: dict[str, Any]) -> None:
        async with self._unit("draft", chat_id) as tx:
            await tx.save_draft(chat_id, user_id, state, self.now())

    async def delete_draft(self, chat_id: int, user_id: int) -> None:
        async with self._unit("draft-drop", chat_id) as tx:
            await tx.delete_draft(chat_id, user_id)
