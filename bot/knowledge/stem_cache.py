"""The stemmed words of a Compact's texts, kept on disk between runs.

Building a Compact's clause search means stemming every clause, keyword line, section
title and question key (about 1,500 texts for a large Compact): most of the first answer's
time in a one-shot ``compactbot ask``.  The result depends only on those texts and on the
code that stems them, so it is stored under the Compact cache's directory
(``compacts.cache.cache_dir``) as ``stems-<key>.json``, the key a hash of the texts, the
stemming module's source and PyStemmer's version.  A missing, damaged or unwritable entry
means stemming as before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from compacts.cache import cache_dir, store


@cache
def _fingerprint(module: str) -> bytes:
    """The stemming code's source and the stemmer's version."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(Path(module).read_bytes())
    try:
        digest.update(version("PyStemmer").encode())
    except PackageNotFoundError:
        digest.update(b"?")
    return digest.digest()


def cached_stems(
    texts: list[str], stem: Callable[[list[str]], list[list[str]]], module: str
) -> list[list[str]]:
    """``stem(texts)``, read from disk when these texts were stemmed by this code before."""
    digest = hashlib.blake2b(_fingerprint(module), digest_size=20)
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\0")
    entry = cache_dir() / f"stems-{digest.hexdigest()}.json"
    try:
        found = json.loads(entry.read_bytes())
        if isinstance(found, list) and len(found) == len(texts):
            return [[str(s) for s in item] for item in found]
    except (OSError, ValueError):
        pass
    stemmed = stem(texts)
    store(entry, json.dumps(stemmed, separators=(",", ":")))
    return stemmed
