"""A full-text index of every commitment (SQLite FTS5, ranked by BM25).

Built in memory from the loaded Compacts at start-up: the Compact files are the
source of truth, the index only finds clauses quickly.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

from bot.knowledge.search import stem
from compacts.models import Compact

_TERM = re.compile(r"[a-z0-9]+")

# Words too common in questions to rank anything.
STOPWORDS = frozenset(
    """
    a an and are as at be but by can could do does dont for from has have how i if in
    is it its me my of on or our should so that the their them they this to us was
    we what whats when where which who why will with would you your any anything much
    many long must get got give gave just still compact compacts say says said
    """.split()
)


def query_terms(text: str) -> list[str]:
    """The words of ``text`` worth searching for: no stop words, no one- or two-letter bits."""
    return [t for t in _TERM.findall(text.lower()) if len(t) > 2 and t not in STOPWORDS]


def topic_token(topic: str) -> str:
    """A topic as one FTS token: the tokenizer would split "funding_change" in two."""
    return topic.replace("_", "")


@dataclass(frozen=True)
class Hit:
    compact: str
    commitment: str
    score: float
    """BM25 rank: lower (more negative) is better."""


_COMMON = 0.1
"""A word in more than this share of all commitments ranks little and costs much: a search
leaves it out while the question has a rarer word."""

# Up to this many Compacts, a restricted search runs one rowid-range query per Compact;
# beyond it, one query over the whole index filtered by code.
_RANGED_MAX = 8


class CommitmentIndex:
    """FTS5 over (compact, commitment id, topics, section title, quote, keywords).

    Each Compact's rows are inserted together, so they hold one rowid range: a search
    restricted to a few Compacts asks FTS5 for those ranges, which it seeks to directly,
    instead of ranking every match in every Compact and then filtering.  Scores are the
    same either way (BM25's statistics are the whole index's).
    """

    def __init__(self) -> None:
        self._ranges: dict[str, tuple[int, int]] = {}
        self._rows_with: dict[str, int] | None = None
        """Stemmed word -> how many commitments hold it (read once the index is built)."""
        # check_same_thread=False: built once, then only read.
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE commitments USING fts5("
            "compact UNINDEXED, commitment UNINDEXED, topics, section, quote, keywords, "
            "tokenize = 'porter unicode61')"
        )

    def add(self, compact: Compact, keywords: Mapping[str, str] | None = None) -> None:
        """Index ``compact``'s commitments, with their paraphrase ``keywords`` if any."""
        sections = {s.id: s.title for s in compact.sections}
        keywords = keywords or {}
        first = self._max_rowid() + 1
        self._db.executemany(
            "INSERT INTO commitments (compact, commitment, topics, section, quote, keywords) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    compact.code,
                    c.id,
                    " ".join(map(topic_token, c.topics)),
                    sections[c.section],
                    c.quote,
                    keywords.get(c.id, ""),
                )
                for c in compact.commitments
            ],
        )
        self._ranges[compact.code] = (first, self._max_rowid())
        self._rows_with = None

    def _max_rowid(self) -> int:
        row = self._db.execute("SELECT max(rowid) FROM commitments").fetchone()
        return int(row[0] or 0)

    def _query(
        self, select: str, match: str, compacts: list[str] | None, order: str, limit: int
    ) -> list[Hit]:
        base = f"SELECT {select} FROM commitments WHERE commitments MATCH ?"
        if compacts and len(compacts) <= _RANGED_MAX:
            hits: list[Hit] = []
            for code in dict.fromkeys(compacts):
                lo, hi = self._ranges.get(code, (1, 0))
                rows = self._db.execute(
                    f"{base} AND rowid BETWEEN ? AND ? ORDER BY {order} LIMIT ?",
                    (match, lo, hi, limit),
                )
                hits += [Hit(c, i, s) for c, i, s in rows]
            if order == "score" and len(compacts) > 1:
                hits.sort(key=lambda h: h.score)
            return hits if limit < 0 else hits[:limit]
        sql, params = base, [match]
        if compacts:
            sql += f" AND compact IN ({','.join('?' * len(compacts))})"
            params += compacts
        rows = self._db.execute(f"{sql} ORDER BY {order} LIMIT ?", (*params, limit))
        return [Hit(c, i, s) for c, i, s in rows]

    def search(
        self,
        text: str,
        *,
        compacts: list[str] | None = None,
        topic: str | None = None,
        limit: int = 50,
    ) -> list[Hit]:
        """Commitments matching any word of ``text``, best first (BM25).

        With ``topic``, only commitments tagged with it; with ``compacts``, only theirs.
        """
        terms = self._telling(list(dict.fromkeys(query_terms(text))))
        words = " OR ".join(f'"{t}"' for t in terms)
        if topic:
            match = f'topics:"{topic_token(topic)}"' + (f" AND ({words})" if words else "")
        elif words:
            match = words
        else:
            return []
        select = "compact, commitment, bm25(commitments, 0, 0, 0.5, 1.0, 2.0, 1.5) AS score"
        return self._query(select, match, compacts, "score", limit)

    def _telling(self, terms: list[str]) -> list[str]:
        """``terms`` less those in too many commitments to tell them apart, keeping the
        rarest when all are common (with hundreds of Compacts, "council" matches thousands
        of rows that BM25 then scores for almost nothing)."""
        if len(terms) < 2:
            return terms
        if self._rows_with is None:
            self._db.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS vocabulary USING fts5vocab(commitments, 'row')"
            )
            self._rows_with = dict(self._db.execute("SELECT term, doc FROM vocabulary"))
        rows = max(1, self._max_rowid())
        count = {t: self._rows_with.get(stem(t), 0) for t in terms}
        kept = [t for t in terms if count[t] <= _COMMON * rows]
        return kept or [min(terms, key=count.__getitem__)]

    def with_topic(self, topic: str, compacts: list[str] | None = None) -> list[Hit]:
        """Every commitment tagged ``topic``, in document order."""
        match = f'topics:"{topic_token(topic)}"'
        return self._query("compact, commitment, 0.0", match, compacts, "rowid", -1)
