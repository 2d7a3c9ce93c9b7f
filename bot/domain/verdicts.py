"""What a check decides, as plain data: verdicts, citations, deadlines, reminder plans.

Plugins return these; the core carries them out (stores reminders, sends replies).
Nothing here does I/O.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from compacts.models import Compact

Verdict = Literal["meets", "explain", "breach", "no_rule"]

SEVERITY: dict[Verdict, int] = {"no_rule": 0, "meets": 1, "explain": 2, "breach": 3}
"""How bad a verdict is, for naming the worst one first."""

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


def deadline_label(key: str) -> str:
    return DEADLINE_LABELS.get(key, key.replace("_", " ").capitalize())


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
    """One step of a complaints procedure; its text is the cited clause."""

    model_config = ConfigDict(frozen=True)

    n: int
    summary: str
    citation: Citation

    @computed_field  # type: ignore[prop-decorator]
    @property
    def text(self) -> str:
        """The step's words, which are its clause's."""
        return self.citation.quote


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


def strictest(results: list[CheckResult]) -> CheckResult | None:
    """The Compact that asks the most of the public body, among those that set a rule."""
    ruled = [r for r in results if r.verdict != "no_rule" and r.demand_days is not None]
    if not ruled:
        return None
    return max(ruled, key=lambda r: (r.demand_days or 0, SEVERITY[r.verdict]))
