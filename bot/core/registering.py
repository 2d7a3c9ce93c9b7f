"""Registering a consultation, funding change or complaint (and a one-off reminder); closing it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from bot.core.base import CoreBase
from bot.core.results import Registered
from bot.core.units import note_stored
from bot.domain.events import AnyEvent, ComplaintRaised, ConsultationLaunched, FundingEnding
from bot.domain.plain_text import printable
from bot.records.compliance import ItemRecord
from bot.records.log import ItemRegistered, RegisteredEvent, ReminderSet
from storage.repository import NewReminder


def _same_item(a: RegisteredEvent, b: AnyEvent) -> bool:
    if a.kind != b.kind:
        return False
    keys = {
        "consultation": ("title", "opens", "closes"),
        "funding": ("title", "last_funded_day"),
        "complaint": ("summary", "raised_on"),
    }[a.kind]

    def norm(v: object) -> object:
        return " ".join(v.lower().split()) if isinstance(v, str) else v

    return all(norm(getattr(a, k)) == norm(getattr(b, k, None)) for k in keys)


class Registering(CoreBase):
    """Registering items and one-off reminders, and closing them."""

    async def register(
        self,
        event: AnyEvent,
        title: str,
        data: dict[str, Any],
        *,
        draft_of: int | None = None,
        compacts: list[str] | None = None,
        drafts_left: dict[str, Any] | None = None,
    ) -> Registered:
        """Store ``event`` as an item, check it, plan its reminders, log it and (given
        ``draft_of``, the user whose draft it was) drop the draft, or keep that user's other
        drafts (``drafts_left``, their state): one unit of work. ``compacts``: check it
        against these (the Compact of the body it names) rather than the chat's."""
        assert isinstance(event, ConsultationLaunched | FundingEnding | ComplaintRaised)
        chat_id = event.chat_id
        async with self._unit("register", chat_id) as tx:
            settings = await tx.chat_settings(chat_id)
            tz = self._zone(settings)
            now = self.now()
            codes = settings.compacts if compacts is None else compacts
            item_id = await tx.add_item(chat_id, event.kind, title, data, event.registered_by, now)
            stored = event.model_copy(update={"item_id": item_id, "registered_at": now})
            # Checked as stored: what it says to do next can name the item ("/change 3 …").
            results = self.check(stored, codes, now.astimezone(tz).date())
            ids = await tx.add_reminders(self.reminders_for(chat_id, item_id, results, tz))
            entry = ItemRegistered(
                event=stored,
                results=results,
                reminders=len(ids),
                compacts=codes,
            )
            await self._append(tx, chat_id, item_id, event.registered_by, entry)
            if draft_of is not None and drafts_left is not None:
                await tx.save_draft(chat_id, draft_of, drafts_left, now)
            elif draft_of is not None:
                await tx.delete_draft(chat_id, draft_of)
        note_stored(f"item #{item_id} registered ({title})")
        await self._event_handled(stored, results)
        return Registered(item_id, results, len(ids))

    async def add_adhoc_reminder(
        self, chat_id: int, user_id: int | None, when: datetime, text: str
    ) -> int:
        """A one-off reminder (/remind): the item, its reminder and the log entry, one unit."""
        text = printable(text)
        async with self._unit("remind", chat_id) as tx:
            item_id = await tx.add_item(
                chat_id, "reminder", text, {"when": when.isoformat()}, user_id, self.now()
            )
            await tx.add_reminders([NewReminder(chat_id, item_id, when, text, "adhoc")])
            await self._append(tx, chat_id, item_id, user_id, ReminderSet(when=when, text=text))
        note_stored(f"reminder #{item_id} set ({text[:60]})")
        return item_id

    async def close_item(
        self,
        chat_id: int,
        item_id: int,
        status: Literal["done", "cancelled"],
        actor: int | None,
        outcome: Literal["resolved", "unresolved"] | None = None,
    ) -> bool:
        """Mark an open item done or cancelled; its pending reminders are cancelled with it."""
        async with self._unit("close", chat_id) as tx:
            closed = await self._close(tx, chat_id, item_id, status, actor, outcome)
        if closed:
            note_stored(f"item #{item_id} marked {status}")
        return closed

    async def open_duplicate(self, event: AnyEvent) -> ItemRecord | None:
        """An open item with the same kind, title and dates as ``event``, if the chat has one
        (registering the same consultation twice is almost always a slip)."""
        for record in await self.compliance(event.chat_id):
            if record.status == "open" and _same_item(record.event, event):
                return record
        return None
