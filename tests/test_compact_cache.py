"""The cache of validated Compacts: used when the files are unchanged, never when not."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compacts import cache
from compacts.loader import (
    COMPACTS_DIR,
    CompactFileError,
    load_compact,
    load_keywords,
    load_questions,
)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """rbkc's data file, source text and keywords, copied where a test may change them."""
    folder = tmp_path / "compacts"
    (folder / "sources").mkdir(parents=True)
    (folder / "search").mkdir()
    (folder / "questions").mkdir()
    shutil.copy(COMPACTS_DIR / "rbkc.yaml", folder / "rbkc.yaml")
    shutil.copy(COMPACTS_DIR / "questions" / "rbkc.yaml", folder / "questions" / "rbkc.yaml")
    shutil.copy(COMPACTS_DIR / "sources" / "rbkc.txt", folder / "sources" / "rbkc.txt")
    shutil.copy(COMPACTS_DIR / "search" / "rbkc.yaml", folder / "search" / "rbkc.yaml")
    return folder / "rbkc.yaml"


def test_second_read_comes_from_the_cache_and_equals_the_file(copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "cache"
    first, keywords = cache.load_cached(copy, store)
    assert len(list(store.glob("*.json"))) == 1
    again, again_keywords = cache.load_cached(copy, store)
    assert again == first == load_compact(copy)
    assert again_keywords == keywords == load_keywords(copy)


def test_a_changed_file_source_or_keywords_is_read_again(copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "cache"
    cache.load_cached(copy, store)
    keywords = copy.parent / "search" / "rbkc.yaml"
    keywords.write_text(keywords.read_text() + "principles.joint.1: teamwork\n")
    _, found = cache.load_cached(copy, store)
    assert found["principles.joint.1"] == "teamwork"
    copy.write_text(
        copy.read_text().replace("short_name: Kensington", "short_name: Royal Kensington")
    )
    compact, _ = cache.load_cached(copy, store)
    assert compact.short_name.startswith("Royal Kensington")
    source = copy.parent / "sources" / "rbkc.txt"
    source.write_text(source.read_text().replace("To make payments in advance", "To pay late"))
    with pytest.raises(CompactFileError, match="not verbatim"):
        cache.load_cached(copy, store)
    assert len(list(store.glob("*.json"))) == 3


def test_question_keys_come_from_the_cache_and_a_changed_file_is_read_again(
    copy: Path, tmp_path: Path
) -> None:
    store = tmp_path / "cache"
    first = cache.load_all(copy, store)
    assert first.questions == load_questions(copy, first.compact)
    assert sum(map(len, first.questions.values())) >= 2 * len(first.compact.commitments)
    assert cache.load_all(copy, store) == first
    keys = copy.parent / "questions" / "rbkc.yaml"
    keys.write_text(keys.read_text() + "annexe.extra.1:\n  - what is this?\n")
    with pytest.raises(CompactFileError, match=r"questions/rbkc.yaml: no such commitment.*annexe"):
        cache.load_all(copy, store)


@pytest.mark.parametrize(
    "text, message",
    [
        ("principles.joint.1: just words\n", "principles.joint.1"),
        ("principles.joint.1: []\n", "principles.joint.1"),
        ("- a list\n", "top level"),
    ],
)
def test_a_bad_question_keys_file_is_refused_by_name(
    copy: Path, tmp_path: Path, text: str, message: str
) -> None:
    (copy.parent / "questions" / "rbkc.yaml").write_text(text)
    with pytest.raises(CompactFileError, match=message):
        cache.load_all(copy, tmp_path / "cache")


def test_every_shipped_question_key_names_a_commitment_of_its_compact() -> None:
    for path in sorted(COMPACTS_DIR.glob("*.yaml")):
        compact = load_compact(path)
        keys = load_questions(path, compact)
        # Every commitment has questions written for it (the loader refuses unknown ids).
        assert set(keys) == {c.id for c in compact.commitments}, path.name


def test_a_damaged_entry_is_not_used(copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "cache"
    cache.load_cached(copy, store)
    [entry] = store.glob("*.json")
    data = json.loads(entry.read_text())
    data["compact"] = data["compact"].replace('"code":"rbkc"', '"code":"RBKC!"')
    entry.write_text(json.dumps(data))
    compact, _ = cache.load_cached(copy, store)
    assert compact.code == "rbkc"
    entry.write_text("{not json")
    assert cache.load_cached(copy, store)[0].code == "rbkc"


def test_an_unwritable_cache_is_no_error(copy: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    compact, _ = cache.load_cached(copy, blocked / "cache")
    assert compact.code == "rbkc"


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COMPACTBOT_CACHE_DIR", str(tmp_path / "x"))
    assert cache.cache_dir() == tmp_path / "x"
    monkeypatch.delenv("COMPACTBOT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "compactbot"


def test_keywords_name_only_existing_commitments() -> None:
    """A keyword entry for a commitment renamed or removed in the data is reported here."""
    from bot.knowledge.knowledge import Knowledge

    registry = Knowledge.load().registry
    assert {code: registry.stale_keywords(code) for code in registry.codes} == {
        code: [] for code in registry.codes
    }


@pytest.mark.parametrize(
    "argv",
    [
        ["ask", "how long must a consultation be?"],
        [
            "check",
            "consultation",
            "--compact",
            "rbkc",
            "--opens",
            "2027-01-04",
            "--closes",
            "2027-02-15",
            "--json",
        ],
    ],
)
def test_ask_and_check_import_no_telegram_scheduler_or_database(argv: list[str]) -> None:
    code = (
        "import sys, io, contextlib\n"
        "from bot.frontends.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main({argv!r}) == 0\n"
        "heavy = ('telegram', 'apscheduler', 'httpx', 'tornado', 'aiosqlite', 'storage',\n"
        "         'bot.delivery', 'bot.core', 'bot.lifecycle', 'bot.settings', 'icalendar')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
