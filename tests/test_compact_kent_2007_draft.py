"""The Kent Partners Compact consultation draft (2007): its numbers, one by one."""

from __future__ import annotations

from compacts.loader import builtin_compact_file, load_compact
from compacts.models import Compact, Period

CODE = "kent-2007-draft"


def _compact() -> Compact:
    return load_compact(builtin_compact_file(CODE))


def test_facts() -> None:
    c = _compact()
    assert c.code == CODE
    assert c.nation == "england"
    assert c.area == "Kent"
    assert c.date == "2007-09"
    assert c.status == "consultation_draft"
    assert c.is_draft
    assert "proposals" in c.status_note
    assert c.source == "kent-2007-draft.txt"


def test_sections_and_commitments() -> None:
    c = _compact()
    assert c.section("consultation").title == "Kent Partners Compact Code of Practice: Consultation"
    assert c.section("funding").parent == "codes"
    assert len(c.commitments) >= 80
    assert {x.party for x in c.commitments} == {"public", "vcs", "joint"}


def test_consultation_standard_and_minimum() -> None:
    rule = _compact().obligations.consultation
    assert rule.standard == Period(amount=12, unit="weeks")
    assert rule.minimum == Period(amount=8, unit="weeks")
    assert rule.minimum_is_hard is True
    assert rule.standard_qualifier is None
    assert rule.applies_to == "consultation with the VCS"
    assert rule.commitments[0] == "consultation.public.2"


def test_consultation_clause_quote() -> None:
    c = _compact()
    clause = c.commitment("consultation.public.2")
    assert clause.party == "public"
    assert clause.section == "consultation"
    assert "12 weeks consultation" in clause.quote
    assert "minimum of 8 weeks" in clause.quote
    assert "consultation" in clause.topics


def test_funding_change_has_no_notice_period() -> None:
    c = _compact()
    rule = c.obligations.funding_change
    assert rule.notice is None
    assert rule.consultation_before_notice is None
    assert rule.notice_is_minimum is False
    assert rule.notice_is_usual is False
    assert rule.notice_in_writing is None
    assert rule.rationale_required is False
    assert rule.qualifier is None
    assert "no notice period" in rule.note
    assert rule.commitments == ["disputes.joint.4", "funding.joint.4"]
    assert "change funding arrangements" in c.commitment("disputes.joint.4").quote
    assert "funding_change" in c.commitment("disputes.joint.4").topics
    assert c.commitment("funding.joint.4").quote == "Three year funding where appropriate"


def test_correspondence_has_no_number() -> None:
    rule = _compact().obligations.correspondence
    assert rule.response is None
    assert rule.qualifier is None
    assert rule.commitments == []
    assert "sets no time" in rule.note


def test_consultation_feedback_not_promised() -> None:
    rule = _compact().obligations.consultation_feedback
    assert rule.required is False
    assert rule.within is None
    assert rule.commitments == []
    assert "does not promise feedback" in rule.note


def test_complaint_steps_against_public_in_order() -> None:
    c = _compact()
    steps = c.obligations.complaints.against_public
    assert steps is not None
    assert [s.commitment for s in steps] == [
        "conflict.joint.1",
        "disputes.joint.1",
        "compliance-system.joint.1",
        "compliance.advocacy",
        "compliance.cedr",
        "compliance.ombudsman",
        "compliance.public-law-project",
        "compliance.commissioner",
        "compliance.local-procedures",
    ]
    assert "first action" in c.commitment(steps[0].commitment).quote
    assert "other party's attention" in c.commitment(steps[0].commitment).quote
    assert "most informal level possible" in c.commitment(steps[1].commitment).quote
    assert "system for ensuring compliance" in c.commitment(steps[2].commitment).quote
    assert "Compact Advocacy Programme" in c.commitment(steps[3].commitment).quote
    assert "CEDR Compact Mediation Scheme" in c.commitment(steps[4].commitment).quote
    assert "Ombudsman" in c.commitment(steps[5].commitment).quote
    assert "local dispute procedures" in c.commitment(steps[8].commitment).quote


def test_complaint_steps_against_vcs_in_order() -> None:
    c = _compact()
    steps = c.obligations.complaints.against_vcs
    assert steps is not None
    assert [s.commitment for s in steps] == [
        "conflict.joint.1",
        "disputes.joint.1",
        "compliance-system.joint.1",
        "compliance.cedr",
        "compliance.local-procedures",
    ]
    assert "all VCS organisations" in c.commitment("compliance.cedr").quote
    for step in steps:
        assert step.summary
        assert "disputes" in c.commitment(step.commitment).topics


def test_review() -> None:
    c = _compact()
    rule = c.obligations.review
    assert rule.every == Period(amount=12, unit="months")
    assert rule.description is not None
    assert "regularly monitored and reviewed" in rule.description
    assert "Annual Review" in rule.description
    assert "Annual Audit" in rule.description
    assert "Log of Compact Successes" in rule.description
    assert "Log of Disputes Resolved" in rule.description
    assert rule.commitments[0] == "implementation.option.annual-review"
    assert "Annual Review" in c.commitment("implementation.option.annual-review").quote
    assert c.commitment("review.how.annual-audit").quote == "Annual Audit"
    assert c.commitment("review.how.successes-log").quote == "Log of Compact Successes"
    assert c.commitment("review.how.disputes-log").quote == "Log of Disputes Resolved"


def test_cited_commitments_exist() -> None:
    c = _compact()
    ob = c.obligations
    for rule in (
        ob.consultation,
        ob.funding_change,
        ob.correspondence,
        ob.consultation_feedback,
        ob.complaints,
        ob.review,
    ):
        for ref in rule.commitments:
            assert c.commitment(ref).id == ref
