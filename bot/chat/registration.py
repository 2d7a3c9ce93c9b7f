"""Guided registration: read what the message gives, ask for what is missing, read it all
back with Confirm / Change, and only then register the item.

Each kind's fields come from its form (``bot.chat.forms``).  A registration being put
together is a draft, kept per chat and person; drafts are stored through the core at every
step, so a restart half-way loses nothing, and abandoned after a day.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from bot.chat.buttons import RegistrationAnswer, encode
from bot.chat.forms import FORMS, AskedWhen, Form, FormField, Kind
from bot.chat.intent import is_greeting, is_no, is_not_an_answer, is_question, is_stop, is_yes
from bot.chat.messages import Button, Incoming, Press, Reply, anonymous_admin_id
from bot.chat.registration_parsing import (
    Draft,
    apply_answer,
    contradiction,
    read_message,
)
from bot.chat.replies import format_reminders, format_results
from bot.core import Core

if TYPE_CHECKING:
    from bot.chat.commands import Handler
    from bot.chat.conversation import Conversation

DRAFT_TTL = timedelta(days=1)
"""An unfinished registration untouched this long is abandoned (a later message is then
read as a message, not as the answer to an old question)."""

CHANGING = "?change"
"""``Pending.asking`` after "no" (or Change) at the read-back: waiting for a field and its
new value ("closes 15 March")."""


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
            "lengths": self.draft.lengths,
            "yearless": sorted(self.draft.yearless),
            "day_before": self.draft.day_before,
            "asking": self.asking,
            "token": self.token,
        }

    @classmethod
    def from_json(cls, state: dict[str, Any]) -> Pending:
        fields = {
            k: date.fromisoformat(v["date"]) if isinstance(v, dict) else v
            for k, v in state["fields"].items()
        }
        draft = Draft(
            state["kind"],
            fields,
            list(state["missing"]),
            lengths=dict(state.get("lengths", {})),  # drafts stored before lengths had none
            yearless=set(state.get("yearless", [])),
            day_before=dict(state.get("day_before", {})),
        )
        return cls(draft, state["token"], state["asking"])


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

    async def waiting(self, chat_id: int, user_id: int) -> bool:
        """Whether this person has a registration under way in this chat."""
        return await self._get(chat_id, user_id) is not None

    # ---------------------------------------------------------------- the conversation

    async def begin(self, msg: Incoming, kind: Kind, args: str, token: str) -> list[Reply]:
        draft = read_message(kind, args, await self.core.today(msg.chat_id))
        if draft.errors and not any(draft.fields.values()):
            from bot.chat.commands import find  # the command table imports this module

            command = find(kind)
            example = f"\nFor example: {command.example}" if command else ""
            return [Reply("\n".join(draft.errors) + f"{example}\nNothing was changed.")]
        return await self._next_step(msg, Pending(draft, token))

    async def abandon(self, msg: Incoming) -> list[Reply]:
        await self._drop(msg.chat_id, msg.user_id)
        return [Reply("Registration abandoned. Nothing was stored.")]

    async def answer(self, msg: Incoming, text: str) -> list[Reply] | None:
        """A message from someone whose registration is under way: the answer it waits for,
        yes or a change at the read-back, or 'stop'. None when the message is something else
        (a question, a remark): the conversation handles it, then asks again (``reprompt``)."""
        pending = await self._get(msg.chat_id, msg.user_id)
        if pending is None:
            return None
        if not (msg.private or msg.addressed):
            # Group talk not sent to the bot: its questions ask for replies (Telegram's
            # ForceReply), so an answer is a reply; the read-back's buttons still wait.
            return None
        if is_stop(text):
            return await self.abandon(msg)
        if pending.asking is None:
            return await self._at_readback(msg, pending, text)
        if pending.asking == CHANGING:
            return await self._changing(msg, pending, text)
        return await self._fill(msg, pending, text)

    async def reprompt(self, msg: Incoming) -> list[Reply]:
        """What the registration under way is waiting for, said again after a command or a
        question it did not take as its answer."""
        pending = await self._get(msg.chat_id, msg.user_id)
        if pending is None:
            return []
        noun = FORMS[pending.draft.kind].noun
        lead = f"Still registering {noun}. "
        return [await self._prompt(msg.chat_id, pending, msg.private, lead)]

    async def _prompt(self, chat_id: int, pending: Pending, private: bool, lead: str = "") -> Reply:
        form = FORMS[pending.draft.kind]
        if pending.asking is None:
            return Reply(
                f"{lead}It waits for Confirm under the read-back, or say yes; to change a "
                f"field, say it with its new value, e.g. '{form.change_example}'."
            )
        if pending.asking == CHANGING:
            return Reply(lead + _change_prompt(form), ask_reply=not private)
        question = form.field(pending.asking).asked(await self.core.today(chat_id))
        return Reply(f"{lead}{question} (or 'stop')", ask_reply=not private)

    async def _fill(self, msg: Incoming, pending: Pending, text: str) -> list[Reply] | None:
        """An answer to the field asked for; only one that reads as that field fills it."""
        assert pending.asking is not None
        form = FORMS[pending.draft.kind]
        asked = form.field(pending.asking)
        head, colon, rest = text.partition(":")
        labelled = bool(colon) and form.find_field(head, extra=True) == (asked, "")
        if labelled:
            text = rest.strip()  # "title: What next for libraries?" is the title
        elif asked.kind == "text":
            if is_question(text):
                return None
            if is_not_an_answer(text):
                needed = asked.about or f"the {asked.label.lower()}"
                lead = f"I still need {needed}. "
                return [await self._prompt(msg.chat_id, pending, msg.private, lead)]
        today = await self.core.today(msg.chat_id)
        draft = apply_answer(pending.draft, pending.asking, text, today)
        if draft.errors and not labelled:
            named = form.find_field(text, extra=True)
            if named is not None and named[0] == asked and named[1]:
                # "closes 15 March" answering "When does it close?"
                retried = apply_answer(pending.draft, pending.asking, named[1], today)
                if not retried.errors:
                    draft = retried
        if draft.errors and not labelled:
            if is_question(text):
                return None
            if is_greeting(text):
                return [await self._prompt(msg.chat_id, pending, msg.private)]
        # A new Pending: the one in memory changes only once the new one is stored.
        return await self._next_step(msg, replace(pending, draft=draft))

    async def _at_readback(self, msg: Incoming, pending: Pending, text: str) -> list[Reply] | None:
        """Typed at the read-back: yes stores it, no asks what to change, "closes 15 March"
        changes that field and reads it all back again."""
        if is_yes(text):
            return [await self._register(msg.chat_id, msg.user_id, pending, msg.user_id)]
        if is_no(text):
            await self._save(msg.chat_id, msg.user_id, replace(pending, asking=CHANGING))
            return [Reply(_change_prompt(FORMS[pending.draft.kind]), ask_reply=not msg.private)]
        found = FORMS[pending.draft.kind].find_field(text, extra=True)
        if found is None:
            return None
        return await self._change_field(msg, pending, *found)

    async def _changing(self, msg: Incoming, pending: Pending, text: str) -> list[Reply] | None:
        """After "no" at the read-back: waiting for a field and its new value."""
        if is_yes(text):
            return [await self._register(msg.chat_id, msg.user_id, pending, msg.user_id)]
        found = FORMS[pending.draft.kind].find_field(text, extra=True)
        if found is not None:
            return await self._change_field(msg, pending, *found)
        if is_question(text):
            return None
        return [await self._prompt(msg.chat_id, pending, msg.private, "I didn't see which field. ")]

    async def _change_field(
        self, msg: Incoming, pending: Pending, changed: FormField, value: str
    ) -> list[Reply]:
        """A field changed at the read-back ("closes 15 March"), or asked for again when
        only its name was given ("closes")."""
        if not value:
            asking = replace(pending, asking=changed.name)
            await self._save(msg.chat_id, msg.user_id, asking)
            return [await self._prompt(msg.chat_id, asking, msg.private)]
        today = await self.core.today(msg.chat_id)
        draft = apply_answer(pending.draft, changed.name, value, today)
        # A fresh token: the old read-back's Confirm must not store the changed values.
        return await self._next_step(msg, replace(pending, draft=draft, token=_new_token()))

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
        problem = contradiction(draft)
        if problem is not None:
            # Refused in one line, before anything else is asked; never moved to fit.
            pending.asking = CHANGING
            replies.append(
                Reply(
                    f"That doesn't add up: {problem}. Nothing is stored. " + _change_prompt(form),
                    ask_reply=not private,
                )
            )
            return replies, True
        if draft.missing:
            pending.asking = draft.missing[0]
            question = form.field(pending.asking).asked(await self.core.today(chat_id))
            replies.append(Reply(question + " (or 'stop')", ask_reply=not private))
            return replies, True
        extra = await self._extra_question(chat_id, pending)
        if extra is not None:
            pending.asking = extra.name
            asked = extra.asked(await self.core.today(chat_id))
            replies.append(Reply(asked + " (or 'stop')", ask_reply=not private))
            return replies, True
        pending.asking = None
        try:
            event = form.event(draft.fields, today=await self.core.today(chat_id), chat_id=chat_id)
        except ValidationError as exc:
            problem = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
            pending.asking = CHANGING
            replies.append(
                Reply(
                    f"That doesn't add up: {problem}. Nothing is stored yet. "
                    + _change_prompt(form),
                    ask_reply=not private,
                )
            )
            return replies, True
        twin = await self.core.open_duplicate(event)
        warning = (
            f"\n\n⚠️ This looks like item #{twin.item_id} ({twin.title}), registered already "
            "and still open. Confirm stores a second one; Change to think again."
            if twin is not None
            else ""
        )
        replies.append(
            Reply(
                "Is this right?\n" + form.readback(draft.fields, _notes(draft)) + warning,
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
        if answer.action == "change":
            form = FORMS[pending.draft.kind]
            await self._save(press.chat_id, owner, replace(pending, asking=CHANGING))
            # The read-back stays (with Confirm, in case all was right after all); a reply
            # to it in a group reaches the bot.
            return Reply(
                "Is this right?\n"
                + form.readback(pending.draft.fields, _notes(pending.draft))
                + "\n\n"
                + _change_prompt(form, reply=press.chat_id < 0),  # a group's id is negative
                [[Button("Confirm", encode(RegistrationAnswer("confirm", pending.token)))]],
            )
        return await self._register(press.chat_id, press.user_id, pending, owner)

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

    async def _register(self, chat_id: int, user_id: int, pending: Pending, owner: int) -> Reply:
        """Store the read-back draft of ``owner`` as an item, registered by ``user_id``."""
        form = FORMS[pending.draft.kind]
        fields = pending.draft.fields
        event = form.event(
            fields,
            today=await self.core.today(chat_id),
            chat_id=chat_id,
            registered_by=user_id,
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


def _notes(draft: Draft) -> dict[str, str]:
    """Where read-back values came from: a close given as a length; a last funded day that
    is the day before the date the message gave ("from 1 April")."""
    notes = {name: f"{said} from opening" for name, said in draft.lengths.items()}
    for name, said in draft.day_before.items():
        notes[name] = f"the day before {said}, the first day it no longer covers"
    return notes


def _answered_by(pending: Pending | None, answer: RegistrationAnswer) -> bool:
    """Whether ``answer`` is a press under ``pending``'s read-back."""
    return (
        pending is not None and pending.token == answer.token and pending.asking in (None, CHANGING)
    )


def _change_prompt(form: Form, reply: bool = False) -> str:
    how = "Reply with" if reply else "Send"
    names = ", ".join(f.label.lower() for f in form.fields if f.required)
    return (
        f"What should change? {how} the field and its new value, e.g. "
        f"'{form.change_example}' ({names}). Or 'stop'."
    )


def _new_token() -> str:
    return secrets.token_hex(4)


def starter(kind: Kind) -> Handler:
    """The handler of /consultation, /funding or /complaint."""

    async def start(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
        return await conv.registrations.begin(msg, kind, args, conv.new_token())

    return start
