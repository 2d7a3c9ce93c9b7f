"""Kent Partners' Compact, Refresh 2011.

Its "three month period of consultation shall be undertaken, prior to a minimum of three
months written notice" is in its data file (``consultation_before_notice``): the shared check
finds the latest start dates and checks that a consultation that did happen ran its full
period before the notice actually given.
"""

from __future__ import annotations

from pathlib import Path

import compactbot
from compacts.loader import builtin_compact_file

CODE = "kent-2011"


@compactbot.hookimpl
def compactbot_compact_files() -> list[Path]:
    return [builtin_compact_file(CODE)]
