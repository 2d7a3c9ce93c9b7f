"""How long reading a date takes (``bot.chat.dateparsing.parse_day``), per call.

    .venv/bin/python benchmarks/dateparsing.py [--n 2000] [--quick]

Times a few ways people write a date (a day and month, a length, a weekday, a UK numeric
date), each ``--n`` times, and prints the median and p99 per call in microseconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.chat.dateparsing import parse_day  # noqa: E402

TODAY = date(2026, 12, 7)
SAMPLES = ("23 Feb", "in 3 months", "next friday", "19/2/27", "end of June")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 50 calls each")
    args = parser.parse_args()
    n = 50 if args.quick else args.n
    print(f"parse_day, {n} calls each (µs per call)")
    print(f"{'text':<14} {'p50':>8} {'p99':>8}")
    for text in SAMPLES:
        runs = []
        for _ in range(n):
            t0 = time.perf_counter()
            parse_day(text, TODAY)
            runs.append(time.perf_counter() - t0)
        runs.sort()
        p50, p99 = runs[len(runs) // 2], runs[min(len(runs) - 1, int(0.99 * len(runs)))]
        print(f"{text:<14} {1e6 * p50:>8.1f} {1e6 * p99:>8.1f}")


if __name__ == "__main__":
    main()
