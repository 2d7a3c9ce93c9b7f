"""Shared fixtures: a clock that moves only when told, and a real SQLite file.

Each test gets its own plugin manager (none is built at import time) except the
read-only ``knowledge``, which is loaded once.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import FakeBotApi, running_fake_api

from bot.clock import ManualClock
from bot.knowledge.knowledge import Knowledge
from storage.repository import Database


@pytest.fixture(scope="session", autouse=True)
def _compact_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Validated Compacts are cached in a directory of the test run, not the user's."""
    os.environ["COMPACTBOT_CACHE_DIR"] = str(tmp_path_factory.mktemp("compact-cache"))


T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
"""Where every test's clock starts (a Wednesday; 12:00 in London, GMT)."""


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    """The five built-in Compacts and their plugins; read-only, so shared."""
    return Knowledge.load()


@pytest.fixture
def clock() -> ManualClock:
    """The test's clock, at ``T0``; it moves only with ``advance``/``set``."""
    return ManualClock(T0)


@pytest.fixture
async def db(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Database]:
    """A real SQLite database file, migrated, on the test's clock."""
    database = await Database.open(tmp_path / "bot.db", clock=clock)
    yield database
    await database.close()


class OneShot:
    """Each write in its own unit of work, so a storage test can write a row in one line:
    ``await one_shot(db).add_item(...)`` is ``async with db.transaction() as tx: ...``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def __getattr__(self, name: str) -> Any:
        async def call(*args: Any, **kwargs: Any) -> Any:
            async with self._db.transaction() as tx:
                return await getattr(tx, name)(*args, **kwargs)

        return call


def one_shot(db: Database) -> OneShot:
    return OneShot(db)


# ---------------------------------------------------------------- the fake Telegram

TOKEN = "123:ABC"
GROUP = -1001
ADMIN, MEMBER, ALICE = 10, 11, 12


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """A loopback fake Bot API with a group (ADMIN its admin, MEMBER not) and ALICE."""
    async with running_fake_api(token=TOKEN) as fake:
        fake.add_chat(GROUP, type="supergroup", title="Sevenoaks Youth Trust")
        fake.set_admins(GROUP, [ADMIN])
        for uid, name in ((ADMIN, "Ada"), (MEMBER, "Meg"), (ALICE, "Alice")):
            fake.user(uid, name)
        yield fake
