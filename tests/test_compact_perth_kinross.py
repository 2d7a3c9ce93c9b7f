"""The Perth & Kinross Compact data file: its numbers and their citations, one by one."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from compacts.loader import builtin_compact_file, load_compact
from compacts.models import Compact, Period


@pytest.fixture(scope="module")
def compact() -> Compact:
    return load_compact(builtin_compact_file("perth-kinross"))


def test_facts(compact: Compact) -> None:
    assert compact.code == "perth-kinross"
    assert compact.nation == "scotland"
    assert compact.status == "adopted"
    assert not compact.is_draft
    assert compact.source == "perth-kinross.txt"
    assert "Perth & Kinross Council" in compact.parties
    assert "Perth & Kinross Association of Voluntary Services" in compact.parties
    assert len(compact.parties) == 6


def test_every_commitment_is_quoted_and_counted(compact: Compact) -> None:
    assert len(compact.commitments) == 142
    assert len(compact.sections) == 14
    assert compact.section("funding").title == "5. CODE OF PRACTICE ON FUNDING AND COMMISSIONING"
    assert compact.section("engagement_feedback").parent == "engagement"


def test_consultation_sets_no_period(compact: Compact) -> None:
    rule = compact.obligations.consultation
    assert rule.standard is None
    assert rule.minimum is None
    assert rule.standard_qualifier is None
    assert rule.applies_to is None
    assert "sets no consultation period" in rule.note
    assert rule.commitments[0] == "engagement_planning.joint.3"
    assert "allow sufficient time" in compact.commitment("engagement_planning.joint.3").quote
    assert "well in advance" in compact.commitment("appendix1.public.2").quote


def test_funding_change_notice(compact: Compact) -> None:
    rule = compact.obligations.funding_change
    assert rule.notice == Period(amount=6, unit="months")
    assert rule.notice_is_usual is True
    assert rule.notice_is_minimum is False
    assert rule.notice_in_writing is None
    assert rule.consultation_before_notice is None
    assert rule.rationale_required is False
    assert rule.qualifier == "as much warning as possible"
    assert rule.commitments == ["funding.public.11", "funding.joint.7"]
    quote = compact.commitment("funding.public.11").quote
    assert compact.commitment("funding.public.11").party == "public"
    assert "usually six months or more" in quote
    assert "as much warning as possible" in quote
    assert "funding_change" in compact.commitment("funding.public.11").topics
    assert "communicate openly" in compact.commitment("funding.joint.7").quote


def test_correspondence_sets_no_time(compact: Compact) -> None:
    rule = compact.obligations.correspondence
    assert rule.response is None
    assert rule.qualifier is None
    assert "sets no time" in rule.note
    assert rule.commitments == ["aims.joint.10", "engagement_communication.joint.1"]
    assert "respond constructively" in compact.commitment("aims.joint.10").quote


def test_consultation_feedback_required_without_time_limit(compact: Compact) -> None:
    rule = compact.obligations.consultation_feedback
    assert rule.required is True
    assert rule.within is None
    assert rule.commitments[0] == "engagement_feedback.joint.1"
    quote = compact.commitment("engagement_feedback.joint.1").quote
    assert "We will provide feedback to the community" in quote
    assert "how and when we will provide feedback" in quote
    assert "no deadline" in rule.note


def test_complaints_single_first_step(compact: Compact) -> None:
    rule = compact.obligations.complaints
    assert rule.against_public is not None
    assert rule.against_vcs is not None
    assert [s.commitment for s in rule.against_public] == ["further_info.joint.1"]
    assert rule.against_vcs == rule.against_public
    quote = compact.commitment("further_info.joint.1").quote
    assert "initially be raised via the internal channels" in quote
    assert "aims.joint.16" in rule.commitments
    assert (
        "agreed process for breakdowns in negotiation" in compact.commitment("aims.joint.16").quote
    )
    assert "no step-by-step" in rule.note
    assert "seek redress" in compact.commitment("engagement_communication.joint.1").quote


def test_review_annual_impact_information(compact: Compact) -> None:
    rule = compact.obligations.review
    assert rule.every == Period(amount=12, unit="months")
    assert rule.description is not None
    assert "annually" in rule.description
    assert rule.commitments == ["aims.joint.18", "engagement_feedback.joint.2"]
    assert "disseminate this information annually" in compact.commitment("aims.joint.18").quote
    assert "monitor and review" in compact.commitment("engagement_feedback.joint.2").quote


def test_longer_term_funding(compact: Compact) -> None:
    assert "3 years or more" in compact.commitment("funding.public.9").quote


def test_question_set_cites_existing_commitments(compact: Compact) -> None:
    path = Path(__file__).parent / "questions" / "perth-kinross.yaml"
    questions = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert len(questions) >= 10
    ids = {c.id for c in compact.commitments}
    for item in questions:
        assert set(item["cite"]) <= ids, item["q"]
