"""The Kensington and Chelsea Compact (rbkc): its numbers and citations, one by one."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from compacts.loader import builtin_compact_file, load_compact
from compacts.models import TOPICS, Compact, Period

QUESTIONS = Path(__file__).parent / "questions" / "rbkc.yaml"


@pytest.fixture(scope="module")
def c() -> Compact:
    return load_compact(builtin_compact_file("rbkc"))


def test_facts(c: Compact) -> None:
    assert c.code == "rbkc"
    assert c.status == "adopted"
    assert not c.is_draft
    assert c.nation == "england"
    assert c.source == "rbkc.txt"
    assert "Royal Borough of Kensington and Chelsea" in c.parties
    assert "NHS Kensington and Chelsea" in c.parties
    assert "voluntary and community sector" in c.parties


def test_sections_and_counts(c: Compact) -> None:
    assert c.section("partnership").title == "1) Working in partnership"
    assert c.section("programmes").title == "2) Well managed programmes and services"
    assert c.section("equality").title == "3) An equal and fair society"
    assert c.section("implementation").title == "Implementing the Compact and review arrangements"
    ids = [x.id for x in c.commitments]
    for prefix, count in [
        ("partnership.public.", 7),
        ("partnership.vcs.", 5),
        ("programmes.public.", 15),
        ("programmes.vcs.", 13),
        ("equality.public.", 9),
        ("equality.vcs.", 5),
    ]:
        assert [i for i in ids if i.startswith(prefix)] == [
            f"{prefix}{n}" for n in range(1, count + 1)
        ]


def test_consultation(c: Compact) -> None:
    rule = c.obligations.consultation
    assert rule.standard == Period(amount=12, unit="weeks")
    assert rule.standard_qualifier == "wherever possible"
    assert rule.minimum is None
    assert rule.minimum_is_hard is False
    assert rule.shorter_allowed == "when_circumstances_dictate"
    assert rule.applies_to == "written consultations"
    assert rule.commitments[0] == "partnership.public.5"
    quote = c.commitment("partnership.public.5").quote
    assert "12 weeks, wherever possible" in quote
    assert "written consultations" in quote
    assert "A shorter timescale is acceptable when circumstances dictate" in quote
    assert c.commitment("partnership.public.5").party == "public"
    assert "consultation" in c.commitment("partnership.public.5").topics


def test_funding_change(c: Compact) -> None:
    rule = c.obligations.funding_change
    assert rule.notice == Period(amount=3, unit="months")
    assert rule.notice_is_minimum is True
    assert rule.notice_is_usual is False
    assert rule.notice_in_writing is True
    assert rule.rationale_required is True
    assert rule.consultation_before_notice is None
    assert rule.qualifier is None
    assert rule.commitments[0] == "programmes.public.13"
    quote = c.commitment("programmes.public.13").quote
    assert "a minimum of three months' notice in writing" in quote
    assert "clear rationale" in quote
    assert c.commitment("programmes.public.13").topics[:2] == ["funding_change", "funding"]


def test_correspondence_has_no_number(c: Compact) -> None:
    rule = c.obligations.correspondence
    assert rule.response is None
    assert rule.qualifier is None
    assert rule.commitments == []
    assert "sets no time" in rule.note


def test_consultation_feedback(c: Compact) -> None:
    rule = c.obligations.consultation_feedback
    assert rule.required is True
    assert rule.within is None
    assert "partnership.public.5" in rule.commitments
    assert "timely feedback" in c.commitment("partnership.public.5").quote
    assert "no number" in rule.note


def test_complaints_against_public(c: Compact) -> None:
    steps = c.obligations.complaints.against_public
    assert steps is not None
    assert [s.commitment for s in steps] == [f"complaints.against_public.{n}" for n in range(1, 6)]
    quotes = [c.commitment(s.commitment).quote for s in steps]
    assert quotes[0].startswith("Contact Kensington and Chelsea Social Council (KCSC)")
    assert "raise the matter with the CIG" in quotes[1]
    assert "approach the statutory organisation" in quotes[2]
    assert "Borough/Voluntary Organisations Advisory Group" in quotes[3]
    assert "independent arbiter" in quotes[4]


def test_complaints_against_vcs(c: Compact) -> None:
    steps = c.obligations.complaints.against_vcs
    assert steps is not None
    assert [s.commitment for s in steps] == [f"complaints.against_vcs.{n}" for n in range(1, 4)]
    quotes = [c.commitment(s.commitment).quote for s in steps]
    assert "Trustees of the organisation" in quotes[0]
    assert "Community Engagement Team" in quotes[1]
    assert "independent arbiter" in quotes[2]
    assert "resolved informally" in c.commitment("complaints.against_vcs.intro").quote


def test_review_has_no_period(c: Compact) -> None:
    rule = c.obligations.review
    assert rule.every is None
    assert rule.description is not None
    assert rule.description.startswith("reviewed regularly")
    assert rule.commitments[0] == "implementation.joint.1"
    assert "reviewed regularly" in c.commitment("implementation.joint.1").quote
    assert "no fixed period" in rule.note


def test_other_clauses(c: Compact) -> None:
    assert "payments in advance" in c.commitment("programmes.public.6").quote
    assert "payment" in c.commitment("programmes.public.6").topics
    assert "right to campaign" in c.commitment("partnership.public.1").quote
    assert "volunteering" in c.commitment("partnership.public.6").topics


def test_question_set(c: Compact) -> None:
    items = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    assert len(items) >= 10
    ids = {x.id for x in c.commitments}
    topics = {item["topic"] for item in items}
    for needed in (
        "consultation",
        "funding_change",
        "correspondence",
        "disputes",
        "consultation_feedback",
        "review",
    ):
        assert needed in topics
    for item in items:
        assert item["topic"] in TOPICS
        assert set(item["cite"]) <= ids
