"""The core: publishes events to the plugins and carries out what they decide.

This is the one place that writes: every public coroutine that changes anything is one
unit of work, one database transaction (``Database.transaction()``), so an item, its
reminders and its log entry are stored together or not at all.  The scheduler is woken
by the database after a commit that touched reminders, never by the caller.  Telegram,
the terminal chat and the command line all go through here; none of them touches storage.
"""

from __future__ import annotations

import hashlib
import inspect
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from bot.clock import Clock, SystemClock
from bot.delivery.scheduler import ReminderScheduler
from bot.domain.events import (
    AnyEvent,
    ComplaintRaised,
    ComplaintStepCompleted,
    ConsultationLaunched,
    FundingEnding,
)
from bot.domain.verdicts import CheckResult
from bot.knowledge.knowledge import Knowledge
from bot.records.calendar_export import CalendarFile, build_calendar
from bot.records.calendar_feed import (
    Conditions,
    body_etag,
    fingerprint,
    new_token,
    next_modified,
    not_modified,
    shown_modified,
    token_hash,
)
from bot.records.compliance import ItemRecord, compliance_log
from bot.records.letter_text import LetterTemplates
from bot.records.letters import Letter, build_letters
from bot.records.log import (
    ChatMoved,
    CompactsChosen,
    ConsultationStarted,
    FeedbackReceived,
    ItemChanged,
    ItemClosed,
    ItemRegistered,
    ItemReopened,
    LetterDrafted,
    LogEntry,
    Logged,
    NoticeGiven,
    RegisteredEvent,
    ReminderSet,
    StepCompleted,
    clause_refs,
    decode,
    encode,
)
from bot.records.report import Report, build_report
from storage.repository import (
    ChatSettings,
    Database,
    Item,
    NewReminder,
    Officer,
    Reader,
    Reminder,
    StoredDraft,
    StoredEntry,
    Tx,
)


@dataclass
class Registered:
    """What registering an event produced."""

    item_id: int
    results: list[CheckResult]
    reminders_planned: int


@dataclass
class WrittenLetter:
    """A letter drafted for the group: its data, its text and its .docx."""

    letter: Letter
    text: str
    docx: bytes
    filename: str


@dataclass(frozen=True)
class FeedLink:
    """A chat's calendar feed address: ``token`` only when it was just made (afterwards only
    its hash is kept)."""

    token: str | None
    created_at: datetime
    created_by: int | None
    revoked: bool = False
    """Whether making it revoked an earlier address."""


@dataclass(frozen=True)
class ServedFeed:
    """What the feed answers: its validators, and its body (None: the client has it)."""

    etag: str
    modified: datetime
    """Last-Modified, as the header shows it."""
    ics: bytes | None


FEEDS_REMEMBERED = 4096
"""Chats whose feed fingerprint and ETag a process keeps (the oldest asked about go first)."""


class FollowUpError(ValueError):
    """A follow-up that does not fit its item (wrong kind, date out of order): nothing stored."""


@dataclass
class FollowUp:
    """What recording a follow-up produced."""

    record: ItemRecord
    """The item as it stood before this follow-up (read once, to check the follow-up fits)."""
    results: list[CheckResult]
    reminders_planned: int
    closed: bool = False


@dataclass
class Changed:
    """What changing (or reopening) an item produced."""

    record: ItemRecord
    """The item as it stood before."""
    event: RegisteredEvent
    """The item as it stands now."""
    results: list[CheckResult]
    reminders_planned: int


def _shown(value: object) -> str:
    return f"{value.day} {value:%B %Y}" if isinstance(value, date) else str(value)


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


_KIND_NOUNS = {
    "consultation": "a consultation",
    "funding": "a funding change",
    "complaint": "a complaint",
}


def _validation_message(exc: ValidationError) -> str:
    return str(exc.errors()[0]["msg"]).removeprefix("Value error, ")


class AlreadyApplied(Exception):
    """This update's unit of work was applied before (Telegram delivered the update again,
    or it was replayed from the inbox after a crash): nothing more was changed."""


_UPDATE_KEY: ContextVar[str | None] = ContextVar("update_key", default=None)
_STORED: ContextVar[list[str] | None] = ContextVar("stored", default=None)


def handling_update(key: str) -> list[str]:
    """A front end calls this as it starts on an update (in the task that handles it).

    Each unit of work the update then causes is applied at most once under ``key`` (a
    redelivered update raises AlreadyApplied instead of registering twice), and the
    returned list fills with a line per unit that committed: what to tell the user if
    something fails after that."""
    _UPDATE_KEY.set(key)
    stored: list[str] = []
    _STORED.set(stored)
    return stored


def stored_in_this_update() -> list[str]:
    """What the update being handled has stored so far (see ``handling_update``)."""
    return list(_STORED.get() or [])


def _note_stored(what: str) -> None:
    stored = _STORED.get()
    if stored is not None:
        stored.append(what)


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
        # Clause texts by reference: content-addressed, so never stale.
        self._clauses: dict[str, str] = {}
        # Calendar feeds by chat: the fingerprint and ETag of the body last built.
        self._feeds: OrderedDict[int, tuple[str, str]] = OrderedDict()

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
        key = _UPDATE_KEY.get()
        async with self.db.transaction() as tx:
            await tx.lock_chat(chat_id)
            if key is not None and not await tx.claim_key(f"{key}:{name}"):
                raise AlreadyApplied(name)
            yield tx

    # ------------------------------------------------------------------ registering

    async def register(
        self,
        event: AnyEvent,
        title: str,
        data: dict[str, Any],
        *,
        draft_of: int | None = None,
    ) -> Registered:
        """Store ``event`` as an item, check it, plan its reminders, log it and (given
        ``draft_of``, the user whose draft it was) drop the draft: one unit of work."""
        assert isinstance(event, ConsultationLaunched | FundingEnding | ComplaintRaised)
        chat_id = event.chat_id
        async with self._unit("register", chat_id) as tx:
            settings = await tx.chat_settings(chat_id)
            tz = self._zone(settings)
            now = self.now()
            results = self.check(event, settings.compacts, now.astimezone(tz).date())
            item_id = await tx.add_item(chat_id, event.kind, title, data, event.registered_by, now)
            stored = event.model_copy(update={"item_id": item_id, "registered_at": now})
            ids = await tx.add_reminders(self.reminders_for(chat_id, item_id, results, tz))
            entry = ItemRegistered(
                event=stored,
                results=results,
                reminders=len(ids),
                compacts=settings.compacts,
            )
            await self._append(tx, chat_id, item_id, event.registered_by, entry)
            if draft_of is not None:
                await tx.delete_draft(chat_id, draft_of)
        _note_stored(f"item #{item_id} registered ({title})")
        await self._event_handled(stored, results)
        return Registered(item_id, results, len(ids))

    async def add_adhoc_reminder(
        self, chat_id: int, user_id: int | None, when: datetime, text: str
    ) -> int:
        """A one-off reminder (/remind): the item, its reminder and the log entry, one unit."""
        async with self._unit("remind", chat_id) as tx:
            item_id = await tx.add_item(
                chat_id, "reminder", text, {"when": when.isoformat()}, user_id, self.now()
            )
            await tx.add_reminders([NewReminder(chat_id, item_id, when, text, "adhoc")])
            await self._append(tx, chat_id, item_id, user_id, ReminderSet(when=when, text=text))
        _note_stored(f"reminder #{item_id} set ({text[:60]})")
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
            _note_stored(f"item #{item_id} marked {status}")
        return closed

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

    # ------------------------------------------------------------------ chats

    async def ensure_chat(self, chat_id: int, title: str | None) -> None:
        """Know the chat; keep its title up to date."""
        async with self.db.transaction() as tx:
            await tx.ensure_chat(chat_id, title)

    async def choose_compacts(self, chat_id: int, codes: list[str], actor: int | None) -> None:
        """The chat follows ``codes`` from now on (order kept, duplicates dropped)."""
        unique = list(dict.fromkeys(codes))
        async with self._unit("compacts", chat_id) as tx:
            await tx.set_compacts(chat_id, unique)
            await self._append(tx, chat_id, None, actor, CompactsChosen(compacts=unique))
        _note_stored("the chat's Compacts chosen")

    async def set_timezone(self, chat_id: int, tz: str) -> None:
        async with self._unit("timezone", chat_id) as tx:
            await tx.set_timezone(chat_id, tz)
        _note_stored(f"time zone set to {tz}")

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
            await tx.add_officer(chat_id, user_id, name)

    async def remove_officer(self, chat_id: int, user_id: int) -> bool:
        async with self._unit("officer-off", chat_id) as tx:
            return await tx.remove_officer(chat_id, user_id)

    async def forget(self, chat_id: int) -> None:
        """Erase everything stored about the chat, and leave none of it in the WAL file."""
        async with self._unit("forget", chat_id) as tx:
            await tx.forget_chat(chat_id)
        _note_stored("everything about this chat erased")
        await self.db.checkpoint()

    async def chat_left(self, chat_id: int, reason: str) -> None:
        """The bot was removed or blocked: hold the chat's reminders."""
        async with self.db.transaction() as tx:
            await tx.pause_chat(chat_id, reason)

    async def chat_joined(self, chat_id: int, title: str | None) -> None:
        """The bot is (back) in the chat: release its held reminders."""
        async with self.db.transaction() as tx:
            await tx.ensure_chat(chat_id, title)
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
            _note_stored(f"reminder #{reminder_id} snoozed")
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

    # ------------------------------------------------------------------ the log

    async def _append(
        self, tx: Tx, chat_id: int, item_id: int | None, actor: int | None, entry: LogEntry
    ) -> int:
        stored = encode(entry)
        return await tx.append_log(
            chat_id, item_id, stored.kind, actor, stored.payload, self.now(), stored.clauses
        )

    async def _read(self, reader: Reader, rows: list[StoredEntry]) -> list[Logged]:
        """Stored log rows as typed entries, their clause texts fetched once and kept
        (a clause reference always means the same text)."""
        wanted: set[str] = set()
        for row in rows:
            wanted |= clause_refs(row.payload)
        missing = wanted - self._clauses.keys()
        if missing:
            self._clauses.update(await reader.clause_texts(missing))
        clauses = self._clauses
        return [
            Logged(r.id, r.chat_id, r.item_id, r.actor, r.at, decode(r.kind, r.payload, clauses))
            for r in rows
        ]

    async def compliance(self, chat_id: int) -> list[ItemRecord]:
        """The chat's compliance log: one record per registered item, from its log."""
        return compliance_log(await self._read(self.db, await self.db.log(chat_id)))

    async def report(
        self, chat_id: int, year: int | None = None, body: str | None = None
    ) -> Report:
        """The chat's compliance report for ``year`` (default: this year in the chat's zone)."""
        settings = await self.db.chat_settings(chat_id)
        today = self.now().astimezone(self._zone(settings)).date()
        return build_report(
            await self.compliance(chat_id),
            year=year or today.year,
            as_of=today,
            body=body,
            chat_title=settings.title,
        )

    async def calendar(self, chat_id: int) -> CalendarFile:
        """The chat's open deadlines and pending reminders as an iCalendar file, stamped with
        when its data last changed (so an unchanged chat gives the same file, and the feed
        the same bytes)."""
        settings = await self.db.chat_settings(chat_id)
        changes = await self.db.calendar_changes(chat_id)
        reminders = await self.db.pending_reminders(chat_id)
        today = self.now().astimezone(self._zone(settings)).date()
        return await self._calendar(settings, reminders, today, changes.at or self.now())

    async def _calendar(
        self, settings: ChatSettings, reminders: list[Reminder], today: date, stamp: datetime
    ) -> CalendarFile:
        name = f"Compact deadlines – {settings.title}" if settings.title else "Compact deadlines"
        return build_calendar(
            await self.compliance(settings.chat_id),
            reminders,
            registry=self.knowledge.registry,
            tz=self._zone(settings),
            today=today,
            stamp=stamp,
            name=name,
        )

    # ------------------------------------------------------------------ the calendar feed

    async def calendar_link(self, chat_id: int, actor: int | None) -> FeedLink:
        """A secret address for the chat's calendar feed, if it has none yet; otherwise when
        and by whom its feed was made (only a hash of its token is kept, so the address
        cannot be shown again: ``reset_calendar_link`` gives a new one)."""
        token = new_token()
        async with self._unit("calendar-link", chat_id) as tx:
            if await tx.add_calendar_feed(chat_id, token_hash(token), actor, self.now()):
                made = FeedLink(token, self.now(), actor)
            else:
                feed = await tx.calendar_feed_of(chat_id)
                assert feed is not None
                return FeedLink(None, feed.created_at, feed.created_by)
        _note_stored("a calendar feed address made")
        return made

    async def reset_calendar_link(self, chat_id: int, actor: int | None) -> FeedLink:
        """Revoke the chat's feed address (its subscribers get 404 from now on) and make a
        new one, in one unit."""
        token = new_token()
        async with self._unit("calendar-reset", chat_id) as tx:
            revoked = await tx.replace_calendar_feed(chat_id, token_hash(token), actor, self.now())
        _note_stored("the calendar feed address replaced")
        return FeedLink(token, self.now(), actor, revoked=revoked)

    async def calendar_feed(self, token: str, conditions: Conditions) -> ServedFeed | None:
        """The feed ``token`` opens (None: unknown or revoked): its ETag and Last-Modified,
        and its body unless ``conditions`` show the client has it.

        A client that has the body, asking again about a chat that has not changed, is
        answered from this process's memory of the chat's fingerprint without building the
        calendar; everything else builds it (as ``/calendar`` does), and a body unlike the one
        last served moves the feed's Last-Modified (``bot.records.calendar_feed``)."""
        feed = await self.db.calendar_feed(token_hash(token))
        if feed is None:
            return None
        chat_id = feed.chat_id
        # Read what the calendar is built from before the log: a write in between can only
        # make the body newer than the fingerprint says (a rebuild next time), never older.
        settings = await self.db.chat_settings(chat_id)
        changes = await self.db.calendar_changes(chat_id)
        reminders = await self.db.pending_reminders(chat_id)
        tz = self._zone(settings)
        now = self.now()
        today = now.astimezone(tz).date()
        seen = fingerprint(settings, changes, reminders, today)
        known = self._feeds.get(chat_id)
        if (
            known == (seen, feed.etag)
            and feed.etag is not None
            and not_modified(conditions, feed.etag, feed.modified_at)
        ):
            self._feeds.move_to_end(chat_id)
            return ServedFeed(feed.etag, shown_modified(feed.modified_at or now, now), None)
        cal = await self._calendar(settings, reminders, today, changes.at or feed.created_at)
        etag = body_etag(cal.ics)
        modified = feed.modified_at
        if etag != feed.etag or modified is None:
            day_start = datetime.combine(today, time(0), tzinfo=tz)
            modified = next_modified(feed.modified_at, changes.at, day_start, now)
            async with self.db.transaction() as tx:
                await tx.calendar_feed_served(feed.token_hash, etag, modified)
        self._feeds[chat_id] = (seen, etag)
        self._feeds.move_to_end(chat_id)
        while len(self._feeds) > FEEDS_REMEMBERED:
            self._feeds.popitem(last=False)
        body = None if not_modified(conditions, etag, modified) else cal.ics
        return ServedFeed(etag, shown_modified(modified, now), body)

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

    # ------------------------------------------------------------------ letters

    async def write_letters(
        self, chat_id: int, item_id: int, actor: int | None
    ) -> list[WrittenLetter]:
        """Letters for an item below its Compact, or for a complaint's current step
        (``bot.records.letters``), as text and .docx, each logged in the item's history.

        Built and rendered first, then logged in one unit of work, so a template that cannot
        be used logs nothing.  Raises FollowUpError for an item the chat does not have,
        LetterRefused when there is nothing to write, LetterTemplateError for a template
        that cannot be used."""
        from bot.records.letter_docx import render_docx  # python-docx only when writing one

        record, _ = await self.item_history(chat_id, item_id)
        today = await self.today(chat_id)
        letters = build_letters(record, self.knowledge.registry.compacts, today)
        written: list[WrittenLetter] = []
        for k, letter in enumerate(letters, start=1):
            text = self.letter_templates.render(letter)
            suffix = f"-{k}" if len(letters) > 1 else ""
            written.append(
                WrittenLetter(
                    letter,
                    text,
                    render_docx(text, title=letter.subject),
                    f"letter-item-{item_id}{suffix}.docx",
                )
            )
        async with self._unit("letter", chat_id) as tx:
            for w in written:
                entry = LetterDrafted(
                    recipient=w.letter.recipient,
                    compacts=w.letter.compacts,
                    citations=w.letter.citations,
                    step=w.letter.step,
                    digest=hashlib.sha256(w.text.encode("utf-8")).hexdigest(),
                )
                await self._append(tx, chat_id, item_id, actor, entry)
        _note_stored(f"the letter for item #{item_id} logged")
        return written

    # ------------------------------------------------------------------ follow-ups

    async def _follow_up_target(
        self, tx: Tx, chat_id: int, item_id: int, kind: str, on: date
    ) -> tuple[ItemRecord, date]:
        record, _ = await self._history(tx, chat_id, item_id)
        if record.kind != kind:
            raise FollowUpError(
                f"Item #{item_id} is {_KIND_NOUNS[record.kind]}, not {_KIND_NOUNS[kind]}"
            )
        if record.status != "open":
            status = "cancelled" if record.status == "cancelled" else "done"
            raise FollowUpError(
                f"Item #{item_id} is {status}; to record more on it, /reopen {item_id} first"
            )
        today = self.now().astimezone(self._zone(await tx.chat_settings(chat_id))).date()
        if on > today:
            raise FollowUpError(f"{on.day} {on:%B %Y} is in the future")
        return record, today

    def _codes_of(self, record: ItemRecord) -> list[str]:
        # Re-check under the Compacts the item was registered with, so its verdicts stay
        # comparable even if the chat has since changed its Compacts (or never had any).
        known = set(self.knowledge.registry.codes)
        return [c for c in record.followed if c in known]

    def _recheck_funding(
        self, record: ItemRecord, today: date, **changes: date
    ) -> list[CheckResult]:
        """Re-check a funding change as it now stands (follow-ups included) with ``changes``."""
        assert isinstance(record.event, FundingEnding)
        update = {
            "notice_given_on": record.notice_given_on,
            "consultation_started_on": record.consultation_started_on,
            **changes,
        }
        try:
            event = FundingEnding.model_validate(
                {**record.event.model_dump(), **update, "item_id": record.item_id}
            )
        except ValidationError as exc:
            raise FollowUpError(_validation_message(exc).capitalize()) from None
        return self.check(event, self._codes_of(record), today)

    async def record_notice(
        self, chat_id: int, item_id: int, given_on: date, actor: int | None
    ) -> FollowUp:
        """Notice of a funding change was given on ``given_on``: re-check it and log it.

        The notice reminders (and those for the consultation that must precede notice)
        have nothing left to remind of, so they go in the same unit."""
        async with self._unit("notice", chat_id) as tx:
            record, today = await self._follow_up_target(tx, chat_id, item_id, "funding", given_on)
            results = self._recheck_funding(record, today, notice_given_on=given_on)
            entry = NoticeGiven(given_on=given_on, results=results)
            await self._append(tx, chat_id, item_id, actor, entry)
            await tx.cancel_reminders(chat_id, item_id)
        _note_stored(f"notice on item #{item_id} recorded")
        return FollowUp(record, results, 0)

    async def record_consultation_start(
        self, chat_id: int, item_id: int, started_on: date, actor: int | None
    ) -> FollowUp:
        """The consultation on a funding change started: re-check it; its reminders stop."""
        async with self._unit("consulted", chat_id) as tx:
            record, today = await self._follow_up_target(
                tx, chat_id, item_id, "funding", started_on
            )
            results = self._recheck_funding(record, today, consultation_started_on=started_on)
            entry = ConsultationStarted(started_on=started_on, results=results)
            await self._append(tx, chat_id, item_id, actor, entry)
            await tx.cancel_reminders(chat_id, item_id, ":consult-")
        _note_stored(f"the consultation on item #{item_id} recorded")
        return FollowUp(record, results, 0)

    async def record_feedback(
        self, chat_id: int, item_id: int, received_on: date, actor: int | None
    ) -> FollowUp:
        """Feedback on a consultation arrived: log it and close the item (nothing more is owed)."""
        async with self._unit("feedback", chat_id) as tx:
            record, _ = await self._follow_up_target(
                tx, chat_id, item_id, "consultation", received_on
            )
            closes = record.closes
            if closes is not None and received_on < closes:
                raise FollowUpError(
                    f"Consultation #{item_id} closes on {closes.day} {closes:%B %Y}; "
                    "feedback comes after it closes"
                )
            entry = FeedbackReceived(received_on=received_on)
            await self._append(tx, chat_id, item_id, actor, entry)
            closed = await self._close(tx, chat_id, item_id, "done", actor)
        _note_stored(f"feedback on item #{item_id} recorded")
        return FollowUp(record, [], 0, closed)

    async def record_step(
        self, chat_id: int, item_id: int, step: int, completed_on: date, actor: int | None
    ) -> FollowUp:
        """A step of a complaint's procedure was completed: say what comes next and plan it."""
        async with self._unit("step", chat_id) as tx:
            record, today = await self._follow_up_target(
                tx, chat_id, item_id, "complaint", completed_on
            )
            assert isinstance(record.event, ComplaintRaised)
            raised = record.event.raised_on
            if completed_on < raised:
                raise FollowUpError(
                    f"Complaint #{item_id} was raised on {raised.day} {raised:%B %Y}; "
                    "a step can't be completed before that"
                )
            try:
                event = ComplaintStepCompleted(
                    chat_id=chat_id,
                    item_id=item_id,
                    registered_by=actor,
                    against=record.event.against,
                    step=step,
                    completed_on=completed_on,
                )
            except ValidationError as exc:
                raise FollowUpError(_validation_message(exc).capitalize()) from None
            results = self.check(event, self._codes_of(record), today)
            most = max((len(r.steps) for r in results), default=0)
            if most and step > most:
                raise FollowUpError(f"The procedure has only {most} steps")
            tz = self._zone(await tx.chat_settings(chat_id))
            ids = await tx.add_reminders(self.reminders_for(chat_id, item_id, results, tz))
            entry = StepCompleted(step=step, completed_on=completed_on, results=results)
            await self._append(tx, chat_id, item_id, actor, entry)
        _note_stored(f"step {step} of item #{item_id} recorded")
        return FollowUp(record, results, len(ids))

    # ------------------------------------------------------------------ changes after the fact

    async def change_item(
        self, chat_id: int, item_id: int, changes: dict[str, Any], actor: int | None
    ) -> Changed:
        """Change a registered item (``changes``: its event's fields, e.g. ``{"closes": …}``):
        re-check it under the Compacts it was registered with, plan its reminders anew and
        log what it was and is, in one unit. Raises FollowUpError if the change does not
        fit (a close before the opening, an item that is closed)."""
        async with self._unit("change", chat_id) as tx:
            record, _ = await self._history(tx, chat_id, item_id)
            if record.status != "open":
                raise FollowUpError(
                    f"Item #{item_id} is {record.status}; /reopen {item_id} first to change it"
                )
            before = record.event
            try:
                event = type(before).model_validate({**before.model_dump(), **changes})
            except ValidationError as exc:
                raise FollowUpError(_validation_message(exc).capitalize()) from None
            assert isinstance(event, ConsultationLaunched | FundingEnding | ComplaintRaised)
            changed = {k: v for k, v in changes.items() if getattr(before, k) != v}
            if not changed:
                raise FollowUpError("That is what it says already")
            tz = self._zone(await tx.chat_settings(chat_id))
            today = self.now().astimezone(tz).date()
            results = self.check(self._as_it_stands(record, event), self._codes_of(record), today)
            await tx.delete_unsent_reminders(chat_id, item_id)
            ids = await tx.add_reminders(self.reminders_for(chat_id, item_id, results, tz))
            title = event.summary if isinstance(event, ComplaintRaised) else event.title
            await tx.rename_item(chat_id, item_id, title[:200])
            field = ", ".join(changed)
            entry = ItemChanged(
                field=field,
                before=", ".join(_shown(getattr(before, k)) for k in changed),
                after=", ".join(_shown(v) for v in changed.values()),
                event=event,
                results=results,
            )
            await self._append(tx, chat_id, item_id, actor, entry)
        _note_stored(f"item #{item_id} changed ({field})")
        return Changed(record, event, results, len(ids))

    def _as_it_stands(self, record: ItemRecord, event: AnyEvent) -> AnyEvent:
        """The event with what follow-ups recorded since (notice given, consultation begun)."""
        if isinstance(event, FundingEnding):
            return event.model_copy(
                update={
                    "notice_given_on": record.notice_given_on or event.notice_given_on,
                    "consultation_started_on": record.consultation_started_on
                    or event.consultation_started_on,
                    "item_id": record.item_id,
                }
            )
        return event.model_copy(update={"item_id": record.item_id})

    async def reopen_item(self, chat_id: int, item_id: int, actor: int | None) -> Changed:
        """Open a closed item again (closed by mistake): re-checked, its reminders planned."""
        async with self._unit("reopen", chat_id) as tx:
            record, _ = await self._history(tx, chat_id, item_id)
            if record.status == "open":
                raise FollowUpError(f"Item #{item_id} is open already")
            await tx.set_item_status(chat_id, item_id, "open", self.now())
            await tx.delete_unsent_reminders(chat_id, item_id)
            tz = self._zone(await tx.chat_settings(chat_id))
            today = self.now().astimezone(tz).date()
            event = self._as_it_stands(record, record.event)
            results = self.check(event, self._codes_of(record), today)
            ids = await tx.add_reminders(self.reminders_for(chat_id, item_id, results, tz))
            await self._append(tx, chat_id, item_id, actor, ItemReopened())
        _note_stored(f"item #{item_id} reopened")
        return Changed(record, record.event, results, len(ids))

    async def open_duplicate(self, event: AnyEvent) -> ItemRecord | None:
        """An open item with the same kind, title and dates as ``event``, if the chat has one
        (registering the same consultation twice is almost always a slip)."""
        for record in await self.compliance(event.chat_id):
            if record.status == "open" and _same_item(record.event, event):
                return record
        return None

    async def _event_handled(self, event: AnyEvent, results: list[CheckResult]) -> None:
        for outcome in self.knowledge.pm.hook.compactbot_event_handled(
            event=event, results=results
        ):
            if inspect.isawaitable(outcome):
                await outcome
