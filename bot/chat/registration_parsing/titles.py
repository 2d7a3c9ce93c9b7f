"""Which piece of a message is the title: the phrase naming the thing consulted on, the
grant or the service, not the greeting or chatter around it ("Treasurer here", "Bad news
I'm afraid", "We got a letter").

Each piece left once the dates and the body are taken out is scored by a measured model:
a weight per word (log-odds of the word in a title piece against a chatter piece) learned
from labelled registration messages by ``benchmarks/registration_titles.py``, which also
measures it on sets it was not trained on. The weights ship in ``title_words.json``; a
word the model never saw counts as a little more likely a title's (names of things are
rare words, chatter is common ones). Pure."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.chat.registration_parsing.tokens import Tok

WEIGHTS = Path(__file__).with_name("title_words.json")


@dataclass(frozen=True)
class TitleModel:
    weights: dict[str, float]
    unseen: float
    """The weight of a word the model never saw."""
    first: float
    """What coming first is worth (the title most often leads)."""


def features(toks: list[Tok], run: list[int], body: frozenset[int] = frozenset()) -> list[str]:
    """A piece's words, lower case, numbers as one word, the body's name as one word; and
    whether it is one word."""
    out: list[str] = []
    for k in run:
        tok = toks[k]
        if tok.kind != "word":
            continue
        low = tok.low
        if k in body:
            if not out or out[-1] != "<body>":
                out.append("<body>")  # "Sevenoaks DC consultation": the body names no thing
            continue
        out.append("<num>" if re.fullmatch(r"[\d/.-]+", low) else low)
    if len(out) == 1:
        out.append("<one word>")  # "Consultation", "Urgent": a word alone names little
    return out


@cache
def model() -> TitleModel:
    if not WEIGHTS.exists():
        return TitleModel({}, 0.0, 1.0)
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    return TitleModel(
        {str(k): float(v) for k, v in data["weights"].items()},
        float(data["unseen"]),
        float(data["first"]),
    )


def score(words: list[str], first: bool, using: TitleModel) -> float:
    return sum(using.weights.get(w, using.unseen) for w in words) + (using.first if first else 0)


_LEAD_WORDS = frozenset(
    "on about for regarding re into of to views asking saying that says a an notice".split()
)
"""Words a piece may open with that are no part of the thing's name ("on the Westway
community space", "views on their draft local plan", "saying the carers grant ...")."""
_ARTICLES = frozenset("the their its".split())
"""Dropped only after such a word ("on the Westway ..."); "Our youth grant" stays."""


def without_lead(toks: list[Tok], run: list[int]) -> list[int]:
    """``run`` less the words it opens with that name nothing, keeping a word at least."""
    start = 0
    while start < len(run) and sum(toks[k].kind == "word" for k in run[start + 1 :]) >= 1:
        low = toks[run[start]].low
        if not (low in _LEAD_WORDS or (start > 0 and low in _ARTICLES)):
            break
        start += 1
    return run[start:]


_CONSULTED = re.compile(r"consult(?:ation|ing)s?$|survey$")
_TOPIC = frozenset("on about into re regarding over for".split())
_NONE = frozenset("no not without any zero proper real".split())
_NO_NAME = frozenset("<body> <num> a an the this that our their its new public".split())


def _names_the_thing(words: list[str]) -> bool:
    """ "consultation on X" or "X consultation": the word for a consultation with what it is on."""
    for at, word in enumerate(words):
        if _CONSULTED.match(word) is None:
            continue
        before = words[at - 1] if at > 0 else ""
        if before in _NONE or before == "s" or before.endswith(("'s", "’s")):
            continue  # "no consultation at all", "the Borough's consultation": no thing named
        after = words[at + 1 : at + 3]
        if len(after) == 2 and after[0] in _TOPIC and after[1] not in ("it", "this", "that"):
            return True
        if at > 0 and words[at - 1] not in _NO_NAME and words[at - 1] not in _TOPIC:
            return True
    return False


def best_piece(
    toks: list[Tok],
    runs: list[list[int]],
    using: TitleModel | None = None,
    body: frozenset[int] = frozenset(),
) -> list[int]:
    """The piece of ``runs`` (non-empty) most likely the title; ``body``: the tokens of the
    body's name."""
    using = using or model()
    # A first piece is chatter when it is exclaimed ("sunday admin catch up!!"), or names
    # no thing ("Saw on the KCC website -") when a later one names the thing consulted on
    # ("consultation on library hours", "TWBC parks strategy consultation").
    naming = any(_names_the_thing(features(toks, run, body)) for run in runs[1:])
    after_first = runs[0][-1] + 1
    # Exclaimed, a piece naming no place or thing (no capital but the message's first) is
    # chatter: "sunday admin catch up!!", not "Strood skate park closures!!".
    exclaimed = (
        after_first < len(toks)
        and toks[after_first].text.startswith("!")
        and not any(toks[k].text[:1].isupper() for k in runs[0] if k > 0)
    )
    skip_first = len(runs) > 1 and (
        exclaimed or (naming and not _names_the_thing(features(toks, runs[0], body)))
    )
    best = max(
        range(1 if skip_first else 0, len(runs)),
        key=lambda i: (score(features(toks, runs[i], body), i == 0, using), -i),
    )
    return runs[best]


_AND = frozenset("and & or plus".split())
_HEAD = frozenset("on about re regarding into for of consultation review".split())
_LIST_ITEM_WORDS = 8


def _words(toks: list[Tok], run: list[int]) -> list[str]:
    return [toks[k].low for k in run if toks[k].kind == "word"]


def _comma_between(toks: list[Tok], left: list[int], right: list[int]) -> bool:
    return right[0] - left[-1] == 2 and toks[left[-1] + 1].text == ","


def with_its_list(toks: list[Tok], runs: list[list[int]], best: list[int]) -> list[int]:
    """``best`` and the pieces it makes a list with ("day centres, lunch clubs and
    transport"): pieces next to it with only a comma between, up to the one with the "and",
    and back to the piece naming what the list is of ("consultation on ...")."""
    at = next(i for i, r in enumerate(runs) if r is best)
    last = at
    while not (_AND & set(_words(toks, runs[last]))):
        nxt = last + 1
        if (
            nxt >= len(runs)
            or not _comma_between(toks, runs[last], runs[nxt])
            or len(_words(toks, runs[nxt])) > _LIST_ITEM_WORDS
        ):
            return best  # no "and" closes it: not a list
        last = nxt
    first = at
    while (
        first > 0
        and at - first < 3
        and not (_HEAD & set(_words(toks, runs[first])))
        and _comma_between(toks, runs[first - 1], runs[first])
        and len(_words(toks, runs[first - 1])) <= _LIST_ITEM_WORDS
    ):
        first -= 1
    if first == at == last:
        return best
    joined = list(range(runs[first][0], runs[last][-1] + 1))
    inside = {k for r in runs[first : last + 1] for k in r}
    # The commas between the pieces join them; anything else left out stays out.
    return [k for k in joined if k in inside or toks[k].text == ","]
