"""West Kent Compact ("Working Together").

Its "total of 12 weeks for consultation ... and a minimum of 6 weeks in any single formal
consultation period" is in its data file (``standard_is_total``): the shared check counts
earlier formal rounds toward the total and holds each round to the minimum.
"""

from __future__ import annotations

from pathlib import Path

import compactbot
from compacts.loader import builtin_compact_file

CODE = "west-kent"


@compactbot.hookimpl
def compactbot_compact_files() -> list[Path]:
    return [builtin_compact_file(CODE)]
