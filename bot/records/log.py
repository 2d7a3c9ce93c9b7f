"""The compliance log's entries: one typed model per kind, read and written only here.

A chat's log is append-only: every registration, follow-up and change of state is an
entry, and an item's record (``bot.records.compliance``) is rebuilt by replaying them.
Entries keep what was said at the time (each Compact's verdict, with its clauses as
quoted then), so a later correction of a Compact file never rewrites history.

Citations (a clause quoted verbatim, with its Compact, commitment and section) are stored
once, by content hash (``clause_ref``): an entry's JSON holds ``{"clause": ref}`` where a
citation would be, and ``encode``/``decode`` swap them.  A consultation checked under five
Compacts no longer repeats five clauses in every entry about it, and the same clause
quoted by a thousand entries is stored once.

Entries written before this module existed (kinds such as ``registered:consultation``,
``update:notice``) are read through ``_upgrade_legacy``; nothing in the database is
rewritten.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from bot.domain.date_window import STORED
from bot.domain.events import ComplaintRaised, ConsultationLaunched, FundingEnding
from bot.domain.verdicts import CheckResult, Citation

RegisteredEvent = Annotated[
    ConsultationLaunched | FundingEnding | ComplaintRaised, Field(discriminator="kind")
]
"""What an item is: the event that registered it."""

ItemKind = Literal["consultation", "funding", "complaint"]
ITEM_KINDS: tuple[ItemKind, ...] = ("consultation", "funding", "complaint")
"""Items a Compact speaks to (ad-hoc reminders are items too, but not evidence)."""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemRegistered(_Entry):
    """A consultation, funding change or complaint was registered and checked."""

    kind: Literal["item_registered"] = "item_registered"
    event: RegisteredEvent
    results: list[CheckResult]
    reminders: int = 0
    """How many reminders were planned with it."""
    compacts: list[str] = Field(default_factory=list)
    """The Compacts the chat followed when it was registered: its re-checks use these."""


class ReminderSet(_Entry):
    """A one-off reminder (``/remind``) was set."""

    kind: Literal["reminder_set"] = "reminder_set"
    when: datetime
    text: str


class CompactsChosen(_Entry):
    """The chat chose the Compacts it follows."""

    kind: Literal["compacts_chosen"] = "compacts_chosen"
    compacts: list[str]


class NoticeGiven(_Entry):
    """Notice of a funding change was given; the item was re-checked."""

    kind: Literal["notice_given"] = "notice_given"
    given_on: date
    results: list[CheckResult]


class ConsultationStarted(_Entry):
    """The consultation on a funding change started; the item was re-checked."""

    kind: Literal["consultation_started"] = "consultation_started"
    started_on: date
    results: list[CheckResult]


class FeedbackReceived(_Entry):
    """Feedback on a consultation arrived."""

    kind: Literal["feedback_received"] = "feedback_received"
    received_on: date


class StepCompleted(_Entry):
    """A step of a complaint's procedure was done; the item was re-checked."""

    kind: Literal["step_completed"] = "step_completed"
    step: int
    completed_on: date
    results: list[CheckResult]


class ItemChanged(_Entry):
    """A registered item changed after the fact (a consultation extended, a grant's end
    moved): the item as it now stands, re-checked; what it was is in the entries before."""

    kind: Literal["item_changed"] = "item_changed"
    field: str
    before: str | None
    after: str | None
    event: RegisteredEvent
    results: list[CheckResult]


class ItemReopened(_Entry):
    """A closed item was opened again (closed by mistake)."""

    kind: Literal["item_reopened"] = "item_reopened"


class ChatMoved(_Entry):
    """The group became a supergroup: its history carried on under the new chat id."""

    kind: Literal["chat_moved"] = "chat_moved"
    old_chat_id: int


class ItemClosed(_Entry):
    """An item was closed: done (with an outcome, for a complaint) or cancelled."""

    kind: Literal["item_closed"] = "item_closed"
    status: Literal["done", "cancelled"]
    outcome: Literal["resolved", "unresolved"] | None = None


class LetterDrafted(_Entry):
    """A letter about an item was drafted for the group to send (``/letter``): to whom,
    under which Compacts, citing which clauses.  The text itself is not kept; its digest
    tells whether a letter in hand is the one drafted."""

    kind: Literal["letter_drafted"] = "letter_drafted"
    recipient: str
    compacts: list[str]
    citations: list[Citation]
    step: int | None = None
    """For a complaint: the step of its procedure the letter is for."""
    digest: str
    """SHA-256 of the letter's text, as sent to the chat."""


LogEntry = Annotated[
    ItemRegistered
    | ReminderSet
    | CompactsChosen
    | NoticeGiven
    | ConsultationStarted
    | FeedbackReceived
    | StepCompleted
    | ItemClosed
    | ItemChanged
    | ItemReopened
    | ChatMoved
    | LetterDrafted,
    Field(discriminator="kind"),
]
"""Every kind of log entry."""

_ENTRY: TypeAdapter[LogEntry] = TypeAdapter(LogEntry)
_KINDS = frozenset(
    model.model_fields["kind"].default
    for model in (
        ItemRegistered,
        ReminderSet,
        CompactsChosen,
        NoticeGiven,
        ConsultationStarted,
        FeedbackReceived,
        StepCompleted,
        ItemClosed,
        ItemChanged,
        ItemReopened,
        ChatMoved,
        LetterDrafted,
    )
)


@dataclass(frozen=True, slots=True)
class Logged:
    """An entry as it stands in a chat's log: where, who and when, and what."""

    id: int
    chat_id: int
    item_id: int | None
    actor: int | None
    at: datetime
    entry: LogEntry


# ---------------------------------------------------------------- storage form


def clause_ref(citation_json: str) -> str:
    """A citation's content address: the same citation always gets the same reference."""
    return hashlib.sha256(citation_json.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class Encoded:
    """An entry ready to store: its kind, its JSON data, and the citations it refers to
    (reference -> the citation as JSON)."""

    kind: str
    payload: dict[str, Any]
    clauses: dict[str, str]


def encode(entry: LogEntry) -> Encoded:
    clauses: dict[str, str] = {}

    def swap(node: Any) -> Any:
        if isinstance(node, dict):
            if isinstance(node.get("quote"), str):  # a citation
                text = json.dumps(node, ensure_ascii=False, sort_keys=True)
                ref = clause_ref(text)
                clauses[ref] = text
                return {"clause": ref}
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    raw = entry.model_dump(mode="json", exclude={"kind"})
    results: list[CheckResult] | None = getattr(entry, "results", None)
    if results is not None:
        # A check's fields left at their defaults are not stored (decode fills them back in):
        # a result carries many that are empty (no lapses, no steps, no finding in a no-rule).
        raw["results"] = [r.model_dump(mode="json", exclude_defaults=True) for r in results]
    data = swap(raw)
    return Encoded(entry.kind, data, clauses)


def clause_refs(payload: dict[str, Any]) -> set[str]:
    """The clause references an encoded payload holds (to fetch their texts in one query)."""
    refs: set[str] = set()
    stack: list[Any] = [payload]
    while stack:  # a walk that only ever visits dicts and lists (a payload has thousands)
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("clause")
            if isinstance(ref, str):
                refs.add(ref)
            node = node.values()
        for v in node:
            if isinstance(v, dict | list):
                stack.append(v)
    return refs


class UnknownClause(KeyError):
    """A clause reference ``decode`` was not given the citation of."""


def citation(text: str) -> Citation:
    """A stored citation (``Encoded.clauses``' JSON) read: once per reference, as the core
    keeps them (a reference always means the same text, and a Citation is immutable)."""
    return Citation.model_validate_json(text)


def decode(kind: str, payload: dict[str, Any], clauses: Mapping[str, Citation]) -> LogEntry:
    """An entry from its stored form, its clause references replaced by the citations
    ``clauses`` reads them as (``citation``: shared, so validated once, not once per entry
    quoting them); raises UnknownClause for a reference ``clauses`` lacks, ValueError for a
    kind nobody wrote."""

    def unswap(node: dict[str, Any] | list[Any]) -> Any:
        if isinstance(node, dict):
            ref = node.get("clause")
            if isinstance(ref, str) and len(node) == 1:
                found = clauses.get(ref)
                if found is None:
                    raise UnknownClause(ref)
                return found
            return {k: unswap(v) if isinstance(v, dict | list) else v for k, v in node.items()}
        return [unswap(v) if isinstance(v, dict | list) else v for v in node]

    data = unswap(payload)
    if ":" in kind or kind == "compacts":
        kind, data = _upgrade_legacy(kind, data)
    return _ENTRY.validate_python({**data, "kind": kind}, context={STORED: True})


def _results(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Before, a result carried no Compact name and each step repeated its clause as text.
    return [
        {
            **r,
            "compact_name": r.get("compact_name", r["compact"]),
            "steps": [{k: v for k, v in s.items() if k != "text"} for s in r.get("steps", [])],
        }
        for r in raw
    ]


def entry_kind(kind: str) -> str:
    """The kind an entry stored as ``kind`` is read as (an entry of the first format: the
    kind ``_upgrade_legacy`` makes it), without reading the entry; raises ValueError for a
    kind nobody wrote."""
    if ":" not in kind and kind != "compacts":
        if kind not in _KINDS:
            raise ValueError(f"unknown log entry kind {kind!r}")
        return kind
    prefix, _, rest = kind.partition(":")
    if prefix == "registered":
        return "reminder_set" if rest == "reminder" else "item_registered"
    if prefix == "status":
        return "item_closed"
    if kind == "compacts":
        return "compacts_chosen"
    if kind in _LEGACY_UPDATES:
        return _LEGACY_UPDATES[kind]
    raise ValueError(f"unknown log entry kind {kind!r}")


_LEGACY_UPDATES = {
    "update:notice": "notice_given",
    "update:consultation_start": "consultation_started",
    "update:feedback": "feedback_received",
    "update:step": "step_completed",
}


def _upgrade_legacy(kind: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Entries of the first log format, as the entries above."""
    prefix, _, rest = kind.partition(":")
    if prefix == "registered" and rest == "reminder":
        return "reminder_set", data
    if prefix == "registered":
        return "item_registered", {**data, "results": _results(data.get("results", []))}
    if prefix == "status":
        return "item_closed", {"status": rest, "outcome": data.get("outcome")}
    if kind == "compacts":
        return "compacts_chosen", data
    if kind in _LEGACY_UPDATES:
        if "results" in data:
            data = {**data, "results": _results(data["results"])}
        return _LEGACY_UPDATES[kind], data
    raise ValueError(f"unknown log entry kind {kind!r}")
