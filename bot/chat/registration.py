"""Guided registration: read what the message gives, ask for what is missing, read it all
back with Confirm / Change, and only then register the item.

Each kind's fields come from its form (``bot.chat.forms``).  A registration being put
together is a draft, kept per chat and person; drafts are stored through the core at every
step, so a restart half-way loses nothing, and abandoned after a day.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from bot.chat.buttons import RegistrationAnswer, encode
from bot.chat.forms import FORMS, AskedWhen, FormField, Kind
from bot.chat.messages import Button, Incoming, Press, Reply, anonymous_admin_id
from bot.chat.registration_parsing import (
    Draft,
    apply_answer,
    parse_complaint,
    parse_consultation,
    parse_funding,
)
from bot.chat.replies import format_reminders, format_results
from bot.core import Core

if TYPE_CHECKING:
    from bot.chat.commands import Handler
    from bot.chat.conversation import Conversation

DRAFT_TTL = timedelta(days=1)
"""An unfinished registration untouched this long is abandoned (a later message is then
read as a message, not as the answer to an old question)."""

STOP_WORDS = frozenset({"stop", "cancel", "quit"})

_PARSERS = {
    "consultation": parse_consultation,
    "funding": parse_funding,
    "complaint": parse_complaint,
}


@dataclass
class Pending:
    """A draft and where its conversation stands."""

    draft: Draft
    token: str
    asking: str | None = None

    def to_json(self) -> dict[str, Any]:
        fields = {
            k: {"date": v.isoformat()} if isinstance(v, date) else v
            for k, v in self.draft.fields.items()
        }
        return {
            "kind": self.draft.kind,
            "fields": fields,
            "missing": self.draft.missing,
            "asking": self.asking,
            "token": self.token,
        }

    @classmethod
    def from_json(cls, state: dict[str, Any]) -> Pending:
        fields = {
            k: date.fromisoformat(v["date"]) if isinstance(v, dict) else v
            for k, v in state["fields"].items()
        }
        return cls(
            Draft(state["kind"], fields, list(state["missing"])), state["token"], state["asking"]
        )


@dataclass
class Registrations:
    """The drafts of every chat: read from memory, written through to the core."""

    core: Core
    _drafts: dict[tuple[int, int], tuple[Pending, datetime]] = field(default_factory=dict)
    _loaded: bool = False

    # ---------------------------------------------------------------- drafts

    async def _get(self, chat_id: int, user_id: int) -> Pending | None:
        if not self._loaded:
            since = self.core.now() - DRAFT_TTL
            for d in await self.core.drafts(since):
                self._drafts[(d.chat_id, d.user_id)] = (Pending.from_json(d.state), d.updated_at)
            self._loaded = True
        found = self._drafts.get((chat_id, user_id))
        if found is None:
            return None
        pending, touched = found
        if touched < self.core.now() - DRAFT_TTL:
            await self._drop(chat_id, user_id)
            return None
        return pending

    async def _save(self, chat_id: int, user_id: int, pending: Pending) -> None:
        now = self.core.now()
        await self.core.save_draft(chat_id, user_id, pending.to_json())
        self._drafts[(chat_id, user_id)] = (pending, now)

    async def _drop(self, chat_id: int, user_id: int) -> None:
        if self._drafts.pop((chat_id, user_id), None) is not None:
            await self.core.delete_draft(chat_id, user_id)

    def forget_chat(self, chat_id: int) -> None:
        """Drop the chat's drafts from memory (erased, or moved to a new chat id: they are
        read again from the database)."""
        self._drafts = {k: v for k, v in self._drafts.items() if k[0] != chat_id}
        self._loaded = False

    async def is_asking(self, chat_id: int, user_id: int) -> bool:
        pending = await self._get(chat_id, user_id)
        return pending is not None and pending.asking is not None

    # ---------------------------------------------------------------- the conversation

    async def begin(self, msg: Incoming, kind: Kind, args: str, token: str) -> list[Reply]:
        draft = _PARSERS[kind](args, await self.core.today(msg.chat_id))
        if draft.errors and not any(draft.fields.values()):
            from bot.chat.commands import find  # the command table imports this module

            command = find(kind)
            example = f"\nFor example: {command.example}" if command else ""
            return [Reply("\n".join(draft.errors) + f"{example}\nNothing was changed.")]
        return await self._next_step(msg, Pending(draft, token))

    async def answer(self, msg: Incoming, text: str) -> list[Reply]:
        """The user's answer to the question the draft is waiting on."""
        pending = await self._get(msg.chat_id, msg.user_id)
        assert pending is not None and pending.asking is not None
        if text.lower() in STOP_WORDS:
            await self._drop(msg.chat_id, msg.user_id)
            return [Reply("Registration abandoned. Nothing was stored.")]
        today = await self.core.today(msg.chat_id)
        # A new Pending: the one in memory changes only once the new one is stored.
        answered = replace(pending, draft=apply_answer(pending.draft, pending.asking, text, today))
        return await self._next_step(msg, answered)

    async def _next_step(self, msg: Incoming, pending: Pending) -> list[Reply]:
        """Ask for what is missing, or read the draft back for confirmation."""
        replies, keep = await self._step_replies(msg.chat_id, pending, msg.private)
        if keep:
            await self._save(msg.chat_id, msg.user_id, pending)
        else:
            await self._drop(msg.chat_id, msg.user_id)
        return replies

    async def _step_replies(
        self, chat_id: int, pending: Pending, private: bool
    ) -> tuple[list[Reply], bool]:
        """The replies for the draft's next step, and whether the draft lives on."""
        draft = pending.draft
        form = FORMS[draft.kind]
        replies: list[Reply] = []
        if draft.errors:
            replies.append(Reply("\n".join(draft.errors)))
            draft.errors = []
        if draft.missing:
            pending.asking = draft.missing[0]
            question = form.field(pending.asking).question
            replies.append(Reply(question + " (or 'stop')", ask_reply=not private))
            return replies, True
        extra = await self._extra_question(chat_id, pending)
        if extra is not None:
            pending.asking = extra.name
            replies.append(Reply(extra.question + " (or 'stop')", ask_reply=not private))
            return replies, True
        pending.asking = None
        try:
            event = form.event(draft.fields, today=await self.core.today(chat_id), chat_id=chat_id)
        except ValidationError as exc:
            problem = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
            replies.append(
                Reply(
                    f"That doesn't add up: {problem}. Send the registration again "
                    "with the right dates. Nothing was stored."
                )
            )
            return replies, False
        twin = await self.core.open_duplicate(event)
        warning = (
            f"\n\n⚠️ This looks like item #{twin.item_id} ({twin.title}), registered already "
            "and still open. Confirm stores a second one; Change to think again."
            if twin is not None
            else ""
        )
        replies.append(
            Reply(
                "Is this right?\n" + form.readback(draft.fields) + warning,
                [
                    [
                        Button("Confirm", encode(RegistrationAnswer("confirm", pending.token))),
                        Button("Change", encode(RegistrationAnswer("change", pending.token))),
                    ]
                ],
            )
        )
        return replies, True

    async def _extra_question(self, chat_id: int, pending: Pending) -> FormField | None:
        """The first extra question (earlier rounds, statutory) that a Compact the chat
        follows needs and the draft has no answer to yet."""
        form = FORMS[pending.draft.kind]
        if not form.extra:
            return None
        known = self.core.knowledge.registry.compacts
        rules = [
            known[code].obligations.consultation
            for code in await self.core.compacts_of(chat_id)
            if code in known
        ]
        needs: set[AskedWhen] = set()
        if any(rule.standard_is_total for rule in rules):
            needs.add("rounds_counted")
        if any(rule.statutory_exclusion is not None for rule in rules):
            needs.add("statutory_excluded")
        for question in form.extra_for(needs):
            if pending.draft.fields.get(question.name) is None:
                return question
        return None

    async def press(self, press: Press, answer: RegistrationAnswer) -> Reply:
        """Confirm or Change under the read-back."""
        found = await self._pressed(press, answer)
        if found is None:
            return Reply(
                "That button is from an old message (or someone else's registration); "
                "nothing was changed.",
                notice=True,
            )
        pending, owner = found
        form = FORMS[pending.draft.kind]
        if answer.action == "change":
            await self._drop(press.chat_id, owner)
            from bot.chat.commands import find

            command = find(form.kind)
            example = command.example if command else ""
            return Reply(f"OK, nothing stored. Send it again with the changes, e.g.\n{example}")
        return await self._register(press, pending, owner)

    async def _pressed(
        self, press: Press, answer: RegistrationAnswer
    ) -> tuple[Pending, int] | None:
        """The draft a Confirm/Change press answers, and whose it is.

        The presser's own; or, for an admin of the chat, one an anonymous admin started (the
        press reveals a person, the message that started it did not).
        """
        own = await self._get(press.chat_id, press.user_id)
        if _answered_by(own, answer):
            assert own is not None
            return own, press.user_id
        anonymous = anonymous_admin_id(press.chat_id)
        if anonymous == press.user_id:
            return None
        theirs = await self._get(press.chat_id, anonymous)
        if _answered_by(theirs, answer) and await press.is_admin():
            assert theirs is not None
            return theirs, anonymous
        return None

    async def _register(self, press: Press, pending: Pending, owner: int) -> Reply:
        chat_id = press.chat_id
        form = FORMS[pending.draft.kind]
        fields = pending.draft.fields
        event = form.event(
            fields,
            today=await self.core.today(chat_id),
            chat_id=chat_id,
            registered_by=press.user_id,
        )
        title = form.title(fields)
        data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in fields.items()}
        # The draft goes in the same unit of work as the item: never one without the other.
        done = await self.core.register(event, title, data, draft_of=owner)
        self._drafts.pop((chat_id, owner), None)
        codes = await self.core.compacts_of(chat_id)
        head = f"Registered as item #{done.item_id}: {title}"
        if not codes:
            return Reply(
                head + "\nThis chat follows no Compact yet, so I can't check it. "
                "Choose one with /compact CODE."
            )
        tz = await self.core.timezone(chat_id)
        schedule = format_reminders(done.results, self.core.reminder_hour, tz)
        return Reply("\n\n".join([head, format_results(done.results), schedule]))


def _answered_by(pending: Pending | None, answer: RegistrationAnswer) -> bool:
    """Whether ``answer`` is a press under ``pending``'s read-back."""
    return pending is not None and pending.token == answer.token and pending.asking is None


def starter(kind: Kind) -> Handler:
    """The handler of /consultation, /funding or /complaint."""

    async def start(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
        return await conv.registrations.begin(msg, kind, args, conv.new_token())

    return start
