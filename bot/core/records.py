"""What the group has on record, read back: the compliance report, the calendar file, letters."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from bot.core.base import CoreBase
from bot.core.results import WrittenLetter
from bot.core.units import note_stored
from bot.records.calendar_export import CalendarFile, build_calendar
from bot.records.compliance import compliance_log, open_item_ids
from bot.records.letters import build_letters
from bot.records.log import LetterDrafted
from bot.records.report import Report, build_report
from storage.repository import ChatSettings, Reminder


class Records(CoreBase):
    """The chat's record read back: report, calendar file and letters."""

    async def report(
        self, chat_id: int, year: int | None = None, body: str | None = None
    ) -> Report:
        """The chat's compliance report for ``year`` (default: the twelve months to today in
        the chat's zone, and every item still open)."""
        settings = await self.db.chat_settings(chat_id)
        today = self.now().astimezone(self._zone(settings)).date()
        compacts = self.knowledge.registry.compacts
        return build_report(
            await self.compliance(chat_id),
            year=year,
            as_of=today,
            body=body,
            chat_title=settings.title,
            promises_feedback=frozenset(
                code
                for code, compact in compacts.items()
                if compact.obligations.consultation_feedback.required
            ),
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
        # A calendar's name is one line; a title Telegram (or a terminal) gave with a line
        # break is shown on one.
        title = " ".join(settings.title.splitlines()) if settings.title else None
        name = f"Compact deadlines – {title}" if title else "Compact deadlines"
        # Only open items have deadlines, and only items with a reminder to come are named
        # by one: the entries of any other item are not decoded (each item's record is
        # replayed from its own entries alone, so these come out as in the whole log).
        rows = await self.db.log(settings.chat_id)
        wanted = open_item_ids((r.item_id, r.kind) for r in rows)
        wanted.update(r.item_id for r in reminders if r.item_id is not None)
        records = compliance_log(
            await self._read(self.db, [r for r in rows if r.item_id in wanted])
        )
        return build_calendar(
            records,
            reminders,
            registry=self.knowledge.registry,
            tz=self._zone(settings),
            today=today,
            stamp=stamp,
            name=name,
        )

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
                    render_docx(text, written_on=letter.written_on),
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
        note_stored(f"the letter for item #{item_id} logged")
        return written
