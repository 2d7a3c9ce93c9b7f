"""Shared fixtures: a clock that moves only when told, and a real database.

Each test gets its own plugin manager (none is built at import time) except the
read-only ``knowledge``, which is loaded once.

A test module marked ``pytestmark = pytest.mark.both_backends`` runs each of its tests that
uses the ``backend`` fixture (``db`` and ``databases`` do) twice: on an SQLite file and on
a fresh database of a real PostgreSQL server, which the test run starts once
(``tests/pg_server.py``) and stops at its end.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import FakeBotApi, running_fake_api
from pg_server import PgServer, PostgresMissing

from bot.chat.conversation import Conversation
from bot.chat.throttle import Throttle
from bot.clock import ManualClock
from bot.core import Core
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


BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "both_backends: run each test on SQLite and on PostgreSQL (``backend``)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if (
        metafunc.definition.get_closest_marker("both_backends")
        and "backend" in metafunc.fixturenames
    ):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """``sqlite``, or ``postgresql`` in modules marked ``both_backends``."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """The test run's PostgreSQL server, started at its first use. Without PostgreSQL on the
    machine the tests that need it fail saying so: they are never skipped."""
    try:
        server = PgServer.start()
    except PostgresMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    server.create_database(TEST_DATABASE)
    yield server
    server.stop()


TEST_DATABASE = "compactbot_tests"
"""The PostgreSQL database whose schemas the tests use (a schema is quicker to make and drop
than a database; ``?search_path=`` in the URL puts a connection in it)."""


class Databases:
    """Fresh databases for one test, on its backend: ``await databases.new("name")`` is an
    SQLite file in the test's directory, or a new, empty schema on the PostgreSQL server
    (as good as a database of its own to everything the bot does)."""

    def __init__(self, backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
        self.backend = backend
        self._tmp = tmp_path
        self._request = request
        self._server: PgServer | None = None
        self._created: list[str] = []

    @property
    def postgres(self) -> bool:
        return self.backend == "postgresql"

    def server(self) -> PgServer:
        if self._server is None:
            self._server = self._request.getfixturevalue("pg_server")
        return self._server

    async def new(self, name: str = "bot") -> str:
        if not self.postgres:
            return str(self._tmp / f"{name}.db")
        import asyncpg

        server = self.server()
        schema = server.new_name(name)
        conn = await asyncpg.connect(server.url(TEST_DATABASE))
        try:
            await conn.execute(f'CREATE SCHEMA "{schema}"')
        finally:
            await conn.close()
        self._created.append(schema)
        return f"{server.url(TEST_DATABASE)}?search_path={schema}"

    def new_sync(self, name: str = "bot") -> str:
        """``new`` for a test that runs no event loop of its own."""
        return asyncio.run(self.new(name))

    async def _drop(self) -> None:
        import asyncpg

        assert self._server is not None
        conn = await asyncpg.connect(self._server.url(TEST_DATABASE))
        try:
            for schema in self._created:
                await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()

    def drop(self) -> None:
        if self._created:
            asyncio.run(self._drop())


@pytest.fixture
def databases(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Databases]:
    found = Databases(backend, tmp_path, request)
    yield found
    found.drop()


@pytest.fixture
async def db(databases: Databases, clock: ManualClock) -> AsyncIterator[Database]:
    """A real database (an SQLite file, or PostgreSQL), migrated, on the test's clock."""
    database = await Database.open(await databases.new("bot"), clock=clock)
    yield database
    await database.close()


@pytest.fixture
def conversation(db: Database, knowledge: Knowledge, clock: ManualClock) -> Conversation:
    """The conversation over a real core and database, on the test's clock. Its throttle
    never slows a test down: commands sent in one moment here are a script, not a flood."""
    return Conversation(Core(knowledge, db, clock=clock), Throttle(clock, limit=10**6))


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
