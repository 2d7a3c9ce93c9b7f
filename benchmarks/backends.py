"""SQLite and PostgreSQL side by side: what the second backend costs and what it buys.

    .venv/bin/python benchmarks/backends.py [--n 200] [--reminders 10000]

PostgreSQL is a real server this script starts and stops (Debian's package, as the tests do,
``tests/pg_server.py``: no fsync, so like SQLite's ``synchronous=NORMAL`` it measures the
work, not the disk).  Per backend:

* Confirm          the press that stores an item (item, reminders, log entry, draft
                   removed, in one unit of work), through python-telegram-bot against the
                   loopback fake Bot API, as ``benchmarks/dispatch.py`` measures it: p50/p99.
* claims/s         due reminders claimed and marked sent in batches of 500 (claim, then
                   mark sent: two transactions a batch), by one worker and by three at once.
* lateness         10,000 reminders of 10,000 chats due within one second, the real
                   scheduler, no rate limit: delivery minus due time, p50/p99.
* failover         two worker processes; the one holding every claim is SIGKILLed mid-batch;
                   seconds until the other delivers one of its claims.  Both use 10 s leases:
                   SQLite waits for the lease to run out, PostgreSQL sees at once that the
                   worker's connection (and advisory lock) is gone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from dispatch import _measure_confirm, _update  # noqa: E402
from fake_bot_api import running_fake_api  # noqa: E402
from pg_server import PgServer  # noqa: E402

from bot.delivery.rate_limit import OutgoingQueue  # noqa: E402
from bot.delivery.scheduler import ReminderScheduler  # noqa: E402
from bot.frontends.telegram import build_application, start_core, stop_core  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage.repository import Database, NewReminder  # noqa: E402

TOKEN = "123:ABC"
LEASE = 10.0


def pct(xs: list[float], q: float) -> float:
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# ---------------------------------------------------------------- Confirm


async def confirm_latency(target: str, n: int) -> list[float]:
    async with running_fake_api(token=TOKEN) as api:
        api.add_chat(42, "private")
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                telegram_bot_token=TOKEN,
                api_url=api.base_url,
                db=target,
                COMPACTBOT_FILES=tmp,
                COMPACTBOT_RATE_GLOBAL=1e9,
                COMPACTBOT_RATE_CHAT=1e9,
            )
            app = build_application(settings)
            await app.initialize()
            await start_core(app, settings)
            try:
                await app.process_update(_update(app, 1, "/compact kent-2011 west-kent"))
                return await _measure_confirm(app, api, n)
            finally:
                await stop_core(app)
                await app.shutdown()


# ---------------------------------------------------------------- claims


async def fill(db: Database, count: int, due: datetime, chats: int) -> None:
    batch = [
        NewReminder(chat_id=1 + i % chats, item_id=None, due_at=due, text=f"r{i}", key=f"k{i}")
        for i in range(count)
    ]
    for start in range(0, count, 5000):
        async with db.transaction() as tx:
            await tx.add_reminders(batch[start : start + 5000])


async def claim_rate(target: str, count: int, workers: int) -> float:
    dbs = [await Database.open(target) for _ in range(workers)]
    try:
        now = datetime.now(UTC)
        await fill(dbs[0], count, now - timedelta(seconds=1), 1000)

        async def drain(db: Database, owner: str) -> int:
            done = 0
            while True:
                async with db.transaction() as tx:
                    claimed = await tx.claim_due(now, 500, owner, 300)
                if not claimed:
                    return done
                async with db.transaction() as tx:
                    await tx.mark_sent([r.id for r in claimed], now, owner)
                done += len(claimed)

        start = time.perf_counter()
        counts = await asyncio.gather(*(drain(db, f"w{i}") for i, db in enumerate(dbs)))
        elapsed = time.perf_counter() - start
        assert sum(counts) == count, counts
        return count / elapsed
    finally:
        for db in dbs:
            await db.close()


# ---------------------------------------------------------------- lateness


class Stamping:
    def __init__(self, expect: int) -> None:
        self.at: dict[int, float] = {}
        self.expect = expect
        self.done = asyncio.Event()

    async def send(self, chat_id: int, text: str, reminder_ids: list[int]) -> None:
        now = time.time()
        for rid in reminder_ids:
            self.at[rid] = now
        if len(self.at) >= self.expect:
            self.done.set()


async def lateness(target: str, count: int) -> list[float]:
    db = await Database.open(target)
    notifier = Stamping(count)
    scheduler = ReminderScheduler(
        db,
        notifier,
        outgoing=OutgoingQueue(notifier, global_per_second=None, per_chat_per_minute=None),
    )
    try:
        scheduler.start()
        await asyncio.wait_for(scheduler.ready.wait(), 30)
        due0 = datetime.now(UTC) + timedelta(seconds=3)
        batch = [
            NewReminder(
                chat_id=10**9 + i,
                item_id=None,
                due_at=due0 + timedelta(microseconds=i * 1_000_000 // count),
                text=f"r{i}",
                key="k",
            )
            for i in range(count)
        ]
        async with db.transaction() as tx:
            ids = await tx.add_reminders(batch)
        await asyncio.wait_for(notifier.done.wait(), 120)
        return [
            (notifier.at[rid] - r.due_at.timestamp()) * 1000
            for rid, r in zip(ids, batch, strict=True)
        ]
    finally:
        await scheduler.stop()
        await db.close()


# ---------------------------------------------------------------- failover


class FileNotifier:
    def __init__(self, out: str) -> None:
        self._fd = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    async def send(self, chat_id: int, text: str, reminder_ids: list[int]) -> None:
        line = "".join(f"{rid} {time.monotonic()} {os.getpid()}\n" for rid in reminder_ids)
        os.write(self._fd, line.encode())


async def worker(target: str, out: str, per_second: float, batch: int) -> None:
    db = await Database.open(target)
    notifier = FileNotifier(out)
    scheduler = ReminderScheduler(
        db,
        notifier,
        batch=batch,
        lease=LEASE,
        outgoing=OutgoingQueue(notifier, global_per_second=per_second, per_chat_per_minute=None),
    )
    scheduler.start()
    # Polling the database, the source of truth (another worker may deliver the rest).
    while True:
        if await db.count_reminders("sent") == await db.count_reminders():
            break
        await asyncio.sleep(0.05)
    await scheduler.stop()
    await db.close()


def lines(out: Path) -> list[tuple[int, float, int]]:
    if not out.exists():
        return []
    rows = []
    for line in out.read_text().splitlines():
        rid, at, pid = line.split()
        rows.append((int(rid), float(at), int(pid)))
    return rows


def failover(target: str, tmp: Path) -> float:
    async def setup() -> None:
        db = await Database.open(target)
        await fill(db, 200, datetime.now(UTC) - timedelta(seconds=1), 200)
        await db.close()

    asyncio.run(setup())
    out = tmp / "delivered.txt"
    command = [sys.executable, __file__, "--worker", target, str(out)]
    victim = subprocess.Popen([*command, "20", "500"])  # claims all 200, sends 20 a second
    while len(lines(out)) < 10:
        assert victim.poll() is None
        time.sleep(0.005)
    survivor = subprocess.Popen([*command, "1000", "500"])
    time.sleep(1.0)  # the survivor is up, finds everything claimed, and waits
    os.kill(victim.pid, signal.SIGKILL)
    killed = time.monotonic()
    victim.wait()
    try:
        while not [r for r in lines(out) if r[2] == survivor.pid]:
            assert time.monotonic() - killed < 120, "no failover"
            time.sleep(0.002)
        first = min(at for _, at, pid in lines(out) if pid == survivor.pid)
        survivor.wait(timeout=120)
    finally:
        if survivor.poll() is None:
            survivor.kill()
    return first - killed


# ---------------------------------------------------------------- main


async def new_pg(server: PgServer, name: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(server.url())
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return server.url(name)


def main(n: int, count: int, claims: int) -> None:
    server = PgServer.start()
    results: dict[str, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            for backend in ("sqlite", "postgresql"):

                def target(name: str, backend: str = backend) -> str:
                    if backend == "sqlite":
                        return str(tmp / f"{name}.db")
                    return asyncio.run(new_pg(server, name))

                print(f"... {backend}", file=sys.stderr)
                row: dict[str, Any] = {}
                confirm = asyncio.run(confirm_latency(target("confirm"), n))
                row["confirm"] = (statistics.median(confirm) / 1000, pct(confirm, 0.99) / 1000)
                row["claims1"] = asyncio.run(claim_rate(target("claims1"), claims, 1))
                row["claims3"] = asyncio.run(claim_rate(target("claims3"), claims, 3))
                late = asyncio.run(lateness(target("burst"), count))
                row["late"] = (statistics.median(late), pct(late, 0.99))
                failover_dir = tmp / f"failover-{backend}"
                failover_dir.mkdir()
                row["failover"] = failover(target("failover"), failover_dir)
                results[backend] = row
    finally:
        server.stop()

    print(f"\nSQLite and PostgreSQL side by side ({os.cpu_count()} cores, one machine)")
    print(f"{'':<46}{'SQLite':>16}{'PostgreSQL':>16}")

    def show(label: str, fmt: Any) -> None:
        print(f"{label:<46}" + "".join(f"{fmt(results[b]):>16}" for b in results))

    show(
        f"Confirm p50 / p99, ms (n={n})", lambda r: f"{r['confirm'][0]:.1f} / {r['confirm'][1]:.1f}"
    )
    show("claim + mark sent, reminders/s, 1 worker", lambda r: f"{r['claims1']:,.0f}")
    show("claim + mark sent, reminders/s, 3 workers", lambda r: f"{r['claims3']:,.0f}")
    show(
        f"lateness of {count:,} due at once p50 / p99, ms",
        lambda r: f"{r['late'][0]:.1f} / {r['late'][1]:.1f}",
    )
    show(f"failover after SIGKILL, s ({LEASE:.0f} s leases)", lambda r: f"{r['failover']:.2f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        target, out, per_second, batch = sys.argv[2:6]
        asyncio.run(worker(target, out, float(per_second), int(batch)))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=200, help="Confirm presses timed")
    parser.add_argument("--reminders", type=int, default=10_000, help="due at once")
    parser.add_argument("--claims", type=int, default=20_000, help="claimed and marked sent")
    parser.add_argument("--quick", action="store_true", help="smallest sizes (the CI smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.n = 10
        args.reminders = 200
        args.claims = 1000
    main(args.n, args.reminders, args.claims)
