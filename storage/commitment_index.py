"""A full-text index of every commitment (SQLite FTS5, ranked by BM25).

Built in memory from the loaded Compacts at start-up: the Compact files are the
source of truth, the index only finds clauses quickly.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

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


class CommitmentIndex:
    """FTS5 over (compact, commitment id, topics, section title, quote)."""

    def __init__(self) -> None:
        # check_same_thread=False: built once, then only read.
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE commitments USING fts5("
            "compact UNINDEXED, commitment UNINDEXED, topics, section, quote, "
            "tokenize = 'porter unicode61')"
        )

    def add(self, compact: Compact) -> None:
        sections = {s.id: s.title for s in compact.sections}
        self._db.executemany(
            "INSERT INTO commitments (compact, commitment, topics, section, quote) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (
                    compact.code,
                    c.id,
                    " ".join(map(topic_token, c.topics)),
                    sections[c.section],
                    c.quote,
                )
                for c in compact.commitments
            ],
        )

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
        terms = query_terms(text)
        words = " OR ".join(f'"{t}"' for t in dict.fromkeys(terms))
        if topic:
            match = f'topics:"{topic_token(topic)}"' + (f" AND ({words})" if words else "")
        elif words:
            match = words
        else:
            return []
        sql = (
            "SELECT compact, commitment, bm25(commitments, 0, 0, 0.5, 1.0, 2.0) AS score "
            "FROM commitments WHERE commitments MATCH ?"
        )
        params: list[object] = [match]
        if compacts:
            sql += f" AND compact IN ({','.join('?' * len(compacts))})"
            params += compacts
        sql += " ORDER BY score LIMIT ?"
        params.append(limit)
        return [Hit(c, i, s) for c, i, s in self._db.execute(sql, params)]

    def with_topic(self, topic: str, compacts: list[str] | None = None) -> list[Hit]:
        """Every commitment tagged ``topic``, in document order."""
        sql = "SELECT compact, commitment, 0.0 FROM commitments WHERE commitments MATCH ?"
        params: list[object] = [f'topics:"{topic_token(topic)}"']
        if compacts:
            sql += f" AND compact IN ({','.join('?' * len(compacts))})"
            params += compacts
        sql += " ORDER BY rowid"
        return [Hit(c, i, s) for c, i, s in self._db.execute(sql, params)]
