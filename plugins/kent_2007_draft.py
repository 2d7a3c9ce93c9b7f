"""Kent Partners Compact, 2007 consultation draft.

Everything it sets is in its data file, including that its consultation code "does not take
into consideration consultations that are required as statute" (``statutory_exclusion``):
the shared check leaves a consultation out only when the group says it is statutory.
"""

from __future__ import annotations

from pathlib import Path

import compactbot
from compacts.loader import builtin_compact_file

CODE = "kent-2007-draft"


@compactbot.hookimpl
def compactbot_compact_files() -> list[Path]:
    return [builtin_compact_file(CODE)]
