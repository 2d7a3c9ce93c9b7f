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

Status = Literal["adopted", "consultation_draft", "consultation_version"]
"""How the document describes itself.

``adopted``: an agreed Compact.  ``consultation_draft``: a draft put out for consultation,
its numbers proposals, not agreed terms.  ``consultation_version``: a full text that says it
stands before a consultation period ends (Kent 2011's foreword "will be inserted after the
consultation period") and nowhere says it was adopted: its words are quoted as written, with
that said beside them."""

Strength = Literal["firm", "should", "wherever_possible", "usually", "aim", "proposal", "example"]
"""How strongly a Compact's text states a duty, as written.

``firm``: will, shall, must, "is in place", or an undertaking stated outright ("To give a
minimum of ...", "Conduct 12 week ... consultations").  ``should``: should.
``wherever_possible``: "wherever possible".  ``usually``: "usually".  ``aim``: "aim to".
``proposal``: put forward in a consultation draft.  ``example``: given as an example
("For example:", "e.g.") in a consultation draft.  The bot's duty words follow this
(``bot.domain.duty``): a ``usually`` is "should usually", never "must"."""

STRENGTH_RANK: dict[str, int] = {
    "firm": 0,
    "should": 1,
    "wherever_possible": 2,
    "usually": 2,
    "aim": 2,
    "proposal": 3,
    "example": 3,
}
"""Firmer first: a firm duty outranks a "should", which outranks the qualified ones
("wherever possible", "usually", "aim to"), which outrank a draft's proposals."""

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
    example: bool = False
    """True where the text gives it only as an example ("For example:", "e.g.") of what a
    code might hold: quoted so it can be found, but not a commitment."""
    statement: bool = False
    """True where the text says something about the Compact itself (what it is, its status,
    who signed it, its history, a definition, a contact, how to get a copy) rather than
    committing anyone to anything: quoted so it can be found, never called anyone's duty.
    Its ``party`` is the side the text is about (``joint``: the Compact as a whole)."""
    number: str | None = None
    """The number the text itself gives it in a numbered list ("13" for "13) To give ..."),
    read from the source by the loader; None where the text numbers nothing."""
    list_heading: str | None = None
    """The line the text puts above that numbered list ("Undertakings by the public
    sector"), read with the number."""

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
    strength: Strength | None = None
    """How strongly the cited text states the rule (null where it sets nothing, or in a file
    written before this field existed: the checks then read it as ``firm``)."""
    strength_words: list[str] = Field(default_factory=list)
    """The words of the cited clauses that carry the strength, verbatim ("shall",
    "wherever possible", "usually"): proved to stand in a cited quote."""


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
    shorter_allowed: Literal["no", "with_explanation", "when_circumstances_dictate", "not_said"] = (
        "with_explanation"
    )
    """What the Compact attaches to a period shorter than the standard (and not below the
    minimum): nothing allowed, an explanation, "when circumstances dictate", or nothing said
    (``not_said``: the text is silent, so no explanation is owed)."""
    shortfall_words: str | None = None
    """The text's own words about falling short, verbatim, e.g. "with clear explanations and
    rationale for shorter time-frames" or "we will explain why"."""
    applies_to: str | None = None
    """Scope in the Compact's words, e.g. "written consultations"."""
    standard_is_total: bool = False
    """True where the standard counts every formal round on the matter together and the
    minimum any single round (West Kent: "a total of 12 weeks ... and a minimum of 6 weeks in
    any single formal consultation period")."""
    statutory_exclusion: str | None = None
    """The commitment that leaves consultations required by statute out of the rule, when the
    Compact has one; it applies only when the group says the consultation is statutory."""

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
    notice_word: str = "notice"
    """What the text calls it: "notice", or "warning" (Perth & Kinross)."""

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
    """One step of a complaint or dispute procedure, or one route a Compact lists."""

    commitment: str
    """The commitment whose quote is this step's text."""
    summary: str
    """The step in a few plain words, for short replies."""
    scope: str | None = None
    """Whom the route is for, in the text's words, where the text limits it ("central
    Government departments, their executive agencies, Government Offices for the Regions and
    all VCS organisations"): proved to stand in the step's quote."""
    recipient: str | None = None
    """Who takes the complaint at this step, in the text's words ("Kensington and Chelsea
    Social Council (KCSC)", "the Compact Steering Group"): whom a letter for the step is
    addressed to.  Proved to stand in the step's quote.  Null where the text names nobody
    but the other party ("resolve the issue through discussion"): the letter then goes to
    the body the complaint is about."""


class ComplaintProcedure(_Rule):
    """The procedure when someone says the Compact was broken, by who broke it.

    Steps are in the order the text gives them; options are routes it lists without an
    order.  Steps and options all null: the Compact sets no procedure.  A Compact with one
    procedure for everyone has the same steps in both lists.
    """

    against_public: list[ComplaintStep] | None = None
    """Steps, in the text's order, when a public body is said to have broken the Compact."""
    against_vcs: list[ComplaintStep] | None = None
    options_public: list[ComplaintStep] | None = None
    """Routes the text lists without ordering them (after any steps), against a public body."""
    options_vcs: list[ComplaintStep] | None = None
    precondition_public: str | None = None
    """The commitment that says when the procedure applies ("If a breach ... cannot be
    resolved informally, the following procedure is in place ...")."""
    precondition_vcs: str | None = None

    def steps(self, against: str) -> list[ComplaintStep]:
        return (self.against_public if against == "public" else self.against_vcs) or []

    def options(self, against: str) -> list[ComplaintStep]:
        return (self.options_public if against == "public" else self.options_vcs) or []

    def precondition(self, against: str) -> str | None:
        return self.precondition_public if against == "public" else self.precondition_vcs

    @property
    def is_set(self) -> bool:
        """Whether the Compact sets any procedure or route at all."""
        return any(self.steps(a) or self.options(a) for a in ("public", "vcs"))


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


BodyKind = Literal["public", "vcs"]
"""A public body (council, NHS, police, fire, college) or a voluntary one."""


class _Named(_Strict):
    name: str = Field(min_length=2)
    """The one name it is shown by (in reports, letters, the CSV)."""
    also: list[str] = Field(default_factory=list)
    """Other ways people write it, in any case and spacing: short names, abbreviations,
    past or later names ("PKC", "T&M", "the Royal Borough", "Eastern & Coastal Kent PCT")."""
    cased: list[str] = Field(default_factory=list)
    """Ways of writing it that name it only in these capitals, being everyday words
    otherwise ("Deal", "Kent CAN")."""


class Body(_Named):
    """A body the Compact signed with or names: the name stands in the source text."""

    kind: BodyKind
    named_in_text: bool = True
    """Whether the Compact's text names it (its ``name`` is then proved to stand there);
    false for a body of its area the text leaves unnamed or that came later (NHS Kent and
    Medway, the hospital trust behind "relevant hospital trusts")."""
    locally: list[str] = Field(default_factory=list)
    """Words that name it only in a chat following this Compact ("the council" where the
    Compact has one council, "the county council")."""


class Place(_Named):
    """A place the Compact covers (a district, a town, a neighbourhood)."""


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
    names: list[str] = Field(default_factory=list)
    """Other names people call the Compact itself by ("the 2007 draft", "Working Together")."""
    bodies: list[Body] = Field(default_factory=list)
    """The public bodies and voluntary organisations it is signed by or names."""
    places: list[Place] = Field(default_factory=list)
    """The places its area covers, its own area first."""
    postcodes: list[str] = Field(default_factory=list)
    """The postcode districts ("TN13", "PH7", "W11") lying wholly or all but a sliver in
    its area; a district shared with an area no Compact covers is left out (it names none),
    and one shared by two Compacts' areas is listed by the wider one only."""
    within: list[str] = Field(default_factory=list)
    """Codes of Compacts whose area holds this one's: a place or body both name is this
    one's, the more local Compact (West Kent within Kent)."""

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
        complaints = ob.complaints
        for steps in (
            complaints.against_public,
            complaints.against_vcs,
            complaints.options_public,
            complaints.options_vcs,
        ):
            for step in steps or []:
                if step.commitment not in known:
                    raise ValueError(
                        "obligations.complaints: step commitment "
                        f"{step.commitment!r} does not exist"
                    )
                step_quote = self._by_id[step.commitment].quote
                for what, named in (("scope", step.scope), ("recipient", step.recipient)):
                    if named and not _says(step_quote, named):
                        raise ValueError(
                            f"obligations.complaints: the {what} of {step.commitment!r} is "
                            "not in its quote"
                        )
        for pre in (complaints.precondition_public, complaints.precondition_vcs):
            if pre is not None and pre not in known:
                raise ValueError(f"obligations.complaints: precondition {pre!r} does not exist")
        exclusion = ob.consultation.statutory_exclusion
        if exclusion is not None and exclusion not in known:
            raise ValueError(
                f"obligations.consultation: statutory_exclusion {exclusion!r} does not exist"
            )
        for name, rule in rules.items():
            if rule.strength in _WORDED and not rule.strength_words:
                raise ValueError(
                    f"obligations.{name}: strength {rule.strength!r} needs the strength_words "
                    "that say it"
                )
            quotes = [self._by_id[ref].quote for ref in rule.commitments]
            words = list(rule.strength_words)
            if isinstance(rule, ConsultationRule) and rule.shortfall_words:
                words.append(rule.shortfall_words)
            for w in words:
                if not any(_says(q, w) for q in quotes):
                    raise ValueError(f"obligations.{name}: {w!r} is not in the clauses it cites")
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


_WORDED = frozenset({"firm", "should", "wherever_possible", "usually", "aim"})
"""Strengths carried by words of the clause (a draft's proposals and examples are carried by
its status and its "For example:" headings)."""


def _says(quote: str, words: str) -> bool:
    """Whether ``words`` stand in ``quote``, case and white space aside."""
    return " ".join(words.split()).casefold() in " ".join(quote.split()).casefold()


def _require_citation(rule: _Rule, number: object) -> None:
    if number is not None and not rule.commitments:
        raise ValueError("a rule that sets a number must cite the commitment(s) it comes from")


def _no_duplicates(what: str, values: list[str]) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"duplicate {what} {v!r}")
        seen.add(v)
