"""A cache of validated Compacts, keyed by the hashes of the files they were read from.

Reading a Compact file means parsing its YAML, validating it and proving every quote
verbatim against its source text: a few milliseconds each, too slow for 500 Compacts at
every start and every command line call.  Once a file has passed, the validated Compact
(as JSON), its paraphrase keywords and its question keys are stored under
``<cache dir>/<key>.json``, where the key is a hash of:

- the Compact file's bytes, its source text's bytes, its keywords file's and its
  question keys file's bytes (or their absence): change any of them and the entry no longer matches;
- the code that decides what "valid" means (``compacts/models.py``, ``compacts/loader.py``)
  and pydantic's version: a new field or rule invalidates every entry.

An entry is read back with ``Compact.model_validate_json`` (so it is validated again, and
a damaged entry is simply not used).  The cache directory is ``$COMPACTBOT_CACHE_DIR``,
else ``$XDG_CACHE_HOME/compactbot``, else ``~/.cache/compactbot``; when it cannot be
written, Compacts are read from their files every time, as before.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pydantic

from compacts import loader
from compacts.models import Compact

FORMAT = 2
"""Bumped when the layout of an entry changes."""


def cache_dir() -> Path:
    explicit = os.environ.get("COMPACTBOT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "compactbot"


@cache
def _code_fingerprint() -> bytes:
    """What decides validity: the schema and loader source, and pydantic's version."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{FORMAT}|{pydantic.VERSION}|".encode())
    for module in ("models.py", "loader.py", "cache.py"):
        digest.update((Path(loader.__file__).parent / module).read_bytes())
    return digest.digest()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _key(data: bytes, *parts: bytes | None) -> str:
    digest = hashlib.blake2b(_code_fingerprint(), digest_size=20)
    for part in (data, *parts):
        digest.update(b"\0" if part is None else hashlib.blake2b(part).digest())
    return digest.hexdigest()


def _source_name(data: bytes) -> str | None:
    """The ``source:`` file name a Compact file names, read without parsing the YAML."""
    for line in data.decode("utf-8", errors="replace").splitlines():
        if line.startswith("source:"):
            return line.partition(":")[2].strip().strip("'\"") or None
    return None


class Cached(NamedTuple):
    compact: Compact
    keywords: dict[str, str]
    questions_json: str
    """The question keys as JSON: decoded (``questions``) only when an answer is judged,
    so a one-shot command that needs none does not pay for them."""

    @property
    def questions(self) -> dict[str, list[str]]:
        found = json.loads(self.questions_json)
        return {str(k): [str(q) for q in v] for k, v in found.items()}

    def questions_later(self) -> Callable[[], dict[str, list[str]]]:
        """``questions``, decoded when called."""
        return lambda: self.questions


def _cached(compact: Compact, keywords: dict[str, str], questions: dict[str, list[str]]) -> Cached:
    return Cached(compact, keywords, json.dumps(questions))


def load_cached(path: Path, directory: Path | None = None) -> tuple[Compact, dict[str, str]]:
    """The Compact in ``path`` and its keywords (``load_all`` with its question keys)."""
    found = load_all(path, directory)
    return found.compact, found.keywords


def load_all(path: Path, directory: Path | None = None) -> Cached:
    """The Compact in ``path``, its keywords and its question keys, from the cache when the
    files are unchanged.

    Raises CompactFileError as ``loader.load_compact`` does for a bad file.
    """
    directory = directory or cache_dir()
    data = _read(path)
    if data is None:
        compact = loader.load_compact(path)
        return _cached(compact, loader.load_keywords(path), loader.load_questions(path, compact))
    name = _source_name(data)
    source = _read(path.parent / "sources" / name) if name else None
    keywords_bytes = _read(loader.keywords_file(path))
    questions_bytes = _read(loader.questions_file(path))
    entry = directory / f"{_key(data, source, keywords_bytes, questions_bytes)}.json"
    try:
        stored = json.loads(entry.read_bytes())
        compact = Compact.model_validate_json(stored["compact"])
        keywords = {str(k): str(v) for k, v in stored["keywords"].items()}
        questions = stored["questions"]
        if not isinstance(questions, str):
            raise TypeError("questions: not JSON text")
        if compact.source == name:
            return Cached(compact, keywords, questions)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # no entry, or one that cannot be used: read the files
    compact = loader.load_compact(path)
    found = _cached(compact, loader.load_keywords(path), loader.load_questions(path, compact))
    if compact.source == name:
        _store(entry, found)
    return found


def _store(entry: Path, found: Cached) -> None:
    payload = json.dumps(
        {
            "compact": found.compact.model_dump_json(),
            "keywords": found.keywords,
            "questions": found.questions_json,
        }
    )
    store(entry, payload)


def store(entry: Path, payload: str) -> None:
    """Write a cache entry atomically; a cache that cannot be written is no error."""
    import tempfile

    tmp_name: str | None = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", dir=entry.parent, suffix=".tmp", delete=False, encoding="utf-8"
        ) as tmp:
            tmp_name = tmp.name
            tmp.write(payload)
        os.replace(tmp_name, entry)
    except OSError:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
