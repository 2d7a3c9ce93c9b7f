"""Reading command arguments with explicit bounds: ids, step numbers, years.

Only ASCII digits count (``"²".isdigit()`` is True in Python), and every number has a
range, so no argument can overflow SQLite's integers or a date.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1
"""SQLite's largest integer: no item or reminder id is larger."""
MIN_YEAR, MAX_YEAR = 1990, 2200
"""Years a report can be asked for."""
MAX_STEP = 99


def bounded_int(text: str, low: int, high: int) -> int | None:
    """``text`` as an integer within [low, high], or None."""
    if not text or len(text) > len(str(high)) or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if low <= value <= high else None


def item_id(text: str) -> int | None:
    """An item id as users write it: "3" or "#3"."""
    return bounded_int(text.removeprefix("#"), 1, MAX_ID)


def step_number(text: str) -> int | None:
    return bounded_int(text, 1, MAX_STEP)


def year(text: str) -> int | None:
    return bounded_int(text, MIN_YEAR, MAX_YEAR)
