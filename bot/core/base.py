"""The core's shared parts (``CoreBase``), on which each of its concerns builds."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from bot.clock import Clock, SystemClock
from bot.core.results import FollowUpError
from bot.core.units import AlreadyApplied, update_key
from bot.delivery.scheduler import ReminderScheduler
from bot.domain.events import AnyEvent
from bot.domain.verdicts import CheckResult, Citation
from bot.knowledge.knowledge import Knowledge
from bot.records.calendar_feed import BuiltFeeds
from bot.records.compliance import ItemRecord, compliance_log
from bot.records.letter_text import LetterTemplates
from bot.records.log import (
    ItemClosed,
    LogEntry,
    Logged,
    UnknownClause,
    citation,
    clause_refs,
    decode,
    encode,
)
from storage.repository import ChatSettings, Database, NewReminder, Reader, StoredEntry, Tx


class CoreBase:
    """What every part of the core shares: knowledge, storage, the clock, the unit of work,
    the plugins' verdicts and the log."""

    def __init__(
        self,
        knowledge: Knowledge,
        db: Database,
        scheduler: ReminderScheduler | None = None,
        *,
        default_timezone: str = "Europe/London",
        reminder_hour: int = 9,
        clock: Clock | None = None,
        letter_templates: Path | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.db = db
        self.scheduler = scheduler
        self.default_timezone = default_timezone
        self.reminder_hour = reminder_hour
        self.clock = clock or SystemClock()
        self.letter_templates = LetterTemplates(letter_templates)
        # Clauses by reference, read once: content-addressed, so never stale; immutable, so
        # shared by every entry that quotes them.
        self._clauses: dict[str, Citation] = {}
        # Calendar feeds by chat: the fingerprint, ETag and bytes of the body last built.
        self._feeds = BuiltFeeds()
        # Chats whose feed is being served, and how many requests wait for it.
        self._feed_turns: dict[int, tuple[asyncio.Lock, int]] = {}

    # ------------------------------------------------------------------ time and settings

    def now(self) -> datetime:
        return self.clock.now()

    def _zone(self, settings: ChatSettings) -> ZoneInfo:
        return ZoneInfo(settings.timezone or self.default_timezone)

    async def timezone(self, chat_id: int) -> ZoneInfo:
        return self._zone(await self.db.chat_settings(chat_id))

    async def today(self, chat_id: int) -> date:
        return self.now().astimezone(await self.timezone(chat_id)).date()

    async def compacts_of(self, chat_id: int) -> list[str]:
        return (await self.db.chat_settings(chat_id)).compacts

    def delivery_warning(self) -> str | None:
        """A line for the chat while reminders cannot go out (the scheduler is failing)."""
        if self.scheduler is None or not self.scheduler.delayed:
            return None
        return (
            "⚠️ Reminders are delayed: I can't reach my database just now. Nothing registered "
            "is lost; late reminders will go out as soon as it is back."
        )

    def check(self, event: AnyEvent, codes: list[str], today: date) -> list[CheckResult]:
        """Plugin verdicts for ``event`` under ``codes`` (none for no codes): pure."""
        if not codes:
            return []
        return self.knowledge.check(event, self.knowledge.registry.resolve(codes), today)

    def reminders_for(
        self, chat_id: int, item_id: int | None, results: list[CheckResult], tz: ZoneInfo
    ) -> list[NewReminder]:
        """Reminder plans as stored reminders: one per (day, text), at the chat's reminder hour."""
        seen: set[tuple[date, str]] = set()
        out: list[NewReminder] = []
        now = self.now()
        for result in results:
            for plan in result.reminders:
                if (plan.due, plan.text) in seen:
                    continue
                seen.add((plan.due, plan.text))
                due_at = self.instant(plan.due, tz)
                if due_at < now:
                    # A reminder for today whose hour has passed goes out now rather than never.
                    due_at = now + timedelta(seconds=1)
                out.append(
                    # The day is in the key: planning the same reminder again is harmless, and
                    # a deadline that moves gets its reminders anew.
                    NewReminder(
                        chat_id,
                        item_id,
                        due_at,
                        plan.text,
                        f"{result.compact}:{plan.key}:{plan.due.isoformat()}",
                    )
                )
        return out

    def instant(self, day: date, tz: ZoneInfo) -> datetime:
        """The UTC instant of the reminder hour on ``day`` in ``tz`` (DST handled by zoneinfo)."""
        return datetime.combine(day, time(self.reminder_hour), tzinfo=tz).astimezone(UTC)

    @asynccontextmanager
    async def _unit(self, name: str, chat_id: int) -> AsyncIterator[Tx]:
        """A unit of work on a chat, applied once per update (see ``handling_update``); no
        other unit on the chat interleaves with it, from this worker or another."""
        key = update_key()
        async with self.db.transaction() as tx:
            await tx.lock_chat(chat_id)
            if key is not None and not await tx.claim_key(f"{key}:{name}"):
                raise AlreadyApplied(name)
            yield tx

    async def _close(
        self,
        tx: Tx,
        chat_id: int,
        item_id: int,
        status: Literal["done", "cancelled"],
        actor: int | None,
        outcome: Literal["resolved", "unresolved"] | None = None,
    ) -> bool:
        item = await tx.item(chat_id, item_id)
        if item is None or item.status != "open":
            return False
        await tx.set_item_status(chat_id, item_id, status, self.now())
        await self._append(tx, chat_id, item_id, actor, ItemClosed(status=status, outcome=outcome))
        return True

    # ------------------------------------------------------------------ the log

    async def _append(
        self, tx: Tx, chat_id: int, item_id: int | None, actor: int | None, entry: LogEntry
    ) -> int:
        stored = encode(entry)
        return await tx.append_log(
            chat_id, item_id, stored.kind, actor, stored.payload, self.now(), stored.clauses
        )

    async def _read(self, reader: Reader, rows: list[StoredEntry]) -> list[Logged]:
        """Stored log rows as typed entries, their clauses fetched and read once and kept
        (a clause reference always means the same text): the rows are decoded with the
        clauses kept, and only when one is new are their references gathered, the new ones
        fetched in one query, and the rows decoded again."""
        try:
            return self._decoded(rows)
        except UnknownClause:
            pass
        wanted: set[str] = set()
        for row in rows:
            wanted |= clause_refs(row.payload)
        missing = wanted - self._clauses.keys()
        if missing:
            texts = await reader.clause_texts(missing)
            self._clauses.update({ref: citation(text) for ref, text in texts.items()})
        return self._decoded(rows)

    def _decoded(self, rows: list[StoredEntry]) -> list[Logged]:
        clauses = self._clauses
        return [
            Logged(r.id, r.chat_id, r.item_id, r.actor, r.at, decode(r.kind, r.payload, clauses))
            for r in rows
        ]

    async def compliance(self, chat_id: int) -> list[ItemRecord]:
        """The chat's compliance log: one record per registered item, from its log."""
        return compliance_log(await self._read(self.db, await self.db.log(chat_id)))

    async def item_history(self, chat_id: int, item_id: int) -> tuple[ItemRecord, list[Logged]]:
        """An item's record and the log entries it was built from."""
        return await self._history(self.db, chat_id, item_id)

    async def _history(
        self, reader: Reader, chat_id: int, item_id: int
    ) -> tuple[ItemRecord, list[Logged]]:
        history = await self._read(reader, await reader.item_log(chat_id, item_id))
        records = compliance_log(history)
        if not records:
            raise FollowUpError(f"There is no consultation, funding change or complaint #{item_id}")
        return records[0], history

    async def knows_chat(self, chat_id: int) -> bool:
        """Whether anything about the chat is on record."""
        return bool(await self.db.log(chat_id))

    async def _event_handled(self, event: AnyEvent, results: list[CheckResult]) -> None:
        for outcome in self.knowledge.pm.hook.compactbot_event_handled(
            event=event, results=results
        ):
            if inspect.isawaitable(outcome):
                await outcome
