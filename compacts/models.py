"""The shape of a Compact data file (``compacts/<code>.yaml``), validated on load.

A Compact file holds three things: facts about the agreement (title, parties,
status), every commitment in it quoted word for word, and the machine-readable
obligations that the checks and answers use.  Each obligation points at the
commitment(s) it comes from, so every number the bot states can be cited.

Where a Compact sets no number for something (Perth & Kinross gives no
consultation length), the obligation is still present, with its number left
``null`` and a ``note`` saying so: "no number" is data, not a gap.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, field_validator, model_validator

Party = Literal["public", "vcs", "joint"]
"""Whose commitment it is: the public sector (councils, NHS), the VCS, or both."""

Unit = Literal["days", "weeks", "months"]

Status = Literal["adopted", "consultation_draft"]
"""``consultation_draft``: the document's numbers are proposals, not agreed terms."""

Nation = Literal["england", "scotland", "wales", "northern_ireland"]

TOPICS: dict[str, str] = {
    "consultation": "consulting the VCS: length of consultations, early notice, how to consult",
    "consultation_feedback": "feedback after a consultation: how views were used",
    "funding": "funding relationships in general: grants, contracts, fair access, multi-year",
    "funding_change": "ending, reducing or changing funding: notice, consultation, rationale",
    "commissioning": "commissioning, procurement, tendering, contracts",
    "monitoring": "monitoring, reporting and evaluation of funded work",
    "payment": "payment terms: in advance, full cost recovery, overheads",
    "correspondence": "answering letters and correspondence",
    "disputes": "complaints, disputes, breaches of the Compact and how they are resolved",
    "review": "reviewing the Compact itself, steering groups, annual reports, action plans",
    "volunteering": "volunteers and volunteering",
    "equality": "equality, diversity, BME and under-represented groups",
    "independence": "independence of the VCS, campaigning and advocacy",
    "communication": "communication, information sharing, plain language",
    "governance": "governance, accountability, risk and probity of organisations",
    "training": "training and capacity building",
    "premises": "premises, assets and non-financial resources",
    "implementation": "signing up to, promoting and implementing the Compact",
    "partnership": "partnership working in general, principles and values",
}
"""The topic vocabulary.  Every commitment carries one or more of these tags."""

_CODE = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Strict):
    """A length of time as a Compact states it: ``{amount: 12, unit: weeks}``."""

    amount: PositiveInt
    unit: Unit

    def describe(self) -> str:
        singular = self.unit[:-1]
        return f"{self.amount} {singular if self.amount == 1 else self.unit}"

    def possessive(self) -> str:
        """As in "3 months' notice", "1 month's notice"."""
        text = self.describe()
        return f"{text}'" if text.endswith("s") else f"{text}'s"

    def adjective(self) -> str:
        """As in "a 3-month consultation"."""
        return f"{self.amount}-{self.unit[:-1]}"


class Section(_Strict):
    """A section or code of practice, titled as the source titles it."""

    id: str
    title: str
    parent: str | None = None


class Commitment(_Strict):
    """One commitment, quoted verbatim from the source text."""

    id: str
    section: str
    party: Party
    quote: str = Field(min_length=10)
    topics: list[str] = Field(min_length=1)

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, topics: list[str]) -> list[str]:
        unknown = [t for t in topics if t not in TOPICS]
        if unknown:
            raise ValueError(f"unknown topic(s) {unknown}; known: {sorted(TOPICS)}")
        return topics


class _Rule(_Strict):
    commitments: list[str] = Field(default_factory=list)
    """Ids of the commitments this rule comes from (empty only when nothing applies)."""
    note: str = ""
    """Plain-language explanation, including why a number is absent."""


class ConsultationRule(_Rule):
    """How long a consultation of the VCS must run."""

    standard: Period | None = None
    """The period the Compact asks for (e.g. 12 weeks); null: no number set."""
    standard_qualifier: str | None = None
    """Words that soften the standard, verbatim: "wherever possible"."""
    minimum: Period | None = None
    """A floor below the standard (e.g. "a minimum of 6 weeks"); null: none."""
    minimum_is_hard: bool = True
    """False where the Compact allows going below the minimum with an explanation."""
    shorter_allowed: Literal["no", "with_explanation", "when_circumstances_dictate"] = (
        "with_explanation"
    )
    """What the Compact says of a period shorter than the standard."""
    applies_to: str | None = None
    """Scope in the Compact's words, e.g. "written consultations"."""

    @model_validator(mode="after")
    def _cited_when_set(self) -> ConsultationRule:
        _require_citation(self, self.standard or self.minimum)
        return self


class FundingChangeRule(_Rule):
    """What is owed before funding is ended, reduced or changed."""

    notice: Period | None = None
    notice_is_minimum: bool = False
    """True for "a minimum of three months' notice"."""
    notice_is_usual: bool = False
    """True for "usually six months or more": a norm, not a floor."""
    notice_in_writing: bool | None = None
    """True where notice must be written; null where the Compact does not say."""
    consultation_before_notice: Period | None = None
    """A consultation period that must come before notice is given (Kent 2011)."""
    rationale_required: bool = False
    qualifier: str | None = None
    """Softening words, verbatim: "as much warning as possible"."""

    @model_validator(mode="after")
    def _cited_when_set(self) -> FundingChangeRule:
        _require_citation(self, self.notice or self.consultation_before_notice)
        return self


class CorrespondenceRule(_Rule):
    """How quickly letters and correspondence are answered."""

    response: Period | None = None
    qualifier: str | None = None
    """Softening words, verbatim: "aim to"."""

    @model_validator(mode="after")
    def _cited_when_set(self) -> CorrespondenceRule:
        _require_citation(self, self.response)
        return self


class FeedbackRule(_Rule):
    """Feedback owed to respondents after a consultation."""

    required: bool = False
    within: Period | None = None

    @model_validator(mode="after")
    def _cited_when_set(self) -> FeedbackRule:
        _require_citation(self, self.within or (self.required or None))
        return self


class ComplaintStep(_Strict):
    """One step of a complaint or dispute procedure."""

    commitment: str
    """The commitment whose quote is this step's text."""
    summary: str
    """The step in a few plain words, for short replies."""


class ComplaintProcedure(_Rule):
    """The procedure when someone says the Compact was broken, by who broke it.

    Both lists null: the Compact sets no procedure.  A Compact with one
    procedure for everyone has the same steps in both lists.
    """

    against_public: list[ComplaintStep] | None = None
    against_vcs: list[ComplaintStep] | None = None


class ReviewRule(_Rule):
    """How often the Compact itself is reviewed or reported on."""

    every: Period | None = None
    description: str | None = None
    """The review cycle in the Compact's own terms, e.g. "after the first year"."""


class Obligations(_Strict):
    consultation: ConsultationRule
    funding_change: FundingChangeRule
    correspondence: CorrespondenceRule
    consultation_feedback: FeedbackRule
    complaints: ComplaintProcedure
    review: ReviewRule


class Compact(_Strict):
    """A whole Compact data file."""

    code: str
    title: str
    short_name: str
    area: str
    nation: Nation
    parties: list[str] = Field(min_length=1)
    date: str | None
    """A year ("2011"), a month ("2007-09") or a date, as the document gives it; null when
    the document carries no date (say what is known in ``date_note``)."""
    date_note: str = ""
    status: Status
    status_note: str = ""
    source: str
    """File name of the source text under ``compacts/sources/``."""
    sections: list[Section] = Field(min_length=1)
    commitments: list[Commitment] = Field(min_length=1)
    obligations: Obligations

    @field_validator("code")
    @classmethod
    def _code_shape(cls, code: str) -> str:
        if not _CODE.match(code):
            raise ValueError("must be lower-case letters, digits and hyphens, e.g. 'kent-2011'")
        return code

    @field_validator("date")
    @classmethod
    def _date_shape(cls, value: str | None) -> str | None:
        if value is None or re.fullmatch(r"\d{4}(-\d{2})?", value):
            return value
        date.fromisoformat(value)
        return value

    @model_validator(mode="after")
    def _references_resolve(self) -> Compact:
        section_ids = [s.id for s in self.sections]
        _no_duplicates("section id", section_ids)
        ids = [c.id for c in self.commitments]
        _no_duplicates("commitment id", ids)
        known_sections, known = set(section_ids), set(ids)
        for s in self.sections:
            if s.parent is not None and s.parent not in known_sections:
                raise ValueError(f"section {s.id!r}: parent {s.parent!r} is not a section id")
        for c in self.commitments:
            if c.section not in known_sections:
                raise ValueError(f"commitment {c.id!r}: section {c.section!r} is not a section id")
        ob = self.obligations
        rules: dict[str, _Rule] = {
            "consultation": ob.consultation,
            "funding_change": ob.funding_change,
            "correspondence": ob.correspondence,
            "consultation_feedback": ob.consultation_feedback,
            "complaints": ob.complaints,
            "review": ob.review,
        }
        for name, rule in rules.items():
            for ref in rule.commitments:
                if ref not in known:
                    raise ValueError(f"obligations.{name}: commitment {ref!r} does not exist")
        for steps in (ob.complaints.against_public, ob.complaints.against_vcs):
            for step in steps or []:
                if step.commitment not in known:
                    raise ValueError(
                        "obligations.complaints: step commitment "
                        f"{step.commitment!r} does not exist"
                    )
        return self

    @cached_property
    def _by_id(self) -> dict[str, Commitment]:
        return {c.id: c for c in self.commitments}

    def commitment(self, commitment_id: str) -> Commitment:
        return self._by_id[commitment_id]

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    @property
    def is_draft(self) -> bool:
        return self.status == "consultation_draft"


def _require_citation(rule: _Rule, number: object) -> None:
    if number is not None and not rule.commitments:
        raise ValueError("a rule that sets a number must cite the commitment(s) it comes from")


def _no_duplicates(what: str, values: list[str]) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"duplicate {what} {v!r}")
        seen.add(v)
