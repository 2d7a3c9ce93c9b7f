"""The terminal chat (what `make run` starts without a token), as a user would drive it:
the console script reading lines from stdin until EOF."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest

SCRIPT = "\n".join(
    [
        "how long must a consultation be?",
        "/compact kent-2011",
        "/consultation Library review, opens 1 Oct 2026, closes 20 Nov 2026, by Sevenoaks DC",
        "confirm",
        "/consultation Parks plan, opens today, closes in 12 weeks, by KCC",
        "confirm",
        "/feedback 1 24 Nov 2026",
        "/notice 1 1 Nov 2026",
        "/report 2026",
        "/calendar",
        "",
    ]
)


def _console_script() -> str:
    beside = Path(sys.executable).parent / "compactbot"
    found = str(beside) if beside.exists() else shutil.which("compactbot")
    if found is None:
        pytest.fail("the `compactbot` console script is not installed (pip install -e .)")
    return found


def test_terminal_chat_registers_reports_and_saves_files(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "COMPACTBOT_DB": str(tmp_path / "chat.db"),
        "COMPACTBOT_FILES": str(tmp_path / "files"),
        # A scripted session on a known day, whatever today is.
        "COMPACTBOT_TODAY": "2026-11-25",
    }
    env.pop("TELEGRAM_BOT_TOKEN", None)
    done = subprocess.run(
        [_console_script(), "run"],
        input=SCRIPT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Traceback" not in out + done.stderr
    assert "12 week" in out
    assert "Registered as item #1" in out and "Registered as item #2" in out
    assert "Recorded: feedback on consultation #1 arrived on 24 November 2026" in out
    assert "Item #1 is a consultation, not a funding change. Nothing was changed." in out
    assert "Compact compliance report 2026 – terminal" in out
    files = tmp_path / "files"
    assert f"Saved {files / 'compact-report-2026.csv'}" in out
    csv_text = (files / "compact-report-2026.csv").read_text(encoding="utf-8")
    assert "#1,consultation,Library review" in csv_text
    assert "<svg" in (files / "compact-report-2026.html").read_text(encoding="utf-8")
    cal = icalendar.Calendar.from_ical((files / "compact-deadlines.ics").read_bytes())
    assert "The consultation close: Parks plan" in [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]


def test_terminal_chat_takes_a_message_of_several_lines(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/compact kent-2011",
            '"""',
            "/consultation",
            "Title: Library review",
            "By: KCC",
            "Opens: 1 Dec 2026",
            "Closes: 23 Feb 2027",
            '"""',
            "confirm",
            "/funding \\",
            "KCC youth grant \\",
            "cut from 1 April 2027",
            "don't know",  # Kent 2011 asks whether a consultation started
            "don't know",  # and whether a rationale was given
            "confirm",
            "/list",
            "",
        ]
    )
    env = {
        **os.environ,
        "COMPACTBOT_DB": str(tmp_path / "chat.db"),
        "COMPACTBOT_TODAY": "2026-11-25",
    }
    env.pop("TELEGRAM_BOT_TOKEN", None)
    done = subprocess.run(
        [_console_script(), "run"],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Title: Library review\nPublic body: KCC\nOpens: Tue 1 December 2026" in out
    assert "Registered as item #1: Library review" in out
    assert "Last funded day: Wed 31 March 2027 (the day before 1 April 2027" in out
    assert "Registered as item #2: " in out
    assert "I don't know" not in out
