"""Kensington and Chelsea Compact: everything it sets is expressed in its data file."""

from __future__ import annotations

from pathlib import Path

from bot.hookspecs import hookimpl
from compacts.loader import builtin_compact_file

CODE = "rbkc"


@hookimpl
def compactbot_compact_files() -> list[Path]:
    return [builtin_compact_file(CODE)]
