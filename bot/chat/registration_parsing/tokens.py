"""The tokenizer: a message as words, separators, dashes and other marks, each with
where it stands in the text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

TokKind = Literal["word", "sep", "dash", "punct"]


@dataclass(frozen=True)
class Tok:
    text: str
    start: int
    end: int
    kind: TokKind
    spaced: bool = False  # dashes only: " - " separates pieces, "Covid-19" doesn't

    @property
    def low(self) -> str:
        return self.text.lower().replace("’", "'")


_TOKEN_RE = re.compile(
    r"(?P<word>\d{4}-\d{1,2}-\d{1,2}"  # ISO dates whole, before "-" can split them
    r"|\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?(?![\d/])"  # 23/2/27, 1.12.26
    r"|[^\W_]+(?:['’][^\W_]+|-(?=[^\W\d_])[^\W_]+)*)"  # words; "e-services" stays whole
    # A sentence's end separates ("St. Mary's" is no sentence's end), as "," ";" do.
    r"|(?P<sep>[,;|\n]+|(?<!\bSt)(?<!\bDr)(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bRd)(?<!\bNo)"
    r"\.(?=\s+[A-Z]|\s*$)|(?<=\w)[!?]+(?=\s|$))"
    r"|(?P<dash>[-–—]+)"
    r"|(?P<punct>\S)"
)


def tokenize(text: str) -> list[Tok]:
    toks: list[Tok] = []
    for m in _TOKEN_RE.finditer(text):
        kind: TokKind
        if m.group("word") is not None:
            kind = "word"
        elif m.group("sep") is not None:
            kind = "sep"
        elif m.group("dash") is not None:
            kind = "dash"
        else:
            kind = "punct"
        spaced = False
        if kind == "dash":
            before = text[m.start() - 1] if m.start() > 0 else " "
            after = text[m.end()] if m.end() < len(text) else " "
            spaced = before.isspace() or after.isspace() or m.group(0) in ("–", "—")
        toks.append(Tok(m.group(0), m.start(), m.end(), kind, spaced))
    return toks
