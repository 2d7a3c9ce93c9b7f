"""A body or place named in a question or registration routes it to its Compact (real core,
real database): the answer, the check, the report, the CSV and the letters, and the blind
routing set's floor."""

from __future__ import annotations

import csv
import io

import pytest
from routing_scoring import BLIND, SHORT, first_named, score

from bot.chat import buttons
from bot.chat.conversation import Conversation
from bot.chat.messages import Incoming, Reply
from bot.knowledge.knowledge import Knowledge
from bot.records.report_formats import render_csv

pytestmark = pytest.mark.both_backends

ME = 51  # a private chat: its id is its one user's


async def _yes() -> bool:
    return True


async def ask(conv: Conversation, text: str) -> list[Reply]:
    return await conv.handle_text(Incoming(ME, ME, "Ada", text, private=True, is_admin=_yes))


async def one(conv: Conversation, text: str) -> Reply:
    [reply] = await ask(conv, text)
    return reply


async def test_a_question_naming_a_body_is_answered_from_its_compact_and_says_so(
    conversation: Conversation, knowledge: Knowledge
) -> None:
    await one(conversation, "/compact kent-2011")
    reply = await one(conversation, "does pkc have to give us notice before cutting our grant?")
    first, *rest = reply.text.splitlines()
    assert first == (
        "You named pkc (Perth & Kinross Council): this is from the Perth & Kinross Compact."
    )
    compacts = list(knowledge.registry.compacts.values())
    assert first_named("\n".join(rest), compacts) == "perth-kinross"
    assert "Kent Compact 2011" not in reply.text
    assert "six months" in reply.text  # its own clause, quoted


async def test_a_place_routes_a_chat_that_follows_nothing_and_says_how_to_follow_it(
    conversation: Conversation,
) -> None:
    reply = await one(conversation, "we're in sevenaoks - how long must a consultation run?")
    assert reply.text.splitlines()[0] == (
        "You named sevenaoks: this is from the West Kent Compact (/compact west-kent to follow it)."
    )
    assert reply.text.count("•") == 1


async def test_a_question_naming_nothing_is_answered_from_what_the_chat_follows(
    conversation: Conversation,
) -> None:
    await one(conversation, "/compact west-kent")
    reply = await one(conversation, "how long should a consultation be?")
    assert reply.text.startswith("• West Kent Compact")
    assert "You named" not in reply.text and reply.text.count("•") == 1


async def test_with_no_compact_and_no_place_each_compact_answers_in_one_line(
    conversation: Conversation, knowledge: Knowledge
) -> None:
    reply = await one(conversation, "how long should a consultation be?")
    assert len(reply.text) <= SHORT
    lines = [line for line in reply.text.splitlines() if line.startswith("• ")]
    compacts = list(knowledge.registry.compacts.values())
    assert sorted(first_named(line, compacts) or "" for line in lines) == sorted(
        knowledge.registry.codes
    )
    assert "/compact" in reply.text
    # A button per Compact gives its clauses whole.
    assert len(reply.buttons) == len(compacts)
    pressed = reply.buttons[0][0]
    code = pressed.label.removeprefix("In full: ")
    action = buttons.decode(pressed.data)
    assert isinstance(action, buttons.MoreClauses)
    whole = await conversation.handle_button(ME, ME, pressed.data, _yes)
    assert whole.text.startswith(f"{code}, word for word:")
    compact = knowledge.registry.get(action.code)
    assert compact.commitment(action.commitments[0]).quote in whole.text


async def test_a_registration_naming_a_body_is_checked_against_its_compact(
    conversation: Conversation,
) -> None:
    await one(conversation, "/compact rbkc")
    readback = await one(
        conversation, "/consultation PKC library closures, opens 1 Dec closes 10 Dec"
    )
    assert "Public body: PKC" in readback.text and "Title: Library closures" in readback.text
    done = await one(conversation, "yes")
    # Checked against the body's Compact, and still against the one the chat chose.
    assert "You named PKC: checked against the Perth & Kinross Compact as well." in done.text
    assert "Perth & Kinross Compact: " in done.text
    assert "Kensington and Chelsea Compact: " in done.text
    [record] = await conversation.core.compliance(ME)
    assert record.followed == ["perth-kinross", "rbkc"] and record.body == "PKC"  # as typed
    # A body of a Compact the chat follows is checked against what it follows only.
    await one(conversation, "/consultation Parks plan by RBKC, opens 1 Dec closes 10 Dec")
    done = await one(conversation, "yes")
    assert "You named" not in done.text and "Perth & Kinross" not in done.text


async def test_one_name_per_body_in_the_report_the_csv_and_letters(
    conversation: Conversation, knowledge: Knowledge
) -> None:
    await one(conversation, "/compact rbkc")
    for said in ("RBKC", "the royal borough", "Royal Borough of Kensington & Chelsea"):
        await one(conversation, f"/consultation Parks plan, by {said}, opens 1 Dec, closes 8 Dec")
        done = await one(conversation, "yes")
        assert "Registered as item" in done.text
    # The log keeps what each user wrote.
    records = await conversation.core.compliance(ME)
    assert [r.body for r in records] == [
        "RBKC",
        "the royal borough",
        "Royal Borough of Kensington & Chelsea",
    ]
    report = await conversation.core.report(ME, 2026)
    assert list(report.groups()) == ["Royal Borough of Kensington and Chelsea"]
    rows = list(csv.DictReader(io.StringIO(render_csv(report, knowledge.registry.display_name))))
    assert {row["public body"] for row in rows} == {"Royal Borough of Kensington and Chelsea"}
    # A filter by any of its names finds them all.
    assert len((await conversation.core.report(ME, 2026, body="rbkc")).rows) == 3
    [letter] = await conversation.core.write_letters(ME, records[1].item_id, ME)
    assert letter.letter.recipient == "Royal Borough of Kensington and Chelsea"


@pytest.mark.parametrize(
    ("message", "against", "body"),
    [
        ("/complaint West Kent CVS ignored our letters", "vcs", "West Kent CVS"),
        ("/complaint the royal borough refused to meet us", "public", "the royal borough"),
        ("/complaint against pkavs: they never passed on our views", "vcs", "pkavs"),
    ],
)
async def test_a_complaints_side_is_the_named_bodys(
    conversation: Conversation, message: str, against: str, body: str
) -> None:
    readback = await one(conversation, message)
    side = "VCS" if against == "vcs" else "public"
    assert "Is this right?" in readback.text
    assert body in readback.text and side.lower() in readback.text.lower()
    assert "public or" not in readback.text.lower()


async def test_routing_blind_set_floor(knowledge: Knowledge) -> None:
    """The blind routing set (tests/routing/blind, written before the work), scored on its
    own SQLite file: 53/131 before the gazetteer, 128/131 after; 122/131 once plain messages
    are first read for their intent (some questions are taken as situations to register)."""
    scored = await score(BLIND, knowledge)
    # 131/131 since round 3 used the spent set as development data (in-sample).
    assert sum(s.ok for s in scored) >= 131


async def test_routing_second_blind_set_floor(knowledge: Knowledge) -> None:
    """Blind-2 (tests/routing/blind-2, written after the work, scored once): 49/133 on main
    before issue 20, 108/133 on the merged work."""
    scored = await score(BLIND.with_name("blind-2"), knowledge)
    assert len(scored) == 133
    # 132/133 since round 3, 133/133 since round 4 used the spent set as development data
    # (in-sample).
    assert sum(s.ok for s in scored) >= 133


async def test_routing_third_blind_set_floor(knowledge: Knowledge) -> None:
    """Blind-3 (tests/routing/blind-3, written before round 3's work; totals only while
    working): 110/147 on main before it, 133/147 after (the SVM reading situations that ask
    from questions, abbreviations, villages and wards in the data)."""
    scored = await score(BLIND.with_name("blind-3"), knowledge)
    assert len(scored) == 147
    # 142/147 since round 4 (postcode districts, more villages; in-sample by then).
    assert sum(s.ok for s in scored) >= 142


async def test_routing_fourth_blind_set_floor(knowledge: Knowledge) -> None:
    """Blind-4 (tests/routing/blind-4, written after round 3's work, scored once): 113/161
    on main before round 3, 141/161 after it."""
    scored = await score(BLIND.with_name("blind-4"), knowledge)
    assert len(scored) == 161
    # 159/161 since round 4 used it as development data (postcode districts, villages,
    # a named place first in a situation; in-sample).
    assert sum(s.ok for s in scored) >= 159


async def test_routing_fifth_blind_set_floor(knowledge: Knowledge) -> None:
    """Blind-5 (tests/routing/blind-5, written after round 4's work, scored once): 130/184
    on main before round 3, 151/184 after round 3, 176/184 after round 4."""
    scored = await score(BLIND.with_name("blind-5"), knowledge)
    assert len(scored) == 184
    assert sum(s.ok for s in scored) >= 176


async def test_routing_sixth_blind_set_floor(knowledge: Knowledge) -> None:
    """Blind-6 (tests/routing/blind-6, written after round 5's work, scored once): 183/194
    on main before round 5 and after it (round 5 did no routing work)."""
    scored = await score(BLIND.with_name("blind-6"), knowledge)
    assert len(scored) == 194
    assert sum(s.ok for s in scored) >= 183


async def test_a_situation_that_asks_is_answered_from_its_compact_then_offered(
    conversation: Conversation,
) -> None:
    await one(conversation, "/compact west-kent")
    replies = await ask(
        conversation, "the county council stopped our youth grant from 1 april, can they?"
    )
    answer, offer = replies
    # "The county council" of a West Kent group is Kent's: Kent 2011 answers, first.
    assert answer.text.splitlines()[0].startswith("You named the county council")
    assert "Kent Compact 2011" in answer.text.splitlines()[0]
    assert "to register" in offer.text and "Register it" in str(offer.buttons)


async def test_an_offer_to_register_says_which_compact_would_check_it(
    conversation: Conversation,
) -> None:
    await one(conversation, "/compact rbkc")
    offer = await one(conversation, "our grant from the council ends on 31 march 2027")
    assert "the Kensington and Chelsea Compact would check it" in offer.text


async def test_a_postcode_district_routes_a_situation_to_its_compact(
    conversation: Conversation,
) -> None:
    # The chat follows another Compact; the postcode says where the group is.
    await one(conversation, "/compact kent-2011")
    replies = await ask(
        conversation,
        "KY13 befriending group, the council are ending our contract with 6 weeks notice",
    )
    text = "\n".join(r.text for r in replies)
    assert "KY13" in text
    assert first_named(text, list(conversation.core.knowledge.registry.compacts.values())) == (
        "perth-kinross"
    )
