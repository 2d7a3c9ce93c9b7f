"""Letters (/letter): from items registered through the real core into a real SQLite file,
on a clock fixed at 25 November 2026.

Every letter is opened as the .docx the chat sends, with python-docx, and checked against
sources the code under test does not use: each quoted clause against the Compact files'
``quote`` fields read with PyYAML, each date against the item and its stored verdict, each
duty sentence against the strength the Compact file records.
"""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document
from docx.enum.text import WD_COLOR_INDEX

from bot.chat.conversation import Conversation
from bot.chat.messages import Incoming, Reply
from bot.chat.throttle import Throttle
from bot.clock import ManualClock
from bot.core import Core, FollowUpError, WrittenLetter
from bot.domain.duty import modal
from bot.domain.events import AnyEvent, ComplaintRaised, ConsultationLaunched, FundingEnding
from bot.domain.verdicts import CheckResult
from bot.knowledge.knowledge import Knowledge
from bot.records.compliance import ItemRecord
from bot.records.letter_text import LetterTemplateError
from bot.records.letters import PLACEHOLDERS, LetterRefused
from bot.records.log import LetterDrafted
from bot.settings import Settings
from storage.repository import Database

ROOT = Path(__file__).resolve().parent.parent
CHAT, ADMIN, MEMBER = -900, 1, 2
TODAY = date(2026, 11, 25)

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE = re.compile(rf"\b(\d{{1,2}}) ({MONTHS}) (\d{{4}})\b")
CURLY = re.compile(r"“([^”]+)”")


# ---------------------------------------------------------------- independent readings


@cache
def compact_file(code: str) -> dict[str, Any]:
    """A Compact file as PyYAML reads it: not through the loader the bot uses."""
    data: dict[str, Any] = yaml.safe_load((ROOT / "compacts" / f"{code}.yaml").read_text())
    return data


def by_short_name(name: str) -> dict[str, Any]:
    for path in (ROOT / "compacts").glob("*.yaml"):
        data = compact_file(path.stem)
        if data["short_name"] == name:
            return data
    raise AssertionError(f"no Compact file is called {name!r}")


def clause_section(data: dict[str, Any], quote: str) -> str:
    """The title of the section of the commitment whose quote is ``quote`` (exactly)."""
    sections = {s["id"]: s["title"] for s in data["sections"]}
    for c in data["commitments"]:
        if c["quote"] == quote:
            return str(sections[c["section"]])
    raise AssertionError(f"not a clause of {data['code']}, word for word: {quote!r}")


def long_day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def dates_in(text: str) -> set[date]:
    from datetime import datetime

    return {datetime.strptime(" ".join(m), "%d %B %Y").date() for m in DATE.findall(text)}


def event_dates(record: ItemRecord) -> set[date]:
    found = {v for v in record.event.model_dump().values() if isinstance(v, date)}
    found |= {d for d in (record.notice_given_on, record.consultation_started_on) if d}
    return found | set(record.steps_done.values())


def verdict_dates(result: CheckResult) -> set[date]:
    found = {d for d in result.deadlines.values() if d is not None}
    return found | ({result.demand_date} if result.demand_date else set())


# ---------------------------------------------------------------- the .docx


@cache
def source_lines(code: str) -> list[str]:
    source = compact_file(code)["source"]
    return (ROOT / "compacts" / "sources" / source).read_text(encoding="utf-8").splitlines()


def source_number(data: dict[str, Any], quote: str) -> str:
    """ "undertaking 13 by the public sector" when the source's line with the clause reads
    "- 13) ..." under "Undertakings by the public sector:"; "point N" under another heading;
    "" when the line is not numbered."""
    start = " ".join(quote.split())[:50]
    for k, line in enumerate(source_lines(data["code"])):
        found = re.match(r"\s*(?:- )?(\d+)[.)] (.*)", line)
        if found and " ".join(found[2].split()).startswith(start):
            headings = [h for h in source_lines(data["code"])[:k] if h.strip().endswith(":")]
            heading = headings[-1].strip().rstrip(":") if headings else ""
            if heading.startswith("Undertakings "):
                return f"undertaking {found[1]} {heading.split(' ', 1)[1]}"
            return f"point {found[1]}"
    return ""


def check_page_and_properties(content: bytes, written_on: date) -> None:
    """A4 with 2.54 cm margins, and no maker's name in the document's properties."""
    document = Document(io.BytesIO(content))
    for section in document.sections:
        assert section.page_width is not None and section.page_height is not None
        assert abs(section.page_width.mm - 210) < 0.1 and abs(section.page_height.mm - 297) < 0.1
        for margin in (
            section.left_margin,
            section.right_margin,
            section.top_margin,
            section.bottom_margin,
        ):
            assert margin is not None and abs(margin.mm - 25.4) < 0.1
    props = document.core_properties
    for said in (
        props.author,
        props.last_modified_by,
        props.title,
        props.comments,
        props.subject,
        props.keywords,
        props.category,
    ):
        assert said == "", said
    assert props.created is not None and props.created.date() == written_on


def paragraphs(content: bytes) -> list[tuple[str, str]]:
    """(style, text) of every paragraph of a .docx."""
    document = Document(io.BytesIO(content))
    return [(p.style.name if p.style else "", p.text) for p in document.paragraphs]


def highlighted(content: bytes) -> set[str]:
    document = Document(io.BytesIO(content))
    return {
        r.text
        for p in document.paragraphs
        for r in p.runs
        if r.font.highlight_color == WD_COLOR_INDEX.YELLOW
    }


def check_docx(written: WrittenLetter, record: ItemRecord) -> str:
    """Every check a letter must pass whatever it is about; returns the .docx's text."""
    paras = paragraphs(written.docx)
    text = "\n".join(t for _, t in paras)
    names = {p.name for p in written.letter.parts}
    quoted = [t for style, t in paras if style == "Quote"]
    assert quoted, "the letter quotes no clause"
    for block in quoted:
        clause, attribution = block.split("\n")
        assert clause.startswith("“") and clause.endswith("”"), clause
        # One pair of brackets around the whole attribution, none broken inside it.
        assert attribution.startswith("(") and attribution.endswith(")"), attribution
        inside = attribution[1:-1]
        assert "(" not in inside and ")" not in inside, attribution
        name, _, place = inside.partition(", ")
        assert name in names
        data = by_short_name(name)
        place, _, number = place.partition("; ")
        # Word for word, and under the section the Compact file gives it (its number said
        # as a number, not with the text's bracket).
        section = clause_section(data, clause[1:-1])
        numbered = re.fullmatch(r"(\d+)[.)] (.+)", section)
        assert place == (f"section {numbered[1]}: {numbered[2]}" if numbered else section)
        # The clause's own number, where the source text numbers it.
        assert number == source_number(data, clause[1:-1]), (number, clause)
    # Words quoted in the prose are the item's title or stand word for word in a clause;
    # the group's own title only ever as their reference, never as the recipient's words.
    clauses = [c["quote"] for n in names for c in by_short_name(n)["commitments"]]
    for style, t in paras:
        if style != "Quote":
            for words in CURLY.findall(t):
                assert words == record.title or any(words in q for q in clauses), words
            assert t.count(record.title) == t.count(f"(our reference: “{record.title}”)"), t
    check_page_and_properties(written.docx, written.letter.written_on)
    # Every date is the item's, its verdict's, or the day the letter was written.
    allowed = event_dates(record) | {TODAY}
    for code in written.letter.compacts:
        allowed |= verdict_dates(record.compacts[code])
    assert dates_in(text) <= allowed, dates_in(text) - allowed
    # What only the group can fill in is marked, and highlighted so it is not missed.
    wanted = {v for k, v in PLACEHOLDERS.items() if k != "details"}
    address = written.letter.recipient_address
    if address is not None:
        # An address only as the Compact's text gives it, word for word.
        wanted.discard(PLACEHOLDERS["recipient_address"])
        sources = " ".join(" ".join(source_lines(c)) for c in written.letter.compacts)
        assert address in " ".join(sources.replace("- ", " ").split()), address
        assert address in text
    if written.letter.kind == "complaint":
        wanted.add(PLACEHOLDERS["details"])
    assert wanted <= highlighted(written.docx)
    # The chat message and the .docx are the same letter.
    lines = [line.strip() for line in written.text.splitlines() if line.strip()]
    flat = " ".join(text.split())
    for line in lines:
        assert " ".join(line.removeprefix("> ").removeprefix("# ").split()) in flat, line
    return text


# ---------------------------------------------------------------- fixtures


@pytest.fixture
async def core(db: Database, knowledge: Knowledge, clock: ManualClock) -> Core:
    return Core(knowledge, db, clock=clock)


async def registered(core: Core, compacts: list[str], event: AnyEvent, chat: int = CHAT) -> int:
    await core.choose_compacts(chat, compacts, ADMIN)
    title = event.summary if isinstance(event, ComplaintRaised) else getattr(event, "title", "")
    return (await core.register(event, title, {})).item_id


async def letters_logged(core: Core, item: int, chat: int = CHAT) -> list[LetterDrafted]:
    _, history = await core.item_history(chat, item)
    return [h.entry for h in history if isinstance(h.entry, LetterDrafted)]


def consultation(**fields: Any) -> ConsultationLaunched:
    values = {"chat_id": CHAT, "registered_by": ADMIN, "title": "Library services review"}
    return ConsultationLaunched(**{**values, **fields})


# ---------------------------------------------------------------- consultations


async def test_a_short_consultation_under_kent_2011_and_west_kent(core: Core) -> None:
    item = await registered(
        core,
        ["kent-2011", "west-kent"],
        consultation(body="Sevenoaks DC", opens=date(2026, 12, 1), closes=date(2027, 1, 5)),
    )
    [written] = await core.write_letters(CHAT, item, ADMIN)
    record, _ = await core.item_history(CHAT, item)
    text = check_docx(written, record)
    letter = written.letter

    assert letter.recipient == "Sevenoaks DC"
    assert [p.code for p in letter.parts] == ["kent-2011", "west-kent"]
    assert "“Library services review”" in text and "5 January 2027" in text
    # Each Compact's close dates, as its check computed them, with its own duty word.
    for part in letter.parts:
        result = record.compacts[part.code]
        strength = compact_file(part.code)["obligations"]["consultation"]["strength"]
        for key in ("standard_close", "minimum_close"):
            day = result.deadlines.get(key)
            if day is None:
                continue
            said = [s for s in part.says if long_day(day) in s]
            assert said and all(f"{modal(strength)} close on or after" in s for s in said)
            assert all(s in " ".join(text.split()) for s in said)
    kent, west = letter.parts
    assert any("must close on or after 23 February 2027" in s for s in kent.says)
    assert not any("must" in s for s in west.says)
    assert any(
        "should, wherever possible, close on or after 12 January 2027" in s for s in west.says
    )
    # Kent 2011 asks for an explanation of a shorter period; West Kent promises one only
    # below its 6-week minimum, which this 5-week consultation is.
    assert "explanation for the shorter period that Kent Compact 2011 asks for" in text
    assert "explanation West Kent Compact promises below its minimum" in text
    # Still open: the letter asks for the latest close either Compact asks for.
    assert "Please extend the consultation so that it closes on or after 23 February 2027." in text
    # Kent 2011's text was put out for consultation: the letter says so beside its words.
    assert "does not say it was adopted" in text


async def test_west_kent_between_its_minimum_and_its_total_asks_for_no_explanation(
    core: Core, clock: ManualClock
) -> None:
    # 8 weeks: above West Kent's 6-week minimum, short of its 12 weeks "wherever possible",
    # and closed by the time the letter is written.
    item = await registered(
        core,
        ["west-kent"],
        consultation(
            body="Tonbridge & Malling BC", opens=date(2026, 9, 1), closes=date(2026, 10, 27)
        ),
    )
    [written] = await core.write_letters(CHAT, item, ADMIN)
    record, _ = await core.item_history(CHAT, item)
    text = check_docx(written, record)
    assert "explanation" not in " ".join(written.letter.requests)
    assert "extend" not in text
    assert (
        "Please allow the 12 weeks West Kent Compact asks for wherever possible in future "
        "consultations." in text
    )
    assert "This one closed on 27 October 2026, 28 days before 24 November 2026." in text


async def test_earlier_rounds_count_toward_west_kents_total(core: Core) -> None:
    item = await registered(
        core,
        ["west-kent"],
        consultation(
            body="KCC", opens=date(2026, 12, 1), closes=date(2027, 1, 26), earlier_rounds_days=14
        ),
    )
    [written] = await core.write_letters(CHAT, item, ADMIN)
    record, _ = await core.item_history(CHAT, item)
    text = check_docx(written, record)
    standard_close = record.compacts["west-kent"].deadlines["standard_close"]
    assert standard_close == date(2027, 2, 9)  # 12 weeks from 14 days before the opening
    assert "Earlier formal consultation rounds on the same matter ran 14 days in all." in text
    assert (
        f"this round should, wherever possible, close on or after {long_day(standard_close)}"
        in text
    )


# ---------------------------------------------------------------- funding


async def test_a_late_funding_notice_under_rbkc(core: Core) -> None:
    item = await registered(
        core,
        ["rbkc"],
        FundingEnding(
            chat_id=CHAT,
            title="Advice contract",
            funder="Royal Borough of Kensington and Chelsea",
            last_funded_day=date(2026, 12, 31),
            notice_given_on=date(2026, 10, 12),
        ),
    )
    [written] = await core.write_letters(CHAT, item, ADMIN)
    record, _ = await core.item_history(CHAT, item)
    text = check_docx(written, record)
    notice_by = record.compacts["rbkc"].deadlines["notice_by"]
    assert notice_by == date(2026, 9, 30)
    late = (date(2026, 10, 12) - notice_by).days
    assert written.letter.recipient == "Royal Borough of Kensington and Chelsea"
    assert f"it must be given by {long_day(notice_by)}" in text
    assert f"Notice given on 12 October 2026 came {late} days late." in text
    assert "a minimum of three months' notice in writing" in text  # in the clause, verbatim
    # The request is dated, and asks for the rationale the clause requires.
    assert (
        f"Under Kensington and Chelsea Compact, notice in writing by {long_day(notice_by)} "
        "(it came on 12 October 2026) was owed; please give us your clear rationale for the "
        "decision." in text
    )
    assert (
        "As the funding has not yet ended, please keep it on its current terms until 3 months "
        "after 12 October 2026, when notice came." in text
    )
    assert "before this funding ends" not in text


async def test_kent_2011_notice_on_time_but_no_consultation_before_it(core: Core) -> None:
    item = await registered(
        core,
        ["kent-2011"],
        FundingEnding(
            chat_id=CHAT,
            title="Youth grant",
            funder="KCC",
            last_funded_day=date(2027, 3, 31),
            notice_given_on=date(2026, 11, 20),
            consulted=False,  # the group says none started
        ),
    )
    [written] = await core.write_letters(CHAT, item, ADMIN)
    record, _ = await core.item_history(CHAT, item)
    text = check_docx(written, record)
    start_by = record.compacts["kent-2011"].deadlines["consultation_start_by"]
    assert f"it must start by {long_day(start_by)}" in text
    assert f"No consultation on this change has started, and {long_day(start_by)}" in text
    # Dated: what was owed and by when; notice already came, so no consultation "before
    # notice" is asked for any more.
    assert (
        f"Under Kent Compact 2011, a 3-month consultation starting by {long_day(start_by)} was "
        "owed; please give us your clear rationale for the decision." in text
    )
    # Notice itself was in time: the letter does not ask for it again.
    assert "came" not in text and "Please give us the 3 months' notice" not in text


async def test_funding_that_ended_before_notice_came(core: Core) -> None:
    """Issue 22, finding 1: the grant ended 31 March 2026, notice came 15 April (the clock:
    25 November 2026).  The letter says so, and never asks for notice "before this funding
    ends", months after it ended; a rationale said to be missing is written about."""
    item = await registered(
        core,
        ["rbkc"],
        FundingEnding(
            chat_id=CHAT,
            title="Lunch club grant",
            funder="RBKC",
            last_funded_day=date(2026, 3, 31),
            notice_given_on=date(2026, 4, 15),
            rationale_given=False,
        ),
    )
    [written] = await core.write_letters(CHAT, item, ADMIN)
    record, _ = await core.item_history(CHAT, item)
    text = check_docx(written, record)
    assert (
        "Notice given on 15 April 2026 came 105 days late, 15 days after the funding ended." in text
    )
    assert "before this funding ends" not in text
    assert "No rationale came with the decision." in text
    assert "was owed; please give us your clear rationale for the decision." in text


async def test_perth_and_kinross_usual_warning_is_never_a_must(core: Core) -> None:
    item = await registered(
        core,
        ["perth-kinross"],
        FundingEnding(
            chat_id=CHAT,
            title="Youth grant",
            funder="Perth & Kinross Council",
            last_funded_day=date(2027, 3, 31),
        ),
    )
    [written] = await core.write_letters(CHAT, item, ADMIN)
    record, _ = await core.item_history(CHAT, item)
    text = check_docx(written, record)
    strength = compact_file("perth-kinross")["obligations"]["funding_change"]["strength"]
    notice_by = record.compacts["perth-kinross"].deadlines["notice_by"]
    assert f"it {modal(strength)} be given by {long_day(notice_by)}" in text
    assert "should usually be given by" in text
    assert "must" not in text
    # Dated, and with the Compact's own "usually": not "owed".
    assert (
        f"Perth & Kinross Compact usually asks for warning in writing by {long_day(notice_by)}; "
        "please give us your clear rationale for the decision and that warning in writing."
    ) in " ".join(text.split()) or (
        f"Perth & Kinross Compact usually asks for warning by {long_day(notice_by)}; "
        "please give us that warning." in " ".join(text.split())
    )
    assert "owed" not in text


async def test_a_funding_change_whose_notice_deadline_lapses_gets_a_letter_then(
    core: Core, clock: ManualClock
) -> None:
    item = await registered(
        core,
        ["rbkc"],
        FundingEnding(
            chat_id=CHAT, title="Grant", funder="RBKC", last_funded_day=date(2027, 6, 30)
        ),
    )
    with pytest.raises(LetterRefused, match="so far"):
        await core.write_letters(CHAT, item, ADMIN)
    clock.set(clock.now() + timedelta(days=130))  # past 31 March 2027, nothing recorded
    [written] = await core.write_letters(CHAT, item, ADMIN)
    assert "We have no record of notice of this change, and 31 March 2027 has passed." in (
        written.text
    )


# ---------------------------------------------------------------- complaints


async def test_an_rbkc_complaint_goes_to_kcsc_then_follows_the_procedure(core: Core) -> None:
    item = await registered(
        core,
        ["rbkc"],
        ComplaintRaised(
            chat_id=CHAT,
            against="public",
            body="RBKC housing team",
            summary="they cut the consultation to 3 weeks",
            raised_on=date(2026, 11, 20),
        ),
    )
    steps = compact_file("rbkc")["obligations"]["complaints"]["against_public"]
    [first] = await core.write_letters(CHAT, item, ADMIN)
    record, _ = await core.item_history(CHAT, item)
    text = check_docx(first, record)
    # One name per body: the name the text spells out, not its step's "(KCSC)" or "KCSC",
    # at the address the Compact gives for it.
    kcsc = "Kensington and Chelsea Social Council"
    assert steps[0]["recipient"].startswith(kcsc) and steps[1]["recipient"] == "KCSC"
    assert first.letter.recipient == kcsc
    assert first.letter.recipient_address == (
        "London Lighthouse 111 to 117 Lancaster Road London W11 1QT"
    )
    # Addressed at the top, after the date.
    lines = text.splitlines()
    assert lines[lines.index(long_day(TODAY)) + 1] == first.letter.recipient
    assert "Contact Kensington and Chelsea Social Council (KCSC) to explain" in text
    assert "Kensington and Chelsea Compact sets a procedure" in text
    assert first.letter.step == 1

    for n in range(1, len(steps)):
        await core.record_step(CHAT, item, n, date(2026, 11, 24), ADMIN)
        [written] = await core.write_letters(CHAT, item, ADMIN)
        record, _ = await core.item_history(CHAT, item)
        text = check_docx(written, record)
        assert written.letter.step == n + 1
        expected = kcsc if steps[n]["recipient"] == "KCSC" else steps[n]["recipient"]
        assert written.letter.recipient == expected
        # The procedure's condition is quoted at every step, not only the first.
        assert "cannot be resolved informally" in text
    assert "is the last step Kensington and Chelsea Compact gives in order" in text
    await core.record_step(CHAT, item, len(steps), date(2026, 11, 24), ADMIN)
    with pytest.raises(LetterRefused, match="no step after it"):
        await core.write_letters(CHAT, item, ADMIN)
    logged = await letters_logged(core, item)
    assert [e.step for e in logged] == [1, 2, 3, 4, 5]
    assert logged[0].recipient == logged[1].recipient == kcsc


async def test_west_kent_first_discussion_with_the_body_then_its_steering_group(
    core: Core,
) -> None:
    item = await registered(
        core,
        ["west-kent"],
        ComplaintRaised(
            chat_id=CHAT,
            against="public",
            body="Sevenoaks DC",
            summary="no feedback",
            raised_on=date(2026, 11, 2),
        ),
    )
    [first] = await core.write_letters(CHAT, item, ADMIN)
    assert first.letter.recipient == "Sevenoaks DC"  # the text names no one but the other party
    await core.record_step(CHAT, item, 1, date(2026, 11, 20), ADMIN)
    [second] = await core.write_letters(CHAT, item, ADMIN)
    record, _ = await core.item_history(CHAT, item)
    text = check_docx(second, record)
    assert second.letter.recipient == "the Compact Steering Group"
    assert "Step 1 of the procedure was done on 20 November 2026." in text
    assert "West Kent Compact says what should happen" in text  # "should", as its text says


async def test_two_procedures_with_different_recipients_are_two_letters(core: Core) -> None:
    item = await registered(
        core,
        ["rbkc", "west-kent"],
        ComplaintRaised(chat_id=CHAT, against="public", summary="ignored", raised_on=TODAY),
    )
    written = await core.write_letters(CHAT, item, ADMIN)
    assert [w.letter.recipient for w in written] == [
        "Kensington and Chelsea Social Council",
        "[THE PUBLIC BODY'S NAME]",  # West Kent's first step is with the body, not named here
    ]
    assert [w.filename for w in written] == [
        f"letter-item-{item}-1.docx",
        f"letter-item-{item}-2.docx",
    ]
    assert len(await letters_logged(core, item)) == 2


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("compacts", "event", "refusal"),
    [
        (
            ["kent-2011"],
            consultation(opens=date(2026, 12, 1), closes=date(2027, 2, 23)),
            "meets Kent Compact 2011: there is nothing to write about",
        ),
        (
            ["perth-kinross"],
            consultation(opens=date(2026, 12, 1), closes=date(2026, 12, 8)),
            "No Compact sets a rule for item",
        ),
        (
            ["kent-2007-draft"],
            consultation(opens=date(2026, 12, 1), closes=date(2026, 12, 8), statutory=True),
            "No Compact sets a rule for item",
        ),
        (
            ["kent-2011"],
            ComplaintRaised(chat_id=CHAT, against="public", raised_on=TODAY),
            "No Compact sets a procedure with steps",
        ),
        (
            [],
            consultation(opens=date(2026, 12, 1), closes=date(2026, 12, 8)),
            "checked under no Compact",
        ),
    ],
    ids=["meets", "no-length-set", "statutory", "no-procedure", "no-compact"],
)
async def test_no_letter_for_an_item_that_meets_or_has_no_rule(
    core: Core, compacts: list[str], event: AnyEvent, refusal: str
) -> None:
    item = await registered(core, compacts, event)
    with pytest.raises(LetterRefused, match=refusal) as refused:
        await core.write_letters(CHAT, item, ADMIN)
    assert "\n" not in str(refused.value)
    assert await letters_logged(core, item) == []


async def test_unknown_and_cancelled_items_get_no_letter(core: Core) -> None:
    with pytest.raises(FollowUpError, match="no consultation, funding change or complaint #9"):
        await core.write_letters(CHAT, 9, ADMIN)
    item = await registered(
        core, ["kent-2011"], consultation(opens=date(2026, 12, 1), closes=date(2026, 12, 8))
    )
    await core.close_item(CHAT, item, "cancelled", ADMIN)
    with pytest.raises(LetterRefused, match="cancelled"):
        await core.write_letters(CHAT, item, ADMIN)
    # Another chat's item is not this chat's.
    with pytest.raises(FollowUpError):
        await core.write_letters(CHAT - 1, item, ADMIN)
    assert await letters_logged(core, item) == []


# ---------------------------------------------------------------- the chat


async def _yes() -> bool:
    return True


async def _no() -> bool:
    return False


@pytest.fixture
async def conversation(core: Core, clock: ManualClock) -> AsyncIterator[Conversation]:
    yield Conversation(core, Throttle(clock, limit=10**6))


async def say(conv: Conversation, text: str, user: int = ADMIN) -> list[Reply]:
    msg = Incoming(CHAT, user, "Ada", text, private=False, is_admin=_yes if user == ADMIN else _no)
    return await conv.handle_text(msg)


async def test_letter_in_the_chat_is_a_message_and_a_word_file_in_the_history(
    conversation: Conversation, core: Core
) -> None:
    item = await registered(
        core,
        ["kent-2011"],
        consultation(body="Sevenoaks DC", opens=date(2026, 12, 1), closes=date(2027, 1, 5)),
    )
    [reply] = await say(conversation, f"/letter {item}")
    [attachment] = reply.files
    assert attachment.filename == f"letter-item-{item}.docx"
    assert f"A letter for item #{item} to Sevenoaks DC" in reply.text
    quotes = [t for style, t in paragraphs(attachment.content) if style == "Quote"]
    for block in quotes:
        # The message quotes the same clause, indented as the bot's replies quote.
        assert f"   {block.splitlines()[0]}" in reply.text
    [history] = await say(conversation, f"/item {item}")
    assert "letter drafted to Sevenoaks DC" in history.text
    [logged] = await letters_logged(core, item)
    assert logged.compacts == ["kent-2011"]
    assert [c.commitment for c in logged.citations] == ["comms.public.6"]


async def test_letter_refusals_in_the_chat_are_one_line_and_change_nothing(
    conversation: Conversation, core: Core, db: Database
) -> None:
    item = await registered(
        core, ["kent-2011"], consultation(opens=date(2026, 12, 1), closes=date(2027, 1, 5))
    )
    met = await registered(
        core,
        ["kent-2011"],
        consultation(title="Parks", opens=date(2026, 12, 1), closes=date(2027, 3, 1)),
    )
    before = len(await db.log(CHAT))
    for text, user, expected in [
        (f"/letter {item}", MEMBER, "Only this group's admins and officers can use /letter"),
        ("/letter", ADMIN, "Say which item, e.g. /letter 3"),
        ("/letter twelve", ADMIN, "twelve is not an item number"),
        ("/letter 99", ADMIN, "There is no consultation, funding change or complaint #99"),
        (f"/letter {met}", ADMIN, f"Item #{met} meets Kent Compact 2011"),
    ]:
        [reply] = await say(conversation, text, user)
        assert expected in reply.text, (text, reply.text)
        assert "\n" not in reply.text and not reply.files
    assert len(await db.log(CHAT)) == before


async def test_an_officer_may_write_a_letter(conversation: Conversation, core: Core) -> None:
    item = await registered(
        core, ["kent-2011"], consultation(opens=date(2026, 12, 1), closes=date(2027, 1, 5))
    )
    await core.add_officer(CHAT, MEMBER, "Meg")
    [reply] = await say(conversation, f"/letter {item}", MEMBER)
    assert reply.files
    _, history = await core.item_history(CHAT, item)
    assert isinstance(history[-1].entry, LetterDrafted)
    assert history[-1].actor == MEMBER


# ---------------------------------------------------------------- templates


async def test_a_networks_template_changes_the_wording_not_the_facts(
    knowledge: Knowledge, db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    (tmp_path / "letter.txt.j2").write_text(
        "{{ placeholders.group }}\n\nTo {{ recipient }}, on {{ written_on }}\n\n"
        "# {{ subject }}\n\n"
        "{% for part in parts %}{% for q in part.quotes %}\n\n> “{{ q.text }}”\n"
        "> ({{ q.section }}, {{ q.compact_name }})\n\n{% endfor %}{% endfor %}\n\n"
        "Kind regards from the network,\n{{ placeholders.signatory }}\n",
        encoding="utf-8",
    )
    core = Core(knowledge, db, clock=clock, letter_templates=tmp_path)
    item = await registered(
        core,
        ["kent-2011"],
        consultation(body="Sevenoaks DC", opens=date(2026, 12, 1), closes=date(2027, 1, 5)),
    )
    [written] = await core.write_letters(CHAT, item, ADMIN)
    text = "\n".join(t for _, t in paragraphs(written.docx))
    assert "Kind regards from the network," in text
    assert "To Sevenoaks DC, on 25 November 2026" in text
    assert "Yours sincerely" not in text
    [block] = [t for style, t in paragraphs(written.docx) if style == "Quote"]
    assert (
        block.splitlines()[0][1:-1]
        == compact_file("kent-2011")["commitments"][
            [c["id"] for c in compact_file("kent-2011")["commitments"]].index("comms.public.6")
        ]["quote"]
    )


@pytest.mark.parametrize(
    ("template", "error"),
    [
        ("{% for part in parts %}\n{{ part.name }\n", "has an error on line 2"),
        ("{{ council_leader }}\n", "cannot be used"),
        ("{{ placeholders.__class__.__init__.__globals__ }}\n", "cannot be used"),
        ("{{ subject.format.__self__.__class__.__mro__ }}\n", "cannot be used"),
        ("{% for i in range(10**6) %}x{% endfor %}\n", "cannot be used: Range too big"),
        ("{{ 1 / 0 }}\n", "cannot be used: division by zero"),
        ("{{ 'x' * 10**9 }}\n", "cannot be used: the repeated text is too long"),
        ("{{ 2 ** 100000000 }}\n", "cannot be used: the exponent is too large"),
        ("{% for i in range(99999) %}{{ subject }}{% endfor %}\n", "over 100,000 characters"),
    ],
    ids=[
        "syntax",
        "unknown-field",
        "escape-dunder",
        "escape-format",
        "huge-range",
        "division",
        "huge-repeat",
        "huge-power",
        "huge-output",
    ],
)
async def test_a_template_that_cannot_be_used_writes_and_logs_nothing(
    knowledge: Knowledge,
    db: Database,
    clock: ManualClock,
    tmp_path: Path,
    template: str,
    error: str,
) -> None:
    (tmp_path / "letter.txt.j2").write_text(template, encoding="utf-8")
    core = Core(knowledge, db, clock=clock, letter_templates=tmp_path)
    item = await registered(
        core, ["kent-2011"], consultation(opens=date(2026, 12, 1), closes=date(2027, 1, 5))
    )
    with pytest.raises(LetterTemplateError, match=error) as failed:
        await core.write_letters(CHAT, item, ADMIN)
    assert "\n" not in str(failed.value)
    assert await letters_logged(core, item) == []


def test_the_templates_setting_names_an_existing_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPACTBOT_LETTER_TEMPLATES", str(tmp_path))
    assert Settings().letter_templates == tmp_path
    monkeypatch.setenv("COMPACTBOT_LETTER_TEMPLATES", str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="does not point to a directory"):
        Settings()


def test_the_built_in_template_is_package_data() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    data = config["tool"]["setuptools"]["package-data"]["bot"]
    template = ROOT / "bot" / "records" / "templates" / "letter.txt.j2"
    assert template.is_file()
    assert any(template.relative_to(ROOT / "bot").match(pattern) for pattern in data)


def test_a_steps_recipient_must_stand_in_its_quote() -> None:
    import copy

    from pydantic import ValidationError

    from compacts.models import Compact

    data = copy.deepcopy(compact_file("rbkc"))
    assert Compact.model_validate(data).obligations.complaints.steps("public")[0].recipient == (
        "Kensington and Chelsea Social Council (KCSC)"
    )
    data["obligations"]["complaints"]["against_public"][0]["recipient"] = "the Town Clerk"
    with pytest.raises(ValidationError, match=r"the recipient of 'complaints\.against_public\.1'"):
        Compact.model_validate(data)


async def test_a_letter_a_group_would_send_as_it_is(core: Core) -> None:
    """Issue 22, finding 5: A4 and no maker in its properties (``check_docx``), the group's
    title only as its reference, the body as the Compact names it at the address it gives,
    the clause cited with its section and undertaking number in one pair of brackets, the
    request dated, and a complaint letter proposing the step its procedure names."""
    item = await registered(
        core,
        ["rbkc"],
        FundingEnding(
            chat_id=CHAT,
            title="RBKC ending the lunch club grant",
            funder="rbkc",
            last_funded_day=date(2027, 1, 31),
        ),
    )
    [written] = await core.write_letters(CHAT, item, ADMIN)
    record, _ = await core.item_history(CHAT, item)
    text = check_docx(written, record)
    flat = " ".join(text.split())
    assert "Our funding “" not in flat
    assert "(our reference: “RBKC ending the lunch club grant”)" in flat
    # "rbkc" as typed is the Royal Borough the Compact names, at its own contact address.
    assert written.letter.recipient == "Royal Borough of Kensington and Chelsea"
    assert "rbkc" not in flat.replace("RBKC ending", "")
    assert written.letter.recipient_address == (
        "Community Engagement Team Town Hall Hornton Street London W8 7NX"
    )
    assert (
        "(Kensington and Chelsea Compact, section 2: Well managed programmes and services; "
        "undertaking 13 by the public sector)" in flat
    )
    notice_by = record.compacts["rbkc"].deadlines["notice_by"]
    assert notice_by == date(2026, 10, 31)
    assert (
        "Under Kensington and Chelsea Compact, notice in writing by 31 October 2026 was owed; "
        "please give us your clear rationale for the decision and that notice in writing." in flat
    )

    complaint = await registered(
        core,
        ["rbkc"],
        ComplaintRaised(
            chat_id=CHAT,
            against="public",
            body="rbkc",
            summary="they cut the consultation to 3 weeks",
            raised_on=date(2026, 11, 20),
        ),
    )
    [letter] = await core.write_letters(CHAT, complaint, ADMIN)
    record, _ = await core.item_history(CHAT, complaint)
    text = " ".join(check_docx(letter, record).split())
    assert "taken forward" not in text
    steps = compact_file("rbkc")["obligations"]["complaints"]["against_public"]
    assert (
        "We propose step 1 of Kensington and Chelsea Compact's procedure: "
        f"{steps[0]['summary'][0].lower()}{steps[0]['summary'][1:]}. If that does not settle "
        f"it, step 2 follows: {steps[1]['summary']}." in text
    )
    assert "our complaint about Royal Borough of Kensington and Chelsea" in text
