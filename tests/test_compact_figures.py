"""The figures of every built-in Compact data file (``compacts/<code>.yaml``), as a table.

``EXPECTED`` holds, per Compact code, what the data file must say: its facts, counts,
section titles, the fields of each obligation, and the commitments those obligations
cite (their quotes, parties and topics).  The tests below only walk the table.

A value in the table is compared with ``==``.  Where the whole value is not pinned,
a matcher says what must hold instead:

- ``contains("a", "b")``: each is a substring of the text, or an item of the list;
- ``starts_with("a")``: the text starts with it; ``starts_with("a", "b")``: the list
  starts with these items;
- ``at_least(80)``, ``count_containing("Primary Care Trust", 3)``;
- ``m1 & m2``: both hold.

Complaint steps are given as the ids of the commitments they quote;
``SAME_AS_AGAINST_PUBLIC`` says the two procedures are the same, step for step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal, NotRequired, TypedDict

import pytest
import yaml
from _pytest.mark import ParameterSet

from compacts.loader import COMPACTS_DIR, builtin_compact_file, load_compact
from compacts.models import TOPICS, Compact, ComplaintProcedure, Period

QUESTIONS = Path(__file__).parent / "questions"
"""One question set per Compact code, written the way users ask (see its README)."""

RULES = (
    "consultation",
    "funding_change",
    "correspondence",
    "consultation_feedback",
    "complaints",
    "review",
)


class Match:
    """An expected value that is a test, not a literal; ``actual == match`` runs the test."""

    def __init__(self, text: str, test: Callable[[object], bool]) -> None:
        self._text = text
        self._test = test

    def __eq__(self, other: object) -> bool:
        return self._test(other)

    def __repr__(self) -> str:
        return self._text

    def __and__(self, other: Match) -> Match:
        return Match(f"{self} & {other}", lambda v: self._test(v) and other._test(v))


def _args(values: tuple[object, ...]) -> str:
    return ", ".join(repr(v) for v in values)


def contains(*parts: str) -> Match:
    """Each part is a substring of the text, or an item of the list."""
    return Match(
        f"contains({_args(parts)})",
        lambda v: isinstance(v, str | list) and all(p in v for p in parts),
    )


def starts_with(*head: str) -> Match:
    """The text starts with the one string given, or the list with the items given."""

    def test(v: object) -> bool:
        if isinstance(v, str):
            return len(head) == 1 and v.startswith(head[0])
        return isinstance(v, list) and v[: len(head)] == list(head)

    return Match(f"starts_with({_args(head)})", test)


def at_least(n: int) -> Match:
    return Match(f"at_least({n})", lambda v: isinstance(v, int) and v >= n)


def count_containing(text: str, n: int) -> Match:
    """Exactly ``n`` items of the list contain ``text``."""
    return Match(
        f"count_containing({text!r}, {n})",
        lambda v: isinstance(v, list) and sum(text in item for item in v) == n,
    )


def weeks(n: int) -> Period:
    return Period(amount=n, unit="weeks")


def months(n: int) -> Period:
    return Period(amount=n, unit="months")


SAME_AS_AGAINST_PUBLIC = "same as against_public"
ALL_PARTIES = {"public", "vcs", "joint"}


class Figures(TypedDict):
    facts: dict[str, object]
    """Top-level fields of the Compact (and ``is_draft``)."""
    counts: dict[str, object]
    """``len()`` of top-level lists: commitments, sections, parties."""
    commitment_parties: set[str]
    """The set of parties that the commitments belong to."""
    sections: dict[str, dict[str, str]]
    """Section id -> fields of that section."""
    obligations: dict[str, dict[str, object]]
    """Rule name -> fields of that rule (complaint steps as commitment ids)."""
    clauses: dict[str, dict[str, object]]
    """Commitment id -> fields of that commitment."""
    numbering: NotRequired[dict[str, int]]
    """Id prefix -> n: the commitments with that prefix are exactly ``prefix1..n``, in order."""
    absent: NotRequired[list[str]]
    """Commitment ids that must not be in the file (an example of something, not a commitment)."""


EXPECTED: dict[str, Figures] = {
    "kent-2011": {
        "facts": {
            "code": "kent-2011",
            # Foreword: "This will be inserted after the consultation period."
            "status": "consultation_version",
            "is_draft": False,
            "status_note": contains("inserted after the consultation period", "nowhere"),
            "nation": "england",
            "area": "Kent",
            "date": "2011",
            "source": "kent-2011.txt",
        },
        "counts": {"commitments": 75},
        "commitment_parties": ALL_PARTIES,
        "sections": {
            "funding": {"title": "Code of Practice on Funding and Resources"},
            "comms": {"title": "Code of Practice on Communication and Engagement"},
            "volunteering": {"title": "Code of Practice on Volunteering"},
            "principles": {"parent": "volunteering"},
        },
        "obligations": {
            "consultation": {
                "standard": weeks(12),
                "standard_qualifier": None,
                "minimum": None,
                "minimum_is_hard": False,
                "strength": "firm",
                "strength_words": ["Conduct 12 week written consultations"],
                "shorter_allowed": "with_explanation",
                "shortfall_words": "with clear explanations and rationale for shorter time-frames",
                "applies_to": "written consultations",
                "standard_is_total": False,
                "statutory_exclusion": None,
                "commitments": ["comms.public.6"],
            },
            "funding_change": {
                "notice": months(3),
                "notice_is_minimum": True,
                "notice_is_usual": False,
                "notice_in_writing": True,
                "consultation_before_notice": months(3),
                "rationale_required": True,
                "qualifier": None,
                "strength": "firm",
                "strength_words": ["shall"],
                "notice_word": "notice",
                "commitments": starts_with("funding.joint.4") & contains("funding.public.15"),
            },
            "correspondence": {
                "response": None,
                "qualifier": None,
                "note": contains("sets no time limit"),
                "commitments": ["comms.joint.3"],
            },
            "consultation_feedback": {
                "required": True,
                "within": None,
                "strength": "firm",
                "commitments": ["comms.public.9"],
            },
            "complaints": {
                "against_public": None,
                "against_vcs": None,
                "note": contains("no complaints or dispute procedure"),
                "commitments": ["purpose.joint.5", "purpose.joint.7"],
            },
            "review": {
                "every": None,
                "description": None,
                "note": contains("sets no review cycle"),
                "commitments": [],
            },
        },
        "clauses": {
            "comms.public.6": {
                "party": "public",
                "section": "comms",
                "quote": contains(
                    "Conduct 12 week written consultations", "rationale for shorter time-frames"
                ),
                "topics": contains("consultation"),
            },
            "funding.joint.4": {
                "party": "joint",
                "quote": contains(
                    "three month period of consultation",
                    "a minimum of three months written notice",
                    "clear rationale for the decision",
                ),
                "topics": starts_with("funding_change", "funding"),
            },
            "funding.public.15": {
                "quote": contains("Equality Impact Assessment"),
                "topics": contains("funding_change"),
            },
            "comms.public.9": {
                "quote": contains("Provide feedback on consultation"),
                "topics": ["consultation_feedback", "consultation"],
            },
            "purpose.joint.5": {
                "quote": contains("has not met their commitments"),
                "topics": contains("disputes"),
            },
            "purpose.joint.7": {"quote": contains("when there are differences")},
            # The three "Aim:" lines, one per code of practice.
            "funding.aim": {"section": "funding", "quote": starts_with("Aim: to promote good")},
            "comms.aim": {"section": "comms", "quote": starts_with("Aim: to enable communities")},
            "volunteering.aim": {
                "section": "volunteering",
                "quote": starts_with("Aim: to develop best practice"),
            },
            "funding.public.14": {"quote": contains("in advance of expenditure")},
            "funding.public.11": {"quote": contains("Full Cost Recovery")},
            "volunteering.public.8": {"quote": contains("Criminal Record Bureau (CRB) checks")},
            "funding.public.1": {"quote": contains("campaign regardless")},
        },
    },
    "west-kent": {
        "facts": {
            "code": "west-kent",
            "status": "adopted",
            "is_draft": False,
            "status_note": contains("84 signatory organisations"),
            "nation": "england",
            "area": (
                "West Kent: Sevenoaks District, Tonbridge & Malling and Tunbridge Wells Borough"
                " areas"
            ),
            "date": None,
            "date_note": contains("April 2004"),
            "source": "west-kent.txt",
            "parties": contains(
                "Sevenoaks District Council",
                "Tonbridge & Malling Borough Council",
                "Tunbridge Wells Borough Council",
                "84 Voluntary and Community Organisations",
            )
            & count_containing("Primary Care Trust", 3),
        },
        "counts": {"commitments": 80},
        "commitment_parties": ALL_PARTIES,
        "sections": {
            "joint": {
                "title": (
                    "Joint Undertakings by the Voluntary and Community Sector and Statutory"
                    " Partners"
                )
            },
            "disputes": {"title": "Resolving disputes"},
            "aims": {"title": "Aims of the Compact"},
            "public-consultation": {"parent": "public"},
            "vcs-consultation": {"parent": "vcs"},
        },
        "obligations": {
            "consultation": {
                "standard": weeks(12),
                "standard_qualifier": "wherever possible",
                "minimum": weeks(6),
                "minimum_is_hard": False,
                "strength": "wherever_possible",
                "strength_words": ["We will, wherever possible,"],
                # Silent between 6 and 12 weeks; "we will explain why" only below the minimum.
                "shorter_allowed": "not_said",
                "shortfall_words": contains("cannot meet the minimum period we will explain why"),
                "applies_to": contains("total across formal consultation periods"),
                "standard_is_total": True,
                "commitments": ["consultation.public.3"],
            },
            "funding_change": {
                "notice": None,
                "notice_is_minimum": False,
                "notice_is_usual": False,
                "notice_in_writing": None,
                "consultation_before_notice": None,
                "rationale_required": False,
                "qualifier": None,
                "note": contains("sets no notice period"),
                "commitments": contains("funding.public.1"),
            },
            "correspondence": {
                "response": weeks(2),
                "qualifier": "aim to",
                "strength": "aim",
                "note": contains("not about complaints"),
                "commitments": ["joint.7"],
            },
            "consultation_feedback": {
                "required": False,
                "within": None,
                "note": contains("does not promise feedback"),
                "commitments": ["consultation.public.2"],
            },
            "complaints": {
                "against_public": ["disputes.joint.2", "disputes.joint.3"],
                "against_vcs": SAME_AS_AGAINST_PUBLIC,
                "options_public": None,
                "precondition_public": None,
                "strength": "should",
                "commitments": contains("implementation.joint.7"),
            },
            "review": {
                "every": None,
                "description": contains("after the first year", "twice a year", "bi-yearly"),
                "commitments": starts_with("joint.14"),
            },
        },
        "clauses": {
            "consultation.public.3": {
                "party": "public",
                "quote": contains(
                    "wherever possible", "12 weeks", "minimum of 6 weeks", "explain why"
                ),
            },
            "funding.public.1": {"quote": contains("short-term funding")},
            "joint.7": {
                "party": "joint",
                "quote": contains("aim to respond", "within two weeks"),
            },
            "consultation.public.2": {"quote": contains("taken into account")},
            "disputes.joint.2": {"quote": contains("through discussion", "first")},
            "disputes.joint.3": {"quote": contains("Compact Steering Group")},
            "implementation.joint.7": {"quote": contains("resolve disputes")},
            "joint.14": {"quote": contains("after the first year")},
            # Part 2's principles, all nine, and 1.3's five aims.
            "principles.joint.6": {"quote": starts_with("The two sectors have different forms")},
            "principles.joint.7": {"quote": starts_with("Society consists of a wide range")},
            "principles.joint.8": {"quote": starts_with("There is value in working in partner")},
            "principles.joint.9": {"quote": starts_with("For organisations to succeed")},
            "aims.joint.1": {"section": "aims", "quote": starts_with("Improve mutual")},
            "aims.joint.5": {"section": "aims", "quote": contains("regular review")},
            "implementation.joint.3": {"quote": contains("twice a year")},
            "implementation.joint.8": {"quote": contains("bi-yearly review event")},
            "implementation.joint.10": {"quote": contains("review report")},
        },
    },
    "perth-kinross": {
        "facts": {
            "code": "perth-kinross",
            "status": "adopted",
            "is_draft": False,
            "nation": "scotland",
            "area": "Perth and Kinross",
            "date": None,
            "source": "perth-kinross.txt",
            "parties": contains(
                "Perth & Kinross Council", "Perth & Kinross Association of Voluntary Services"
            ),
        },
        "counts": {"commitments": 142, "sections": 14, "parties": 6},
        "commitment_parties": ALL_PARTIES,
        "sections": {
            "funding": {"title": "5. CODE OF PRACTICE ON FUNDING AND COMMISSIONING"},
            "engagement_feedback": {"parent": "engagement"},
        },
        "obligations": {
            "consultation": {
                "standard": None,
                "standard_qualifier": None,
                "minimum": None,
                "applies_to": None,
                "note": contains("sets no consultation period"),
                "commitments": starts_with("engagement_planning.joint.3"),
            },
            "funding_change": {
                "notice": months(6),
                "notice_is_minimum": False,
                "notice_is_usual": True,
                "notice_in_writing": None,
                "consultation_before_notice": None,
                "rationale_required": False,
                "qualifier": "as much warning as possible",
                # "Give as much warning as possible, usually six months or more, ..."
                "strength": "usually",
                "strength_words": ["as much warning as possible", "usually six months or more"],
                "notice_word": "warning",
                "commitments": ["funding.public.11", "funding.joint.7"],
            },
            "correspondence": {
                "response": None,
                "qualifier": None,
                "note": contains("sets no time"),
                "commitments": ["aims.joint.10", "engagement_communication.joint.1"],
            },
            "consultation_feedback": {
                "required": True,
                "within": None,
                "note": contains("no deadline"),
                "commitments": starts_with("engagement_feedback.joint.1"),
            },
            "complaints": {
                # Its note always said it has none: no procedure, only where to raise issues.
                "against_public": None,
                "against_vcs": None,
                "options_public": None,
                "options_vcs": None,
                "strength": None,
                "note": contains("sets no complaints or disputes procedure", "internal channels"),
                "commitments": contains("aims.joint.16", "further_info.joint.1"),
            },
            "review": {
                # "disseminate this information annually" is impact reporting, not a review.
                "every": None,
                "description": contains("no review of the Compact itself", "annually"),
                "commitments": ["aims.joint.18", "engagement_feedback.joint.2"],
            },
        },
        "clauses": {
            "engagement_planning.joint.3": {"quote": contains("allow sufficient time")},
            "appendix1.public.2": {"quote": contains("well in advance")},
            "funding.public.11": {
                "party": "public",
                "quote": contains("usually six months or more", "as much warning as possible"),
                "topics": contains("funding_change"),
            },
            "funding.joint.7": {"quote": contains("communicate openly")},
            "aims.joint.10": {"quote": contains("respond constructively")},
            "engagement_feedback.joint.1": {
                "quote": contains(
                    "We will provide feedback to the community",
                    "how and when we will provide feedback",
                )
            },
            "further_info.joint.1": {
                "quote": contains("initially be raised via the internal channels")
            },
            "aims.joint.16": {"quote": contains("agreed process for breakdowns in negotiation")},
            "engagement_communication.joint.1": {"quote": contains("seek redress")},
            "aims.joint.18": {"quote": contains("disseminate this information annually")},
            "engagement_feedback.joint.2": {"quote": contains("monitor and review")},
            "funding.public.9": {"quote": contains("3 years or more")},
        },
    },
    "kent-2007-draft": {
        "facts": {
            "code": "kent-2007-draft",
            "status": "consultation_draft",
            "is_draft": True,
            "status_note": contains("proposals"),
            "nation": "england",
            "area": "Kent",
            "date": "2007-09",
            "source": "kent-2007-draft.txt",
        },
        "counts": {"commitments": 86},
        "commitment_parties": ALL_PARTIES,
        "sections": {
            "consultation": {"title": "Kent Partners Compact Code of Practice: Consultation"},
            "funding": {"parent": "codes"},
            "kent-perspective": {"title": "The Kent Perspective"},
        },
        # "E.g. 19 Volunteer Centres/Bureaux", "E.g. KCC's Towards 2010 Target on volunteering":
        # examples of things that exist, not undertakings.
        "absent": ["volunteering.vcs.1", "volunteering.public.1"],
        "obligations": {
            "consultation": {
                "standard": weeks(12),
                "standard_qualifier": None,
                "minimum": weeks(8),
                "minimum_is_hard": True,
                # Listed under "Public Sector undertakings - For example:" in a draft.
                "strength": "example",
                "shorter_allowed": "not_said",
                "applies_to": "consultation with the VCS",
                "statutory_exclusion": "consultation.scope",
                "commitments": starts_with("consultation.public.2"),
            },
            "funding_change": {
                "notice": None,
                "notice_is_minimum": False,
                "notice_is_usual": False,
                "notice_in_writing": None,
                "consultation_before_notice": None,
                "rationale_required": False,
                "qualifier": None,
                "note": contains("no notice period"),
                "commitments": ["disputes.joint.4", "funding.joint.4"],
            },
            "correspondence": {
                "response": None,
                "qualifier": None,
                "note": contains("sets no time"),
                "commitments": [],
            },
            "consultation_feedback": {
                "required": False,
                "within": None,
                "note": contains("does not promise feedback"),
                "commitments": [],
            },
            "complaints": {
                # One ordered step ("The first action is always ..."), then a list of routes
                # in no order, each scoped as the text scopes it.
                "against_public": ["conflict.joint.1"],
                "against_vcs": SAME_AS_AGAINST_PUBLIC,
                "options_public": [
                    "compliance.advocacy",
                    "compliance.cedr",
                    "compliance.ombudsman",
                    "compliance.public-law-project",
                    "compliance.commissioner",
                    "compliance.local-procedures",
                ],
                "options_vcs": ["compliance.cedr", "compliance.local-procedures"],
                "strength": "proposal",
                "commitments": contains("compliance.joint.2", "cig.joint.3"),
            },
            "review": {
                # An annual review is one option put to respondents, not a cycle.
                "every": None,
                "strength": "proposal",
                "description": contains(
                    "regularly monitored and reviewed",
                    "options put to respondents",
                    "Annual Review",
                    "Annual Audit",
                    "Log of Compact Successes",
                    "Log of Disputes Resolved",
                ),
                "commitments": starts_with("review.joint.1", "implementation.option.annual-review"),
            },
        },
        "clauses": {
            "consultation.public.2": {
                "party": "public",
                "section": "consultation",
                "quote": contains("12 weeks consultation", "minimum of 8 weeks"),
                "topics": contains("consultation"),
                "example": True,
            },
            "consultation.scope": {
                "quote": contains(
                    "required as statute",
                    "The requirements of statute and performance indicators must take preference"
                    " and as such are not covered by this code.",
                )
            },
            "funding.vcs.1": {"quote": starts_with("e.g. Understanding"), "example": True},
            "funding.public.1": {"quote": starts_with("e.g. In line with"), "example": True},
            "consultation.vcs.1": {"quote": "E.g. Sharing information on consultations"},
            "equality.joint.1": {"example": True},
            "compliance.joint.2": {"quote": contains("can be resolved through the following")},
            "cig.joint.3": {
                "quote": "To advise in the case of breaches of the Compact where disputes cannot"
                " be resolved",
                "topics": contains("disputes"),
            },
            "disputes.joint.4": {
                "quote": contains("change funding arrangements"),
                "topics": contains("funding_change"),
            },
            "funding.joint.4": {"quote": "Three year funding where appropriate", "example": True},
            "conflict.joint.1": {
                "quote": contains("first action", "other party's attention"),
                "example": False,
            },
            "disputes.joint.1": {"quote": contains("most informal level possible")},
            "compliance-system.joint.1": {"quote": contains("system for ensuring compliance")},
            "compliance.advocacy": {"quote": contains("Compact Advocacy Programme")},
            "compliance.cedr": {
                "quote": contains("CEDR Compact Mediation Scheme", "all VCS organisations")
            },
            "compliance.ombudsman": {"quote": contains("Ombudsman")},
            "compliance.local-procedures": {"quote": contains("local dispute procedures")},
            "implementation.option.annual-review": {"quote": contains("Annual Review")},
            "review.how.annual-audit": {"quote": "Annual Audit"},
            "review.how.successes-log": {"quote": "Log of Compact Successes"},
            "review.how.disputes-log": {"quote": "Log of Disputes Resolved"},
        },
    },
    "rbkc": {
        "facts": {
            "code": "rbkc",
            "status": "adopted",
            "is_draft": False,
            "nation": "england",
            "area": "Royal Borough of Kensington and Chelsea",
            "date": None,
            "source": "rbkc.txt",
            "parties": contains(
                "Royal Borough of Kensington and Chelsea",
                "NHS Kensington and Chelsea",
                "voluntary and community sector",
            ),
        },
        "counts": {"commitments": 76},
        "commitment_parties": ALL_PARTIES,
        "sections": {
            "help": {"title": "How does the Compact help?", "parent": "introduction"},
            "partnership": {"title": "1) Working in partnership"},
            "programmes": {"title": "2) Well managed programmes and services"},
            "equality": {"title": "3) An equal and fair society"},
            "implementation": {"title": "Implementing the Compact and review arrangements"},
        },
        "numbering": {
            "help.joint.": 4,
            "partnership.public.": 7,
            "partnership.vcs.": 5,
            "programmes.public.": 15,
            "programmes.vcs.": 13,
            "equality.public.": 9,
            "equality.vcs.": 5,
        },
        "obligations": {
            "consultation": {
                "standard": weeks(12),
                "standard_qualifier": "wherever possible",
                "minimum": None,
                "minimum_is_hard": False,
                "strength": "wherever_possible",
                "shorter_allowed": "when_circumstances_dictate",
                "shortfall_words": "A shorter timescale is acceptable when circumstances dictate.",
                "applies_to": "written consultations",
                "commitments": starts_with("partnership.public.5"),
            },
            "funding_change": {
                "notice": months(3),
                "notice_is_minimum": True,
                "notice_is_usual": False,
                "notice_in_writing": True,
                "consultation_before_notice": None,
                "rationale_required": True,
                "qualifier": None,
                "strength": "firm",
                "strength_words": ["To give a minimum of three months' notice in writing"],
                "commitments": starts_with("programmes.public.13"),
            },
            "correspondence": {
                "response": None,
                "qualifier": None,
                "note": contains("sets no time"),
                "commitments": [],
            },
            "consultation_feedback": {
                "required": True,
                "within": None,
                "note": contains("no number"),
                "commitments": contains("partnership.public.5"),
            },
            "complaints": {
                "against_public": [
                    "complaints.against_public.1",
                    "complaints.against_public.2",
                    "complaints.against_public.3",
                    "complaints.against_public.4",
                    "complaints.against_public.5",
                ],
                "against_vcs": [
                    "complaints.against_vcs.1",
                    "complaints.against_vcs.2",
                    "complaints.against_vcs.3",
                ],
                "options_public": None,
                # "If a breach ... cannot be resolved informally, the following procedure ..."
                "precondition_public": "complaints.against_public.intro",
                "precondition_vcs": "complaints.against_vcs.intro",
                "strength": "firm",
            },
            "review": {
                "every": None,
                "description": starts_with("reviewed regularly"),
                "note": contains("no fixed period"),
                "commitments": starts_with("implementation.joint.1"),
            },
        },
        "clauses": {
            "partnership.public.5": {
                "party": "public",
                "quote": contains(
                    "12 weeks, wherever possible",
                    "written consultations",
                    "A shorter timescale is acceptable when circumstances dictate",
                    "timely feedback",
                ),
                "topics": contains("consultation"),
            },
            "programmes.public.13": {
                "quote": contains(
                    "a minimum of three months' notice in writing", "clear rationale"
                ),
                "topics": starts_with("funding_change", "funding"),
            },
            "complaints.against_public.1": {
                "quote": starts_with("Contact Kensington and Chelsea Social Council (KCSC)")
            },
            "complaints.against_public.2": {"quote": contains("raise the matter with the CIG")},
            "complaints.against_public.3": {
                "quote": contains("approach the statutory organisation")
            },
            "complaints.against_public.4": {
                "quote": contains("Borough/Voluntary Organisations Advisory Group")
            },
            "complaints.against_public.5": {"quote": contains("independent arbiter")},
            "complaints.against_vcs.intro": {"quote": contains("resolved informally")},
            "complaints.against_vcs.1": {"quote": contains("Trustees of the organisation")},
            "complaints.against_vcs.2": {"quote": contains("Community Engagement Team")},
            "complaints.against_vcs.3": {"quote": contains("independent arbiter")},
            "implementation.joint.1": {"quote": contains("reviewed regularly")},
            "programmes.public.6": {
                "quote": contains("payments in advance"),
                "topics": contains("payment"),
            },
            "partnership.public.1": {"quote": contains("right to campaign")},
            "partnership.public.6": {"topics": contains("volunteering")},
            "help.joint.2": {"quote": contains("independent forum", "grievances")},
        },
    },
}

QUESTION_TOPICS = (
    "consultation",
    "funding_change",
    "correspondence",
    "disputes",
    "consultation_feedback",
    "review",
)
"""Topics that every question set must ask about."""

CODES = list(EXPECTED)


@pytest.fixture(scope="module")
def compacts() -> dict[str, Compact]:
    """Every Compact in the table, each loaded (and its quotes proved) once."""
    return {code: load_compact(builtin_compact_file(code)) for code in CODES}


def _cases(part: Literal["sections", "obligations", "clauses"]) -> list[ParameterSet]:
    """(code, key) for every entry of ``part`` in the table, with ids like ``rbkc:review``."""
    return [
        pytest.param(code, key, id=f"{code}:{key}")
        for code, figures in EXPECTED.items()
        for key in figures[part]
    ]


def _pick(obj: object, want: Mapping[str, object]) -> dict[str, object]:
    """The fields of ``obj`` that ``want`` names, to compare with ``want``."""
    return {field: getattr(obj, field) for field in want}


def test_table_covers_every_builtin_compact() -> None:
    assert sorted(EXPECTED) == sorted(path.stem for path in COMPACTS_DIR.glob("*.yaml"))


@pytest.mark.parametrize("code", CODES)
def test_facts(compacts: dict[str, Compact], code: str) -> None:
    want = EXPECTED[code]["facts"]
    assert _pick(compacts[code], want) == want


@pytest.mark.parametrize("code", CODES)
def test_counts(compacts: dict[str, Compact], code: str) -> None:
    compact, want = compacts[code], EXPECTED[code]["counts"]
    assert {what: len(getattr(compact, what)) for what in want} == want
    assert {c.party for c in compact.commitments} == EXPECTED[code]["commitment_parties"]


@pytest.mark.parametrize(("code", "section_id"), _cases("sections"))
def test_sections(compacts: dict[str, Compact], code: str, section_id: str) -> None:
    want = EXPECTED[code]["sections"][section_id]
    assert _pick(compacts[code].section(section_id), want) == want


@pytest.mark.parametrize("code", [c for c in CODES if "numbering" in EXPECTED[c]])
def test_numbering(compacts: dict[str, Compact], code: str) -> None:
    ids = [c.id for c in compacts[code].commitments]
    for prefix, count in EXPECTED[code].get("numbering", {}).items():
        numbered = [i for i in ids if i.startswith(prefix)]
        assert numbered == [f"{prefix}{n}" for n in range(1, count + 1)], prefix


@pytest.mark.parametrize("code", [c for c in CODES if "absent" in EXPECTED[c]])
def test_absent(compacts: dict[str, Compact], code: str) -> None:
    ids = {c.id for c in compacts[code].commitments}
    assert ids & set(EXPECTED[code].get("absent", [])) == set()


def _observed(rule: object, field: str) -> object:
    """A rule's field as the table gives it: complaint steps as their commitment ids."""
    value = getattr(rule, field)
    if isinstance(rule, ComplaintProcedure) and field.startswith(("against_", "options_")):
        if not value:
            return value
        if field == "against_vcs" and value == rule.against_public:
            return SAME_AS_AGAINST_PUBLIC
        return [step.commitment for step in value]
    return value


@pytest.mark.parametrize(("code", "rule_name"), _cases("obligations"))
def test_obligation_fields(compacts: dict[str, Compact], code: str, rule_name: str) -> None:
    rule = getattr(compacts[code].obligations, rule_name)
    want = EXPECTED[code]["obligations"][rule_name]
    assert {field: _observed(rule, field) for field in want} == want


@pytest.mark.parametrize(("code", "commitment_id"), _cases("clauses"))
def test_clauses(compacts: dict[str, Compact], code: str, commitment_id: str) -> None:
    want = EXPECTED[code]["clauses"][commitment_id]
    assert _pick(compacts[code].commitment(commitment_id), want) == want


@pytest.mark.parametrize("code", CODES)
def test_cited_commitments_exist(compacts: dict[str, Compact], code: str) -> None:
    compact = compacts[code]
    for name in RULES:
        for ref in getattr(compact.obligations, name).commitments:
            assert compact.commitment(ref).id == ref, name


@pytest.mark.parametrize("code", CODES)
def test_every_rule_that_sets_something_records_its_strength(
    compacts: dict[str, Compact], code: str
) -> None:
    """A built-in file never leaves the checks to read a duty as firm by default."""
    ob = compacts[code].obligations
    sets = {
        "consultation": ob.consultation.standard or ob.consultation.minimum,
        "funding_change": ob.funding_change.notice or ob.funding_change.consultation_before_notice,
        "correspondence": ob.correspondence.response,
        "consultation_feedback": ob.consultation_feedback.required,
        "complaints": ob.complaints.is_set,
    }
    for name, value in sets.items():
        rule = getattr(ob, name)
        if value:
            assert rule.strength is not None, name
        else:
            assert rule.strength is None, f"{name} sets nothing, so it has no strength"


@pytest.mark.parametrize("code", CODES)
def test_complaint_steps_are_summarised_dispute_clauses(
    compacts: dict[str, Compact], code: str
) -> None:
    compact = compacts[code]
    complaints = compact.obligations.complaints
    steps = (complaints.against_public or []) + (complaints.against_vcs or [])
    steps += (complaints.options_public or []) + (complaints.options_vcs or [])
    for step in steps:
        assert step.summary, step.commitment
        assert "disputes" in compact.commitment(step.commitment).topics, step.commitment


@pytest.mark.parametrize("code", CODES)
def test_question_set_cites_existing_commitments(compacts: dict[str, Compact], code: str) -> None:
    items = yaml.safe_load((QUESTIONS / f"{code}.yaml").read_text(encoding="utf-8"))
    assert len(items) >= 10
    ids = {c.id for c in compacts[code].commitments}
    for item in items:
        assert item["topic"] in TOPICS, item["q"]
        assert set(item["cite"]) <= ids, item["q"]
    assert set(QUESTION_TOPICS) - {item["topic"] for item in items} == set()
