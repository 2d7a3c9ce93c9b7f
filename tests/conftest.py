"""Shared fixtures: a clock that moves only when told, and a real SQLite file.

Each test gets its own plugin manager (none is built at import time) except the
read-only ``knowledge``, which is loaded once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.knowledge.knowledge import Knowledge
from storage.repository import Database

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
