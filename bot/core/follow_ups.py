"""What happens to an item after it is registered: notice given, consultation started,
feedback, a complaint's steps; a change after the fact, and reopening."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from bot.core.base import CoreBase
from bot.core.results import Changed, FollowUp, FollowUpError
from bot.core.units import note_stored
from bot.domain.events import (
    AnyEvent,
    ComplaintRaised,
    ComplaintStepCompleted,
    ConsultationLaunched,
    FundingEnding,
)
from bot.domain.verdicts import CheckResult
from bot.records.compliance import ItemRecord
from bot.records.log import (
    ConsultationStarted,
    FeedbackReceived,
    ItemChanged,
    ItemReopened,
    NoticeGiven,
    StepCompleted,
)
from storage.repository import Tx


def _shown(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "not known"}[value]
    return f"{value.day} {value:%B %Y}" if isinstance(value, date) else str(value)


_KIND_NOUNS = {
    "consultation": "a consultation",
    "funding": "a funding change",
    "complaint": "a complaint",
}


def _validation_message(exc: ValidationError) -> str:
    """The first problem, as a sentence: its first letter raised, its dates left as they are
    ("15 Mar 2027", never "15 mar 2027")."""
    said = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
    return said[:1].upper() + said[1:]


class FollowUps(CoreBase):
    """What happens to an item after it is registered."""

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
            raise FollowUpError(_validation_message(exc)) from None
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
        note_stored(f"notice on item #{item_id} recorded")
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
        note_stored(f"the consultation on item #{item_id} recorded")
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
        note_stored(f"feedback on item #{item_id} recorded")
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
                raise FollowUpError(_validation_message(exc)) from None
            results = self.check(event, self._codes_of(record), today)
            most = max((len(r.steps) for r in results), default=0)
            if most and step > most:
                raise FollowUpError(f"The procedure has only {most} steps")
            tz = self._zone(await tx.chat_settings(chat_id))
            ids = await tx.add_reminders(self.reminders_for(chat_id, item_id, results, tz))
            entry = StepCompleted(step=step, completed_on=completed_on, results=results)
            await self._append(tx, chat_id, item_id, actor, entry)
        note_stored(f"step {step} of item #{item_id} recorded")
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
                raise FollowUpError(_validation_message(exc)) from None
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
            # How a close was given (a length or a date) is kept, not shown as a change.
            shown = {k: v for k, v in changed.items() if k != "closes_as_length"} or changed
            field = ", ".join(shown)
            entry = ItemChanged(
                field=field,
                before=", ".join(_shown(getattr(before, k)) for k in shown),
                after=", ".join(_shown(v) for v in shown.values()),
                event=event,
                results=results,
            )
            await self._append(tx, chat_id, item_id, actor, entry)
        note_stored(f"item #{item_id} changed ({field})")
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
        note_stored(f"item #{item_id} reopened")
        return Changed(record, record.event, results, len(ids))
