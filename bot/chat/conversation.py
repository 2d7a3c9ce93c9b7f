"""The chat commands, independent of Telegram: text in, replies (with buttons) out.

The Telegram bot and the terminal chat both feed messages and button presses
here, so they behave the same.  Replies are data; the front end sends them.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from bot.chat.dateparsing import DateParseError, parse_day, split_when_and_text
from bot.chat.registration_parsing import (
    MAX_LENGTH,
    Draft,
    apply_answer,
    parse_complaint,
    parse_consultation,
    parse_funding,
)
from bot.chat.replies import format_ask, format_reminders, format_results
from bot.core import Core, FollowUpError
from bot.domain.events import AnyEvent, ComplaintRaised, ConsultationLaunched, FundingEnding
from bot.knowledge.ask import BadQuestion
from bot.knowledge.registry import UnknownCompact
from bot.records.report import body_name, item_rows
from bot.records.report_formats import RENDERERS, render_item, render_text

MAX_MESSAGE = 4000
"""Longer messages are refused before any parsing."""

HELP = """I know what your local Compact promises and remind you before deadlines pass.

Anyone:
/ask QUESTION – e.g. /ask how long must a consultation be?
/compacts – the Compacts I know
/compact – the Compacts this chat follows
/list – open items and their next deadlines
/item ID – one item: how each Compact sees it, and its history
/report [YEAR] [BODY] – how the Compact was kept, with CSV and HTML files
/calendar – every open deadline and reminder as a calendar file
Admins and officers:
/compact CODE... – choose this chat's Compacts, e.g. /compact kent-2011 west-kent
/consultation TITLE, opens DATE, closes DATE, by BODY
/funding FUNDER ending GRANT, last funded day DATE [, notice given DATE]
/complaint against the council|VCS: what happened
/notice ID DATE – notice of a funding change was given
/consulted ID DATE – the consultation on a funding change started
/feedback ID [DATE] – feedback on a consultation arrived
/step ID N [DATE] – step N of a complaint's procedure is done
/done ID [resolved|unresolved] · /cancel ID
/remind WHEN TEXT – e.g. /remind in 10 minutes call the council
/officer add (reply to someone) · /officer remove (reply to someone)
/timezone [Area/City] · /forget – erase everything about this chat"""

COMMANDS: list[tuple[str, str]] = [
    ("help", "What I can do"),
    ("ask", "Ask about your Compact"),
    ("compacts", "List the Compacts I know"),
    ("compact", "Show or set this chat's Compacts"),
    ("consultation", "Register a consultation"),
    ("funding", "Register a funding change"),
    ("complaint", "Register a complaint"),
    ("list", "Open items and deadlines"),
    ("item", "One item and its history"),
    ("report", "Yearly compliance report"),
    ("calendar", "Deadlines as a calendar file"),
    ("notice", "Record notice given on a funding change"),
    ("consulted", "Record a funding consultation started"),
    ("feedback", "Record feedback on a consultation"),
    ("step", "Record a complaint step done"),
    ("done", "Close an item"),
    ("cancel", "Cancel an item"),
    ("remind", "Set a reminder"),
    ("officer", "Add or remove an officer"),
    ("timezone", "Show or set the time zone"),
    ("forget", "Erase this chat's data"),
]

_USAGE = {
    "consultation": "/consultation Library review, opens 1 Dec, closes 23 Feb, by Sevenoaks DC",
    "funding": "/funding KCC ending our youth grant, last funded day 30 June 2027",
    "complaint": "/complaint against the council: they cut the consultation to 3 weeks",
}

_QUESTIONS = {
    "title": "What is it called?",
    "body": "Which public body is it (e.g. Sevenoaks DC)?",
    "opens": "When does it open? (e.g. 1 Dec, 01/12/2026, today)",
    "closes": "When does it close? (e.g. 23 Feb, 23/02/2027, in 12 weeks)",
    "funder": "Who is the funder?",
    "ends": "What is the last day funded on the current terms? (e.g. 31 March 2027)",
    "against": "Is the complaint against the public sector or the VCS? (public / vcs)",
    "summary": "What happened, in a sentence?",
}


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply (a report, a calendar)."""

    filename: str
    content: bytes
    caption: str = ""


@dataclass
class Reply:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)
    ask_reply: bool = False
    """In groups the bot only sees replies to it: ask the user to reply to this message."""


@dataclass
class Incoming:
    """A message as the conversation needs it, whatever it came through."""

    chat_id: int
    user_id: int
    user_name: str
    text: str
    private: bool
    is_admin: Callable[[], Awaitable[bool]]
    """Asked only when a command needs it (Telegram: a cached getChatAdministrators)."""
    addressed: bool = True
    """In a group: whether the message is a command, a reply to the bot or mentions it."""
    reply_to_user: tuple[int, str] | None = None
    chat_title: str | None = None
    command: str = ""
    """Set by the dispatcher: the command being handled, without the slash."""


DRAFT_TTL = timedelta(days=1)
"""An unfinished registration untouched this long is abandoned (a later message is then
read as a message, not as the answer to an old question)."""


@dataclass
class _Pending:
    draft: Draft
    asking: str | None = None
    token: str = field(default_factory=lambda: secrets.token_hex(4))

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
    def from_json(cls, state: dict[str, Any]) -> _Pending:
        fields = {
            k: date.fromisoformat(v["date"]) if isinstance(v, dict) else v
            for k, v in state["fields"].items()
        }
        draft = Draft(state["kind"], fields, list(state["missing"]))
        return cls(draft, state["asking"], state["token"])


class Conversation:
    """Handles commands, questions, guided registration and buttons for every chat."""

    def __init__(self, core: Core) -> None:
        self.core = core
        # Registrations being put together, by (chat, user): read from memory, written
        # through to the database so a restart mid-registration loses nothing.
        self._pending: dict[tuple[int, int], tuple[_Pending, datetime]] = {}
        self._drafts_loaded = False
        self._forget_tokens: dict[int, str] = {}
        # Chats (and titles) already stored: spares a database write on every message.
        self._known_chats: dict[int, str | None] = {}

    # ------------------------------------------------------------------ entry points

    async def handle_text(self, msg: Incoming) -> list[Reply]:
        text = msg.text.strip()
        if len(text) > MAX_MESSAGE:
            return [
                Reply(
                    f"That message is {len(text):,} characters long; please keep it "
                    f"under {MAX_MESSAGE:,}. Nothing was changed."
                )
            ]
        if msg.chat_id not in self._known_chats or (
            msg.chat_title is not None and self._known_chats[msg.chat_id] != msg.chat_title
        ):
            await self.core.db.ensure_chat(msg.chat_id, msg.chat_title)
            self._known_chats[msg.chat_id] = msg.chat_title
        if text.startswith("/"):
            command, _, args = text[1:].partition(" ")
            command = command.split("@", 1)[0].lower()
            return await self._command(msg, command, args.strip())
        pending = await self._pending_of(msg.chat_id, msg.user_id)
        if pending is not None and pending.asking is not None:
            return await self._answer_field(msg, pending, text)
        if msg.private or msg.addressed:
            return await self._ask(msg, text)
        return []

    # ------------------------------------------------------------------ drafts

    async def _pending_of(self, chat_id: int, user_id: int) -> _Pending | None:
        if not self._drafts_loaded:
            since = self.core.now() - DRAFT_TTL
            for d in await self.core.db.drafts(since):
                self._pending[(d.chat_id, d.user_id)] = (_Pending.from_json(d.state), d.updated_at)
            self._drafts_loaded = True
        found = self._pending.get((chat_id, user_id))
        if found is None:
            return None
        pending, touched = found
        if touched < self.core.now() - DRAFT_TTL:
            await self._drop_pending(chat_id, user_id)
            return None
        return pending

    async def _save_pending(self, chat_id: int, user_id: int, pending: _Pending) -> None:
        now = self.core.now()
        await self.core.db.save_draft(chat_id, user_id, pending.to_json(), now)
        self._pending[(chat_id, user_id)] = (pending, now)

    async def _drop_pending(self, chat_id: int, user_id: int) -> None:
        if self._pending.pop((chat_id, user_id), None) is not None:
            await self.core.db.delete_draft(chat_id, user_id)

    async def handle_button(
        self, chat_id: int, user_id: int, data: str, is_admin: Callable[[], Awaitable[bool]]
    ) -> Reply:
        """A button press; the reply replaces the pressed message's text."""
        kind, _, rest = data.partition(":")
        if kind == "reg":
            return await self._registration_button(chat_id, user_id, rest, is_admin)
        if kind == "rem":
            return await self._reminder_button(chat_id, user_id, rest)
        if kind == "forget":
            return await self._forget_button(chat_id, user_id, rest, is_admin)
        return Reply("That button is from an old message; nothing was changed.")

    # ------------------------------------------------------------------ commands

    async def _command(self, msg: Incoming, command: str, args: str) -> list[Reply]:
        public: dict[str, Callable[[Incoming, str], Awaitable[list[Reply]]]] = {
            "start": self._help,
            "help": self._help,
            "compacts": self._list_compacts,
            "ask": self._ask_command,
            "list": self._list_items,
            "report": self._report,
            "item": self._item,
            "calendar": self._calendar,
            "timezone": self._timezone,
            "compact": self._compact,
        }
        admin: dict[str, Callable[[Incoming, str], Awaitable[list[Reply]]]] = {
            "consultation": self._register_command,
            "funding": self._register_command,
            "complaint": self._register_command,
            "done": self._close,
            "notice": self._follow_up,
            "consulted": self._follow_up,
            "feedback": self._follow_up,
            "step": self._follow_up,
            "cancel": self._close,
            "remind": self._remind,
            "officer": self._officer,
            "forget": self._forget,
        }
        if command in public:
            if command in ("compact", "timezone") and args and not await self._allowed(msg):
                return [self._refusal(command)]
            msg.command = command
            return await public[command](msg, args)
        if command in admin:
            if not await self._allowed(msg):
                return [self._refusal(command)]
            msg.command = command
            return await admin[command](msg, args)
        return [Reply(f"I don't know /{command}. Try /help.")]

    async def _allowed(self, msg: Incoming) -> bool:
        if msg.private or await msg.is_admin():
            return True
        return any(o.user_id == msg.user_id for o in await self.core.db.officers(msg.chat_id))

    @staticmethod
    def _refusal(command: str) -> Reply:
        return Reply(
            f"Only this group's admins and officers can use /{command}. Nothing was changed."
        )

    async def _help(self, msg: Incoming, args: str) -> list[Reply]:
        return [Reply(HELP)]

    async def _list_compacts(self, msg: Incoming, args: str) -> list[Reply]:
        registry = self.core.knowledge.registry
        lines = ["Compacts I know (use the code with /compact):"]
        for code in registry.codes:
            c = registry.get(code)
            draft = " – consultation draft" if c.is_draft else ""
            lines.append(f"{code}: {c.title}{draft}")
        return [Reply("\n".join(lines))]

    async def _compact(self, msg: Incoming, args: str) -> list[Reply]:
        registry = self.core.knowledge.registry
        if not args:
            codes = await self.core.compacts_of(msg.chat_id)
            if not codes:
                return [
                    Reply(
                        "This chat follows no Compact yet; questions are answered from "
                        "all of them. Set yours with e.g. /compact kent-2011 west-kent"
                    )
                ]
            return [
                Reply(
                    "This chat follows: "
                    + ", ".join(f"{c} ({registry.get(c).short_name})" for c in codes)
                )
            ]
        codes = [c.strip(",").lower() for c in args.split()]
        try:
            chosen = registry.resolve(codes)
        except UnknownCompact as exc:
            return [
                Reply(
                    f"I don't know the Compact '{exc.code}'. Known: "
                    f"{', '.join(exc.known)}. Nothing was changed."
                )
            ]
        unique = list(dict.fromkeys(c.code for c in chosen))
        await self.core.choose_compacts(msg.chat_id, unique, msg.user_id)
        return [
            Reply(
                "This chat now follows: "
                + ", ".join(registry.get(c).short_name for c in unique)
                + "."
            )
        ]

    async def _ask_command(self, msg: Incoming, args: str) -> list[Reply]:
        if not args:
            return [Reply("Ask a question after /ask, e.g. /ask how long must a consultation be?")]
        return await self._ask(msg, args)

    async def _ask(self, msg: Incoming, question: str) -> list[Reply]:
        """Answered from the chat's Compacts, or from all of them when it follows none."""
        codes = await self.core.compacts_of(msg.chat_id)
        return [Reply(self._answer_text(question, codes or None))]

    def _answer_text(self, question: str, codes: list[str] | None) -> str:
        try:
            result = self.core.knowledge.answerer.ask(question, codes)
        except BadQuestion as exc:
            return str(exc)
        return format_ask(result, self.core.knowledge.registry)

    async def _timezone(self, msg: Incoming, args: str) -> list[Reply]:
        if not args:
            tz = await self.core.timezone(msg.chat_id)
            return [
                Reply(
                    f"This chat's time zone is {tz.key}. Change it with e.g. "
                    "/timezone Europe/London"
                )
            ]
        try:
            ZoneInfo(args)
        except (ZoneInfoNotFoundError, ValueError):
            return [
                Reply(
                    f"I don't know the time zone '{args[:50]}'. Use a name like "
                    "Europe/London. Nothing was changed."
                )
            ]
        await self.core.db.set_timezone(msg.chat_id, args)
        return [Reply(f"Time zone set to {args}.")]

    # ------------------------------------------------------------------ registration

    async def _register_command(self, msg: Incoming, args: str) -> list[Reply]:
        kind = msg.command
        draft = self._parse(kind, args, await self.core.today(msg.chat_id))
        if draft.errors and not any(draft.fields.values()):
            return [
                Reply(
                    "\n".join(draft.errors) + f"\nFor example: {_USAGE[kind]}\nNothing was changed."
                )
            ]
        return await self._next_step(msg, _Pending(draft))

    @staticmethod
    def _parse(kind: str, text: str, today: date) -> Draft:
        if kind == "consultation":
            return parse_consultation(text, today)
        if kind == "funding":
            return parse_funding(text, today)
        return parse_complaint(text, today)

    async def _answer_field(self, msg: Incoming, pending: _Pending, text: str) -> list[Reply]:
        assert pending.asking is not None
        if text.lower() in ("stop", "cancel", "quit"):
            await self._drop_pending(msg.chat_id, msg.user_id)
            return [Reply("Registration abandoned. Nothing was stored.")]
        today = await self.core.today(msg.chat_id)
        pending.draft = apply_answer(pending.draft, pending.asking, text, today)
        return await self._next_step(msg, pending)

    async def _next_step(self, msg: Incoming, pending: _Pending) -> list[Reply]:
        """Ask for what is missing, or read the draft back for confirmation; keeps the draft."""
        replies, keep = self._step_replies(msg.chat_id, pending, msg.private)
        if keep:
            await self._save_pending(msg.chat_id, msg.user_id, pending)
        else:
            await self._drop_pending(msg.chat_id, msg.user_id)
        return replies

    def _step_replies(
        self, chat_id: int, pending: _Pending, private: bool
    ) -> tuple[list[Reply], bool]:
        """The replies for the draft's next step, and whether the draft lives on."""
        draft = pending.draft
        replies: list[Reply] = []
        if draft.errors:
            replies.append(Reply("\n".join(draft.errors)))
            draft.errors = []
        if draft.missing:
            pending.asking = draft.missing[0]
            question = _QUESTIONS.get(pending.asking, f"What is the {pending.asking}?")
            replies.append(Reply(question + " (or 'stop')", ask_reply=not private))
            return replies, True
        pending.asking = None
        try:
            self._event(chat_id, 0, draft)
        except ValidationError as exc:
            problem = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
            replies.append(
                Reply(
                    f"That doesn't add up: {problem}. Send the registration again "
                    "with the right dates. Nothing was stored."
                )
            )
            return replies, False
        replies.append(
            Reply(
                "Is this right?\n" + _readback(draft),
                [
                    [
                        Button("Confirm", f"reg:confirm:{pending.token}"),
                        Button("Change", f"reg:change:{pending.token}"),
                    ]
                ],
            )
        )
        return replies, True

    @staticmethod
    def _event(chat_id: int, user_id: int, draft: Draft) -> AnyEvent:
        f = draft.fields
        if draft.kind == "consultation":
            return ConsultationLaunched(
                chat_id=chat_id,
                registered_by=user_id,
                title=str(f["title"]),
                body=_str(f.get("body")),
                opens=f["opens"],
                closes=f["closes"],
            )
        if draft.kind == "funding":
            return FundingEnding(
                chat_id=chat_id,
                registered_by=user_id,
                title=str(f.get("title") or "Funding"),
                funder=_str(f.get("funder")),
                last_funded_day=f["ends"],
                notice_given_on=f.get("notice"),
                consultation_started_on=f.get("consultation_start"),
            )
        return ComplaintRaised(
            chat_id=chat_id,
            registered_by=user_id,
            against=f["against"],
            body=_str(f.get("body")),
            summary=str(f.get("summary") or "Complaint")[:500],
            raised_on=date.today(),
        )

    async def _registration_button(
        self, chat_id: int, user_id: int, rest: str, is_admin: Callable[[], Awaitable[bool]]
    ) -> Reply:
        action, _, token = rest.partition(":")
        pending = await self._pending_of(chat_id, user_id)
        if pending is None or pending.token != token or pending.asking is not None:
            return Reply(
                "That button is from an old message (or someone else's registration); "
                "nothing was changed."
            )
        await self._drop_pending(chat_id, user_id)
        kind = pending.draft.kind
        if action == "change":
            return Reply(
                f"OK, nothing stored. Send it again with the changes, e.g.\n{_USAGE[kind]}"
            )
        event = self._event(chat_id, user_id, pending.draft)
        if isinstance(event, ComplaintRaised):
            event = event.model_copy(update={"raised_on": await self.core.today(chat_id)})
        title = str(
            pending.draft.fields.get("title") or pending.draft.fields.get("summary") or kind
        )[:200]
        data = {
            k: (v.isoformat() if isinstance(v, date) else v)
            for k, v in pending.draft.fields.items()
        }
        done = await self.core.register(event, title, data)
        codes = await self.core.compacts_of(chat_id)
        head = f"Registered as item #{done.item_id}: {title}"
        if not codes:
            return Reply(
                head + "\nThis chat follows no Compact yet, so I can't check it. "
                "Choose one with /compact CODE."
            )
        tz = await self.core.timezone(chat_id)
        return Reply(
            "\n\n".join(
                [
                    head,
                    format_results(done.results),
                    format_reminders(done.results, f" ({self.core.reminder_hour:02d}:00 {tz.key})"),
                ]
            )
        )

    # ------------------------------------------------------------------ items

    async def _list_items(self, msg: Incoming, args: str) -> list[Reply]:
        items = await self.core.db.open_items(msg.chat_id)
        if not items:
            return [
                Reply("No open items. Register one with /consultation, /funding or /complaint.")
            ]
        pending = await self.core.db.pending_reminders(msg.chat_id)
        tz = await self.core.timezone(msg.chat_id)
        next_due: dict[int, Any] = {}
        for r in pending:
            if r.item_id is not None and r.item_id not in next_due:
                next_due[r.item_id] = r.due_at.astimezone(tz)
        lines = ["Open items:"]
        for item in items:
            due = next_due.get(item.id)
            when = f" – next reminder {due:%a %d %b %Y %H:%M}" if due else ""
            lines.append(f"#{item.id} {item.kind}: {item.title}{when}")
        return [Reply("\n".join(lines))]

    async def _close(self, msg: Incoming, args: str) -> list[Reply]:
        command = msg.command
        parts = args.split()
        if not parts or not parts[0].lstrip("#").isdigit():
            return [Reply(f"Say which item, e.g. /{command} 3 (see /list).")]
        item_id = int(parts[0].lstrip("#"))
        said = parts[1].lower() if len(parts) > 1 else None
        outcomes: dict[str | None, Literal["resolved", "unresolved"] | None] = {
            None: None,
            "resolved": "resolved",
            "unresolved": "unresolved",
        }
        if said not in outcomes:
            return [
                Reply(
                    f"/{command} ID takes 'resolved' or 'unresolved' after the id, "
                    "if anything. Nothing was changed."
                )
            ]
        outcome = outcomes[said]
        status: Literal["done", "cancelled"] = "done" if command == "done" else "cancelled"
        if not await self.core.close_item(msg.chat_id, item_id, status, msg.user_id, outcome):
            return [Reply(f"There is no open item #{item_id} in this chat. Nothing was changed.")]
        return [Reply(f"Item #{item_id} is {status}; its reminders are cancelled.")]

    async def _follow_up(self, msg: Incoming, args: str) -> list[Reply]:
        """/notice ID DATE, /feedback ID [DATE], /step ID N [DATE]: something owed happened."""
        command = msg.command
        usage = _FOLLOW_UP_USAGE[command]
        words = args.split()
        if not words or not words[0].lstrip("#").isdigit():
            return [Reply(f"Say which item, e.g. {usage} (see /list). Nothing was changed.")]
        item_id = int(words.pop(0).lstrip("#"))
        step = 0
        if command == "step":
            if not words or not words[0].isdigit() or int(words[0]) < 1:
                return [Reply(f"Say which step was done, e.g. {usage}. Nothing was changed.")]
            step = int(words.pop(0))
        if not words and command in ("notice", "consulted"):
            return [Reply(f"Say on which day, e.g. {usage}. Nothing was changed.")]
        today = await self.core.today(msg.chat_id)
        try:
            on = parse_day(" ".join(words), today) if words else today
            if command == "notice":
                done = await self.core.record_notice(msg.chat_id, item_id, on, msg.user_id)
            elif command == "consulted":
                done = await self.core.record_consultation_start(
                    msg.chat_id, item_id, on, msg.user_id
                )
            elif command == "feedback":
                done = await self.core.record_feedback(msg.chat_id, item_id, on, msg.user_id)
            else:
                done = await self.core.record_step(msg.chat_id, item_id, step, on, msg.user_id)
        except (DateParseError, FollowUpError) as exc:
            return [Reply(f"{str(exc).rstrip('.')}. Nothing was changed.")]
        when = f"{on.day} {on:%B %Y}"
        if command == "feedback":
            closes = done.record.closes
            after = f", {(on - closes).days} days after it closed" if closes else ""
            text = f"Recorded: feedback on consultation #{item_id} arrived on {when}{after}."
            if done.closed:
                text += f" Item #{item_id} is done; its reminders are cancelled."
            return [Reply(text)]
        if command == "notice":
            head = f"Recorded: notice on item #{item_id} was given on {when}."
        elif command == "consulted":
            head = f"Recorded: the consultation on item #{item_id} started on {when}."
        else:
            head = f"Recorded: step {step} of complaint #{item_id} was done on {when}."
        parts = [head, format_results(done.results)]
        if done.reminders_planned:
            tz = await self.core.timezone(msg.chat_id)
            parts.append(
                format_reminders(done.results, f" ({self.core.reminder_hour:02d}:00 {tz.key})")
            )
        return [Reply("\n\n".join(parts))]

    async def _item(self, msg: Incoming, args: str) -> list[Reply]:
        raw = args.split()[0].lstrip("#") if args else ""
        if not raw.isdigit():
            return [Reply("Say which item, e.g. /item 3 (numbers are in /list and /report).")]
        try:
            record, events = await self.core.item_history(msg.chat_id, int(raw))
        except FollowUpError as exc:
            return [Reply(f"{exc}.")]
        tz = await self.core.timezone(msg.chat_id)
        rows = item_rows(record, body_name(record), self.core.now().astimezone(tz).date())
        names = self.core.knowledge.registry.display_name
        return [Reply(render_item(record, rows, events, tz, names))]

    async def _report(self, msg: Incoming, args: str) -> list[Reply]:
        year: int | None = None
        body = args
        first, _, rest = args.partition(" ")
        if first.isdigit():
            year = int(first)
            body = rest
            if not 1990 <= year <= 2200:
                return [Reply(f"{year} is not a year I can report on. Try e.g. /report 2026.")]
        body_filter = body.strip()[:100] or None
        report = await self.core.report(msg.chat_id, year, body_filter)
        names = self.core.knowledge.registry.display_name
        text = render_text(report, names)
        if not report.rows:
            if year is None:
                # Early in a year the new one is empty; the group most likely wants the last.
                last = await self.core.report(msg.chat_id, report.year - 1, body_filter)
                if last.rows:
                    text += f"\nFor last year's report: /report {last.year}"
            return [Reply(text)]
        stem = f"compact-report-{report.year}"
        files = [
            Attachment(
                f"{stem}.{fmt}",
                RENDERERS[fmt](report, names).encode("utf-8"),
                caption,
            )
            for fmt, caption in (
                ("csv", "Every item, one row per Compact (for a spreadsheet)"),
                ("html", "The report with charts (open in a browser)"),
            )
        ]
        return [Reply(text, files=files)]

    async def _calendar(self, msg: Incoming, args: str) -> list[Reply]:
        cal = await self.core.calendar(msg.chat_id)
        if not cal.deadlines and not cal.reminders:
            return [
                Reply(
                    "No open deadlines or reminders to put in a calendar. Register a "
                    "consultation, funding change or complaint first."
                )
            ]
        tz = await self.core.timezone(msg.chat_id)
        text = (
            f"{cal.deadlines} deadline(s) and {cal.reminders} reminder(s), times in {tz.key}. "
            "Open the file to add them to Outlook, Google, Apple or any calendar; importing "
            "a newer file updates the same events."
        )
        return [Reply(text, files=[Attachment("compact-deadlines.ics", cal.ics)])]

    async def _remind(self, msg: Incoming, args: str) -> list[Reply]:
        if not args:
            return [Reply("Say when and what, e.g. /remind in 10 minutes call the council")]
        tz = await self.core.timezone(msg.chat_id)
        try:
            when, text = split_when_and_text(args, self.core.now(), tz)
        except DateParseError as exc:
            return [
                Reply(
                    f"{exc}\nFor example: /remind tomorrow send our response. Nothing was changed."
                )
            ]
        item_id = await self.core.add_adhoc_reminder(msg.chat_id, msg.user_id, when, text)
        local = when.astimezone(tz)
        return [
            Reply(
                f"I'll remind this chat on {local:%a %d %b %Y at %H:%M} ({tz.key}): "
                f"{text} (item #{item_id})"
            )
        ]

    async def _officer(self, msg: Incoming, args: str) -> list[Reply]:
        action = args.split()[0].lower() if args else ""
        if action not in ("add", "remove", "list"):
            return [
                Reply(
                    "Use /officer add or /officer remove as a reply to the person's "
                    "message, or /officer list."
                )
            ]
        if action == "list":
            officers = await self.core.db.officers(msg.chat_id)
            names = ", ".join(o.name for o in officers) or "none yet"
            return [Reply(f"Officers: {names}")]
        if msg.reply_to_user is None:
            return [Reply(f"Reply to a message of the person with /officer {action}.")]
        user_id, name = msg.reply_to_user
        if action == "add":
            await self.core.db.add_officer(msg.chat_id, user_id, name)
            return [Reply(f"{name} is now an officer: they can register and close items.")]
        removed = await self.core.db.remove_officer(msg.chat_id, user_id)
        return [
            Reply(
                f"{name} is no longer an officer."
                if removed
                else f"{name} was not an officer. Nothing was changed."
            )
        ]

    async def _forget(self, msg: Incoming, args: str) -> list[Reply]:
        token = secrets.token_hex(4)
        self._forget_tokens[msg.chat_id] = token
        return [
            Reply(
                "Erase everything I hold about this chat – its Compacts, items, "
                "reminders and history? This cannot be undone.",
                [
                    [
                        Button("Erase everything", f"forget:yes:{token}"),
                        Button("Keep it", f"forget:no:{token}"),
                    ]
                ],
            )
        ]

    async def _forget_button(
        self, chat_id: int, user_id: int, rest: str, is_admin: Callable[[], Awaitable[bool]]
    ) -> Reply:
        action, _, token = rest.partition(":")
        if self._forget_tokens.get(chat_id) != token:
            return Reply("That button is from an old message; nothing was changed.")
        officers = {o.user_id for o in await self.core.db.officers(chat_id)}
        if not (await is_admin() or user_id in officers):
            return Reply(
                "Only this group's admins and officers can erase its data. Nothing was changed."
            )
        del self._forget_tokens[chat_id]
        if action != "yes":
            return Reply("Kept. Nothing was erased.")
        await self.core.db.forget_chat(chat_id)
        self._known_chats.pop(chat_id, None)
        # The database rows went with forget_chat; the in-memory copies go too.
        self._pending = {k: v for k, v in self._pending.items() if k[0] != chat_id}
        return Reply("Done: everything about this chat has been erased.")

    async def _reminder_button(self, chat_id: int, user_id: int, rest: str) -> Reply:
        action, _, raw_id = rest.partition(":")
        if not raw_id.isdigit():
            return Reply("That button is from an old message; nothing was changed.")
        reminder = await self.core.db.reminder(chat_id, int(raw_id))
        if reminder is None:
            return Reply("That reminder no longer exists; nothing was changed.")
        if action == "snooze":
            until = self.core.now() + timedelta(days=1)
            await self.core.db.snooze(chat_id, reminder.id, until)
            if self.core.scheduler is not None:
                self.core.scheduler.poke()
            tz = await self.core.timezone(chat_id)
            return Reply(f"{reminder.text}\n\nSnoozed until {until.astimezone(tz):%a %d %b %H:%M}.")
        if action == "stop":
            n = await self.core.db.stop_reminder(chat_id, reminder.id)
            return Reply(f"{reminder.text}\n\nStopped {n} pending reminder(s) for this item.")
        if action == "done":
            if reminder.item_id is not None:
                await self.core.close_item(chat_id, reminder.item_id, "done", user_id)
            return Reply(f"{reminder.text}\n\nMarked done.")
        return Reply("That button is from an old message; nothing was changed.")


_FOLLOW_UP_USAGE = {
    "notice": "/notice 4 1 March 2027",
    "consulted": "/consulted 4 1 December 2026",
    "feedback": "/feedback 2 10 March",
    "step": "/step 7 1 today",
}


def _str(value: object) -> str | None:
    return None if value is None else str(value)[:500]


def _readback(draft: Draft) -> str:
    labels = {
        "title": "Title",
        "body": "Public body",
        "opens": "Opens",
        "closes": "Closes",
        "funder": "Funder",
        "ends": "Last funded day",
        "notice": "Notice given",
        "consultation_start": "Consultation started",
        "against": "Against",
        "summary": "Summary",
    }
    lines = []
    for key, value in draft.fields.items():
        if value is None:
            continue
        if isinstance(value, date):
            value = f"{value:%a} {value.day} {value:%B %Y}"
        if key == "against":
            value = "the public sector" if value == "public" else "the VCS"
        lines.append(f"{labels.get(key, key)}: {value}")
    return "\n".join(lines)


__all__ = ["COMMANDS", "MAX_LENGTH", "Attachment", "Button", "Conversation", "Incoming", "Reply"]
