"""Perth & Kinross Compact: its one number (six months' warning, "usually") is in its data file."""

from __future__ import annotations

from pathlib import Path

import compactbot
from compacts.loader import builtin_compact_file

CODE = "perth-kinross"


@compactbot.hookimpl
def compactbot_compact_files() -> list[Path]:
    return [builtin_compact_file(CODE)]
