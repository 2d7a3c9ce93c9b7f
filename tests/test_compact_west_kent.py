"""The West Kent Compact ("Working Together"): its numbers, asserted one by one."""

from __future__ import annotations

from compacts.loader import builtin_compact_file, load_compact
from compacts.models import Compact, Period


def _compact() -> Compact:
    return load_compact(builtin_compact_file("west-kent"))


def test_facts() -> None:
    c = _compact()
    assert c.code == "west-kent"
    assert c.status == "adopted"
    assert not c.is_draft
    assert c.nation == "england"
    assert c.date is None
    assert "April 2004" in c.date_note
    assert c.source == "west-kent.txt"
    assert "Sevenoaks District Council" in c.parties
    assert "Tonbridge & Malling Borough Council" in c.parties
    assert "Tunbridge Wells Borough Council" in c.parties
    assert "84 Voluntary and Community Organisations" in c.parties
    assert sum("Primary Care Trust" in p for p in c.parties) == 3
    assert "84 signatory organisations" in c.status_note


def test_consultation_standard() -> None:
    rule = _compact().obligations.consultation
    assert rule.standard == Period(amount=12, unit="weeks")
    assert rule.standard_qualifier == "wherever possible"


def test_consultation_minimum() -> None:
    rule = _compact().obligations.consultation
    assert rule.minimum == Period(amount=6, unit="weeks")
    assert rule.minimum_is_hard is False
    assert rule.shorter_allowed == "with_explanation"
    assert rule.applies_to == "the total across formal consultation periods"


def test_consultation_citation() -> None:
    c = _compact()
    rule = c.obligations.consultation
    assert rule.commitments == ["consultation.public.3"]
    quote = c.commitment("consultation.public.3").quote
    assert "wherever possible" in quote
    assert "12 weeks" in quote
    assert "minimum of 6 weeks" in quote
    assert "explain why" in quote
    assert c.commitment("consultation.public.3").party == "public"


def test_funding_change_has_no_number() -> None:
    c = _compact()
    rule = c.obligations.funding_change
    assert rule.notice is None
    assert rule.consultation_before_notice is None
    assert rule.notice_is_minimum is False
    assert rule.notice_is_usual is False
    assert rule.notice_in_writing is None
    assert rule.rationale_required is False
    assert rule.qualifier is None
    assert "sets no notice period" in rule.note
    assert "funding.public.1" in rule.commitments
    assert "short-term funding" in c.commitment("funding.public.1").quote


def test_correspondence() -> None:
    c = _compact()
    rule = c.obligations.correspondence
    assert rule.response == Period(amount=2, unit="weeks")
    assert rule.qualifier == "aim to"
    assert rule.commitments == ["joint.7"]
    quote = c.commitment("joint.7").quote
    assert "aim to respond" in quote
    assert "within two weeks" in quote
    assert c.commitment("joint.7").party == "joint"


def test_consultation_feedback_has_no_number() -> None:
    c = _compact()
    rule = c.obligations.consultation_feedback
    assert rule.required is False
    assert rule.within is None
    assert "does not promise feedback" in rule.note
    assert rule.commitments == ["consultation.public.2"]
    assert "taken into account" in c.commitment("consultation.public.2").quote


def test_complaints_steps() -> None:
    c = _compact()
    rule = c.obligations.complaints
    assert rule.against_public is not None
    assert rule.against_vcs is not None
    assert [s.commitment for s in rule.against_public] == ["disputes.joint.2", "disputes.joint.3"]
    assert rule.against_vcs == rule.against_public
    assert "through discussion" in c.commitment("disputes.joint.2").quote
    assert "first" in c.commitment("disputes.joint.2").quote
    assert "Compact Steering Group" in c.commitment("disputes.joint.3").quote
    assert "implementation.joint.7" in rule.commitments
    assert "resolve disputes" in c.commitment("implementation.joint.7").quote


def test_review() -> None:
    c = _compact()
    rule = c.obligations.review
    assert rule.every is None
    assert rule.description is not None
    assert "after the first year" in rule.description
    assert "twice a year" in rule.description
    assert "bi-yearly" in rule.description
    assert rule.commitments[0] == "joint.14"
    assert "after the first year" in c.commitment("joint.14").quote
    assert "twice a year" in c.commitment("implementation.joint.3").quote
    assert "bi-yearly review event" in c.commitment("implementation.joint.8").quote
    assert "review report" in c.commitment("implementation.joint.10").quote


def test_sections_and_commitments() -> None:
    c = _compact()
    assert c.section("joint").title == (
        "Joint Undertakings by the Voluntary and Community Sector and Statutory Partners"
    )
    assert c.section("disputes").title == "Resolving disputes"
    assert c.section("public-consultation").parent == "public"
    assert c.section("vcs-consultation").parent == "vcs"
    assert len(c.commitments) == 71
    parties = {x.party for x in c.commitments}
    assert parties == {"public", "vcs", "joint"}
