"""The compliance log and yearly report, from a known year of items in a real database
(SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date

import pytest
import raw_sql
from conftest import Databases
from yearly_items import CHAT, NOW, OFFICER, consultation, register, register_year, stored_core

from bot.clock import ManualClock
from bot.core import Core, FollowUpError
from bot.knowledge.knowledge import Knowledge
from bot.records.compliance import compliance_log
from bot.records.log import ItemRegistered, NoticeGiven
from bot.records.report import NO_BODY, LogRow, Report
from bot.records.report_formats import (
    render_csv,
    render_html,
    render_markdown,
    render_text,
    summary_lines,
)

pytestmark = pytest.mark.both_backends


@pytest.fixture
async def year(
    databases: Databases, knowledge: Knowledge
) -> AsyncIterator[tuple[Core, dict[str, int]]]:
    async with stored_core(await databases.new("year"), knowledge) as core:
        ids = await register_year(core)
        yield core, ids


def outcomes(report: Report, body: str, compact: str, kind: str) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for row in report.groups()[body][compact]:
        if row.kind == kind:
            out.setdefault(row.outcome, []).append(row.item_id)
    return {k: sorted(v) for k, v in out.items()}


async def test_report_figures_match_the_registered_year(
    year: tuple[Core, dict[str, int]],
) -> None:
    core, ids = year
    report = await core.report(CHAT, 2026)
    assert report.as_of == date(2026, 11, 25)
    # The 2025 consultation and the 2027 grant are other years; the mistake was cancelled.
    assert ids["old"] not in report.item_ids and ids["arts"] not in report.item_ids
    assert report.cancelled == [ids["mistake"]]
    assert report.item_ids == sorted(
        ids[k]
        for k in (
            *("library", "bus", "parking"),
            *("youth", "advice", "befriending"),
            *("cut", "late_reply", "grant_terms"),
        )
    )
    # "KCC" and "kcc " are one body, shown as first registered.
    assert list(report.groups()) == ["Sevenoaks DC", "KCC"]

    assert outcomes(report, "KCC", "kent-2011", "consultation") == {
        "explain": [ids["bus"], ids["parking"]]
    }
    # Below the 2007 draft's 8 weeks, given "For example:": its own outcome, never a breach.
    assert outcomes(report, "KCC", "kent-2007-draft", "consultation") == {
        "below_draft_example": [ids["bus"], ids["parking"]]
    }
    assert outcomes(report, "Sevenoaks DC", "kent-2011", "consultation") == {
        "met": [ids["library"]]
    }
    assert outcomes(report, "Sevenoaks DC", "kent-2011", "funding") == {
        "late": [ids["advice"]],
        "missed": [ids["befriending"]],
    }
    # Notice on time, but the group says no consultation came before it: Kent 2011's "three
    # month period of consultation shall be undertaken, prior to" notice makes it a breach.
    assert outcomes(report, "KCC", "kent-2011", "funding") == {
        "consultation_missed": [ids["youth"]]
    }
    assert outcomes(report, "KCC", "kent-2007-draft", "funding") == {"no_rule": [ids["youth"]]}
    assert outcomes(report, "Sevenoaks DC", "kent-2011", "complaint") == {
        "open": [ids["late_reply"]],
        "unresolved": [ids["grant_terms"]],
    }
    assert outcomes(report, "KCC", "kent-2011", "complaint") == {"resolved": [ids["cut"]]}

    by_item = {(r.item_id, r.compact): r for r in report.rows}
    assert by_item[(ids["bus"], "kent-2011")].days == 42
    assert by_item[(ids["bus"], "kent-2011")].length_days == 42
    assert by_item[(ids["parking"], "kent-2011")].days == 63
    assert by_item[(ids["advice"], "kent-2011")].days == 12
    assert by_item[(ids["advice"], "kent-2011")].deadline == date(2026, 9, 30)
    assert by_item[(ids["befriending"], "kent-2011")].days == 86
    youth = by_item[(ids["youth"], "kent-2011")]
    assert youth.verdict == "breach" and youth.deadline == date(2026, 3, 29)
    assert youth.days == (date(2026, 11, 25) - date(2026, 3, 29)).days
    assert by_item[(ids["library"], "kent-2011")].feedback_on == date(2026, 4, 20)
    assert by_item[(ids["cut"], "kent-2011")].steps_done == 1
    assert (
        by_item[(ids["late_reply"], "kent-2011")].days
        == (date(2026, 11, 25) - date(2026, 5, 1)).days
    )


async def test_every_figure_traces_to_registered_items(year: tuple[Core, dict[str, int]]) -> None:
    core, _ = year
    report = await core.report(CHAT, 2026)
    names = core.knowledge.registry.display_name
    text = render_text(report, names)
    registered = {(await core.db.item(CHAT, i)) is not None for i in report.item_ids}
    assert registered == {True}
    # Each "label: N (#a, #b)" names exactly N items, and each named item is in the log.
    counted = re.findall(r": (\d+) \(([^)]*)\)", text)
    assert counted
    for n, refs in counted:
        named = re.findall(r"#(\d+)", refs)
        assert len(named) == int(n), (n, refs)
        assert {int(i) for i in named} <= set(report.item_ids)
    # The CSV has one row per item per Compact: pivoting it gives the same figures.
    rows = list(csv.DictReader(io.StringIO(render_csv(report, names))))
    assert len(rows) == len(report.rows)
    pivot = Counter(
        (r["public body"], r["compact code"], r["kind"], r["outcome code"]) for r in rows
    )
    direct = Counter((r.body, r.compact, r.kind, r.outcome) for r in report.rows)
    assert pivot == direct
    assert pivot[("KCC", "kent-2007-draft", "consultation", "below_draft_example")] == 2
    assert (
        "Consultations: 2 – below the draft's example minimum (a draft, not agreed terms): 2 "
        "(#2 – 42 days short, #3 – 63 days short)"
    ) in text


async def test_report_for_another_year_and_one_body(year: tuple[Core, dict[str, int]]) -> None:
    core, ids = year
    next_year = await core.report(CHAT, 2027)
    assert next_year.item_ids == [ids["arts"]]
    assert outcomes(next_year, "KCC", "kent-2011", "funding") == {"not_due": [ids["arts"]]}
    only = await core.report(CHAT, 2026, "sevenoaks")
    assert list(only.groups()) == ["Sevenoaks DC"]
    assert "KCC" not in render_markdown(only, core.knowledge.registry.display_name)
    last_year = await core.report(CHAT, 2025)
    assert last_year.item_ids == [ids["old"]]


async def test_the_log_is_append_only_and_keeps_the_first_verdict(
    year: tuple[Core, dict[str, int]],
) -> None:
    core, ids = year
    record, history = await core.item_history(CHAT, ids["advice"])
    registered, notice = (logged.entry for logged in history)
    assert isinstance(registered, ItemRegistered) and isinstance(notice, NoticeGiven)
    first = registered.results[0]
    # At registration (25 Nov) no notice was recorded and its deadline had passed.
    assert first.compact == "kent-2011" and first.verdict == "breach"
    assert "No notice is recorded" in " ".join(first.reasons)
    # The follow-up's re-check is logged beside it, not over it.
    assert "12 days late" in " ".join(notice.results[0].reasons)
    assert record.notice_given_on == date(2026, 10, 12)
    assert record.entry_ids == [logged.id for logged in history]
    assert compliance_log(history)[0] == record


async def test_follow_ups_refuse_what_does_not_fit_and_change_nothing(
    year: tuple[Core, dict[str, int]],
) -> None:
    core, ids = year
    before = len(await core.db.log(CHAT))
    bad = [
        core.record_notice(CHAT, ids["bus"], date(2026, 3, 1), OFFICER),  # not funding
        core.record_notice(CHAT, ids["arts"], date(2026, 12, 1), OFFICER),  # future
        core.record_notice(CHAT, 999, date(2026, 3, 1), OFFICER),  # no such item
        core.record_feedback(CHAT, ids["bus"], date(2026, 3, 1), OFFICER),  # before close
        core.record_feedback(CHAT, ids["mistake"], date(2026, 3, 20), OFFICER),  # cancelled
        core.record_step(CHAT, ids["late_reply"], 12, date(2026, 6, 1), OFFICER),  # 9 steps
        core.record_step(CHAT, ids["late_reply"], 1, date(2026, 4, 1), OFFICER),  # before raised
    ]
    for attempt in bad:
        with pytest.raises(FollowUpError):
            await attempt
    assert len(await core.db.log(CHAT)) == before
    assert (await core.db.item(CHAT, ids["mistake"])) is not None


async def test_report_of_a_chat_with_nothing_registered(
    databases: Databases, knowledge: Knowledge
) -> None:
    async with stored_core(await databases.new("empty"), knowledge) as core:
        report = await core.report(-5, 2026)
        names = knowledge.registry.display_name
        assert report.rows == [] and report.cancelled == []
        assert "Nothing registered is dated 2026" in render_text(report, names)
        assert "Nothing registered is dated 2026" in render_markdown(report, names)
        assert "Nothing registered is dated 2026" in render_html(report, names)
        assert list(csv.reader(io.StringIO(render_csv(report, names))))[1:] == []
        assert report.as_of == NOW.date()


async def test_html_page_has_a_chart_links_and_escapes_names(
    databases: Databases, knowledge: Knowledge
) -> None:
    from yearly_items import consultation, register

    async with stored_core(await databases.new("html"), knowledge) as core:
        await core.choose_compacts(CHAT, ["kent-2011"], None)
        item = await register(
            core,
            consultation(
                "<b>Bins</b>", "<script>x</script> Council", date(2026, 1, 5), date(2026, 2, 2)
            ),
            "<b>Bins</b>",
        )
        no_body = await register(
            core,
            consultation("Trees", None, date(2026, 3, 2), date(2026, 5, 25)),
            "Trees",
        )
        report = await core.report(CHAT, 2026)
        page = render_html(report, knowledge.registry.display_name)
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt; Council" in page
    assert "<b>Bins" not in page
    assert page.count("<svg") == 1  # consultations only: no funding or complaint chart
    assert f'<a href="#item-{item}">#{item}</a>' in page and f'id="item-{item}"' in page
    assert NO_BODY in page and f'id="item-{no_body}"' in page


async def test_follow_up_commands_in_the_chat(year: tuple[Core, dict[str, int]]) -> None:
    from bot.chat.conversation import Conversation, Incoming

    core, ids = year
    conversation = Conversation(core)

    async def yes() -> bool:
        return True

    async def say(text: str) -> str:
        msg = Incoming(CHAT, OFFICER, "Ada", text, private=False, is_admin=yes)
        return "\n".join(r.text for r in await conversation.handle_text(msg))

    before = len(await core.db.log(CHAT))
    for text, expected in (
        ("/notice", "Say which item"),
        (f"/notice {ids['arts']}", "Say on which day"),
        (f"/notice {ids['arts']} someday", "couldn't read"),
        (f"/step {ids['late_reply']} 0", "Say which step"),
        (f"/step {ids['late_reply']}", "Say which step"),
        (f"/feedback {ids['arts']}", "is a funding change, not a consultation"),
    ):
        reply = await say(text)
        assert expected in reply and "Nothing was changed" in reply, (text, reply)
    assert len(await core.db.log(CHAT)) == before

    reply = await say(f"/step {ids['late_reply']} 1 1 June 2026")
    assert f"Recorded: step 1 of complaint #{ids['late_reply']} was done on 1 June 2026." in reply
    # The 2007 draft orders one step, then lists routes in no order.
    assert "it lists these routes, in no order: NCVO Compact Advocacy Programme" in reply
    await say(f"/consulted {ids['arts']} 1 Jul 2026")  # Kent 2011's consultation came first
    reply = await say(f"/notice #{ids['arts']} 1 Nov 2026")
    assert "Notice given on 1 November 2026 was in time." in reply
    report = await core.report(CHAT, 2027)
    assert [r.outcome for r in report.rows if r.compact == "kent-2011"] == ["on_time"]


async def test_item_command_shows_how_each_compact_sees_it_and_its_history(
    year: tuple[Core, dict[str, int]],
) -> None:
    from bot.chat.conversation import Conversation, Incoming

    core, ids = year

    async def no() -> bool:
        return False

    async def say(text: str) -> str:
        # Anyone may look: a member who is not an admin.
        msg = Incoming(CHAT, 99, "Meg", text, private=False, is_admin=no)
        return "\n".join(r.text for r in await conversation.handle_text(msg))

    conversation = Conversation(core)
    advice = await say(f"/item {ids['advice']}")
    assert advice.splitlines()[0] == f"#{ids['advice']} funding: Advice contract – Sevenoaks DC"
    assert (
        "Kent Compact 2011 (kent-2011): ❌ below the minimum / deadline missed – notice late "
        "(12 days late, deadline 30 Sep 2026)"
    ) in advice
    assert "no notice period set by the Compact" in advice
    assert "notice recorded as given on 12 Oct 2026" in advice
    cut = await say(f"/item #{ids['cut']}")
    assert "step 1 recorded as done on 10 Apr 2026" in cut and "done (resolved)" in cut
    assert "There is no consultation" in await say("/item 999")
    assert "Say which item" in await say("/item")


async def test_a_funding_change_closed_without_notice_is_not_counted_as_missed(
    year: tuple[Core, dict[str, int]],
) -> None:
    core, ids = year
    # The grant went on after all: the group closes the item; no notice was owed.
    await core.close_item(CHAT, ids["befriending"], "done", OFFICER)
    report = await core.report(CHAT, 2026)
    assert outcomes(report, "Sevenoaks DC", "kent-2011", "funding") == {
        "late": [ids["advice"]],
        "closed": [ids["befriending"]],
    }


async def test_consultation_start_on_a_funding_change_stops_only_its_reminders(
    year: tuple[Core, dict[str, int]],
) -> None:
    from bot.records.calendar_export import open_deadlines

    core, ids = year
    arts = ids["arts"]  # ends 30 Jun 2027: consult by 30 Dec 2026, notice by 31 Mar 2027
    keys = sorted(r.key.split(":")[1] for r in await core.db.pending_reminders(CHAT))
    assert any(k.startswith("consult-") for k in keys)
    assert any(k.startswith("notice-") for k in keys)

    done = await core.record_consultation_start(CHAT, arts, date(2026, 11, 20), OFFICER)
    kent = next(r for r in done.results if r.compact == "kent-2011")
    assert "The consultation that started on 20 November 2026 was in time." in kent.reasons
    left = [r.key.split(":")[1] for r in await core.db.pending_reminders(CHAT)]
    assert left and all(k.startswith("notice-") for k in left)
    record, _ = await core.item_history(CHAT, arts)
    assert record.consultation_started_on == date(2026, 11, 20)
    assert [d.key for d in open_deadlines([record], date(2026, 11, 25))] == [
        "notice_by",
        "funding_ends",
    ]

    # The later notice re-check keeps the recorded consultation start.
    after = await core.record_notice(CHAT, arts, date(2026, 11, 24), OFFICER)
    kent = next(r for r in after.results if r.compact == "kent-2011")
    assert not any("No consultation is recorded" in reason for reason in kent.reasons)
    # A consultation that started only after notice is recorded, and is below the Compact
    # ("prior to a minimum of three months written notice"), said in plain words.
    late = await core.record_consultation_start(CHAT, arts, date(2026, 11, 25), OFFICER)
    kent = next(r for r in late.results if r.compact == "kent-2011")
    assert (kent.verdict, kent.finding) == ("breach", "notice_before_consultation")
    assert any("Notice came 1 day before the consultation started" in r for r in kent.reasons)


async def test_report_without_a_year_covers_twelve_months_and_all_still_open(
    databases: Databases, knowledge: Knowledge
) -> None:
    """Issue 22, finding 7: /report in December used to report the calendar year only, and
    later "Nothing registered is dated ..." while items were open."""
    from datetime import UTC, datetime

    from bot.chat.conversation import Conversation, Incoming

    async def yes() -> bool:
        return True

    clock = ManualClock(datetime(2026, 12, 7, 12, tzinfo=UTC))
    async with stored_core(await databases.new("jan"), knowledge, clock) as core:
        ids = await register_year(core)
        conversation = Conversation(core)
        msg = Incoming(CHAT, OFFICER, "Ada", "/report", private=False, is_admin=yes)
        [reply] = await conversation.handle_text(msg)
        assert "7 December 2025 to 7 December 2026" in reply.text
        # The Arts grant (last funded day in 2027) is open, so it is in; the 2025
        # consultation is open too (no feedback recorded), so it is in with its reason.
        for name in ("arts", "old", "advice", "library"):
            assert f"#{ids[name]}" in reply.text, name
        assert f"#{ids['old']} feedback not yet recorded" in reply.text
        assert f"#{ids['arts']} no notice recorded yet" in reply.text
        assert reply.files and reply.files[0].filename == "compact-report-2026-12-07.csv"

        # Two years on nothing is dated in the last twelve months, but items are open.
        clock.set(datetime(2028, 1, 4, 12, tzinfo=UTC))
        [reply] = await conversation.handle_text(msg)
        assert "Nothing registered" not in reply.text
        assert f"#{ids['late_reply']} the complaint is not yet resolved" in reply.text
        assert not re.search(rf"#{ids['library']}\b", reply.text)  # done in 2026
        # A year asked for is that year alone, as before.
        msg2 = Incoming(CHAT, OFFICER, "Ada", "/report 2028", private=False, is_admin=yes)
        [reply] = await conversation.handle_text(msg2)
        assert "Nothing registered is dated 2028" in reply.text


async def test_feedback_is_counted_only_where_the_compact_promises_it(
    databases: Databases, knowledge: Knowledge
) -> None:
    """Issue 22, finding 7: West Kent promises no feedback, so its report does not count
    "feedback received for 0 of 1", and an item whose duties are all settled says so."""
    async with stored_core(await databases.new("wk"), knowledge) as core:
        await core.choose_compacts(CHAT, ["west-kent"], None)
        west = await register(
            core, consultation("Parks plan", "TMBC", date(2026, 8, 3), date(2026, 10, 26)), "P"
        )
        await core.choose_compacts(CHAT, ["rbkc"], None)
        rbkc = await register(
            core, consultation("Housing plan", "RBKC", date(2026, 8, 3), date(2026, 10, 26)), "H"
        )
        report = await core.report(CHAT, 2026)
    text = render_text(report, knowledge.registry.display_name)
    by_compact = {code: rows for by in report.groups().values() for code, rows in by.items()}
    west_lines = summary_lines(by_compact["west-kent"])
    assert not any("Feedback" in line for line in west_lines), west_lines
    assert any(
        line.startswith("Feedback after closing: received for 0 of 1")
        for line in summary_lines(by_compact["rbkc"])
    )
    assert f"#{west} nothing more is owed under its Compacts: /done {west} closes it" in text
    assert f"#{rbkc} feedback not yet recorded" in text


async def test_log_stores_each_clause_once_and_reads_it_back(
    databases: Databases, knowledge: Knowledge
) -> None:
    import json

    path = await databases.new("log")
    async with stored_core(path, knowledge) as core:
        ids = await register_year(core)
        record, _ = await core.item_history(CHAT, ids["advice"])
    quotes = {c.quote for view in record.compacts.values() for c in view.citations}
    assert quotes
    payloads = " ".join(r[0] for r in await raw_sql.fetch(path, "SELECT payload FROM log_entries"))
    stored = [r[0] for r in await raw_sql.fetch(path, "SELECT text FROM clauses")]
    assert not any(q in payloads for q in quotes)  # only references in the entries
    stored_quotes = [json.loads(text)["quote"] for text in stored]
    assert quotes <= set(stored_quotes)
    assert len(stored) == len(set(stored))  # each citation once


async def test_log_entries_of_the_first_format_are_still_read(
    databases: Databases, knowledge: Knowledge
) -> None:
    """A database written before the typed log (schema 5) keeps its history readable."""
    import json

    from storage.repository import Database, to_db

    path = await databases.new("old")
    old = await Database.open(path, migrate_to=5)
    await old.close()
    quote = knowledge.registry.get("kent-2011").commitment("funding.joint.4").quote
    result = {  # a verdict as the first format wrote it: no Compact name, no demand
        "compact": "kent-2011",
        "kind": "funding",
        "verdict": "breach",
        "reasons": ["Notice given on 12 October 2026 was 12 days late."],
        "citations": [
            {
                "compact": "kent-2011",
                "commitment": "funding.joint.4",
                "section": "Code of Practice on Funding and Resources",
                "quote": quote,
            }
        ],
        "reminders": [],
        "notes": [],
        "deadlines": {"consultation_start_by": "2026-06-30", "notice_by": "2026-09-30"},
    }
    event = {
        "chat_id": CHAT,
        "registered_by": OFFICER,
        "registered_at": "2026-11-01T10:00:00Z",
        "item_id": 5,
        "kind": "funding",
        "funder": "KCC",
        "recipient": None,
        "title": "Advice grant",
        "last_funded_day": "2026-12-31",
        "notice_given_on": None,
        "consultation_started_on": None,
    }
    rows = [
        ("registered:funding", {"event": event, "results": [result], "reminders": 0}),
        ("update:notice", {"given_on": "2026-10-12", "results": [result]}),
        ("status:done", {"outcome": "resolved"}),
    ]
    await raw_sql.execute(
        path,
        ("INSERT INTO chats (chat_id, created_at) VALUES (?, 0)", (CHAT,)),
        (
            "INSERT INTO items (id, chat_id, kind, title, registered_at) VALUES (5, ?, 'funding',"
            " 'Advice grant', 0)",
            (CHAT,),
        ),
        *[
            (
                "INSERT INTO events (chat_id, item_id, kind, actor, payload, at)"
                " VALUES (?, 5, ?, ?, ?, ?)",
                (CHAT, kind, OFFICER, json.dumps(payload), to_db(NOW) + n),
            )
            for n, (kind, payload) in enumerate(rows)
        ],
    )

    async with stored_core(path, knowledge) as core:
        record, history = await core.item_history(CHAT, 5)
    assert [type(h.entry).__name__ for h in history] == [
        "ItemRegistered",
        "NoticeGiven",
        "ItemClosed",
    ]
    assert record.title == "Advice grant" and record.body == "KCC"
    assert record.notice_given_on == date(2026, 10, 12)
    assert (record.status, record.outcome) == ("done", "resolved")
    view = record.compacts["kent-2011"]
    assert view.verdict == "breach" and view.citations[0].quote == quote
    assert view.deadlines["notice_by"] == date(2026, 9, 30)


FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


async def test_csv_cells_a_spreadsheet_would_run_are_neutralised(
    databases: Databases, knowledge: Knowledge
) -> None:
    """Titles and public bodies starting with = + - @ tab or CR get a leading ' (OWASP's
    advice for CSV injection); numbers stay numbers."""
    async with stored_core(await databases.new("formulas"), knowledge) as core:
        await core.ensure_chat(CHAT, "=cmd|' /C calc'!A0")
        await core.choose_compacts(CHAT, ["kent-2011"], None)
        for n, formula in enumerate(FORMULAS):
            event = consultation(formula, FORMULAS[-1 - n], date(2026, 3, 2), date(2026, 4, 6))
            await register(core, event, formula)
        report = await core.report(CHAT, 2026)
    rows = list(csv.DictReader(io.StringIO(render_csv(report, knowledge.registry.display_name))))
    assert len(rows) == len(FORMULAS)
    for row, formula in zip(rows, FORMULAS, strict=True):
        # (Registration strips the tab and CR; the rest is kept as typed.)
        assert row["title"] == "'" + formula.strip()
        assert row["public body"].startswith("'")
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)
        assert row["length (days)"] == "35" and row["days short, late or open"] == "49"
        assert row["year"] == "2026" and row["date"] == "2026-03-02"


def test_csv_neutralises_text_but_leaves_negative_numbers_alone() -> None:
    row = LogRow(
        item_id=1,
        kind="funding",
        title="-5% cut to the youth grant",
        body="\r=cmd|' /C calc'!A0",
        compact="kent-2011",
        on=date(2026, 6, 30),
        outcome="late",
        days=-3,
        deadline=date(2026, 3, 31),
        verdict="breach",
        status="open",
    )
    report = Report(2026, date(2026, 11, 25), None, None, [row])
    [parsed] = list(csv.DictReader(io.StringIO(render_csv(report, str))))
    assert parsed["title"] == "'-5% cut to the youth grant"
    assert parsed["public body"] == "'\r=cmd|' /C calc'!A0"
    assert render_csv(report, lambda code: "\t@" + code).count("'\t@kent-2011") == 1
    assert parsed["days short, late or open"] == "-3"  # a number: a spreadsheet sums it
