"""What a check decides, as plain data: verdicts, citations, deadlines, reminder plans.

Plugins return these; the core carries them out (stores reminders, sends replies).
Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

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


@dataclass(frozen=True)
class Citation:
    """A commitment quoted verbatim, with where it stands."""

    compact: str
    commitment: str
    section: str
    quote: str

    def as_json(self) -> dict[str, str]:
        return {
            "compact": self.compact,
            "commitment": self.commitment,
            "section": self.section,
            "quote": self.quote,
        }


def cite(compact: Compact, commitment_id: str) -> Citation:
    c = compact.commitment(commitment_id)
    return Citation(compact.code, c.id, compact.section(c.section).title, c.quote)


def cite_all(compact: Compact, commitment_ids: list[str]) -> list[Citation]:
    return [cite(compact, cid) for cid in commitment_ids]


@dataclass(frozen=True)
class ReminderPlan:
    """A reminder a check wants: on calendar day ``due`` (chat's time zone), say ``text``.

    ``key`` names the reminder within its item ("close-14") so that planning the
    same reminder twice stores it once.
    """

    due: date
    text: str
    key: str
    to: str = "chat"

    def as_json(self) -> dict[str, str]:
        return {"due": self.due.isoformat(), "text": self.text, "key": self.key, "to": self.to}


@dataclass(frozen=True)
class ProcedureStep:
    n: int
    text: str
    summary: str
    citation: Citation

    def as_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "text": self.text,
            "summary": self.summary,
            "citation": self.citation.as_json(),
        }


@dataclass
class CheckResult:
    """One Compact's answer to one event."""

    compact: str
    compact_name: str
    kind: str
    verdict: Verdict
    reasons: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    deadlines: dict[str, date | None] = field(default_factory=dict)
    reminders: list[ReminderPlan] = field(default_factory=list)
    length_days: int | None = None
    steps: list[ProcedureStep] = field(default_factory=list)
    demand_days: int | None = None
    """How many days the Compact demands (longest consultation, earliest notice).

    Ranks strictness across Compacts."""
    notes: list[str] = field(default_factory=list)
    """Extra remarks added by other plugins (e.g. a deadline falls on a bank holiday)."""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "compact": self.compact,
            "kind": self.kind,
            "verdict": self.verdict,
            "reasons": self.reasons,
            "citations": [c.as_json() for c in self.citations],
            "reminders": [r.as_json() for r in self.reminders],
            "notes": self.notes,
        }
        if self.kind == "consultation":
            out["length_days"] = self.length_days
        if self.deadlines or self.kind == "funding":
            out["deadlines"] = {
                k: (v.isoformat() if v else None) for k, v in self.deadlines.items()
            }
        if self.kind == "complaint":
            out["steps"] = [s.as_json() for s in self.steps]
        return out


def strictest(results: list[CheckResult]) -> CheckResult | None:
    """The Compact that asks the most of the public body, among those that set a rule."""
    ruled = [r for r in results if r.verdict != "no_rule" and r.demand_days is not None]
    if not ruled:
        return None
    return max(ruled, key=lambda r: (r.demand_days or 0, SEVERITY[r.verdict]))
