"""Ranking one Compact's commitments for a question, and saying how much of it each covers.

Each commitment is searched as its clause, its section title and the paraphrase keywords
written for it (``compacts/search/<code>.yaml``: the words people use for what the clause
says).  Words are reduced to their Porter stems (PyStemmer, the same algorithm as the
full-text index's ``porter`` tokenizer), so "consulted" finds "consultation"; the few word
families Porter leaves apart ("response", "respond") are joined.

A question becomes a list of :class:`Term`: each of its own words, with the Compact words
``query_expansion`` maps it to as alternatives.  A commitment scores BM25 over those terms
(the best alternative of each term counts), plus a little for each pair of the question's
words it has side by side ("core funding").  ``coverage`` is the share of the question
(weighted by how rare each word is in this Compact) that a commitment contains: a high
BM25 from one rare word ("colour") is not an answer; a clause that holds most of what was
asked is.  A word the Compact never uses counts for more than its rarest one: with keywords
for every clause, it is likelier the point of the question ("insurance") than an aside.

The Compact's own name and the places and bodies it is named for say which Compact is
asked about, not what; "compact" itself is searched for only when nothing else is asked
("what is the Compact?").

An index is built per Compact, on first use: with 500 Compacts only those whose answers
are shown are ever built.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import Stemmer

from bot.knowledge.stem_cache import cached_stems
from compacts.models import Compact

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_COMPACT = re.compile(r"\bcompacts?\b")
_STEMMER = Stemmer.Stemmer("porter")
_STEMMER.maxCacheSize = 50_000

# BM25's usual constants; short clauses make length normalisation matter little.
_K1 = 1.2
_B = 0.5
# How much each part of a commitment counts.
_QUOTE, _KEYWORDS, _SECTION = 1.0, 0.8, 0.4
QUESTION_KEYS = 1.0
"""How much each word of a commitment's question keys (``compacts/questions/``) counts in
its document, once per word however many keys hold it, so a clause whose keys ask the
question is found even when its own words differ (0 leaves them out).  Measured on the
spent question sets (``benchmarks/calibrate.py``, no calibration): right first 1,406 of
1,856 without, 1,469 at 0.3, 1,475 at 0.6 and 1.0, 1,471 at 1.5; every set nobody tuned
on gained (blind-2 147 -> 171, blind-4 190 -> 206), the tuned dev and blind lost 3-6."""
_COVERED = 25
"""The best-scoring clauses ranked, and their coverage worked out (the rest cover nothing)."""
_UNKNOWN = 1.5
"""How much more than the rarest word of a Compact a word it never uses counts towards
coverage."""
_POINT = 1.5
"""How much more a word the Compact never uses must count than every word a clause holds for
the clause to miss the point of the question."""
_KEY_LENGTH = 3.6
"""The mean length of a question key in content words (measured over the five Compacts'
2,187 keys), for BM25's length normalisation of keys."""
_PAIR_BONUS = 0.35
"""Share of a pair's idf added when a clause has two of the question's words side by side."""

STOPWORDS = frozenset(
    """
    a about above after again against all am an and any anything are aren't as at be
    because been before being below between both but by can cannot could couldn't did
    didn't do does doesn't doing don't dont down during each even ever few for from further
    get gets got had hadn't has hasn't have haven't having he her here hers him his how i
    i'm if in into is isn't it it's its itself just me more most much must mustn't my
    myself no nor not now of off on once only or other ought our ours ourselves out over
    own really same say says said shall she should shouldn't so some such than that that's
    the their theirs them themselves then there there's these they they're this those
    through to too under until up us very was wasn't we we're were weren't what what's
    whats when where which while who whom why will with won't would wouldn't you your
    yours yourself anyone someone something thing things stuff also still yet already
    please thanks hi ok okay compact compacts
    isnt doesnt couldnt wont cant havent hasnt didnt arent wasnt shouldnt wouldnt
    think might maybe perhaps really actually apparently surely just like want wants
    wanted going know mean means seem seems seemed lot lots anyone everyone everything
    one ones whether else either etc let lets theyre were weve youre thats theres many
    they've we've i've you've we'll they'll you'll i'll it'll we'd they'd i'd you'd
    who's where's here's
    gave given told ago put stick sure look looks looking happen happens happened find
    instead rather several exactly tho bit bits expect expects try tried trying
    mention mentions mentioned supposed suppose massive huge tiny enormous completely
    totally soon quickly
    """.split()
)
"""Words too common in questions to tell one clause from another."""


_FAMILY = {
    "respons": "respond",
    "decis": "decid",
    "explan": "explain",
    "represent": "repres",
    "proportion": "proport",
    "strategi": "strateg",
    "safeti": "safe",
    "info": "inform",
    "unpaid": "paid",
    "built": "build",
}
"""Stems of one word family that Porter's stemmer leaves apart ("response" and "respond",
"decision" and "decide"), to one; and a few a question shortens or negates ("info",
"unpaid")."""


def _families(found: list[str]) -> list[str]:
    return [_FAMILY.get(s, s) for s in found]


def _words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, a possessive's "'s" off ("council's": "council")."""
    text = text.lower().replace("’", "'")
    return [w[:-2] if w.endswith("'s") and w not in STOPWORDS else w for w in _WORD.findall(text)]


def stems(text: str) -> list[str]:
    """The Porter stems of the words of ``text``, in order."""
    return _families(_STEMMER.stemWords(_words(text)))


def stem(word: str) -> str:
    found = str(_STEMMER.stemWord(word.lower()))
    return _FAMILY.get(found, found)


def content_stems(text: str, extra_stop: frozenset[str] = frozenset()) -> list[str]:
    """Stems of the words of ``text`` worth searching for, in order."""
    words = [w for w in _words(text) if w not in STOPWORDS]
    found = [s for s in _families(_STEMMER.stemWords(words)) if len(s) > 1 and s not in extra_stop]
    return found


_KIND_OF_BODY = frozenset(
    stems(
        """
        council councils borough district county trust trusts primary care nhs health
        partnership community communities police fire rescue college association services
        service sector voluntary organisations organisation local authorities authority areas
        area relevant hospital public statutory government department
        """
    )
)
"""Words in the names of bodies that say what kind of body, not which: a question's
"council" is still searched for."""
_PROPER = re.compile(r"\b[A-Z][A-Za-z']+")


_CONTACT_DETAILS = re.compile(
    r"\S@\S|\bwww\.|https?://|\b(telephone|tel|t):? ?0\d{2,4}[ \d]{6,}", re.IGNORECASE
)
_OPENING = 12
"""Stems of a quote's opening kept to tell whether it defines what a question names."""
_OPENING_CHARS = 60
"""Where a definition spells out its acronym: "Service Level Agreement (SLA) ..."."""


def _opening(text: str) -> list[str]:
    """The content stems of ``text`` in order, "compact" kept (it is what "what is the
    Compact?" asks about)."""
    words = [w for w in _words(text) if w not in STOPWORDS or _COMPACT.fullmatch(w)]
    return [s for s in _families(_STEMMER.stemWords(words)) if s != "s"]


def place_stems(text: str) -> frozenset[str]:
    """Stems of the proper names in ``text`` ("Sevenoaks District Council" -> "sevenoak"),
    without the words that only say what kind of body it is."""
    names = " ".join(_PROPER.findall(text))
    return frozenset(content_stems(names)) - _KIND_OF_BODY


def _content_stems_of(texts: list[str]) -> list[list[str]]:
    """``content_stems`` of many texts at once (one call into the stemmer)."""
    words = [[w for w in _words(t) if w not in STOPWORDS] for t in texts]
    flat = _families(_STEMMER.stemWords([w for ws in words for w in ws]))
    out: list[list[str]] = []
    at = 0
    for ws in words:
        out.append([s for s in flat[at : at + len(ws)] if len(s) > 1])
        at += len(ws)
    return out


@dataclass(frozen=True)
class Term:
    """One word of a question, with the stems that count as finding it."""

    word: str
    alternatives: frozenset[str]
    weight: float = 1.0
    """Less than 1 for words only added by query expansion."""
    counts: bool = True
    """Whether coverage counts this word (words added by expansion do not)."""
    alone: bool = False
    """Searched for only when the question has no other word to go on: "compact" in "what
    is the compact for?" (in any other question it says nothing about which clause)."""
    beside: frozenset[str] = frozenset()
    """The stems next to this word in the question ("compact" included), to tell a word of
    a Compact's name ("the Kent *Partners* Compact") from the same word asked about."""


@dataclass(frozen=True)
class Match:
    commitment: str
    score: float
    """BM25 plus pair bonus, before any topic or party preference; higher is better."""
    coverage: float
    """Share (0-1) of the question's idf-weighted words this commitment contains."""
    covered: frozenset[str]
    """The question's words it contains."""


@dataclass
class CompactSearch:
    """BM25 over one Compact's commitments (clause + section title + keywords)."""

    compact: Compact
    keywords: Mapping[str, str] = field(default_factory=dict)
    questions: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Question keys: the questions each commitment answers, by id."""

    def __post_init__(self) -> None:
        sections = {s.id: s.title for s in self.compact.sections}
        self.ids: list[str] = [c.id for c in self.compact.commitments]
        self._doc = {cid: i for i, cid in enumerate(self.ids)}
        self._tf: list[dict[str, float]] = []
        # Few containers, and those of strings and numbers: with hundreds of Compacts'
        # searches in memory, the garbage collector's full passes stay short.
        pair_docs: dict[str, list[int]] = {}
        lengths: list[float] = []
        df: Counter[str] = Counter()
        postings: dict[str, list[int]] = {}
        commitments = self.compact.commitments
        texts = [
            text
            for c in commitments
            for text in (c.quote, self.keywords.get(c.id, ""), sections[c.section])
        ]
        # Each clause's keys as one text: only which words they hold counts.
        asked = (
            [" ".join(self.questions.get(c.id, ())) for c in commitments] if QUESTION_KEYS else []
        )
        stemmed = cached_stems([*texts, *asked], _content_stems_of, __file__)
        keyed = stemmed[len(texts) :] if asked else [[] for _ in commitments]
        for i, _c in enumerate(commitments):
            quote, keywords, section = stemmed[3 * i : 3 * i + 3]
            tf: dict[str, float] = {}
            for s in keyed[i]:
                tf[s] = QUESTION_KEYS  # once per word, however many keys hold it
            pairs: set[str] = set()
            # Length is the clause's own: keywords must not make a clause "longer".
            lengths.append(float(len(quote)))
            for found, weight in ((quote, _QUOTE), (keywords, _KEYWORDS), (section, _SECTION)):
                for s in found:
                    tf[s] = tf.get(s, 0.0) + weight
                pairs.update(f"{a} {b}" for a, b in itertools.pairwise(found))
            # "compact" is a stop word of questions, but "what is the compact?" finds the
            # clauses that speak of it.
            parts = zip(texts[3 * i : 3 * i + 3], (_QUOTE, _KEYWORDS, _SECTION), strict=True)
            said = sum(weight * len(_COMPACT.findall(text.lower())) for text, weight in parts)
            if said:
                tf["compact"] = said
            self._tf.append(tf)
            for pair in pairs:
                pair_docs.setdefault(pair, []).append(i)
            for s in tf:
                df[s] += 1
                postings.setdefault(s, []).append(i)
        self._df = df
        self._postings = {s: tuple(docs) for s, docs in postings.items()}
        self._pair_docs = {pair: tuple(docs) for pair, docs in pair_docs.items()}
        self._n = len(self.ids)
        self._openings: list[list[str]] | None = None
        self._key_stems: dict[int, list[tuple[dict[str, int], float]]] = {}
        """Each commitment's question keys, stemmed (filled on first need)."""
        self.gives_contact = frozenset(
            c.id for c in self.compact.commitments if _CONTACT_DETAILS.search(c.quote)
        )
        """Commitments that give an e-mail address, a telephone number or a web address."""
        self.asking = frozenset(
            c.id for c in self.compact.commitments if c.quote.rstrip().endswith("?")
        )
        """Commitments that are themselves questions to the reader (a draft's "Are there any
        others we have missed here?")."""
        self._avg = sum(lengths) / max(1, len(lengths))
        self._norm = [_K1 * (1 - _B + _B * n / self._avg) for n in lengths]
        self._rare_idf = math.log(1 + (self._n - 0.5) / 1.5)
        # The places and bodies a Compact is named for ("kent", "chelsea", "sevenoak") say
        # which Compact, not what is asked; the other words of its title ("partners",
        # "community", "consultation") only where they stand in its name in the question
        # ("the Kent Partners Compact"), or where the Compact never uses them ("draft").
        compact = self.compact
        self.place_stems = place_stems(
            " ".join((compact.code.replace("-", " ").title(), compact.area, *compact.parties))
        )
        title = frozenset(content_stems(f"{compact.title} {compact.short_name}"))
        self.title_stems = title - self.place_stems
        self.name_stems = self.place_stems | {s for s in self.title_stems if s not in self._df}
        if compact.is_draft:
            # "does the draft mention ...?": a draft is what its readers call it.
            self.name_stems |= {"draft"}

    def _stem_keys(self, docs: list[int]) -> None:
        """Stem the question keys of commitments ``docs`` not stemmed yet (on first need:
        only the clauses that compete for a question ever are), in one call: each key as its
        stems' counts and its BM25 length norm."""
        new = [d for d in dict.fromkeys(docs) if d not in self._key_stems]
        if not new:
            return
        asked = [list(self.questions.get(self.ids[d], ())) for d in new]
        stemmed = iter(_content_stems_of([q for qs in asked for q in qs]))
        for d, qs in zip(new, asked, strict=True):
            keys = []
            for _ in qs:
                found = next(stemmed)
                norm = _K1 * (1 - _B + _B * len(found) / _KEY_LENGTH)
                keys.append((dict(Counter(found)), norm))
            self._key_stems[d] = keys

    def key_scores(
        self, terms: Sequence[Term], among: Iterable[str], raw: bool = False
    ) -> dict[str, float]:
        """How well the question keys of the commitments ``among`` (the ones competing to
        answer) match the question: each one's best question by BM25 (the Compact's idf;
        each of the question's words counts by its best alternative), as a share (0-1] of
        the best of them (``raw``: the BM25 sums themselves); those whose keys share no word
        with the question are left out."""
        if not self.questions:
            return {}
        terms = [t for t in self._without_names(terms) if t.counts and not t.alone]
        of_term: dict[str, list[int]] = {}
        for i, t in enumerate(terms):
            for s in t.alternatives:
                of_term.setdefault(s, []).append(i)
        idfs = {s: self.idf(s) for s in of_term}
        per: dict[str, float] = {}
        docs = [self._doc[cid] for cid in among if cid in self._doc]
        self._stem_keys(docs)
        for doc in docs:
            for tf, norm in self._key_stems[doc]:
                best: dict[int, float] = {}
                for s, n in tf.items():
                    found = of_term.get(s)
                    if found is None:
                        continue
                    value = idfs[s] * n * (_K1 + 1) / (n + norm)
                    for i in found:
                        if value > best.get(i, 0.0):
                            best[i] = value
                if best:
                    cid = self.ids[doc]
                    total = sum(best.values())
                    if total > per.get(cid, 0.0):
                        per[cid] = total
        if raw:
            return per
        top = max(per.values(), default=0.0)
        return {cid: value / top for cid, value in per.items()} if top else {}

    def idf(self, s: str) -> float:
        """Rarity of a stem in this Compact (BM25's idf)."""
        n = self._df.get(s, 0)
        return math.log(1 + (self._n - n + 0.5) / (n + 0.5))

    def weight(self, term: Term) -> float:
        """How much a question's word counts towards coverage: its rarity here, where a
        word the Compact never uses counts half as much again as one it uses once (with
        keywords for every clause, it is more often the point of the question than an aside
        about the asker's own situation)."""
        rare = min(self.term_idf(term), self._rare_idf)
        return rare if self.knows(term) else rare * _UNKNOWN

    def term_idf(self, term: Term) -> float:
        return max(self.idf(s) for s in term.alternatives)

    def knows(self, term: Term) -> bool:
        return any(s in self._df for s in term.alternatives)

    def rank(
        self,
        terms: Sequence[Term],
        *,
        only: Iterable[str] | None = None,
    ) -> list[Match]:
        """The commitments best matching any term, best first (``only``: just these ids)."""
        terms = self._without_names(terms)
        if any(t.counts and not t.alone for t in terms):
            terms = [t for t in terms if not t.alone]
        allowed = None if only is None else {self._doc[i] for i in only if i in self._doc}
        idfs = {s: self.idf(s) for t in terms for s in t.alternatives}
        rarity = {t.word: max(idfs[s] for s in t.alternatives) for t in terms}
        # A word the Compact never uses, not even in its keywords, is likelier the point of
        # the question ("insurance", "VAT") than an aside: it counts for more than a rare one.
        known = {t.word for t in terms if any(a in self._df for a in t.alternatives)}
        weights = {
            word: min(value, self._rare_idf) * (1.0 if word in known else _UNKNOWN)
            for word, value in rarity.items()
        }
        scores: dict[int, float] = {}
        for term in terms:
            best: dict[int, float] = {}
            for s in term.alternatives:
                idf = idfs[s]
                for doc in self._postings.get(s, ()):
                    if allowed is not None and doc not in allowed:
                        continue
                    tf = self._tf[doc][s]
                    value = idf * tf * (_K1 + 1) / (tf + self._norm[doc])
                    if value > best.get(doc, 0.0):
                        best[doc] = value
            for doc, value in best.items():
                scores[doc] = scores.get(doc, 0.0) + value * term.weight
        if not scores:
            return []
        pairs = [
            (f"{a} {b}", 0.5 * (rarity[x.word] + rarity[y.word]))
            for x, y in itertools.pairwise(terms)
            if x.counts and y.counts
            for a in x.alternatives
            for b in y.alternatives
        ]
        total = sum(weights[t.word] for t in terms if t.counts) or 1.0
        for pair, w in pairs:
            for doc in self._pair_docs.get(pair, ()):
                if doc in scores:
                    scores[doc] += _PAIR_BONUS * w
        # Only the clauses that can compete to answer are ranked and their coverage worked
        # out; the rest cover nothing of the question.
        order = heapq.nsmallest(_COVERED, ((-score, doc) for doc, score in scores.items()))
        checks = [(t.word, tuple(sorted(t.alternatives - {t.word}))) for t in terms if t.counts]
        found: list[Match] = []
        for negative, doc in order:
            covered = self._covered(checks, self._tf[doc])
            weight = sum(weights[t.word] for t in terms if t.word in covered)
            found.append(Match(self.ids[doc], -negative, weight / total, covered))
        return found

    def misses_point(self, terms: Sequence[Term], match: Match) -> bool:
        """Whether ``match`` leaves out a word of the question that this Compact never uses
        and that counts far more than any word it holds ("insurance", while it holds only
        "council" and "contract"): that word is likelier what was asked."""
        counted = self.counted(terms)
        held = max((self.weight(t) for t in counted if t.word in match.covered), default=0.0)
        left = max(
            (self.weight(t) for t in counted if t.word not in match.covered and not self.knows(t)),
            default=0.0,
        )
        return left >= _POINT * held

    def defining(self, focus: str) -> list[str]:
        """The commitments whose quote opens with ``focus`` ("Full Cost Recovery - Under
        ...", "The Kent Partners' Compact is ...", "Service Level Agreement (SLA) A
        document ..."): the ones that define or name it, in the text's order.  A focus of
        place names alone ("Kent") names too much to say."""
        wanted = _opening(focus)
        words = _WORD.findall(focus.lower())
        if not words:
            return []
        # The clause that defines just what was named ("Compact - a written agreement", "Kent
        # CAN - the Kent Community Action Network"), word for word.
        exact = re.compile(
            r"\W*((the|a|an)\s+)?" + r"(?:'s)?\W+".join(map(re.escape, words)) + r"(?:'s|')?\s*"
            r"(?:[-–:(]|(?:is|are)\s+(?:a|an|the)\b|(?:means|refers)\b)"
        )
        if not wanted or set(wanted) <= self.place_stems:
            # Places alone ("Kent") name too much, unless word for word ("Kent CAN - ...").
            return [c.id for c in self.compact.commitments if exact.match(c.quote.lower())]
        if self._openings is None:
            self._openings = [_opening(c.quote)[:_OPENING] for c in self.compact.commitments]
        acronym = f"({focus.strip().lower()})"
        n = len(wanted)
        found = [
            c
            for c, opening in zip(self.compact.commitments, self._openings, strict=True)
            if opening[:n] == wanted or (n == 1 and acronym in c.quote[:_OPENING_CHARS].lower())
        ]
        # Then before one naming something longer that starts with it ("Compact Compliance").
        return [c.id for c in sorted(found, key=lambda c: not exact.match(c.quote.lower()))]

    def _without_names(self, terms: Sequence[Term]) -> list[Term]:
        """``terms`` less the words that name this Compact: its places, and words of its
        title that stand in a run of name words ("kent partners compact draft")."""
        named = {t.word for t in terms if t.word in self.name_stems} | {"compact"}
        grown = True
        while grown:
            grown = False
            for t in terms:
                if t.word not in named and t.word in self.title_stems and t.beside & named:
                    named.add(t.word)
                    grown = True
        return [t for t in terms if t.word not in named or t.alone]

    @staticmethod
    def _covered(
        checks: Sequence[tuple[str, tuple[str, ...]]], have: Mapping[str, float]
    ) -> frozenset[str]:
        """The question's words (each with its other alternatives) a clause holds, each
        clause word standing for one of them only ("in advance or in arrears" is not covered
        twice by "advance")."""
        used: set[str] = set()
        covered: set[str] = set()
        # A word found as itself first, then words found through an alternative.
        for word, _others in checks:
            if word in have:
                used.add(word)
                covered.add(word)
        for word, others in checks:
            if word in covered:
                continue
            hit = next((s for s in others if s in have and s not in used), None)
            if hit is not None:
                used.add(hit)
                covered.add(word)
        return frozenset(covered)

    def counted(self, terms: Sequence[Term]) -> list[Term]:
        """The terms coverage is measured against (not the Compact's own name)."""
        return [t for t in self._without_names(terms) if t.counts and not t.alone]
