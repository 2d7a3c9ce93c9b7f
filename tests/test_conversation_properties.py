"""Property tests: whatever text reaches a command and whatever data a button sends, the
conversation answers, raises nothing, and a reply that says nothing changed means it.

Over a real SQLite file and a ManualClock; one database per test, so examples also meet
the state earlier ones left (open drafts, items, reminders), as a live chat would.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import T0
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.chat.commands import COMMANDS
from bot.chat.conversation import Conversation
from bot.chat.messages import Incoming, Reply
from bot.chat.throttle import Throttle
from bot.clock import ManualClock
from bot.core import Core
from bot.knowledge.knowledge import Knowledge
from storage.repository import Database

GROUP, ADMIN = -700, 1
UNCHANGED = ("Nothing was changed", "Nothing was stored", "nothing was changed")

# --- what users might type ---------------------------------------------------------------------

ANY_CHARACTER = st.one_of(
    st.characters(),  # every code point but surrogates
    st.characters(categories=["Cs"]),  # lone surrogates, as broken JSON can carry
    st.characters(categories=["Cc", "Cf", "Zl", "Zp"]),  # control and format characters
)
WORDS = [
    "1", "#1", "2", "0", "-1", "today", "tomorrow", "yesterday", "in", "weeks", "days",
    "months", "next", "Monday", "at", "10am", "25:99", "31 Feb", "1 Dec", "23/2/27",
    "29 Feb 2027", "2026", "9999", "0001", "by", "opens", "closes", "ending", "last funded day",
    "notice given", ",", ":", "against", "the council", "VCS", "resolved", "unresolved",
    "add", "remove", "list", "kent-2011", "rbkc", "atlantis", "Europe/London", "London",
    "Europe", "localtime", "Factory", "stop", "confirm",
]  # fmt: skip
NUMBER = st.integers(min_value=-(10**30), max_value=10**30).map(str)
UNICODE_DIGITS = st.text(alphabet="0123456789٠١٢٣٤٥٦٧٨٩²³¹⁰०१२३４５໓𝟗", min_size=1, max_size=25)
PHRASE = st.lists(
    st.one_of(st.sampled_from(WORDS), NUMBER, UNICODE_DIGITS), min_size=1, max_size=8
).map(" ".join)
LONG = st.builds(
    lambda s, n: (s or "x") * n, st.text(ANY_CHARACTER, max_size=5), st.integers(1, 1100)
)
ARGUMENTS = st.one_of(
    st.text(ANY_CHARACTER, max_size=60),
    PHRASE,
    st.builds("{} {}".format, PHRASE, st.text(ANY_CHARACTER, min_size=1, max_size=12)),
    NUMBER,
    UNICODE_DIGITS,
    LONG,
    st.just(""),
)
NAMES = [c.name for c in COMMANDS] + ["start"]

BUTTON_DATA = st.one_of(
    st.text(ANY_CHARACTER, max_size=80),
    st.builds(
        lambda prefix, verb, tail: f"{prefix}:{verb}:{tail}",
        st.sampled_from(["reg", "rem", "forget", "x", ""]),
        st.sampled_from(["confirm", "change", "done", "snooze", "stop", "yes", "no", ""]),
        st.one_of(NUMBER, UNICODE_DIGITS, st.text(ANY_CHARACTER, max_size=20)),
    ),
)

# --- the conversation, over one SQLite file -----------------------------------------------------


class Session:
    """A conversation over a real database file, driven from synchronous Hypothesis tests."""

    def __init__(self, path: Path, knowledge: Knowledge) -> None:
        self.path = path
        self.loop = asyncio.new_event_loop()
        clock = ManualClock(T0)
        self.db = self.loop.run_until_complete(Database.open(path, clock=clock))
        self.conversation = Conversation(
            Core(knowledge, self.db, clock=clock), Throttle(clock, limit=10**6)
        )

    def close(self) -> None:
        self.loop.run_until_complete(self.db.close())
        self.loop.close()

    def text(self, text: str) -> list[Reply]:
        msg = Incoming(GROUP, ADMIN, "Ada", text, private=False, is_admin=_yes, chat_title="Group")
        return self.loop.run_until_complete(self.conversation.handle_text(msg))

    def press(self, data: str) -> Reply:
        return self.loop.run_until_complete(
            self.conversation.handle_button(GROUP, ADMIN, data, _yes)
        )

    def records(self) -> tuple[list[Any], ...]:
        """The compliance log, the items and the reminders, as stored."""
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as conn:
            return tuple(
                conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
                for table in ("log_entries", "items", "reminders")
            )


async def _yes() -> bool:
    return True


@pytest.fixture
def session(tmp_path: Path, knowledge: Knowledge) -> Iterator[Session]:
    s = Session(tmp_path / "bot.db", knowledge)
    # A chat with Compacts, an item and a reminder, so follow-ups and buttons find something.
    s.text("/compact kent-2011 rbkc")
    s.text("/remind tomorrow chase the grant letter")
    yield s
    s.close()


def _says_unchanged(replies: list[Reply]) -> bool:
    return any(marker in r.text for r in replies for marker in UNCHANGED)


def test_every_command_answers_any_text_and_changes_nothing_when_it_says_so(
    session: Session,
) -> None:
    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(name=st.sampled_from([*NAMES, None]), args=ARGUMENTS)
    @example(name="remind", args="tomorrow chase the grant letter \udcff")
    @example(name="consultation", args="X \ud800, opens 1 Dec 2026, closes 2 Dec 2026, by Y")
    @example(name="done", args="99999999999999999999")
    @example(name="report", args="२०२६")
    @example(name=None, args="x" * 4001)
    def check(name: str | None, args: str) -> None:
        text = args if name is None else f"/{name} {args}"
        before = session.records()
        replies = session.text(text)
        if name is not None or text.strip():
            assert replies, text
        assert all(r.text.strip() for r in replies), text
        for reply in replies:
            reply.text.encode("utf-8")  # sendable: no lone surrogates echoed back
        if _says_unchanged(replies):
            assert session.records() == before, (text, [r.text for r in replies])

    check()


def test_any_button_data_answers_and_changes_nothing_when_it_says_so(session: Session) -> None:
    @settings(
        max_examples=50,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(data=BUTTON_DATA)
    def check(data: str) -> None:
        before = session.records()
        reply = session.press(data)
        assert reply.text.strip(), data
        reply.text.encode("utf-8")
        if _says_unchanged([reply]):
            assert session.records() == before, (data, reply.text)

    check()
