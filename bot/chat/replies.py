"""Turning answers and verdicts into text a person reads (plain text: Telegram and terminal)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.verdicts import CheckResult, Citation, strictest
from compacts.models import TOPICS, Compact

if TYPE_CHECKING:  # annotations only: printing a check's verdict needs no answerer
    from bot.knowledge.ask import AskResult
    from bot.knowledge.registry import CompactRegistry

VERDICT_LABEL = {
    "meets": "✅ meets the Compact",
    "explain": "⚠️ short of the standard: an explanation is owed",
    "breach": "❌ below the minimum / deadline missed",
    "no_rule": "— no number set",
}


def topic_label(topic: str) -> str:
    """The short name of a topic: "consultation feedback"."""
    return TOPICS[topic].split(":")[0]


def _quote(c: Citation) -> str:
    return f"   “{c.quote}”\n   ({c.section})"


def format_ask(result: AskResult, registry: CompactRegistry, limit: int = 5) -> str:
    """Each answer (at most ``limit``): what it says and whose duty it is, then the clauses
    it quotes, then which Compact; Compacts not shown are counted."""
    lines: list[str] = []
    for answer in result.answers[:limit]:
        compact = registry.get(answer.compact)
        lines.append(f"• {answer.text}")
        for c in answer.citations[:2]:
            lines.append(_quote(c))
        lines.append(f"   — {compact.title}")
    more = len(result.answers) - limit + result.more
    if more > 0:
        lines.append(f"(and {more} more Compact{'s' if more > 1 else ''})")
    return "\n".join(lines)


def format_result(r: CheckResult) -> str:
    lines = [f"{r.compact_name}: {VERDICT_LABEL[r.verdict]}"]
    lines += [f"  {reason}" for reason in r.reasons]
    for step in r.steps:
        lines.append(f"  {step.n}. {step.summary}")
    lines += [f"  Note: {note}" for note in r.notes]
    for c in r.citations[:2]:
        lines.append(_quote(c))
    return "\n".join(lines)


def format_results(results: list[CheckResult]) -> str:
    if not results:
        return "None of the chosen Compacts has anything to say about this."
    parts = [format_result(r) for r in results]
    top = strictest(results)
    if top is not None and len(results) > 1:
        parts.append(f"Strictest: {top.compact_name}.")
    return "\n\n".join(parts)


def format_reminders(
    results: list[CheckResult], hour: int | None = None, tz: ZoneInfo | None = None
) -> str:
    """The reminders the results plan, by day; the hour and zone they go out at, if given."""
    plans = sorted({(p.due, p.text) for r in results for p in r.reminders})
    if not plans:
        return "No reminders to schedule."
    at = f" ({hour:02d}:00 {tz.key})" if hour is not None and tz is not None else ""
    lines = [f"Reminders scheduled{at}:"]
    lines += [f"  {due:%a %d %b %Y}: {text}" for due, text in plans]
    return "\n".join(lines)


def format_show(compact: Compact, topic: str | None = None) -> str:
    ob = compact.obligations
    lines = [
        compact.title,
        f"Code {compact.code} · {compact.area} · {compact.date} · "
        f"{'consultation draft' if compact.is_draft else 'adopted'}",
        "Parties: " + "; ".join(compact.parties),
    ]
    if compact.status_note:
        lines.append(compact.status_note)
    if topic is None:
        lines.append("")
        lines.append("Rules:")
        lines.append(
            "  Consultation: "
            + (ob.consultation.standard.describe() if ob.consultation.standard else "no number")
            + (f", minimum {ob.consultation.minimum.describe()}" if ob.consultation.minimum else "")
        )
        lines.append(
            "  Notice before ending funding: "
            + (ob.funding_change.notice.describe() if ob.funding_change.notice else "no number")
        )
        lines.append(
            "  Replies to correspondence: "
            + (ob.correspondence.response.describe() if ob.correspondence.response else "no number")
        )
        steps = ob.complaints.against_public
        lines.append("  Complaints procedure: " + (f"{len(steps)} steps" if steps else "none set"))
    sections = {s.id: s.title for s in compact.sections}
    shown = [c for c in compact.commitments if topic is None or topic in c.topics]
    lines.append("")
    about = f" on {topic_label(topic)}" if topic else ""
    lines.append(f"Commitments{about} ({len(shown)}):")
    current = None
    for c in shown:
        if c.section != current:
            current = c.section
            lines.append(f"[{sections[c.section]}]")
        lines.append(f"  {c.id} ({c.party}): {c.quote}")
    return "\n".join(lines)
