"""Text people give, fit to keep and to put in any file: no control characters.

A chat title or message can carry NUL, backspace, escape, C1 controls or Unicode
noncharacters (U+FFFE): XML (so a .docx) cannot hold them, RFC 5545 forbids them in a
calendar, and a terminal or spreadsheet may act on them.  They are removed where text comes
in (``bot.chat.messages.valid_text``, the events' fields) and again where it goes out (the
calendar, the letter, the report's CSV and HTML), for anything stored before.  A line break
survives only where a field may have several lines; elsewhere (titles, names) every run of
white space is one space.
"""

from __future__ import annotations

import re

_NONCHARACTERS = "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_UNWANTED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff" + _NONCHARACTERS + "]"
)
"""C0 controls but tab and the line breaks, DEL, C1 controls, noncharacters, surrogates."""

_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029\x85]")
_SPACES = re.compile(r"\s+")


def without_controls(text: str) -> str:
    """``text`` without control characters, its tabs and line breaks as they are (a CSV cell:
    whether it starts with one matters to ``spreadsheet_safe``)."""
    return _UNWANTED.sub("", text)


def printable(text: str, *, lines: bool = False) -> str:
    """``text`` without control characters; with ``lines``, its line breaks kept (as
    ``\\n``) and tabs made spaces, else all on one line with single spaces."""
    text = _LINE_BREAKS.sub("\n", text)  # before C1's NEL (\x85) goes with the controls
    text = _UNWANTED.sub("", text)
    if lines:
        return text.replace("\t", " ")
    return _SPACES.sub(" ", text).strip()
