"""Crash-test worker: runs the real scheduler on a database until nothing is left to deliver.

Usage: python tests/scheduler_worker.py DB OUT SECONDS_PER_SEND [BATCH] [LEASE_SECONDS]

Each delivered reminder id is appended to OUT and fsync'd, so the file is the ground truth of
what reached "Telegram" even if this process is SIGKILLed a moment later.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.delivery.rate_limit import OutgoingQueue
from bot.delivery.scheduler import ReminderScheduler
from storage.repository import Database


class FileNotifier:
    """Appends delivered ids to a file, durably, and takes a while per send like a network."""

    def __init__(self, out: Path, seconds: float) -> None:
        self._fd = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._seconds = seconds

    async def send(self, chat_id: int, text: str, reminder_ids: list[int]) -> None:
        await asyncio.sleep(self._seconds / 2)
        os.write(self._fd, "".join(f"{rid}\n" for rid in reminder_ids).encode())
        os.fsync(self._fd)
        # Delivered but not yet marked sent: a kill here means a duplicate after restart.
        await asyncio.sleep(self._seconds / 2)


async def main(db_path: str, out: str, seconds: float, batch: int, lease: float) -> None:
    db = await Database.open(db_path)
    notifier = FileNotifier(Path(out), seconds)
    scheduler = ReminderScheduler(
        db,
        notifier,
        batch=batch,
        lease=lease,
        outgoing=OutgoingQueue(notifier, global_per_second=None, per_chat_per_minute=None),
    )
    scheduler.start()
    print(f"started pid={os.getpid()}", flush=True)
    # Polling the database (not an in-process event) is the point: it is the source of truth.
    while True:
        left = sum([await db.count_reminders(s) for s in ("pending", "sending", "held")])
        if not left:
            break
        await asyncio.sleep(0.05)
    await scheduler.stop()
    await db.close()


if __name__ == "__main__":
    asyncio.run(
        main(
            sys.argv[1],
            sys.argv[2],
            float(sys.argv[3]),
            int(sys.argv[4]) if sys.argv[4:] else 1,
            float(sys.argv[5]) if sys.argv[5:] else 1.0,
        )
    )
