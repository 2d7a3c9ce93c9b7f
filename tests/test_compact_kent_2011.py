"""The Kent Partners' Compact Refresh 2011: its numbers, asserted one by one."""

from __future__ import annotations

import pytest

from compacts.loader import builtin_compact_file, load_compact
from compacts.models import Compact, Period


@pytest.fixture(scope="module")
def compact() -> Compact:
    return load_compact(builtin_compact_file("kent-2011"))


def test_facts(compact: Compact) -> None:
    assert compact.code == "kent-2011"
    assert compact.status == "adopted"
    assert not compact.is_draft
    assert compact.nation == "england"
    assert compact.area == "Kent"
    assert compact.date == "2011"
    assert compact.source == "kent-2011.txt"
    assert "inserted after the consultation period" in compact.status_note


def test_sections(compact: Compact) -> None:
    titles = [s.title for s in compact.sections]
    assert "Code of Practice on Funding and Resources" in titles
    assert "Code of Practice on Communication and Engagement" in titles
    assert "Code of Practice on Volunteering" in titles
    assert compact.section("principles").parent == "volunteering"


def test_commitment_count(compact: Compact) -> None:
    assert len(compact.commitments) == 72


def test_consultation_standard(compact: Compact) -> None:
    rule = compact.obligations.consultation
    assert rule.standard == Period(amount=12, unit="weeks")
    assert rule.standard_qualifier is None
    assert rule.minimum is None
    assert rule.minimum_is_hard is False
    assert rule.shorter_allowed == "with_explanation"
    assert rule.applies_to == "written consultations"
    assert rule.commitments == ["comms.public.6"]


def test_consultation_quote(compact: Compact) -> None:
    c = compact.commitment("comms.public.6")
    assert c.party == "public"
    assert c.section == "comms"
    assert "Conduct 12 week written consultations" in c.quote
    assert "rationale for shorter time-frames" in c.quote
    assert "consultation" in c.topics


def test_funding_change_notice(compact: Compact) -> None:
    rule = compact.obligations.funding_change
    assert rule.notice == Period(amount=3, unit="months")
    assert rule.notice_is_minimum is True
    assert rule.notice_is_usual is False
    assert rule.notice_in_writing is True
    assert rule.qualifier is None


def test_funding_change_consultation_and_rationale(compact: Compact) -> None:
    rule = compact.obligations.funding_change
    assert rule.consultation_before_notice == Period(amount=3, unit="months")
    assert rule.rationale_required is True
    assert rule.commitments[0] == "funding.joint.4"
    assert "funding.public.15" in rule.commitments


def test_funding_change_quote(compact: Compact) -> None:
    c = compact.commitment("funding.joint.4")
    assert c.party == "joint"
    assert "three month period of consultation" in c.quote
    assert "a minimum of three months written notice" in c.quote
    assert "clear rationale for the decision" in c.quote
    assert c.topics[:2] == ["funding_change", "funding"]
    eqia = compact.commitment("funding.public.15")
    assert "Equality Impact Assessment" in eqia.quote
    assert "funding_change" in eqia.topics


def test_correspondence_has_no_number(compact: Compact) -> None:
    rule = compact.obligations.correspondence
    assert rule.response is None
    assert rule.qualifier is None
    assert "sets no time limit" in rule.note
    assert rule.commitments == ["comms.joint.3"]


def test_consultation_feedback(compact: Compact) -> None:
    rule = compact.obligations.consultation_feedback
    assert rule.required is True
    assert rule.within is None
    assert rule.commitments == ["comms.public.9"]
    c = compact.commitment("comms.public.9")
    assert "Provide feedback on consultation" in c.quote
    assert c.topics == ["consultation_feedback", "consultation"]


def test_complaints_has_no_procedure(compact: Compact) -> None:
    rule = compact.obligations.complaints
    assert rule.against_public is None
    assert rule.against_vcs is None
    assert "no complaints or dispute procedure" in rule.note
    assert rule.commitments == ["purpose.joint.5", "purpose.joint.7"]
    nearest = compact.commitment("purpose.joint.5")
    assert "has not met their commitments" in nearest.quote
    assert "disputes" in nearest.topics
    assert "when there are differences" in compact.commitment("purpose.joint.7").quote


def test_review_has_no_cycle(compact: Compact) -> None:
    rule = compact.obligations.review
    assert rule.every is None
    assert rule.description is None
    assert rule.commitments == []
    assert "sets no review cycle" in rule.note


def test_other_key_commitments(compact: Compact) -> None:
    assert "in advance of expenditure" in compact.commitment("funding.public.14").quote
    assert "Full Cost Recovery" in compact.commitment("funding.public.11").quote
    assert (
        "Criminal Record Bureau (CRB) checks" in compact.commitment("volunteering.public.8").quote
    )
    assert "campaign regardless" in compact.commitment("funding.public.1").quote
