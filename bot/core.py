"""The core: publishes events to the plugins and carries out what they decide.

This is the one place that acts on plugin results: it stores the item and the
event log, turns reminder plans (calendar days in the chat's time zone) into
stored reminders (UTC instants), and tells the scheduler.  Telegram and the
terminal chat both go through it.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.events import AnyEvent
from bot.knowledge import Knowledge
from bot.scheduler import ReminderScheduler, utc_now
from bot.verdicts import CheckResult
from storage.repository import Database, NewReminder


@dataclass
class Registered:
    """What registering an event produced."""

    item_id: int
    results: list[CheckResult]
    reminders_planned: int


class Core:
    """Knowledge + storage + scheduler, shared by every chat front end."""

    def __init__(
        self,
        knowledge: Knowledge,
        db: Database,
        scheduler: ReminderScheduler | None = None,
        *,
        default_timezone: str = "Europe/London",
        reminder_hour: int = 9,
        clock: Any = utc_now,
    ) -> None:
        self.knowledge = knowledge
        self.db = db
        self.scheduler = scheduler
        self.default_timezone = default_timezone
        self.reminder_hour = reminder_hour
        self.clock = clock

    def now(self) -> datetime:
        now: datetime = self.clock()
        return now

    async def timezone(self, chat_id: int) -> ZoneInfo:
        settings = await self.db.chat_settings(chat_id)
        return ZoneInfo(settings.timezone or self.default_timezone)

    async def today(self, chat_id: int) -> date:
        return self.now().astimezone(await self.timezone(chat_id)).date()

    async def compacts_of(self, chat_id: int) -> list[str]:
        return (await self.db.chat_settings(chat_id)).compacts

    def check(self, event: AnyEvent, codes: list[str], today: date) -> list[CheckResult]:
        """Plugin verdicts for ``event`` under ``codes``: pure, nothing stored."""
        return self.knowledge.check(event, self.knowledge.registry.resolve(codes), today)

    async def register(self, event: AnyEvent, title: str, data: dict[str, Any]) -> Registered:
        """Store ``event`` as an item, check it, plan its reminders, and log it all."""
        chat_id = event.chat_id
        tz = await self.timezone(chat_id)
        today = self.now().astimezone(tz).date()
        codes = await self.compacts_of(chat_id)
        results = self.check(event, codes, today)
        now = self.now()
        item_id = await self.db.add_item(chat_id, event.kind, title, data, event.registered_by, now)
        stored = event.model_copy(update={"item_id": item_id})
        reminders = self.reminders_for(chat_id, item_id, results, tz)
        ids = await self.db.add_reminders(reminders) if reminders else []
        await self.db.log_event(
            chat_id,
            item_id,
            f"registered:{event.kind}",
            event.registered_by,
            {
                "event": stored.model_dump(mode="json"),
                "results": [r.as_json() for r in results],
                "reminders": len(ids),
            },
            now,
        )
        if self.scheduler is not None and ids:
            self.scheduler.poke()
        await self._event_handled(stored, results)
        return Registered(item_id, results, len(ids))

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
                    NewReminder(chat_id, item_id, due_at, plan.text, f"{result.compact}:{plan.key}")
                )
        return out

    def instant(self, day: date, tz: ZoneInfo) -> datetime:
        """The UTC instant of the reminder hour on ``day`` in ``tz`` (DST handled by zoneinfo)."""
        return datetime.combine(day, time(self.reminder_hour), tzinfo=tz).astimezone(UTC)

    async def add_adhoc_reminder(
        self, chat_id: int, user_id: int | None, when: datetime, text: str
    ) -> int:
        now = self.now()
        item_id = await self.db.add_item(
            chat_id, "reminder", text, {"when": when.isoformat()}, user_id, now
        )
        await self.db.add_reminders([NewReminder(chat_id, item_id, when, text, "adhoc")])
        await self.db.log_event(
            chat_id,
            item_id,
            "registered:reminder",
            user_id,
            {"when": when.isoformat(), "text": text},
            now,
        )
        if self.scheduler is not None:
            self.scheduler.poke()
        return item_id

    async def close_item(
        self, chat_id: int, item_id: int, status: str, actor: int | None, outcome: str | None = None
    ) -> bool:
        """Mark an item done or cancelled; its pending reminders are cancelled with it."""
        now = self.now()
        changed = await self.db.set_item_status(chat_id, item_id, status, now)
        if changed:
            await self.db.log_event(
                chat_id,
                item_id,
                f"status:{status}",
                actor,
                {"outcome": outcome} if outcome else {},
                now,
            )
        return changed

    async def _event_handled(self, event: AnyEvent, results: list[CheckResult]) -> None:
        for outcome in self.knowledge.pm.hook.compactbot_event_handled(
            event=event, results=results
        ):
            if inspect.isawaitable(outcome):
                await outcome
