"""What a check decides, as plain data: verdicts, citations, deadlines, reminder plans.

Plugins return these; the core carries them out (stores reminders, sends replies).
Nothing here does I/O.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from bot.domain.duty import DRAFT, qualifier_note, rank
from compacts.models import Compact, Strength

Verdict = Literal["meets", "conditional", "explain", "short", "breach", "no_rule", "procedure"]
"""``meets``: the figure is met.  ``conditional``: the verdict turns on a fact the bot was not
given (has a consultation started? was a rationale given?): the reasons say what follows
either way, and it is never called a breach.  ``explain``: short of it, and the text promises an
explanation below the figure it names.  ``short``: short of a figure the text qualifies
("usually", "wherever possible") or attaches nothing to.  ``breach``: below a minimum or past a
firm deadline.  ``no_rule``: the Compact sets nothing here (or leaves the case out).
``procedure``: a complaint, for which the Compact sets a procedure (a complaint never "meets")."""

SEVERITY: dict[Verdict, int] = {
    "no_rule": 0,
    "procedure": 0,
    "meets": 1,
    "conditional": 2,
    "short": 3,
    "explain": 4,
    "breach": 5,
}
"""How bad a verdict is, for naming the worst one first."""

VERDICT_LABEL: dict[Verdict, str] = {
    "meets": "✅ meets the Compact",
    "conditional": "❔ depends on what is not yet known (see the “if”)",
    "explain": "⚠️ short of the standard: an explanation is owed",
    "short": "⚠️ short of what the Compact asks for (it promises no explanation)",
    "breach": "❌ below the minimum / deadline missed",
    "no_rule": "— no number set",
    "procedure": "📋 the Compact's procedure",
}
"""How a reply names each verdict."""


def draft_label(result: CheckResult) -> str:
    """How falling short of a consultation draft's figure is named: never a breach."""
    what = "example" if result.strength == "example" else "proposal"
    if result.finding == "below_minimum":
        return f"📝 below the draft's {what} minimum (a draft, not agreed terms)"
    return f"📝 short of the draft's {what} (a draft, not agreed terms)"


def verdict_label(result: CheckResult) -> str:
    """The verdict's label, said for what the result is about."""
    if result.finding == "excluded":
        return "— not covered (required by statute)"
    if result.finding == "no_rationale" and result.verdict == "breach":
        return "❌ not as the Compact promises: no rationale given"
    if result.strength in DRAFT and result.verdict in ("short", "explain", "breach"):
        return draft_label(result)
    if result.verdict == "no_rule" and result.kind.startswith("complaint"):
        return "— no procedure set"
    return VERDICT_LABEL[result.verdict]


DEADLINE_LABELS = {
    "standard_close": "The close date the Compact asks for",
    "minimum_close": "The minimum close date",
    "notice_by": "The notice deadline",
    "consultation_start_by": "The consultation start deadline",
    "reply_by": "The reply deadline",
    "feedback_by": "The feedback deadline",
    "closes": "The consultation close",
}
"""What each key of ``CheckResult.deadlines`` (and a consultation's close) means."""


def deadline_label(key: str, strength: Strength | None = None) -> str:
    """ "The notice deadline"; for a qualified duty, "The notice deadline (“usually”: not a
    minimum)"."""
    label = DEADLINE_LABELS.get(key, key.replace("_", " ").capitalize())
    note = qualifier_note(strength) if key != "closes" else ""
    return f"{label} ({note})" if note else label


class Citation(BaseModel):
    """A commitment quoted verbatim, with where it stands."""

    model_config = ConfigDict(frozen=True)

    compact: str
    commitment: str
    section: str
    quote: str


def cite(compact: Compact, commitment_id: str) -> Citation:
    c = compact.commitment(commitment_id)
    return Citation(
        compact=compact.code,
        commitment=c.id,
        section=compact.section(c.section).title,
        quote=c.quote,
    )


def cite_all(compact: Compact, commitment_ids: list[str]) -> list[Citation]:
    return [cite(compact, cid) for cid in commitment_ids]


class ReminderPlan(BaseModel):
    """A reminder a check wants: on calendar day ``due`` (chat's time zone), say ``text``.

    ``key`` names the reminder within its item ("close-14") so that planning the
    same reminder twice stores it once.
    """

    model_config = ConfigDict(frozen=True)

    due: date
    text: str
    key: str
    to: str = "chat"


class ProcedureStep(BaseModel):
    """One step of a complaints procedure, or one route it lists; its text is the cited clause."""

    model_config = ConfigDict(frozen=True)

    n: int
    summary: str
    citation: Citation
    option: bool = False
    """A route the Compact lists without an order, not a step that follows the one before."""
    scope: str | None = None
    """Whom the route is for, in the Compact's words, where it limits it."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def text(self) -> str:
        """The step's words, which are its clause's."""
        return self.citation.quote


class Lapse(BaseModel):
    """What a result becomes if nothing more is recorded once ``after`` has passed: a
    deadline lapses.  The check that made the result says so, so a report read later agrees
    with what a re-check that day would say."""

    model_config = ConfigDict(frozen=True)

    after: date
    finding: str
    verdict: Verdict


class CheckResult(BaseModel):
    """One Compact's answer to one event.

    Checks build it up; a Compact plugin that adjusts the shared check's result returns
    ``result.model_copy(update=...)``.  Serialised with ``model_dump(mode="json")``.
    """

    compact: str
    compact_name: str
    kind: str
    verdict: Verdict
    reasons: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    deadlines: dict[str, date | None] = Field(default_factory=dict)
    reminders: list[ReminderPlan] = Field(default_factory=list)
    length_days: int | None = None
    steps: list[ProcedureStep] = Field(default_factory=list)
    demand_days: int | None = None
    """How many days the Compact demands (longest consultation, earliest notice).

    Ranks strictness across Compacts."""
    notes: list[str] = Field(default_factory=list)
    """Extra remarks added by other plugins (e.g. a deadline falls on a bank holiday)."""
    strength: Strength | None = None
    """How strongly the Compact's text states the duty behind this result (None: no duty)."""
    demand_date: date | None = None
    """The date the demand comes down to: the close a consultation must reach, the first day
    a funding change must be acted on.  Names ties between Compacts."""
    finding: str | None = None
    """What the check found, as a code the report counts ("met", "late", "excluded" ...)."""
    lapses: list[Lapse] = Field(default_factory=list)
    """What this result becomes as its deadlines pass with nothing recorded, earliest first."""


def strictest_all(results: list[CheckResult]) -> list[CheckResult]:
    """The Compacts that ask the most of the public body: the longest consultation or the
    earliest deadline; on the same date a firmer duty (will/shall) before a softer one
    ("should", "usually", "wherever possible", a draft's proposal).  More than one: a tie,
    in code order.  The order of ``results`` never changes the answer."""
    ruled = [
        r
        for r in results
        if r.verdict not in ("no_rule", "procedure") and r.demand_days is not None
    ]
    if not ruled:
        return []
    most = max(r.demand_days or 0 for r in ruled)
    longest = [r for r in ruled if r.demand_days == most]
    firmest = min(rank(r.strength) for r in longest)
    return sorted((r for r in longest if rank(r.strength) == firmest), key=lambda r: r.compact)


def strictest(results: list[CheckResult]) -> CheckResult | None:
    """The strictest Compact (the first in code order when several tie: see ``strictest_all``)."""
    tied = strictest_all(results)
    return tied[0] if tied else None
