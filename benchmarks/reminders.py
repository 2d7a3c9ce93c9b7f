"""Reminder storage + scheduler vs python-telegram-bot's JobQueue, side by side.

    python benchmarks/reminders.py [--sizes 10000,100000,1000000] [--quick] [--drain-seconds 10]

Every measurement runs in its own child process so RSS figures are not polluted by earlier
work. Per size N:

* populate  (ours)      insert N pending reminders (10 per chat, due over the next 30 days).
* ours                  open the DB, start ReminderScheduler, wait for ``ready``; RSS delta;
                        then a burst of 10k reminders (10k chats) due within one second,
                        delivered through an unlimited OutgoingQueue: lateness p50/p99.
* jobqueue              a JobQueue bot's restart: read the N pending rows, ``run_once`` each,
                        ``await job_queue.start()``; RSS delta; then 10k ``run_once`` jobs due
                        within one second: firing lateness p50/p99 (and misfires).

Then once: the Telegram-limited drain (30 msg/s global, 20/min per chat) for a time limit,
extrapolated to the whole 10k.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.delivery.rate_limit import OutgoingQueue  # noqa: E402
from bot.delivery.scheduler import ReminderScheduler  # noqa: E402
from storage.repository import Database, NewReminder  # noqa: E402

BURST = 10_000
CHUNK = 10_000
PER_CHAT = 10
# Burst chats get ids far from the background chats'.
BURST_CHAT_BASE = 10**12


def rss_bytes() -> int:
    """Resident set size of this process, from /proc."""
    gc.collect()
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("VmRSS not found")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class StampingNotifier:
    """Records when each reminder id was handed over; never rate-limits."""

    def __init__(self, expect: int = 0) -> None:
        self.at: dict[int, float] = {}
        self.messages = 0
        self.expect = expect
        self.all_delivered = asyncio.Event()

    async def send(self, chat_id: int, text: str, reminder_ids: list[int]) -> None:
        now = time.time()
        self.messages += 1
        for rid in reminder_ids:
            self.at[rid] = now
        if self.expect and len(self.at) >= self.expect:
            self.all_delivered.set()


# ---------------------------------------------------------------- children


async def add_reminders(db: Database, reminders: list[NewReminder]) -> list[int]:
    """Plan reminders in one unit of work (as the core does)."""
    async with db.transaction() as tx:
        return await tx.add_reminders(reminders)


async def child_populate(db_path: str, size: int) -> dict[str, Any]:
    db = await Database.open(db_path)
    rng = random.Random(size)
    start = datetime.now(UTC) + timedelta(days=1)
    span = 30 * 86400
    spent = 0.0
    for base in range(0, size, CHUNK):
        batch = [
            NewReminder(
                chat_id=1 + i // PER_CHAT,
                item_id=None,
                due_at=start + timedelta(seconds=rng.random() * span),
                text=f"Consultation #{i} closes in 7 days: respond via the council portal",
                key=f"r{i}",
            )
            for i in range(base, min(size, base + CHUNK))
        ]
        t = time.perf_counter()
        await add_reminders(db, batch)
        spent += time.perf_counter() - t
    pending = await db.count_reminders("pending")
    await db.close()
    assert pending == size, pending
    return {"insert_rows_per_s": size / spent}


async def child_ours(db_path: str, size: int) -> dict[str, Any]:
    notifier = StampingNotifier(expect=BURST)
    rss0 = rss_bytes()
    t0 = time.perf_counter()
    db = await Database.open(db_path)
    scheduler = ReminderScheduler(
        db,
        notifier,
        outgoing=OutgoingQueue(notifier, global_per_second=None, per_chat_per_minute=None),
    )
    scheduler.start()
    await scheduler.ready.wait()
    ready_ms = (time.perf_counter() - t0) * 1000
    rss_ready = rss_bytes() - rss0

    # Burst: 10k reminders in 10k chats, due spread over one second starting 2 s from now.
    due0 = datetime.now(UTC) + timedelta(seconds=2)
    burst = [
        NewReminder(
            chat_id=BURST_CHAT_BASE + i,
            item_id=None,
            due_at=due0 + timedelta(seconds=i / BURST),
            text=f"Burst reminder {i}",
            key="burst",
        )
        for i in range(BURST)
    ]
    random.Random(1).shuffle(burst)
    t = time.perf_counter()
    ids = await add_reminders(db, burst)
    burst_insert_ms = (time.perf_counter() - t) * 1000
    due_of = {rid: r.due_at.timestamp() for rid, r in zip(ids, burst, strict=True)}
    scheduler.poke()
    await asyncio.wait_for(notifier.all_delivered.wait(), 60)
    lateness = [(notifier.at[rid] - due) * 1000 for rid, due in due_of.items()]
    await scheduler.stop()
    sent = await db.count_reminders("sent")
    await db.close()
    assert sent == BURST, sent
    return {
        "ready_ms": ready_ms,
        "rss_ready": rss_ready,
        "late_p50_ms": percentile(lateness, 0.50),
        "late_p99_ms": percentile(lateness, 0.99),
        "late_max_ms": max(lateness),
        "burst_insert_ms": burst_insert_ms,
    }


async def child_jobqueue(db_path: str, size: int) -> dict[str, Any]:
    from telegram.ext import ApplicationBuilder, CallbackContext

    app = ApplicationBuilder().token("123456:NOT-A-REAL-TOKEN").build()
    jq = app.job_queue
    assert jq is not None
    lateness: list[float] = []
    all_fired = asyncio.Event()

    async def fire(context: CallbackContext[Any, Any, Any, Any]) -> None:
        assert context.job is not None
        lateness.append((time.time() - context.job.data[2]) * 1000)
        if len(lateness) == BURST:
            all_fired.set()

    async def noop(context: CallbackContext[Any, Any, Any, Any]) -> None:
        return None

    rss0 = rss_bytes()
    # What a JobQueue bot does after a restart: rebuild every pending job from its database.
    t0 = time.perf_counter()
    conn = sqlite3.connect(db_path)
    rows = conn.execute(
        "SELECT id, chat_id, text, due_at FROM reminders WHERE status = 'pending'"
        " ORDER BY due_at"  # due order is APScheduler's best case (appends to its job list)
    )
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    t_add = 0.0
    for rid, chat_id, text, due_us in rows:
        when = epoch + timedelta(microseconds=due_us)
        ta = time.perf_counter()
        jq.run_once(noop, when=when, data=(rid, text, 0.0), chat_id=chat_id, name=f"rem:{rid}")
        t_add += time.perf_counter() - ta
    conn.close()
    await jq.start()
    ready_ms = (time.perf_counter() - t0) * 1000
    jobs = len(jq.scheduler.get_jobs())
    assert jobs == size, jobs
    rss_ready = rss_bytes() - rss0

    # Inserting near the front of APScheduler's sorted list is O(N) each; measure it first so
    # the burst is due only after it has been added.
    probe = 200
    tp = time.perf_counter()
    probes = [
        jq.run_once(noop, when=datetime.now(UTC) + timedelta(hours=1), name="probe")
        for _ in range(probe)
    ]
    per_job = (time.perf_counter() - tp) / probe
    for job in probes:
        job.schedule_removal()
    await asyncio.sleep(0.1)
    lead = 2.0 + 1.5 * per_job * BURST
    due0 = time.time() + lead
    order = list(range(BURST))
    random.Random(1).shuffle(order)
    tb = time.perf_counter()
    for i in order:
        due = due0 + i / BURST
        jq.run_once(
            fire,
            when=datetime.fromtimestamp(due, UTC),
            data=(i, f"Burst reminder {i}", due),
            chat_id=BURST_CHAT_BASE + i,
        )
    burst_insert_ms = (time.perf_counter() - tb) * 1000
    try:
        await asyncio.wait_for(all_fired.wait(), lead + 30)
    except TimeoutError:
        pass  # APScheduler skipped misfired jobs; reported as fired < 10k
    await jq.stop(wait=False)
    return {
        "run_once_per_s": size / t_add if t_add else 0.0,
        "ready_ms": ready_ms,
        "rss_ready": rss_ready,
        "late_p50_ms": percentile(lateness, 0.50) if lateness else float("nan"),
        "late_p99_ms": percentile(lateness, 0.99) if lateness else float("nan"),
        "fired": len(lateness),
        "burst_insert_ms": burst_insert_ms,
        "burst_lead_s": lead,
    }


async def child_drain(db_path: str, chats: int, seconds: float) -> dict[str, Any]:
    db = await Database.open(db_path)
    now = datetime.now(UTC)
    await add_reminders(
        db,
        [
            NewReminder(
                # A chat's reminders are planned together, so their ids are consecutive.
                chat_id=BURST_CHAT_BASE + i * chats // BURST,
                item_id=None,
                due_at=now - timedelta(seconds=1),
                text=f"Reminder {i}",
                key=f"d{i}",
            )
            for i in range(BURST)
        ],
    )
    notifier = StampingNotifier()
    outgoing = OutgoingQueue(notifier, global_per_second=30, per_chat_per_minute=20)
    scheduler = ReminderScheduler(db, notifier, outgoing=outgoing)
    t0 = time.time()
    scheduler.start()
    await asyncio.sleep(seconds)
    elapsed = time.time() - t0
    messages, reminders = notifier.messages, len(notifier.at)
    await scheduler.stop(drain_seconds=0.1)
    await db.close()
    stamps = sorted(set(notifier.at.values()))
    pace = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
    return {
        "chats": chats,
        "seconds": elapsed,
        "messages": messages,
        "reminders": reminders,
        "msg_per_s": pace,
        "reminders_per_s": reminders / elapsed,
    }


# ---------------------------------------------------------------- parent


def run_child(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def human(n: float) -> str:
    for unit in ("", "K", "M", "G"):
        if abs(n) < 1024:
            return f"{n:.1f}{unit}B" if unit else f"{n:.0f}B"
        n /= 1024
    return f"{n:.1f}TB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--quick", action="store_true", help="10k only")
    parser.add_argument("--drain-seconds", type=float, default=10.0)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, *rest = args.child
        if kind == "populate":
            result = asyncio.run(child_populate(rest[0], int(rest[1])))
        elif kind == "ours":
            result = asyncio.run(child_ours(rest[0], int(rest[1])))
        elif kind == "jobqueue":
            result = asyncio.run(child_jobqueue(rest[0], int(rest[1])))
        else:
            result = asyncio.run(child_drain(rest[0], int(rest[1]), float(rest[2])))
        print(json.dumps(result))
        return

    sizes = [10_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            db = str(Path(tmp) / f"r{size}.db")
            print(f"... N={size:,}: populate", file=sys.stderr, flush=True)
            pop = run_child("populate", db, str(size))
            pop["db_bytes"] = os.path.getsize(db)
            # The JobQueue bot rebuilds from the same pending rows, before ours touches them.
            print(f"... N={size:,}: jobqueue", file=sys.stderr, flush=True)
            jq = run_child("jobqueue", db, str(size))
            print(f"... N={size:,}: ours", file=sys.stderr, flush=True)
            ours = run_child("ours", db, str(size))
            rows.append((size, pop, ours, jq))
        drains = []
        for chats in (BURST, BURST // PER_CHAT):
            print(f"... drain over {chats} chats", file=sys.stderr, flush=True)
            path = str(Path(tmp) / f"drain{chats}.db")
            drains.append(run_child("drain", path, str(chats), str(args.drain_seconds)))

    print()
    print("Pending reminders: ours (SQLite + one scheduler task) vs PTB JobQueue (APScheduler)")
    head = (
        f"{'N':>9} | {'insert rows/s':>13} | {'run_once/s':>10} | {'RSS Δ ours':>10} |"
        f" {'B/rem ours':>10} | {'RSS Δ JQ':>9} | {'B/job JQ':>8} | {'JQ/ours':>7} |"
        f" {'disk B/rem':>10} | {'ready ours':>10} | {'rebuild JQ':>10}"
    )
    print(head)
    print("-" * len(head))
    for size, pop, ours, jq in rows:
        ratio = jq["rss_ready"] / max(ours["rss_ready"], 4096)
        print(
            f"{size:>9,} | {pop['insert_rows_per_s']:>13,.0f} | {jq['run_once_per_s']:>10,.0f} |"
            f" {human(ours['rss_ready']):>10} | {ours['rss_ready'] / size:>10.2f} |"
            f" {human(jq['rss_ready']):>9} | {jq['rss_ready'] / size:>8.0f} | {ratio:>6.0f}× |"
            f" {pop['db_bytes'] / size:>10.0f} | {ours['ready_ms']:>8.1f}ms |"
            f" {jq['ready_ms']:>8.0f}ms"
        )
    print()
    print(f"Lateness of {BURST:,} reminders due within the same second (10k chats, no rate limit)")
    head = (
        f"{'N pending':>9} | {'ours p50':>8} | {'ours p99':>8} | {'ours max':>8} |"
        f" {'JQ p50':>8} | {'JQ p99':>8} | {'JQ fired':>13} |"
        f" {'burst add ours':>14} | {'burst add JQ':>12}"
    )
    print(head)
    print("-" * len(head))
    for size, _pop, ours, jq in rows:
        print(
            f"{size:>9,} | {ours['late_p50_ms']:>6.1f}ms | {ours['late_p99_ms']:>6.1f}ms |"
            f" {ours['late_max_ms']:>6.1f}ms | {jq['late_p50_ms']:>6.1f}ms |"
            f" {jq['late_p99_ms']:>6.1f}ms | {jq['fired']:>6,}/{BURST:,} |"
            f" {ours['burst_insert_ms']:>12.0f}ms |"
            f" {jq['burst_insert_ms']:>10.0f}ms"
        )
    print()
    print(
        f"Telegram-limited drain of {BURST:,} due reminders (bot/delivery/rate_limit.py:"
        f" 30 msg/s global, 20/min per chat), measured for {args.drain_seconds:.0f} s and"
        " extrapolated"
    )
    head = (
        f"{'chats':>6} | {'messages':>8} | {'reminders':>9} | {'msg/s achieved':>14} |"
        f" {'configured':>10} | {'reminders/s':>11} | {'est. full drain':>15}"
    )
    print(head)
    print("-" * len(head))
    for d in drains:
        full = BURST / d["reminders_per_s"] if d["reminders_per_s"] else float("inf")
        print(
            f"{d['chats']:>6,} | {d['messages']:>8,} | {d['reminders']:>9,} |"
            f" {d['msg_per_s']:>14.2f} | {30:>10} | {d['reminders_per_s']:>11.1f} |"
            f" {full:>13.0f} s"
        )
    print()
    print(
        "Notes: RSS Δ = VmRSS after ready minus before opening (gc'd), separate process per"
        " measurement;\nours holds no per-reminder state (Δ is fixed overhead: thread, SQLite"
        " page cache), the data lives on disk (disk B/rem).\nJobQueue rebuild reads rows in due"
        " order (APScheduler's best case). JQ 'fired' < 10k means APScheduler\nskipped"
        " misfired jobs (misfire_grace_time 1 s). Burst lead time for JQ covers its O(N)"
        " inserts."
    )


if __name__ == "__main__":
    main()
