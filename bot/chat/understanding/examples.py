"""The labelled examples (``intents.yaml``), read into models: intents with their examples,
lookup tables and synonyms, in the shape of Rasa's NLU training data."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from compacts.models import Compact

Context = Literal["none", "suggestion", "readback"]
Label = Literal[
    "greeting",
    "thanks",
    "yes",
    "no",
    "stop",
    "question",
    "register",
    "remind",
    "letter",
    "calendar",
    "report",
    "list",
    "change",
    "correction",
    "choose_compact",
]
Kind = Literal["consultation", "funding", "complaint"]

LABELS: tuple[Label, ...] = Label.__args__  # type: ignore[attr-defined]
CONTEXTS: tuple[Context, ...] = Context.__args__  # type: ignore[attr-defined]

ALLOWED: dict[Context, frozenset[Label]] = {
    # Yes and no answer something; a correction answers a read-back; a change is to an
    # item already stored, so not while one is being read back.
    "none": frozenset(LABELS) - {"yes", "no", "correction"},
    "suggestion": frozenset(LABELS) - {"correction", "change"},
    "readback": frozenset(LABELS) - {"change", "choose_compact"},
}
"""What a message can mean in each context."""


def _load(text: str) -> Any:
    # libyaml's safe loader where PyYAML was built with it: the examples are read at the
    # first plain message, and the pure-Python one takes seconds on a loaded machine.
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _lines(block: str) -> list[str]:
    return [line.strip()[2:].strip() for line in block.splitlines() if line.strip()[:2] == "- "]


class Example(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    intent: Label
    kind: Kind | None = None
    context: Context | None = None
    """Where it was said; None: anywhere its intent may be."""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    intent: Label | None = None
    kind: Kind | None = None
    context: Context | None = None
    lookup: str | None = None
    synonym: str | None = None
    examples: str

    @model_validator(mode="after")
    def _one_key(self) -> _Entry:
        keys = [k for k in (self.intent, self.lookup, self.synonym) if k is not None]
        if len(keys) != 1:
            raise ValueError("an entry is one of intent, lookup or synonym")
        if (self.intent == "register") != (self.kind is not None):
            raise ValueError("a register entry, and only one, says its kind")
        return self


class TrainingData(BaseModel):
    """Examples, lookup tables (name → phrases) and synonyms (word → the word it means)."""

    model_config = ConfigDict(frozen=True)

    examples: tuple[Example, ...]
    lookups: dict[str, tuple[str, ...]]
    synonyms: dict[str, str]


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    nlu: list[_Entry]


def parse(text: str) -> TrainingData:
    raw = _File.model_validate(_load(text))
    examples: list[Example] = []
    lookups: dict[str, tuple[str, ...]] = {}
    synonyms: dict[str, str] = {}
    for entry in raw.nlu:
        said = _lines(entry.examples)
        if entry.intent is not None:
            examples += [
                Example(text=t, intent=entry.intent, kind=entry.kind, context=entry.context)
                for t in said
            ]
        elif entry.lookup is not None:
            lookups[entry.lookup] = (*lookups.get(entry.lookup, ()), *(t.lower() for t in said))
        elif entry.synonym is not None:
            synonyms.update({t.lower(): entry.synonym for t in said})
    return TrainingData(examples=tuple(examples), lookups=lookups, synonyms=synonyms)


class _Labelled(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    context: Context
    intent: Label
    kind: Kind | None = None


def parse_labelled(text: str) -> tuple[Example, ...]:
    """Labelled messages in the intent sets' format (a list of text, context, intent and
    a register's kind)."""
    raw = [_Labelled.model_validate(r) for r in _load(text)]
    return tuple(Example(text=r.text, intent=r.intent, kind=r.kind, context=r.context) for r in raw)


def with_names(data: TrainingData, compacts: Iterable[Compact]) -> TrainingData:
    """``data`` with every body and place the Compacts name added to the ``body`` and
    ``place`` lookup tables (names that are everyday words but in capitals left out), so a
    message naming any of them reads as naming a body or a place."""
    said: dict[str, list[str]] = {"body": [], "place": []}
    for compact in compacts:
        for table, named in (("body", compact.bodies), ("place", compact.places)):
            for one in named:
                said[table] += [n.lower() for n in (one.name, *one.also) if n not in one.cased]
    lookups = dict(data.lookups)
    for table, names in said.items():
        lookups[table] = tuple(dict.fromkeys((*lookups.get(table, ()), *names)))
    return data.model_copy(update={"lookups": lookups})


@cache
def training_data() -> TrainingData:
    """The examples shipped with the bot: the hand-written ones and the labelled messages
    of spent evaluation sets."""
    here = files("bot.chat.understanding")
    written = parse(here.joinpath("intents.yaml").read_text("utf-8"))
    labelled = parse_labelled(here.joinpath("labelled.yaml").read_text("utf-8"))
    return written.model_copy(update={"examples": (*written.examples, *labelled)})
