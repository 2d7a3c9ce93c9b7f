"""Exactly once through PostgreSQL restarts and graceful stops: trials, reminders, lost, doubled.

    .venv/bin/python benchmarks/restarts.py [--trials 10] [--reminders 200] [--workers 3]
        [--kinds restart sigterm] [--quick]

Each trial (``tests/delivery_trials.py``): three real ``compactbot run`` workers on one
PostgreSQL database (a server this script starts, durable like a real one, loopback only)
deliver ``--reminders`` reminders to the fake Bot API; once a tenth are out, the server is
stopped at once and started again 2 s later (``restart``) or the worker holding the most
claims gets SIGTERM (``sigterm``).  Every reminder should arrive exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from delivery_trials import TrialResult, run_trial  # noqa: E402
from pg_server import PgServer  # noqa: E402


async def main(kinds: list[str], trials: int, reminders: int, workers: int) -> None:
    server = PgServer.start(durable=True)
    results: list[TrialResult] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for kind in kinds:
                for n in range(trials):
                    result = await run_trial(
                        kind, server, Path(tmp) / f"{kind}-{n}", reminders=reminders,
                        workers=workers,
                    )  # fmt: skip
                    results.append(result)
                    print(
                        f"... {kind} trial {n + 1}: lost {result.lost}, doubled"
                        f" {result.doubled} ({result.seconds:.1f} s)",
                        file=sys.stderr,
                        flush=True,
                    )
    finally:
        server.stop()
    print(f"\n{workers} workers, one PostgreSQL server, {reminders} reminders a trial")
    print(
        f"{'interruption':<14}{'trials':>8}{'reminders':>11}{'lost':>7}{'doubled':>9}"
        f"{'unrecorded p50 / p99 / max, ms':>34}"
    )
    for kind in kinds:
        rows = [r for r in results if r.kind == kind]
        window = sorted(w for r in rows for w in r.unrecorded)
        p50, p99 = window[len(window) // 2], window[min(len(window) - 1, len(window) * 99 // 100)]
        print(
            f"{kind:<14}{len(rows):>8}{sum(r.reminders for r in rows):>11}"
            f"{sum(r.lost for r in rows):>7}{sum(r.doubled for r in rows):>9}"
            f"{f'{1000 * p50:.0f} / {1000 * p99:.0f} / {1000 * window[-1]:.0f}':>34}"
        )
    print(
        "unrecorded: from a message's arrival at the fake Telegram to its being marked sent;"
        " a worker killed within it leaves that message to be sent again"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--reminders", type=int, default=200)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--kinds", nargs="+", default=["restart", "sigterm"])
    parser.add_argument("--quick", action="store_true", help="smallest sizes (the CI smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.trials, args.reminders, args.workers = 1, 60, 2
    asyncio.run(main(args.kinds, args.trials, args.reminders, args.workers))
