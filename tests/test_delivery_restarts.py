"""Every reminder exactly once through a PostgreSQL restart and through a worker's SIGTERM.

One trial of each (``tests/delivery_trials.py``: real worker processes, a real server
stopped at once, the fake Bot API answering late so sends are under way);
``benchmarks/restarts.py`` runs ten or more and prints the figures.  Before the fix a
restart sent 50-80 % of an in-progress batch twice (the first worker back re-queued every
claim while the old claimer kept sending), and a SIGTERM could cut a send off as the HTTP
client to Telegram was closed, to be sent again by another worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from delivery_trials import run_trial
from pg_server import PgServer, PostgresMissing


@pytest.fixture(scope="module")
def durable_server() -> Iterator[PgServer]:
    """A server of its own that keeps every commit through an immediate stop, as a real one
    does (the suite's shared one trades that for speed)."""
    try:
        server = PgServer.start(durable=True)
    except PostgresMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.mark.parametrize("kind", ["restart", "sigterm"])
async def test_every_reminder_arrives_exactly_once(
    kind: str, durable_server: PgServer, tmp_path: Path
) -> None:
    result = await run_trial(kind, durable_server, tmp_path, reminders=100, workers=3)
    assert (result.lost, result.doubled) == (0, 0), result
