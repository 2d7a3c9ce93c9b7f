"""Reading Compact data files, validating them, and proving their quotes verbatim."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, RootModel, ValidationError

from compacts.models import Compact

COMPACTS_DIR = Path(__file__).parent
SOURCES_DIR = COMPACTS_DIR / "sources"


def _parse_yaml(path: Path) -> object:
    """The YAML in ``path``.  PyYAML is imported here, when a file is read (a Compact read
    from the cache needs none); libyaml's C loader is about ten times faster, the
    pure-Python one is the fallback.  Raises OSError, or CompactFileError for bad YAML."""
    import yaml

    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise CompactFileError(f"{path}: cannot read: {exc}") from exc


class CompactFileError(ValueError):
    """A Compact file that cannot be used; the message names the file, field and reason."""


_BULLET = re.compile(r"(?m)^[ \t]*(?:[-·•*]|\d+[.)]|[a-z][.)])[ \t]+")
_EMPHASIS = re.compile(r"\*+")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Text with bullet markers, Markdown emphasis and runs of white space folded away.

    The sources were converted to Markdown-ish text: a bullet "- ", "· " or "1. " at
    the start of a line and ``**bold**`` markers are layout, not words of the Compact.
    """
    text = _BULLET.sub(" ", text)
    text = _EMPHASIS.sub("", text)
    return _SPACE.sub(" ", text).strip()


def load_compact(path: Path) -> Compact:
    """Load and validate one Compact file, and check every quote against its source."""
    try:
        raw = _parse_yaml(path)
    except OSError as exc:
        raise CompactFileError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(raw, dict):
        raise CompactFileError(f"{path}: expected a mapping at the top level")
    try:
        compact = Compact.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise CompactFileError(f"{path}: {where}: {first['msg']}") from exc
    source = path.parent / "sources" / compact.source
    missing = unquoted_commitments(compact, source)
    if missing:
        raise CompactFileError(
            f"{path}: commitments.quote: not verbatim in {source.name}: {', '.join(missing)}"
        )
    unnamed = unnamed_bodies(compact, source)
    if unnamed:
        raise CompactFileError(
            f"{path}: bodies.name: not in {source.name} (say named_in_text: false if the text "
            f"does not name it): {', '.join(unnamed)}"
        )
    return numbered(compact, source.read_text(encoding="utf-8"))


_NUMBERED = re.compile(r"^[ \t]*(?:[-·•*][ \t]+)?(\d{1,3})[.)][ \t]+(\S.*)$")


def numbered(compact: Compact, text: str) -> Compact:
    """``compact`` with each commitment the source numbers given its number and the heading
    of its list, as the text has them (a letter cites "undertaking 13", not our id)."""
    lines = text.splitlines()
    starts: dict[str, tuple[str, str | None]] = {}
    heading: str | None = None
    for line in lines:
        found = _NUMBERED.match(line)
        if found is None:
            if line.strip() and not line.lstrip().startswith(("-", "·", "•", "*")):
                heading = line.strip().rstrip(":").strip() if line.rstrip().endswith(":") else None
            continue
        # Keyed by the item's first words: a quote starts where its numbered line does.
        starts.setdefault(normalise(found.group(2))[:60], (found.group(1), heading))
    commitments = []
    for c in compact.commitments:
        hit = starts.get(normalise(c.quote)[:60])
        if hit is not None and len(normalise(c.quote)) >= 10:
            c = c.model_copy(update={"number": hit[0], "list_heading": hit[1]})
        commitments.append(c)
    data = compact.model_dump()
    data["commitments"] = [c.model_dump() for c in commitments]
    return Compact.model_validate(data)


def unnamed_bodies(compact: Compact, source: Path) -> list[str]:
    """Bodies said to be named in the text whose name is not in it (case and layout aside)."""
    text = _normalised_source(source, *_stamp(source)).casefold()
    return [
        b.name
        for b in compact.bodies
        if b.named_in_text and normalise(b.name).casefold() not in text
    ]


def _stamp(source: Path) -> tuple[int, int]:
    stat = source.stat()
    return stat.st_mtime_ns, stat.st_size


def keywords_file(path: Path) -> Path:
    """Where the paraphrase keywords of the Compact file ``path`` live: ``search/<name>.yaml``
    beside it."""
    return path.parent / "search" / path.name


def _optional_yaml(file: Path) -> Any:
    """A data file that may be missing beside a Compact: its YAML, or None (no file, or
    empty).  Raises CompactFileError if it is there but cannot be read."""
    try:
        return _parse_yaml(file)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CompactFileError(f"{file}: cannot read: {exc}") from exc


def load_keywords(path: Path) -> dict[str, str]:
    """The paraphrase keywords beside the Compact file ``path``: commitment id -> words.

    They only help questions find clauses; nothing is quoted from them.  No file, no
    keywords.
    """
    file = keywords_file(path)
    raw = _optional_yaml(file)
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise CompactFileError(f"{file}: expected commitment id: keywords (text) on each line")
    return raw


def questions_file(path: Path) -> Path:
    """Where the question keys of the Compact file ``path`` live: ``questions/<name>.yaml``
    beside it."""
    return path.parent / "questions" / path.name


class QuestionKeys(
    RootModel[dict[str, Annotated[list[Annotated[str, Field(min_length=3)]], Field(min_length=1)]]]
):
    """A question-keys file: commitment id -> the questions that commitment answers."""


def load_questions(path: Path, compact: Compact) -> dict[str, list[str]]:
    """The question keys beside the Compact file ``path`` (doc2query: questions people
    would ask that each commitment answers), by commitment id.  They only help ranking;
    nothing is quoted from them.  No file, no keys.  Raises CompactFileError for a file
    that is not a mapping of id -> questions, or that names an id ``compact`` lacks."""
    file = questions_file(path)
    raw = _optional_yaml(file)
    if raw is None:
        return {}
    try:
        keys = QuestionKeys.model_validate(raw).root
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise CompactFileError(f"{file}: {where}: {first['msg']}") from exc
    ids = {c.id for c in compact.commitments}
    unknown = sorted(k for k in keys if k not in ids)
    if unknown:
        raise CompactFileError(
            f"{file}: no such commitment in {compact.code}: {', '.join(unknown)}"
        )
    return keys


def unquoted_commitments(compact: Compact, source: Path) -> list[str]:
    """Ids of commitments whose quote is not in the source text (layout aside)."""
    try:
        stat = source.stat()
        text = _normalised_source(source, stat.st_mtime_ns, stat.st_size)
    except OSError as exc:
        raise CompactFileError(f"{source}: cannot read source text: {exc}") from exc
    return [c.id for c in compact.commitments if normalise(c.quote) not in text]


@cache
def _normalised_source(source: Path, mtime_ns: int, size: int) -> str:
    """A source text, normalised; read again when the file changes (its time or size)."""
    return normalise(source.read_text(encoding="utf-8"))


def source_text(compact: Compact, compacts_dir: Path = COMPACTS_DIR) -> str:
    return (compacts_dir / "sources" / compact.source).read_text(encoding="utf-8")


def builtin_compact_file(code: str) -> Path:
    """The data file of a Compact shipped with compactbot."""
    return COMPACTS_DIR / f"{code}.yaml"
