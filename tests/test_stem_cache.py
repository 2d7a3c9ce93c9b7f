"""The stemmed texts of a Compact's search, kept on disk between runs."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.knowledge.search as search
from bot.knowledge.stem_cache import cached_stems


def test_stems_are_read_back_and_a_damaged_entry_is_stemmed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPACTBOT_CACHE_DIR", str(tmp_path))
    calls: list[list[str]] = []

    def stem(texts: list[str]) -> list[list[str]]:
        calls.append(texts)
        return search._content_stems_of(texts)

    texts = ["Funding will not be withdrawn without notice", "", "Consultations last 12 weeks"]
    first = cached_stems(texts, stem, search.__file__)
    assert first == search._content_stems_of(texts) and len(calls) == 1
    assert cached_stems(texts, stem, search.__file__) == first and len(calls) == 1
    # Other texts are another entry.
    assert cached_stems(texts[:2], stem, search.__file__) == first[:2] and len(calls) == 2
    (entry,) = [p for p in tmp_path.glob("stems-*.json") if p.read_text().count("[") == 4]
    entry.write_text("[[", encoding="utf-8")
    assert cached_stems(texts, stem, search.__file__) == first and len(calls) == 3


def test_an_unwritable_cache_still_stems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("COMPACTBOT_CACHE_DIR", str(blocked / "cache"))
    texts = ["What is the Compact?", "notice of funding changes"]
    assert cached_stems(texts, search._content_stems_of, search.__file__) == (
        search._content_stems_of(texts)
    )
    assert not list(tmp_path.glob("**/stems-*.json"))
