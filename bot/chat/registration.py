"""Guided registration: read what the message gives, ask for what is missing, read it all
back with Confirm / Change, and only then register the item.

Each kind's fields come from its form (``bot.chat.forms``).  A registration being put
together is a draft, kept per chat and person; drafts are stored through the core at every
step, so a restart half-way loses nothing, and abandoned after a day.

Nothing is dropped: a person may have several drafts at once (several registrations in one
message, or a second one started before the first is confirmed).  One is *current*: typed
answers, "yes" and changes go to it; each keeps its own Confirm button.  While there are
several, every question and read-back says which draft it is ("Draft 2 of 3, Parks
review"), and confirming or abandoning one says which are still waiting and moves on to
the next.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from bot.chat.buttons import RegistrationAnswer, encode
from bot.chat.corrections import corrected_field
from bot.chat.forms import FORMS, AskedWhen, FieldValue, Form, FormField, Kind
from bot.chat.intent import is_greeting, is_not_an_answer, is_question, is_stop, is_yes
from bot.chat.messages import Button, Incoming, Press, Reply, anonymous_admin_id
from bot.chat.registration_parsing import (
    Draft,
    apply_answer,
    contradiction,
    read_correction,
    read_message,
)
from bot.chat.registration_parsing.names import names_a_body
from bot.chat.replies import format_reminders, format_results
from bot.chat.understanding import read_intent
from bot.core import Core

if TYPE_CHECKING:
    from bot.chat.commands import Handler
    from bot.chat.conversation import Conversation

DRAFT_TTL = timedelta(days=1)
"""An unfinished registration untouched this long is abandoned (a later message is then
read as a message, not as the answer to an old question)."""

MAX_DRAFTS = 10
"""Registrations one person may have waiting in a chat at once (each kept until confirmed
or stopped); more are refused, not dropped."""

CHANGING = "?change"
"""``Pending.asking`` after "no" (or Change) at the read-back: waiting for a field and its
new value ("closes 15 March")."""

_NOT_THIS_FIELD = frozenset(
    {"question", "remind", "letter", "calendar", "report", "list", "change", "register"}
)
"""What a message that does not read as the field asked for may ask instead."""

_SOCIAL = frozenset({"greeting", "thanks", "yes", "no"})
"""Said to the bot, never a title, body or summary."""


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
class Drafts:
    """One person's drafts in one chat, in the order they were started; ``at`` is the
    current one's place. Stored as the current draft's state with the others beside it
    (``others``, ``at``), so a row written before there could be several still reads."""

    items: list[Pending]
    at: int = 0

    @property
    def current(self) -> Pending:
        return self.items[self.at]

    def to_json(self) -> dict[str, Any]:
        others = [p.to_json() for i, p in enumerate(self.items) if i != self.at]
        return {**self.current.to_json(), "others": others, "at": self.at}

    @classmethod
    def from_json(cls, state: dict[str, Any]) -> Drafts:
        others = [Pending.from_json(o) for o in state.get("others", [])]
        at = min(int(state.get("at", 0)), len(others))
        return cls([*others[:at], Pending.from_json(state), *others[at:]], at)

    def find(self, token: str) -> int | None:
        for i, pending in enumerate(self.items):
            if pending.token == token:
                return i
        return None

    def label(self, pending: Pending) -> str:
        """ "Draft 2 of 3 (Parks review): " while there are several; else nothing."""
        index = self.find(pending.token)
        if len(self.items) < 2 or index is None:
            return ""
        return f"Draft {index + 1} of {len(self.items)} ({_name(pending)}): "


def _name(pending: Pending) -> str:
    form = FORMS[pending.draft.kind]
    value = pending.draft.fields.get(form.title_field)
    return str(value)[:60] if value else form.noun


@dataclass
class Registrations:
    """The drafts of every chat: read from memory, written through to the core."""

    core: Core
    _drafts: dict[tuple[int, int], tuple[Drafts, datetime]] = field(default_factory=dict)
    _loaded: bool = False

    # ---------------------------------------------------------------- drafts

    async def _all(self, chat_id: int, user_id: int) -> Drafts | None:
        if not self._loaded:
            since = self.core.now() - DRAFT_TTL
            for d in await self.core.drafts(since):
                self._drafts[(d.chat_id, d.user_id)] = (Drafts.from_json(d.state), d.updated_at)
            self._loaded = True
        found = self._drafts.get((chat_id, user_id))
        if found is None:
            return None
        drafts, touched = found
        if touched < self.core.now() - DRAFT_TTL:
            self._drafts.pop((chat_id, user_id), None)
            await self.core.delete_draft(chat_id, user_id)
            return None
        return drafts

    async def _get(self, chat_id: int, user_id: int) -> Pending | None:
        drafts = await self._all(chat_id, user_id)
        return drafts.current if drafts is not None else None

    async def _store(self, chat_id: int, user_id: int, drafts: Drafts) -> None:
        now = self.core.now()
        await self.core.save_draft(chat_id, user_id, drafts.to_json())
        self._drafts[(chat_id, user_id)] = (drafts, now)

    async def _save(self, chat_id: int, user_id: int, pending: Pending) -> None:
        """Store ``pending`` as the current draft (replacing the one it was made from)."""
        drafts = await self._all(chat_id, user_id)
        if drafts is None:
            drafts = Drafts([pending])
        else:
            drafts = Drafts(list(drafts.items), drafts.at)
            drafts.items[drafts.at] = pending
        await self._store(chat_id, user_id, drafts)

    async def _add(self, chat_id: int, user_id: int, new: list[Pending]) -> Drafts:
        """Start ``new`` drafts beside any kept ones; the first of them becomes current."""
        drafts = await self._all(chat_id, user_id)
        items = [*(drafts.items if drafts is not None else []), *new]
        return Drafts(items, len(items) - len(new))

    async def _drop(self, chat_id: int, user_id: int) -> Drafts | None:
        """Drop the current draft; the drafts left (current: the next one), or None."""
        drafts = await self._all(chat_id, user_id)
        if drafts is None:
            return None
        left = _without(drafts, drafts.at)
        if left is None:
            self._drafts.pop((chat_id, user_id), None)
            await self.core.delete_draft(chat_id, user_id)
        else:
            await self._store(chat_id, user_id, left)
        return left

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
        """Start a registration from a command's text; lines starting with another
        registration command ("/consultation …" three times in one paste) start one each.
        Drafts already under way are kept."""
        today = await self.core.today(msg.chat_id)
        new: list[Pending] = []
        refused: list[Reply] = []
        for i, (each_kind, text) in enumerate(_split_commands(kind, args)):
            draft = read_message(each_kind, text, today, self.core.knowledge.gazetteer)
            if draft.errors and not any(draft.fields.values()):
                from bot.chat.commands import find  # the command table imports this module

                command = find(each_kind)
                example = f"\nFor example: {command.example}" if command else ""
                refused.append(Reply("\n".join(draft.errors) + f"{example}\nNothing was changed."))
                continue
            new.append(Pending(draft, token if i == 0 else _new_token()))
        if not new:
            return refused
        kept = await self._all(msg.chat_id, msg.user_id)
        if len(new) + (len(kept.items) if kept else 0) > MAX_DRAFTS:
            return [
                Reply(
                    f"That would make more than {MAX_DRAFTS} registrations waiting for you here; "
                    "please confirm or stop some first. Nothing was changed."
                )
            ]
        drafts = await self._add(msg.chat_id, msg.user_id, new)
        replies: list[Reply] = []
        if kept is not None:
            waiting = ", ".join(_name(p) for p in kept.items)
            replies.append(
                Reply(
                    f"Kept as a draft{'s' if len(kept.items) > 1 else ''}: {waiting} "
                    "(nothing is lost; I'll come back to it)."
                )
            )
        # Each new draft: its read-back, or the first one's question (the rest wait).
        asking: int | None = None
        for offset, pending in enumerate(new):
            drafts.at = len(drafts.items) - len(new) + offset
            step, _ = await self._step_replies(msg.chat_id, drafts, pending, msg.private)
            if pending.asking not in (None,) and asking is not None:
                replies.append(Reply(drafts.label(pending) + "kept; I'll ask about it next."))
                continue
            if pending.asking is not None and asking is None:
                asking = drafts.at
            replies.extend(step)
        drafts.at = asking if asking is not None else len(drafts.items) - len(new)
        await self._store(msg.chat_id, msg.user_id, drafts)
        return refused + replies

    async def abandon(self, msg: Incoming) -> list[Reply]:
        dropped = await self._get(msg.chat_id, msg.user_id)
        left = await self._drop(msg.chat_id, msg.user_id)
        what = f" ({_name(dropped)})" if dropped is not None and left is not None else ""
        replies = [Reply(f"Registration abandoned{what}. Nothing was stored.")]
        return replies + await self._next_waiting(msg.chat_id, msg.user_id, left, msg.private)

    async def _next_waiting(
        self, chat_id: int, owner: int, left: Drafts | None, private: bool
    ) -> list[Reply]:
        """After one draft is confirmed or abandoned: which are still waiting, and the next
        one's question or read-back."""
        if left is None:
            return []
        names = ", ".join(_name(p) for p in left.items)
        head = Reply(
            f"Still waiting: {len(left.items)} draft{'s' if len(left.items) > 1 else ''} ({names})."
        )
        asking = left.current.asking
        step, _ = await self._step_replies(chat_id, left, left.current, private)
        if left.current.asking != asking:  # what it waits for now is stored too
            await self._store(chat_id, owner, left)
        return [head, *step]

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
        return [await self._prompt(msg.chat_id, pending, msg.private, lead, user_id=msg.user_id)]

    async def _prompt(
        self,
        chat_id: int,
        pending: Pending,
        private: bool,
        lead: str = "",
        *,
        user_id: int | None = None,
    ) -> Reply:
        form = FORMS[pending.draft.kind]
        if user_id is None and private:
            user_id = chat_id  # a private chat's id is its one user's
        drafts = await self._all(chat_id, user_id) if user_id is not None else None
        if drafts is not None:
            lead = drafts.label(pending) + lead
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
            if is_not_an_answer(text) or read_intent(text, "readback").label in _SOCIAL:
                needed = asked.about or f"the {asked.label.lower()}"
                lead = f"I still need {needed}. "
                return [
                    await self._prompt(msg.chat_id, pending, msg.private, lead, user_id=msg.user_id)
                ]
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
            meant = read_intent(text, "readback").label
            if meant in _NOT_THIS_FIELD and len(text.split()) >= 3:
                # A request is a sentence ("what's coming up"); a word or two that is not
                # the field ("soonish", "two months") is a wrong answer, said so below.
                return None  # the conversation does what it asks, then asks again
            if meant == "correction":  # "closes 19/2/27 actually": maybe another field's
                other = corrected_field(form, text, asked, await self._is_body(msg.chat_id))
                if other is not None and other[1] and other[0] != asked:
                    return await self._change_field(msg, pending, *other)
                if other is not None and other[1]:
                    retried = apply_answer(pending.draft, asked.name, other[1], today)
                    if not retried.errors:
                        return await self._next_step(msg, replace(pending, draft=retried))
            if is_greeting(text) or meant in ("greeting", "thanks", "yes", "no"):
                return [await self._prompt(msg.chat_id, pending, msg.private, user_id=msg.user_id)]
        # A new Pending: the one in memory changes only once the new one is stored.
        return await self._next_step(msg, replace(pending, draft=draft))

    async def _at_readback(self, msg: Incoming, pending: Pending, text: str) -> list[Reply] | None:
        """Typed at the read-back: yes stores it, no asks what to change, "closes 15 March"
        changes that field and reads it all back again."""
        form = FORMS[pending.draft.kind]
        meant = read_intent(text, "readback").label
        if meant == "yes":
            return await self._register(
                msg.chat_id, msg.user_id, pending, msg.user_id, private=msg.private
            )
        if meant == "stop":
            return await self.abandon(msg)
        if meant == "no":
            await self._save(msg.chat_id, msg.user_id, replace(pending, asking=CHANGING))
            return [Reply(_change_prompt(form), ask_reply=not msg.private)]
        found = await self._correction(msg.chat_id, pending, text)
        if found is None and meant == "correction":
            found = corrected_field(form, text, is_body=await self._is_body(msg.chat_id))
            if found is None:  # a new value, but for which field?
                await self._save(msg.chat_id, msg.user_id, replace(pending, asking=CHANGING))
                lead = "I didn't see which field. "
                return [Reply(lead + _change_prompt(form), ask_reply=not msg.private)]
        if found is None:
            return None  # a question, thanks, a request: the conversation handles it
        return await self._change_field(msg, pending, *found)

    async def _correction(
        self, chat_id: int, pending: Pending, text: str
    ) -> tuple[FormField, str] | None:
        """The field a message at the read-back changes and its new value: "closes 15
        March", "closes 19/2/27 actually", "no, it's PKC"; or "closes" alone (asked for)."""
        form = FORMS[pending.draft.kind]
        found = read_correction(
            pending.draft.kind, text, await self.core.today(chat_id), await self._is_body(chat_id)
        )
        if found is not None:
            return form.field(found[0]), found[1]
        named = form.find_field(text, extra=True)
        return named if named is not None and not named[1] else None

    async def _is_body(self, chat_id: int) -> Callable[[str], bool]:
        """Whether a value names a body, for this chat (its Compacts' "the council")."""
        follows = await self.core.compacts_of(chat_id)
        gazetteer = self.core.knowledge.gazetteer
        return lambda value: names_a_body(value, gazetteer, follows)

    async def _changing(self, msg: Incoming, pending: Pending, text: str) -> list[Reply] | None:
        """After "no" at the read-back: waiting for a field and its new value."""
        if is_yes(text):
            return await self._register(
                msg.chat_id, msg.user_id, pending, msg.user_id, private=msg.private
            )
        form = FORMS[pending.draft.kind]
        found = await self._correction(msg.chat_id, pending, text) or corrected_field(
            form, text, is_body=await self._is_body(msg.chat_id)
        )
        if found is not None and not is_question(text):
            return await self._change_field(msg, pending, *found)
        if is_question(text):
            return None
        return [
            await self._prompt(
                msg.chat_id, pending, msg.private, "I didn't see which field. ", user_id=msg.user_id
            )
        ]

    async def _change_field(
        self, msg: Incoming, pending: Pending, changed: FormField, value: str
    ) -> list[Reply]:
        """A field changed at the read-back ("closes 15 March"), or asked for again when
        only its name was given ("closes")."""
        if not value:
            asking = replace(pending, asking=changed.name)
            await self._save(msg.chat_id, msg.user_id, asking)
            return [await self._prompt(msg.chat_id, asking, msg.private, user_id=msg.user_id)]
        today = await self.core.today(msg.chat_id)
        draft = apply_answer(pending.draft, changed.name, value, today)
        # A fresh token: the old read-back's Confirm must not store the changed values.
        return await self._next_step(msg, replace(pending, draft=draft, token=_new_token()))

    async def _next_step(self, msg: Incoming, pending: Pending) -> list[Reply]:
        """Ask for what is missing, or read the draft back for confirmation."""
        drafts = await self._all(msg.chat_id, msg.user_id)
        drafts = Drafts([pending]) if drafts is None else Drafts(list(drafts.items), drafts.at)
        drafts.items[drafts.at] = pending
        replies, _ = await self._step_replies(msg.chat_id, drafts, pending, msg.private)
        await self._store(msg.chat_id, msg.user_id, drafts)
        return replies

    async def _step_replies(
        self, chat_id: int, drafts: Drafts, pending: Pending, private: bool
    ) -> tuple[list[Reply], bool]:
        """The replies for the draft's next step, and whether the draft lives on. While
        there are several drafts, each reply names its draft."""
        draft = pending.draft
        form = FORMS[draft.kind]
        label = drafts.label(pending)
        replies: list[Reply] = []
        if draft.errors:
            replies.append(Reply(label + "\n".join(draft.errors)))
            draft.errors = []
        problem = contradiction(draft)
        if problem is not None:
            # Refused in one line, before anything else is asked; never moved to fit.
            pending.asking = CHANGING
            replies.append(
                Reply(
                    f"{label}That doesn't add up: {problem}. Nothing is stored. "
                    + _change_prompt(form),
                    ask_reply=not private,
                )
            )
            return replies, True
        if draft.missing:
            pending.asking = draft.missing[0]
            question = form.field(pending.asking).asked(await self.core.today(chat_id))
            replies.append(Reply(label + question + " (or 'stop')", ask_reply=not private))
            return replies, True
        extra = await self._extra_question(chat_id, pending)
        if extra is not None:
            pending.asking = extra.name
            asked = extra.asked(await self.core.today(chat_id))
            replies.append(Reply(label + asked + " (or 'stop')", ask_reply=not private))
            return replies, True
        pending.asking = None
        try:
            event = form.event(draft.fields, today=await self.core.today(chat_id), chat_id=chat_id)
        except ValidationError as exc:
            problem = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
            pending.asking = CHANGING
            replies.append(
                Reply(
                    f"{label}That doesn't add up: {problem}. Nothing is stored yet. "
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
                f"{label}Is this right?\n" + form.readback(draft.fields, _notes(draft)) + warning,
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
        """The first extra question (earlier rounds, statutory) that a Compact the draft
        is checked against needs and the draft has no answer to yet."""
        form = FORMS[pending.draft.kind]
        if not form.extra:
            return None
        known = self.core.knowledge.registry.compacts
        codes, _ = self._routed(pending.draft.fields, await self.core.compacts_of(chat_id))
        followed = [known[code] for code in codes if code in known]
        rules = [c.obligations.consultation for c in followed]
        funding = [c.obligations.funding_change for c in followed]
        needs: set[AskedWhen] = set()
        if any(rule.standard_is_total for rule in rules):
            needs.add("rounds_counted")
        if any(rule.statutory_exclusion is not None for rule in rules):
            needs.add("statutory_excluded")
        if any(rule.consultation_before_notice is not None for rule in funding):
            if pending.draft.fields.get("consultation_start") is None:
                needs.add("consultation_first")  # a start day given says it started
        if any(rule.rationale_required for rule in funding):
            needs.add("rationale")
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
        drafts = await self._all(press.chat_id, owner)
        assert drafts is not None
        index = drafts.find(pending.token)
        assert index is not None
        drafts = Drafts(list(drafts.items), index)  # the pressed draft becomes current
        if answer.action == "change":
            form = FORMS[pending.draft.kind]
            changing = replace(pending, asking=CHANGING)
            drafts.items[index] = changing
            await self._store(press.chat_id, owner, drafts)
            # The read-back stays (with Confirm, in case all was right after all); a reply
            # to it in a group reaches the bot.
            return Reply(
                drafts.label(changing)
                + "Is this right?\n"
                + form.readback(pending.draft.fields, _notes(pending.draft))
                + "\n\n"
                + _change_prompt(form, reply=press.chat_id < 0),  # a group's id is negative
                [[Button("Confirm", encode(RegistrationAnswer("confirm", pending.token)))]],
            )
        self._drafts[(press.chat_id, owner)] = (drafts, self.core.now())
        [done, *more] = await self._register(
            press.chat_id, press.user_id, pending, owner, private=press.chat_id > 0
        )
        if more:
            # The press edits the read-back; what is still waiting goes beside the result.
            return replace(done, text="\n\n".join([done.text, *(r.text for r in more)]))
        return done

    async def _pressed(
        self, press: Press, answer: RegistrationAnswer
    ) -> tuple[Pending, int] | None:
        """The draft a Confirm/Change press answers, and whose it is.

        The presser's own (any of their drafts); or, for an admin of the chat, one an
        anonymous admin started (the press reveals a person, the message that started it
        did not).
        """
        own = _answered_by(await self._all(press.chat_id, press.user_id), answer)
        if own is not None:
            return own, press.user_id
        anonymous = anonymous_admin_id(press.chat_id)
        if anonymous == press.user_id:
            return None
        theirs = _answered_by(await self._all(press.chat_id, anonymous), answer)
        if theirs is not None and await press.is_admin():
            return theirs, anonymous
        return None

    def _routed(self, fields: dict[str, FieldValue], followed: list[str]) -> tuple[list[str], str]:
        """The Compacts to check a registration against: the chat's, and the Compact of the
        body or place it names when the chat does not follow it (with one line saying so)."""
        named = self.core.knowledge.gazetteer.named(_named_in(fields), followed, keep_followed=True)
        added = {code: m for code, m in named.items() if code not in followed}
        if not added:
            return followed, ""
        registry = self.core.knowledge.registry
        said = " and ".join(dict.fromkeys(m.said for m in added.values()))
        whose = " and ".join(f"the {registry.get(code).short_name}" for code in added)
        also = " as well" if followed else ""
        return [*added, *followed], f"You named {said}: checked against {whose}{also}."

    async def _register(
        self, chat_id: int, user_id: int, pending: Pending, owner: int, *, private: bool
    ) -> list[Reply]:
        """Store the read-back draft of ``owner`` as an item, registered by ``user_id``;
        then say which of the owner's other drafts are still waiting, and go on to the next."""
        form = FORMS[pending.draft.kind]
        fields = pending.draft.fields
        given_as = pending.draft.lengths.get("closes") if form.kind == "consultation" else None
        event = form.event(
            fields,
            today=await self.core.today(chat_id),
            chat_id=chat_id,
            registered_by=user_id,
            **({"closes_as_length": given_as} if given_as else {}),
        )
        title = form.title(fields)
        data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in fields.items()}
        followed = await self.core.compacts_of(chat_id)
        codes, routed = self._routed(fields, followed)
        drafts = await self._all(chat_id, owner)
        index = drafts.find(pending.token) if drafts is not None else None
        left = _without(drafts, index) if drafts is not None and index is not None else None
        # The draft goes in the same unit of work as the item: never one without the other;
        # the owner's other drafts stay, stored in the same unit.
        done = await self.core.register(
            event,
            title,
            data,
            draft_of=owner,
            compacts=codes,
            drafts_left=left.to_json() if left else None,
        )
        if left is None:
            self._drafts.pop((chat_id, owner), None)
        else:
            self._drafts[(chat_id, owner)] = (left, self.core.now())
        head = f"Registered as item #{done.item_id}: {title}" + (f"\n{routed}" if routed else "")
        if not codes:
            result = Reply(
                head + "\nThis chat follows no Compact yet, so I can't check it. "
                "Choose one with /compact CODE."
            )
        else:
            tz = await self.core.timezone(chat_id)
            schedule = format_reminders(done.results, self.core.reminder_hour, tz)
            # What a Compact does not set was said in full when the chat's first open item of
            # this kind was registered: once is enough.
            earlier = [
                i.id
                for i in await self.core.open_items(chat_id)
                if i.kind == event.kind and i.id < done.item_id
            ]
            said = f"quoted in full for #{min(earlier)}" if earlier else None
            result = Reply("\n\n".join([head, format_results(done.results, said), schedule]))
        return [result, *await self._next_waiting(chat_id, owner, left, private)]


def _named_in(fields: dict[str, FieldValue]) -> str:
    """The words of a registration that may name a body or place: who, then what."""
    return " ; ".join(
        str(fields[f]) for f in ("body", "funder", "title") if isinstance(fields.get(f), str)
    )


def _without(drafts: Drafts, index: int) -> Drafts | None:
    """The drafts but the one at ``index`` (the next one current), or None if none is left."""
    items = [p for i, p in enumerate(drafts.items) if i != index]
    if not items:
        return None
    return Drafts(items, index if index < len(items) else 0)


def _notes(draft: Draft) -> dict[str, str]:
    """Where read-back values came from: a close given as a length; a last funded day that
    is the day before the date the message gave ("from 1 April")."""
    notes = {name: f"{said} from opening" for name, said in draft.lengths.items()}
    for name, said in draft.day_before.items():
        notes[name] = f"the day before {said}, the first day it no longer covers"
    return notes


def _answered_by(drafts: Drafts | None, answer: RegistrationAnswer) -> Pending | None:
    """The draft whose read-back ``answer`` was pressed under, if it is still there."""
    if drafts is None:
        return None
    index = drafts.find(answer.token)
    if index is None:
        return None
    pending = drafts.items[index]
    return pending if pending.asking in (None, CHANGING) else None


def _change_prompt(form: Form, reply: bool = False) -> str:
    how = "Reply with" if reply else "Send"
    names = ", ".join(f.label.lower() for f in form.fields if f.required)
    return (
        f"What should change? {how} the field and its new value, e.g. "
        f"'{form.change_example}' ({names}). Or 'stop'."
    )


_COMMAND_LINE = re.compile(
    r"^\s*/(?P<kind>consultation|funding|complaint)(?:@\w+)?(?:\s+|$)", re.IGNORECASE
)


def _split_commands(kind: Kind, args: str) -> list[tuple[Kind, str]]:
    """A command's text split where another line starts a registration command: three
    "/consultation …" lines pasted as one message are three registrations."""
    parts: list[tuple[Kind, list[str]]] = [(kind, [])]
    for line in args.splitlines():
        m = _COMMAND_LINE.match(line)
        if m is None:
            parts[-1][1].append(line)
            continue
        named = m.group("kind").lower()
        assert named in FORMS
        parts.append((named, [line[m.end() :]]))
    found = [(k, "\n".join(lines).strip()) for k, lines in parts]
    # "/consultation" alone, then the registrations on lines of their own.
    return found[1:] if len(found) > 1 and not found[0][1] else found


def _new_token() -> str:
    return secrets.token_hex(4)


def starter(kind: Kind) -> Handler:
    """The handler of /consultation, /funding or /complaint."""

    async def start(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
        return await conv.registrations.begin(msg, kind, args, conv.new_token())

    return start
