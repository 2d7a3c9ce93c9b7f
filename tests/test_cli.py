"""The ``compactbot`` command-line contract (see ``bot/cli.py``'s docstring).

Most cases call ``bot.frontends.cli.main`` in-process; one runs the installed console script to
prove the entry point itself works.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.frontends.cli import main
from bot.knowledge.knowledge import Knowledge
from storage.repository import Database

BUILTINS = ["kent-2007-draft", "kent-2011", "perth-kinross", "rbkc", "west-kent"]
NOTICE_QUESTION = "how much notice before they end our grant?"
KENT_CONSULTATION = [
    "check",
    "consultation",
    "--compact",
    "kent-2011",
    "--opens",
    "2026-12-01",
    "--closes",
    "2027-01-05",
    "--today",
    "2026-11-25",
]


_LOADED: list[Knowledge] = []


@pytest.fixture(autouse=True)
def _compacts_loaded_once(knowledge: Knowledge) -> None:
    """In-process calls share the session's Compacts instead of loading them per call."""
    _LOADED[:] = [knowledge]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), knowledge=_LOADED[0])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    return json.loads(out)


# --- ask -------------------------------------------------------------------------------------


def _check_rbkc_notice_answer(data: dict[str, Any]) -> None:
    assert {"question", "answers"} <= data.keys()
    assert data["question"] == NOTICE_QUESTION
    assert len(data["answers"]) == 1
    answer = data["answers"][0]
    assert answer["compact"] == "rbkc"
    assert answer["topic"] == "funding_change"
    assert "3 months" in answer["text"]
    first = answer["citations"][0]
    assert {"commitment", "section", "quote"} <= first.keys()
    assert first["commitment"] == "programmes.public.13"
    assert first["section"] == "2) Well managed programmes and services"
    assert "three months' notice in writing" in first["quote"]


def test_ask_json_one_compact(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "ask", "--json", "--compact", "rbkc", NOTICE_QUESTION)
    _check_rbkc_notice_answer(data)


def test_ask_compact_code_is_case_insensitive(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "ask", "--json", "--compact", "RBKC", NOTICE_QUESTION)
    assert [a["compact"] for a in data["answers"]] == ["rbkc"]


def test_ask_question_in_several_words(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "ask", "--json", "--compact", "rbkc", *NOTICE_QUESTION.split())
    _check_rbkc_notice_answer(data)


def test_ask_without_compact_answers_once_per_compact(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = run_json(capsys, "ask", "--json", NOTICE_QUESTION)
    assert len(data["answers"]) == 5
    assert sorted(a["compact"] for a in data["answers"]) == BUILTINS
    assert all(a["topic"] == "funding_change" for a in data["answers"])


def test_ask_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "ask", "--compact", "rbkc", "how long must a consultation be?")
    assert (code, err) == (0, "")
    assert "12 weeks" in out
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


def test_ask_several_compacts(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(
        capsys, "ask", "--json", "--compact", "rbkc", "--compact", "kent-2011", NOTICE_QUESTION
    )
    assert sorted(a["compact"] for a in data["answers"]) == ["kent-2011", "rbkc"]


# --- compacts, show ---------------------------------------------------------------------


def test_compacts_lists_the_five(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "compacts")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == BUILTINS
    assert "Kensington and Chelsea Compact" in out


def test_compacts_does_not_print_none_for_a_missing_date(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "compacts")
    assert code == 0
    assert "None" not in out


def test_show_topic(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", "rbkc", "--topic", "consultation")
    assert (code, err) == (0, "")
    assert "Kensington and Chelsea Compact" in out
    assert "partnership.public.5" in out
    assert "respond to written consultations should be 12 weeks, wherever possible" in out
    # Only the topic asked for: the funding-notice clause is not shown.
    assert "three months' notice" not in out


def test_show_says_how_firmly_each_figure_is_set(capsys: pytest.CaptureFixture[str]) -> None:
    _, pk, _ = run(capsys, "show", "perth-kinross")
    assert "Notice before ending funding: 6 months (“usually”: not a minimum)" in pk
    assert "Complaints procedure: none set" in pk
    _, wk, _ = run(capsys, "show", "west-kent")
    assert "Replies to correspondence: 2 weeks (an aim, not a deadline)" in wk
    _, draft, _ = run(capsys, "show", "kent-2007-draft")
    assert "minimum 8 weeks (an example in a draft)" in draft
    assert "1 step in order, then 6 routes listed in no order" in draft
    assert "(vcs, an example, not a commitment): e.g. Understanding" in draft
    _, kent, _ = run(capsys, "show", "kent-2011")
    assert "text for consultation, not said to be adopted" in kent
    assert "Notice before ending funding: 3 months\n" in kent


# --- check -----------------------------------------------------------------------------------


def test_check_consultation_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, *KENT_CONSULTATION, "--json")
    assert {
        "compact",
        "kind",
        "verdict",
        "length_days",
        "reasons",
        "citations",
        "reminders",
    } <= data.keys()
    assert data["compact"] == "kent-2011"
    assert data["kind"] == "consultation"
    assert data["verdict"] == "explain"
    assert data["length_days"] == 35
    assert data["reasons"] and all(isinstance(r, str) for r in data["reasons"])
    assert "12 weeks" in data["reasons"][0]
    assert data["citations"][0]["commitment"] == "comms.public.6"
    assert "12 week written consultations" in data["citations"][0]["quote"]
    assert data["reminders"]
    for reminder in data["reminders"]:
        assert {"due", "text"} <= reminder.keys()
        assert "2026-11-25" <= reminder["due"]
    assert [r["due"] for r in data["reminders"]][:3] == ["2026-12-22", "2026-12-29", "2027-01-04"]
    assert data["deadlines"]["standard_close"] == "2027-02-23"


def test_check_consultation_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *KENT_CONSULTATION)
    assert (code, err) == (0, "")
    assert "Kent Compact 2011" in out
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


def test_check_funding_deadlines(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(
        capsys,
        "check",
        "funding",
        "--compact",
        "kent-2011",
        "--ends",
        "2027-06-30",
        "--today",
        "2026-11-25",
        "--json",
    )
    assert data["kind"] == "funding"
    # the consultation must be over "prior to" notice, due by 31 March: started by 30 December
    assert data["deadlines"] == {"consultation_start_by": "2026-12-30", "notice_by": "2027-03-31"}
    assert data["verdict"] == "meets"


def test_check_funding_late_notice_is_a_breach(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(
        capsys,
        "check",
        "funding",
        "--compact",
        "rbkc",
        "--ends",
        "2027-06-30",
        "--notice",
        "2027-04-02",
        "--json",
    )
    assert data["verdict"] == "breach"
    assert data["deadlines"]["notice_by"] == "2027-03-31"
    assert any("2 days late" in r for r in data["reasons"])


def test_check_funding_notice_in_time_meets(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(
        capsys,
        "check",
        "funding",
        "--compact",
        "rbkc",
        "--ends",
        "2027-06-30",
        "--notice",
        "2027-03-31",
        "--rationale",
        "yes",
        "--json",
    )
    assert data["verdict"] == "meets"


def test_check_complaint_steps(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(
        capsys, "check", "complaint", "--compact", "rbkc", "--against", "public", "--json"
    )
    assert data["kind"] == "complaint"
    steps = data["steps"]
    assert len(steps) == 5
    for n, step in enumerate(steps, start=1):
        assert {"n", "text", "citation"} <= step.keys()
        assert step["n"] == n
        assert step["citation"]["commitment"] == f"complaints.against_public.{n}"
        assert step["text"] == step["citation"]["quote"]
    assert steps[0]["text"].startswith("Contact Kensington and Chelsea Social Council")


# The fields every JSON result has had: a contract (new ones may be added, none removed).
RESULT_FIELDS = {
    "compact",
    "compact_name",
    "kind",
    "verdict",
    "reasons",
    "citations",
    "deadlines",
    "reminders",
    "length_days",
    "steps",
    "demand_days",
    "notes",
}


@pytest.mark.parametrize(
    ("code", "against", "verdict", "steps"),
    [
        ("rbkc", "public", "procedure", 5),
        ("rbkc", "vcs", "procedure", 3),
        ("west-kent", "public", "procedure", 2),
        ("kent-2007-draft", "public", "procedure", 7),  # 1 step, then 6 routes in no order
        ("kent-2007-draft", "vcs", "procedure", 3),
        ("kent-2011", "public", "no_rule", 0),
        ("perth-kinross", "public", "no_rule", 0),  # no procedure, though it says where to start
    ],
)
def test_check_complaint_verdict_is_procedure_or_no_rule(
    capsys: pytest.CaptureFixture[str], code: str, against: str, verdict: str, steps: int
) -> None:
    data = run_json(capsys, "check", "complaint", "--compact", code, "--against", against, "--json")
    assert RESULT_FIELDS <= data.keys()
    assert data["verdict"] == verdict
    assert len(data["steps"]) == steps
    assert "reply_by" not in data["deadlines"] and data["reminders"] == []
    if code == "kent-2007-draft":
        options = [s for s in data["steps"] if s["option"]]
        assert [s["n"] for s in data["steps"] if not s["option"]] == [1]
        cedr = next(s for s in options if "CEDR" in s["summary"])
        assert "central Government departments" in cedr["scope"]


def test_check_consultation_statutory_flag(capsys: pytest.CaptureFixture[str]) -> None:
    base = [
        "check",
        "consultation",
        "--compact",
        "kent-2007-draft",
        "--title",
        "Highways and transport strategy refresh",
        "--opens",
        "2026-12-01",
        "--closes",
        "2026-12-22",
        "--today",
        "2026-11-25",
        "--json",
    ]
    unsaid = run_json(capsys, *base)
    assert RESULT_FIELDS <= unsaid.keys()
    # the title alone never makes it statutory; below the draft's example minimum: no breach
    assert unsaid["verdict"] == "short"
    said = run_json(capsys, *base, "--statutory")
    assert RESULT_FIELDS <= said.keys()
    assert (said["verdict"], said["finding"]) == ("no_rule", "excluded")
    assert said["deadlines"] == {} and said["reminders"] == [] and said["notes"] == []
    assert said["citations"][0]["quote"].endswith("as such are not covered by this code.")


def test_check_several_compacts_names_the_strictest(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(
        capsys,
        "check",
        "funding",
        "--compact",
        "rbkc",
        "--compact",
        "kent-2011",
        "--ends",
        "2027-06-30",
        "--today",
        "2026-11-25",
        "--json",
    )
    assert [r["compact"] for r in data["results"]] == ["rbkc", "kent-2011"]
    # Kent 2011 asks for 3 months' consultation before 3 months' notice: the most.
    assert data["strictest"] == "kent-2011"


# --- bad input: exit 2, one line on stderr, nothing on stdout ---------------------------------

BAD_INPUTS: dict[str, list[str]] = {
    "date that does not parse": [
        "check",
        "consultation",
        "--compact",
        "kent-2011",
        "--opens",
        "2026-13-01",
        "--closes",
        "2027-01-05",
        "--json",
    ],
    "closes before opens": [
        "check",
        "consultation",
        "--compact",
        "kent-2011",
        "--opens",
        "2027-01-05",
        "--closes",
        "2026-12-01",
        "--json",
    ],
    "a consultation neither yes, no nor unknown": [
        "check",
        "funding",
        "--compact",
        "rbkc",
        "--ends",
        "2027-06-30",
        "--consulted",
        "perhaps",
        "--json",
    ],
    "unknown compact in check": [
        "check",
        "consultation",
        "--compact",
        "atlantis",
        "--opens",
        "2026-12-01",
        "--closes",
        "2027-01-05",
        "--json",
    ],
    "unknown compact in ask": ["ask", "--compact", "atlantis", "how long?"],
    "unknown compact in show": ["show", "atlantis"],
    "unknown kind": ["check", "banana"],
    "unknown against": ["check", "complaint", "--compact", "rbkc", "--against", "aliens"],
    "missing required option": ["check", "consultation", "--compact", "rbkc"],
    "empty question": ["ask", ""],
    "blank question": ["ask", "   \t "],
    "10,000-character question": ["ask", "x" * 10_000],
    "no command": [],
}
EXPECTED_WORDS = {
    "date that does not parse": "2026-13-01",
    "closes before opens": "before it opens",
    "a consultation neither yes, no nor unknown": "perhaps",
    "unknown compact in check": "atlantis",
    "unknown compact in ask": "atlantis",
    "unknown compact in show": "atlantis",
    "unknown kind": "banana",
    "unknown against": "aliens",
    "missing required option": "--opens",
    "empty question": "Ask a question",
    "blank question": "Ask a question",
    "10,000-character question": "10,000 characters",
    "no command": "command",
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line(capsys: pytest.CaptureFixture[str], case: str) -> None:
    code, out, err = run(capsys, *BAD_INPUTS[case])
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert err.endswith("\n")
    assert lines[0].startswith("compactbot: ")
    assert EXPECTED_WORDS[case] in lines[0]


def test_unknown_compact_lists_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(capsys, *BAD_INPUTS["unknown compact in check"])
    assert all(code in err for code in BUILTINS)


@pytest.mark.parametrize(
    "argv",
    [
        [
            "check",
            "consultation",
            "--compact",
            "kent-2011",
            "--opens",
            "9999-12-01",
            "--closes",
            "9999-12-31",
            "--today",
            "9999-11-01",
            "--json",
        ],
        [
            "check",
            "funding",
            "--compact",
            "kent-2011",
            "--ends",
            "0001-02-01",
            "--today",
            "0001-01-01",
            "--json",
        ],
    ],
    ids=["consultation-year-9999", "funding-year-1"],
)
def test_extreme_dates_are_bad_input(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1


# --- the installed console script ------------------------------------------------------------


def _console_script() -> Path:
    beside = Path(sys.executable).parent / "compactbot"
    if beside.exists():
        return beside
    found = shutil.which("compactbot")
    if found is None:
        pytest.fail("the `compactbot` console script is not installed (pip install -e .)")
    return Path(found)


def test_console_script_entry_point() -> None:
    done = subprocess.run(
        [str(_console_script()), "ask", "--json", "--compact", "rbkc", NOTICE_QUESTION],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    _check_rbkc_notice_answer(json.loads(done.stdout))


# --- databases and numbers that cannot be used: exit 2, one line, nothing touched -------------

GARBAGE = b"This is not an SQLite database, just some text.\n" * 20


def _one_line_exit_2(code: int, out: str, err: str, *words: str) -> None:
    assert code == 2, err
    assert out == ""
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("compactbot: ") and err.endswith("\n")
    for word in words:
        assert word in err, (word, err)


def _db_argv(command: str, db: Path, tmp_path: Path) -> list[str]:
    return {
        "report": ["report", "--db", str(db), "--chat", "-100"],
        "export": ["export", "--db", str(db), "--chat", "-100", "--ics", str(tmp_path / "x.ics")],
        "letter": ["letter", "--db", str(db), "--chat", "-100", "--item", "1"],
        # With a token, so the Telegram path is the one checked; nothing is contacted.
        "run": ["run", "--db", str(db), "--token", "1:x", "--api-url", "http://127.0.0.1:9/bot"],
        "chat": ["chat", "--db", str(db)],
    }[command]


async def _create(path: Path) -> None:
    db = await Database.open(path)
    await db.close()


@pytest.mark.parametrize("command", ["report", "export", "letter", "run", "chat"])
def test_a_database_in_a_missing_directory_is_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    db = tmp_path / "no" / "such" / "directory" / "bot.db"
    code, out, err = run(capsys, *_db_argv(command, db, tmp_path))
    _one_line_exit_2(code, out, err, str(db))
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("command", ["report", "export", "letter", "run", "chat"])
def test_a_file_that_is_not_a_database_is_bad_input_and_left_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    db = tmp_path / "notes.db"
    db.write_bytes(GARBAGE)
    code, out, err = run(capsys, *_db_argv(command, db, tmp_path))
    _one_line_exit_2(code, out, err, str(db), "not a database")
    assert db.read_bytes() == GARBAGE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


@pytest.mark.parametrize("chat", ["99999999999999999999", "-99999999999999999999", "٣", "12a"])
@pytest.mark.parametrize("command", ["report", "export", "letter"])
def test_a_chat_id_out_of_range_is_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, chat: str
) -> None:
    db = tmp_path / "bot.db"
    asyncio.run(_create(db))
    argv = _db_argv(command, db, tmp_path)
    argv[argv.index("--chat") + 1] = chat
    code, out, err = run(capsys, *argv)
    _one_line_exit_2(code, out, err, "chat")


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "funding", "--compact", "kent-2011", "--ends", "9999-12-31", "--json"],
        ["check", "funding", "--compact", "rbkc", "--ends", "9999-12-31"],
        [
            "check",
            "consultation",
            "--compact",
            "rbkc",
            "--opens",
            "9999-12-01",
            "--closes",
            "9999-12-31",
        ],
        [
            "check",
            "funding",
            "--compact",
            "kent-2011",
            "--ends",
            "2027-06-30",
            "--today",
            "9999-12-31",
        ],
    ],
    ids=["funding-json", "funding-text", "consultation", "today"],
)
def test_dates_at_the_end_of_the_calendar_are_bad_input(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    _one_line_exit_2(code, out, err, "9999")


def test_a_bad_setting_in_the_environment_is_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPACTBOT_LOG_LEVEL", "LOUD")
    code, out, err = run(capsys, *_db_argv("run", tmp_path / "bot.db", tmp_path))
    _one_line_exit_2(code, out, err, "COMPACTBOT_LOG_LEVEL")
    monkeypatch.setenv("COMPACTBOT_LOG_LEVEL", "INFO")
    monkeypatch.setenv("COMPACTBOT_WEBHOOK_PORT", "99999")
    asyncio.run(_create(tmp_path / "bot.db"))
    code, out, err = run(capsys, *_db_argv("export", tmp_path / "bot.db", tmp_path))
    _one_line_exit_2(code, out, err, "COMPACTBOT_WEBHOOK_PORT")


# --- letter ----------------------------------------------------------------------------------

LETTER_CHAT = -4242


async def _letter_db(path: Path, knowledge: Knowledge) -> dict[str, int]:
    """A database with a short Kent 2011 consultation and one that meets it, registered on
    25 November 2026 (the CLI then runs as of that day: COMPACTBOT_TODAY)."""
    from datetime import UTC, date, datetime

    from bot.clock import ManualClock
    from bot.core import Core
    from bot.domain.events import ConsultationLaunched

    clock = ManualClock(datetime(2026, 11, 25, 12, tzinfo=UTC))
    db = await Database.open(path, clock=clock)
    core = Core(knowledge, db, clock=clock)
    await core.choose_compacts(LETTER_CHAT, ["kent-2011"], None)
    ids = {}
    for key, closes in (("short", date(2027, 1, 5)), ("meets", date(2027, 2, 23))):
        event = ConsultationLaunched(
            chat_id=LETTER_CHAT,
            title=f"Library review ({key})",
            body="Sevenoaks DC",
            opens=date(2026, 12, 1),
            closes=closes,
        )
        ids[key] = (await core.register(event, event.title, {})).item_id
    await db.close()
    return ids


def _letters_logged(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(path) as conn:
        (n,) = conn.execute(
            "SELECT count(*) FROM log_entries WHERE kind = 'letter_drafted'"
        ).fetchone()
    conn.close()
    return int(n)


@pytest.fixture
def letter_db(
    tmp_path: Path, knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, dict[str, int]]:
    monkeypatch.setenv("COMPACTBOT_TODAY", "2026-11-25")
    path = tmp_path / "letters.db"
    return path, asyncio.run(_letter_db(path, knowledge))


def test_letter_prints_the_letter_and_logs_it(
    capsys: pytest.CaptureFixture[str], letter_db: tuple[Path, dict[str, int]]
) -> None:
    path, ids = letter_db
    argv = ["letter", "--db", str(path), "--chat", str(LETTER_CHAT), "--item", str(ids["short"])]
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    assert out.splitlines()[3] == "25 November 2026"
    assert "Sevenoaks DC" in out and "[YOUR GROUP'S NAME]" in out
    assert (
        "“Give early notice of forthcoming consultations allowing sufficient time for the VCS to "
        "involve service users, beneficiaries, members and trustees in responding. Conduct 12 "
        "week written consultations with clear explanations and rationale for shorter "
        "time-frames.”" in out
    )
    assert "must close on or after 23 February 2027" in out
    assert _letters_logged(path) == 1


def test_letter_out_writes_the_word_file(
    capsys: pytest.CaptureFixture[str], letter_db: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    import io

    from docx import Document

    path, ids = letter_db
    target = tmp_path / "to-sevenoaks.docx"
    code, out, err = run(
        capsys,
        *("letter", "--db", str(path), "--chat", str(LETTER_CHAT)),
        *("--item", str(ids["short"]), "--out", str(target)),
    )
    assert (code, err) == (0, "")
    assert out == f"Wrote {target}: a letter for item #{ids['short']} to Sevenoaks DC.\n"
    document = Document(io.BytesIO(target.read_bytes()))
    quotes = [p.text for p in document.paragraphs if p.style and p.style.name == "Quote"]
    assert len(quotes) == 1 and "Conduct 12 week written consultations" in quotes[0]
    assert _letters_logged(path) == 1


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"--chat": "-1"}, 2, ["chat -1 has nothing on record"]),
        ({"--item": "77"}, 2, ["no consultation, funding change or complaint #77", "chat"]),
        ({"--item": "seven"}, 2, ["'seven' is not an item number"]),
        ({"--item": "0"}, 2, ["'0' is not an item number"]),
        ({"--item": "meets"}, 1, ["meets Kent Compact 2011"]),
        ({"--out": "/no/such/dir/x.docx"}, 2, ["no directory /no/such/dir"]),
    ],
    ids=["unknown-chat", "unknown-item", "not-a-number", "zero", "meets", "out-dir"],
)
def test_letter_refusals_are_one_line_and_log_nothing(
    capsys: pytest.CaptureFixture[str],
    letter_db: tuple[Path, dict[str, int]],
    change: dict[str, str],
    code: int,
    words: list[str],
) -> None:
    path, ids = letter_db
    args = {"--db": str(path), "--chat": str(LETTER_CHAT), "--item": str(ids["short"])}
    args.update({k: str(ids[v]) if v in ids else v for k, v in change.items()})
    before = path.read_bytes()
    got, out, err = run(capsys, "letter", *[x for pair in args.items() for x in pair])
    assert got == code, err
    assert out == "" and "Traceback" not in err
    assert len(err.splitlines()) == 1 and err.startswith("compactbot: ")
    for word in words:
        assert word in err, (word, err)
    assert _letters_logged(path) == 0
    assert path.read_bytes() == before


def test_letter_templates_setting_that_is_no_directory_is_bad_input(
    capsys: pytest.CaptureFixture[str],
    letter_db: tuple[Path, dict[str, int]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    path, ids = letter_db
    monkeypatch.setenv("COMPACTBOT_LETTER_TEMPLATES", str(tmp_path / "no-such-templates"))
    argv = ["letter", "--db", str(path), "--chat", str(LETTER_CHAT), "--item", str(ids["short"])]
    code, out, err = run(capsys, *argv)
    _one_line_exit_2(code, out, err, "COMPACTBOT_LETTER_TEMPLATES")
    assert _letters_logged(path) == 0


def test_letter_with_a_networks_template(
    capsys: pytest.CaptureFixture[str],
    letter_db: tuple[Path, dict[str, int]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    path, ids = letter_db
    templates = tmp_path / "network"
    templates.mkdir()
    (templates / "letter.txt.j2").write_text(
        "To {{ recipient }}: {{ subject }}.\n\nSigned, the Network\n", encoding="utf-8"
    )
    monkeypatch.setenv("COMPACTBOT_LETTER_TEMPLATES", str(templates))
    argv = ["letter", "--db", str(path), "--chat", str(LETTER_CHAT), "--item", str(ids["short"])]
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    assert out == (
        "To Sevenoaks DC: Your consultation closing on 5 January 2027.\n\nSigned, the Network\n"
    )


def test_check_funding_that_already_ended(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 22, finding 1: the group learns after the fact.  The command exited 2 ("notice
    was given after the last funded day"); it now records it and gives the verdict."""
    argv = ["check", "funding", "--compact", "rbkc", "--ends", "2026-03-31"]
    argv += ["--notice", "2026-04-15", "--today", "2026-04-20"]
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    assert "came 15 days after the funding ended (31 March 2026)" in out
    # No rationale was said to be given or not: that part is an "if", in words.
    assert "if none did, that falls short of Kensington and Chelsea Compact" in out
    data = run_json(capsys, *argv, "--json")
    assert (data["verdict"], data["finding"]) == ("breach", "late")
    assert data["deadlines"]["notice_by"] == "2025-12-31"
    told = run_json(capsys, *argv, "--rationale", "no", "--json")
    assert any("You said no rationale was given" in r for r in told["reasons"])


def test_check_funding_consultation_unknown_is_conditional(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["check", "funding", "--compact", "kent-2011", "--ends", "2027-04-30"]
    argv += ["--today", "2026-12-07", "--json"]
    assert run_json(capsys, *argv)["verdict"] == "conditional"
    assert run_json(capsys, *argv, "--consulted", "unknown")["verdict"] == "conditional"
    assert run_json(capsys, *argv, "--consulted", "no")["verdict"] == "breach"
    started = run_json(capsys, *argv, "--consultation-start", "2026-10-01")
    assert started["verdict"] == "meets"
