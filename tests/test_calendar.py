"""The .ics calendar of a chat's open deadlines and reminders, parsed back by two parsers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import icalendar
import pytest
import vobject
from conftest import Databases
from yearly_items import (
    CHAT,
    OFFICER,
    consultation,
    funding,
    register,
    register_year,
    stored_core,
)

from bot.chat.conversation import Conversation
from bot.core import Core
from bot.frontends.cli import main
from bot.knowledge.knowledge import Knowledge

SCOTTISH_CHAT = -3001

pytestmark = pytest.mark.both_backends


@pytest.fixture
async def core(databases: Databases, knowledge: Knowledge) -> AsyncIterator[Core]:
    async with stored_core(await databases.new("cal"), knowledge) as c:
        yield c


def events_of(ics: bytes) -> list[icalendar.Event]:
    cal = icalendar.Calendar.from_ical(ics)
    return [c for c in cal.walk("VEVENT")]


def by_summary(events: list[icalendar.Event], text: str) -> icalendar.Event:
    found = [e for e in events if text in str(e["SUMMARY"])]
    assert len(found) == 1, [str(e["SUMMARY"]) for e in events]
    return found[0]


async def test_calendar_round_trips_with_deadlines_reminders_and_clauses(
    core: Core, knowledge: Knowledge
) -> None:
    ids = await register_year(core)
    # Closes on Christmas Day; its reminders straddle nothing, but one falls in BST below.
    xmas = await register(
        core,
        consultation("Leisure review", "KCC", date(2026, 10, 2), date(2026, 12, 25)),
        "Leisure review",
    )
    spring = await register(
        core,
        consultation("Youth strategy", "KCC", date(2027, 1, 18), date(2027, 4, 12)),
        "Youth strategy",
    )
    cal = await core.calendar(CHAT)
    ics = cal.ics
    events = events_of(ics)
    pending = await core.db.pending_reminders(CHAT)
    assert cal.reminders == len(pending) > 0
    assert len(events) == cal.deadlines + cal.reminders

    # A second, independent parser accepts the file too.
    parsed = vobject.readOne(ics.decode("utf-8"))
    assert len(parsed.vevent_list) == len(events)

    # RFC 5545 essentials calendar programs rely on.
    lines = ics.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert all("DTSTAMP" in e and "DTSTART" in e for e in events)
    tzids = {str(t["TZID"]) for t in icalendar.Calendar.from_ical(ics).walk("VTIMEZONE")}
    assert tzids == {"Europe/London"}

    # Deadlines are all-day; the Christmas close carries the holiday warning and the clause.
    close = by_summary(events, "The consultation close: Leisure review")
    assert close.decoded("DTSTART") == date(2026, 12, 25)
    description = str(close["DESCRIPTION"])
    assert "bank holiday in England (Christmas Day)" in description
    quote = knowledge.registry.get("kent-2011").commitment("comms.public.6").quote
    assert quote in description
    assert f"Item #{xmas}" in description

    # The 2027 grant's deadlines are there; the late-notice grant's are not (notice given).
    notice = by_summary(events, "The notice deadline: Arts grant")
    assert notice.decoded("DTSTART") == date(2027, 3, 31)
    assert knowledge.registry.get("kent-2011").commitment("funding.joint.4").quote in str(
        notice["DESCRIPTION"]
    )
    # Notice given: its notice deadline is done with; its last funded day stays diarised.
    advice = [str(e["SUMMARY"]) for e in events if "Advice contract" in str(e["SUMMARY"])]
    assert advice == ["The last funded day: Advice contract"]
    advice_uids = [u for u in uids if u.startswith(f"item-{ids['advice']}-")]
    assert advice_uids == [f"item-{ids['advice']}-funding_ends-20261231@compactbot"]

    # Reminders are timed in the chat's zone: 09:00 local, in GMT and in BST.
    reminders = [e for e in events if str(e["SUMMARY"]).startswith("Reminder:")]
    starts = {e.decoded("DTSTART") for e in reminders}
    assert all(s.tzinfo is not None and str(s.tzinfo) == "Europe/London" for s in starts)
    assert {(s.hour, s.minute) for s in starts} == {(9, 0)}
    utc_hours = {s.astimezone(UTC).hour for s in starts}
    assert utc_hours == {9, 8}  # winter and summer time
    spring_reminder = by_summary(reminders, "Youth strategy' closes on 12 April 2027 (1 day")
    assert spring_reminder.decoded("DTSTART").astimezone(UTC) == datetime(
        2027, 4, 11, 8, tzinfo=UTC
    )
    assert f"Item #{spring}" in str(spring_reminder["DESCRIPTION"])
    assert all(e.walk("VALARM") for e in reminders)


async def test_a_chat_title_with_a_line_break_still_gives_a_calendar(core: Core) -> None:
    await core.ensure_chat(CHAT, "Friends of\nthe Park\r\nGroup")
    cal = icalendar.Calendar.from_ical((await core.calendar(CHAT)).ics)
    assert str(cal["X-WR-CALNAME"]) == "Compact deadlines – Friends of the Park Group"


async def test_calendar_uids_are_stable_and_closed_items_drop_out(core: Core) -> None:
    await core.choose_compacts(CHAT, ["kent-2011"], None)
    grant = await register(core, funding("Arts grant", "KCC", date(2027, 6, 30)), "Arts grant")
    first = events_of((await core.calendar(CHAT)).ics)
    again = events_of((await core.calendar(CHAT)).ics)
    assert [str(e["UID"]) for e in first] == [str(e["UID"]) for e in again]
    assert first
    await core.close_item(CHAT, grant, "done", OFFICER)
    cal = await core.calendar(CHAT)
    assert (cal.deadlines, cal.reminders) == (0, 0)
    assert events_of(cal.ics) == []


async def test_scottish_deadline_on_st_andrews_day_is_flagged_only_in_scotland(
    core: Core,
) -> None:
    # Perth & Kinross asks for "usually six months" of warning: ending 30 May 2027, that is
    # 30 Nov 2026, St Andrew's Day, a bank holiday in Scotland but not in England.
    await core.choose_compacts(SCOTTISH_CHAT, ["perth-kinross"], None)
    await core.register(
        funding("Day centre grant", "Perth & Kinross Council", date(2027, 5, 30)).model_copy(
            update={"chat_id": SCOTTISH_CHAT}
        ),
        "Day centre grant",
        {},
    )
    events = events_of((await core.calendar(SCOTTISH_CHAT)).ics)
    deadline = by_summary(events, "The notice deadline: Day centre grant")
    assert deadline.decoded("DTSTART") == date(2026, 11, 30)
    assert "bank holiday in Scotland (Saint Andrew's Day)" in str(deadline["DESCRIPTION"])
    # Its strength as written: "usually", not a minimum; reminders say "should usually".
    assert "(perth-kinross) (“usually”: not a minimum)" in str(deadline["DESCRIPTION"])
    texts = " ".join(str(e["DESCRIPTION"]) for e in events)
    assert "warning should usually be given by" in texts and " must " not in texts

    # The same day under an English Compact is an ordinary Monday.
    await core.choose_compacts(CHAT, ["rbkc"], None)
    await core.register(
        funding("Lunch club grant", "RBKC", date(2027, 2, 28)), "Lunch club grant", {}
    )
    english = by_summary(
        events_of((await core.calendar(CHAT)).ics), "The notice deadline: Lunch club grant"
    )
    assert english.decoded("DTSTART") == date(2026, 11, 30)
    assert "bank holiday" not in str(english["DESCRIPTION"])


async def test_a_consultation_the_compact_leaves_out_has_no_dates(core: Core) -> None:
    """The group said it is statutory; the Kent 2007 draft's code leaves it out: its close
    (on Sunday 14 February 2027) is not put in the calendar under that Compact."""
    await core.choose_compacts(CHAT, ["kent-2007-draft"], None)
    event = consultation("Licensing policy", "KCC", date(2027, 2, 1), date(2027, 2, 14))
    done = await core.register(event.model_copy(update={"statutory": True}), "Licensing", {})
    assert done.reminders_planned == 0 and done.results[0].finding == "excluded"
    cal = await core.calendar(CHAT)
    assert (cal.deadlines, cal.reminders) == (0, 0)
    # Not said to be statutory: its close is a date of the calendar, with the weekend note.
    await core.register(event, "Licensing", {})
    close = by_summary(events_of((await core.calendar(CHAT)).ics), "The consultation close")
    assert "Sunday" in str(close["DESCRIPTION"])


def run_cli(
    capsys: pytest.CaptureFixture[str], knowledge: Knowledge, *args: str
) -> tuple[int, str, str]:
    code = main(list(args), knowledge=knowledge)
    out, err = capsys.readouterr()
    return code, out, err


async def test_cli_export_and_report(
    tmp_path: Path, databases: Databases, knowledge: Knowledge, capsys: pytest.CaptureFixture[str]
) -> None:
    db = await databases.new("cli")
    async with stored_core(db, knowledge) as c:
        ids = await register_year(c)
    ics = tmp_path / "out.ics"

    # The CLI runs its own event loop, so it runs in a thread beside this test's loop.
    def cli(*args: str) -> tuple[int, str, str]:
        return run_cli(capsys, knowledge, *args)

    code, out, _ = await asyncio.to_thread(
        cli, "export", "--chat", str(CHAT), "--ics", str(ics), "--db", str(db)
    )
    assert code == 0 and "Wrote" in out
    assert any("Arts grant" in str(e["SUMMARY"]) for e in events_of(ics.read_bytes()))

    code, out, _ = await asyncio.to_thread(
        cli,
        "report",
        "--db",
        str(db),
        "--chat",
        str(CHAT),
        "--year",
        "2026",
        "--today",
        "2026-11-25",
    )
    assert code == 0 and out.startswith("# Compact compliance report 2026")
    assert f"#{ids['befriending']} – 86 days overdue" in out

    code, out, _ = await asyncio.to_thread(
        cli, "report", "--db", str(db), "--chat", str(CHAT), "--year", "2026", "--format", "csv"
    )
    assert code == 0 and out.splitlines()[0].startswith("year,item,kind")
    assert len(out.splitlines()) == 1 + 9 * 2  # nine items, two Compacts each

    html = tmp_path / "r.html"
    code, _, _ = await asyncio.to_thread(
        cli,
        "report",
        *("--db", str(db), "--chat", str(CHAT), "--format", "html", "--out", str(html)),
        *("--today", "2026-11-25"),
    )
    assert code == 0 and "<svg" in html.read_text(encoding="utf-8")

    for bad, message in (
        (["report", "--db", str(tmp_path / "nope.db"), "--chat", "1"], "no database"),
        (["report", "--db", str(db), "--chat", "1", "--year", "20x6"], "not a year"),
        (["report", "--db", str(db), "--chat", "1", "--format", "pdf"], "invalid choice"),
        (
            ["export", "--chat", "1", "--ics", str(tmp_path / "no" / "x.ics"), "--db", str(db)],
            "cannot write",
        ),
    ):
        code, out, err = await asyncio.to_thread(cli, *bad)
        assert code == 2 and message in err and "Traceback" not in err, (bad, err)


async def test_a_funding_change_its_last_day_and_late_deadlines_are_in_the_calendar(
    conversation: Conversation,
) -> None:
    """Issue 22, finding 6: a funding change with notice given on time used to leave
    /calendar with "No open deadlines"; a deadline passed with nothing recorded was left out."""
    from bot.chat.messages import Incoming
    from bot.domain.events import FundingEnding

    async def yes() -> bool:
        return True

    chat = -77
    core = conversation.core
    await core.choose_compacts(chat, ["rbkc"], OFFICER)
    on_time = FundingEnding(
        chat_id=chat,
        title="Lunch club grant",
        funder="RBKC",
        last_funded_day=date(2027, 1, 31),
        notice_given_on=date(2026, 10, 5),
    )
    await core.register(on_time, on_time.title, {})
    [reply] = await conversation.handle_text(
        Incoming(chat, OFFICER, "Ada", "/calendar", private=False, is_admin=yes)
    )
    assert "No open deadlines" not in reply.text
    [file] = reply.files
    events = events_of(file.content)
    ends = by_summary(events, "The last funded day: Lunch club grant")
    assert ends.decoded("DTSTART") == date(2027, 1, 31)

    # No notice recorded and its deadline (31 December 2026 − 3 months) gone by: late.
    late = FundingEnding(
        chat_id=chat, title="Advice grant", funder="RBKC", last_funded_day=date(2026, 12, 31)
    )
    await core.register(late, late.title, {})
    [reply] = await conversation.handle_text(
        Incoming(chat, OFFICER, "Ada", "/calendar", private=False, is_admin=yes)
    )
    assert "1 passed with nothing recorded" in reply.text
    events = events_of(reply.files[0].content)
    notice = by_summary(events, "Late – The notice deadline: Advice grant")
    assert notice.decoded("DTSTART") == date(2026, 9, 30)
    assert "passed and nothing is recorded" in str(notice["DESCRIPTION"])
    assert by_summary(events, "The last funded day: Advice grant").decoded("DTSTART") == date(
        2026, 12, 31
    )
    # The feed is the same calendar.
    assert (await core.calendar(chat)).ics == reply.files[0].content
