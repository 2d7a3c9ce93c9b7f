"""Scoring how registrations are read back, on a folder of cases (``tests/registrations/*/``).

Each case (format: ``tests/registrations/blind/README.md``) is sent as a user would send it,
to a real ``Conversation`` over a real core and SQLite file, in a private chat of its own
that follows ``follows``, with a ``ManualClock`` at noon (London) on ``today``:

- a message that starts with a command (``/consultation …``, on one line or with the fields
  on the lines after it) goes through ``Conversation.handle_text``, as typed;
- a message in plain words is read by the registration reader with the case's ``kind``
  (``Registrations.begin``): what pressing "register this" under a plain-words message
  does, so the reading is scored whatever the intent classifier makes of the message.

Then the read-back (or, if the bot still asks for something, the draft so far) is compared
with ``expect``:

- dates exactly; ``body``/``funder`` equal to ``body``/``body_full`` (``funder_full``) case-
  and space-insensitively, or naming the same body (``canonical_body``, where the bot has
  one); ``title_words``/``summary_words`` all in the title/summary; ``against`` exactly;
- a field absent from ``expect`` is one the message does not give: a date or body/funder the
  bot fills in anyway is a miss (invented);
- a field the message gives must not be asked for ("asked again": counted on its own too);
- ``refuse: true``: no read-back offered, nothing stored, and the reply says why (no
  question about a missing field instead).

Run it (totals only; ``--cases`` lists every miss, for a dev folder only):

    .venv/bin/python tests/registration_scoring.py tests/registrations/blind
    .venv/bin/python tests/registration_scoring.py tests/registrations/dev --cases
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.chat import buttons  # noqa: E402
from bot.chat.conversation import Conversation  # noqa: E402
from bot.chat.messages import Incoming, Reply  # noqa: E402
from bot.chat.throttle import Throttle  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.knowledge.knowledge import Knowledge  # noqa: E402
from storage.repository import Database  # noqa: E402

REGISTRATIONS = Path(__file__).parent / "registrations"
BLIND = REGISTRATIONS / "blind"
DEV = REGISTRATIONS / "dev"
KINDS = ("consultation", "funding", "complaint")
DATE_FIELDS = ("opens", "closes", "ends", "notice", "consultation_start")
NAME_FIELDS = ("body", "funder")
LONDON = ZoneInfo("Europe/London")


@dataclass
class Scored:
    id: str
    kind: str
    ok: bool
    asked_again: bool
    """A field the message gave was asked for."""
    gave_field: bool
    """The case expects at least one field (every case but a refusal)."""
    why: list[str] = field(default_factory=list)
    read: dict[str, Any] = field(default_factory=dict)


def load(folder: Path) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for kind in KINDS:
        path = folder / f"{kind}.yaml"
        if path.exists():
            cases.extend(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    return cases


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w&\s]", " ", text.lower().replace("’", "'")).split())


def _bare(name: str) -> str:
    plain = _plain(name)
    return plain.removeprefix("the ")


def _same_body(
    read: str, wanted: Iterable[str], canonical: Callable[[str], str | None] | None = None
) -> bool:
    """Whether the body read is the one wanted: the same words as written or in full (case,
    spacing and a leading "the" aside), or the same body by the bot's own one name for it."""
    names = [w for w in wanted if w]
    if _bare(read) in {_bare(w) for w in names}:
        return True
    if canonical is None:
        return False
    mine = canonical(read)
    return mine is not None and any(_bare(canonical(w) or w) == _bare(mine) for w in names)


def _canonical(knowledge: Knowledge, follows: list[str]) -> Callable[[str], str | None] | None:
    """The bot's one name for a body it knows (``Knowledge.gazetteer``, where it has one);
    None for a name it does not know."""
    gazetteer = getattr(knowledge, "gazetteer", None)
    whole = getattr(gazetteer, "whole_body", None)
    if whole is None:
        return None

    def one_name(name: str) -> str | None:
        found = whole(name, follows)
        return str(found.name) if found is not None else None

    return one_name


def _has_words(text: Any, words: list[str]) -> bool:
    plain = _plain(str(text or ""))
    return all(_plain(w) in plain for w in words)


def judge(
    case: dict[str, Any],
    read: dict[str, Any],
    asked: list[str],
    refused: bool,
    readback: bool,
    canonical: Callable[[str], str | None] | None = None,
) -> Scored:
    """Whether the bot read ``case`` right: ``read`` its fields, ``asked`` the fields it
    asks for (now or in turn), ``refused`` it said the message did not add up."""
    expect: dict[str, Any] = case.get("expect") or {}
    kind = case["kind"]
    why: list[str] = []
    given = {k for k in expect if not k.endswith("_full")}
    given = {
        "title" if k == "title_words" else "summary" if k == "summary_words" else k for k in given
    }
    asked_again = bool(given & set(asked))
    if case.get("refuse"):
        if not refused:
            why.append("not refused")
        return Scored(case["id"], kind, not why, asked_again, bool(given), why, read)
    if refused:
        why.append("refused")
    for name in DATE_FIELDS:
        want = expect.get(name)
        got = read.get(name)
        if want is None and got is not None:
            why.append(f"{name} invented: {got}")
        elif want is not None and got != want:
            why.append(f"{name} {got} (want {want})")
    for name in NAME_FIELDS:
        want = expect.get(name)
        got = read.get(name)
        if want is None:
            if got and not (kind == "complaint" and name == "body"):
                why.append(f"{name} invented: {got}")
            continue
        wanted = [want, expect.get(f"{name}_full", "")]
        if not got or not _same_body(str(got), wanted, canonical):
            why.append(f"{name} {got!r} (want {want!r})")
    for words, name in (("title_words", "title"), ("summary_words", "summary")):
        if words in expect and not _has_words(read.get(name), expect[words]):
            why.append(f"{name} {read.get(name)!r} (want {expect[words]})")
    if "against" in expect and read.get("against") != expect["against"]:
        why.append(f"against {read.get('against')!r} (want {expect['against']})")
    if asked_again:
        why.append(f"asked again for {sorted(given & set(asked))}")
    return Scored(case["id"], kind, not why, asked_again, bool(given), why, read)


async def _yes() -> bool:
    return True


def _fields(state: dict[str, Any]) -> tuple[dict[str, Any], list[str], str | None]:
    """The fields, the fields still to ask, and the one asked now, of a stored draft (the
    current one, where a person keeps several)."""
    fields = {
        k: date.fromisoformat(v["date"]) if isinstance(v, dict) and "date" in v else v
        for k, v in state.get("fields", {}).items()
    }
    return fields, list(state.get("missing", [])), state.get("asking")


class Bench:
    """One database and conversation for every case; each case its own private chat."""

    def __init__(self, conversation: Conversation, clock: ManualClock) -> None:
        self.conversation = conversation
        self.clock = clock
        self.next_chat = 1000

    async def run(self, case: dict[str, Any]) -> Scored:
        conv, core = self.conversation, self.conversation.core
        today: date = case["today"]
        self.clock.set(datetime.combine(today, time(12), LONDON).astimezone(UTC))
        self.next_chat += 1
        chat = self.next_chat
        await core.ensure_chat(chat, None)
        if case.get("follows"):
            await core.choose_compacts(chat, list(case["follows"]), None)
        text = str(case["message"])
        msg = Incoming(chat, chat, "Ada", text, private=True, is_admin=_yes)
        replies: list[Reply]
        if text.lstrip().startswith("/"):
            replies = await conv.handle_text(msg)
        else:
            replies = await conv.registrations.begin(msg, case["kind"], text, conv.new_token())
        readback = any(
            isinstance(buttons.decode(b.data), buttons.RegistrationAnswer)
            for r in replies
            for row in r.buttons
            for b in row
        )
        stored = [
            d for d in await core.drafts(datetime(2000, 1, 1, tzinfo=UTC)) if d.chat_id == chat
        ]
        read, missing, asking = _fields(stored[0].state) if stored else ({}, [], None)
        items = await core.open_items(chat)
        asked = list(missing)
        if asking and not asking.startswith("?"):
            asked.append(asking)
        # Refused: a reply, but no read-back, nothing stored, and no field asked for: the
        # draft (if kept) waits for a change ("That doesn't add up … What should change?").
        waits_for_change = bool(stored) and asking is not None and asking.startswith("?")
        refused = (
            not readback
            and not items
            and (waits_for_change or not stored)
            and any(r.text for r in replies)
        )
        if waits_for_change:
            asked = []
        canonical = _canonical(core.knowledge, list(case.get("follows") or []))
        return judge(case, read, asked, refused, readback, canonical)


async def score(folder: Path) -> list[Scored]:
    clock = ManualClock(datetime(2000, 1, 1, 12, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(str(Path(tmp) / "score.db"), clock=clock)
        try:
            core = Core(Knowledge.load(), db, clock=clock)
            bench = Bench(Conversation(core, Throttle(clock, limit=10**6)), clock)
            # The clock only moves on: the cases in the order of their days.
            cases = sorted(load(folder), key=lambda c: c["today"])
            return [await bench.run(case) for case in cases]
        finally:
            await db.close()


def totals(scored: list[Scored]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for kind in KINDS:
        mine = [s for s in scored if s.kind == kind]
        out[kind] = (sum(s.ok for s in mine), len(mine))
    out["all"] = (sum(s.ok for s in scored), len(scored))
    out["asked again"] = (sum(s.asked_again for s in scored), sum(s.gave_field for s in scored))
    return out


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    folder = Path(args[0]) if args else BLIND
    scored = asyncio.run(score(folder))
    for name, (right, of) in totals(scored).items():
        share = f"{100 * right / of:.0f}%" if of else "-"
        label = "cases asking for a field the message gave" if name == "asked again" else name
        print(f"{label}: {right}/{of} ({share})")
    # Aggregates only: how many cases miss on each field (never which).
    by_field: dict[str, int] = {}
    for s in scored:
        for why in s.why:
            name = why.split()[0] if not why.startswith("asked") else "asked again"
            if name in DATE_FIELDS:
                got = why.split()[1]
                name += " " + (
                    "invented" if got == "invented:" else "none" if got == "None" else "wrong"
                )
            by_field[name] = by_field.get(name, 0) + 1
    print("misses by field: " + ", ".join(f"{k} {v}" for k, v in sorted(by_field.items())))
    if "--cases" in argv:
        if folder.resolve().name.startswith("blind"):
            print("(cases of a blind set are not listed)")
            return 0
        for s in scored:
            if not s.ok:
                print(f"- {s.id}: {'; '.join(s.why)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
