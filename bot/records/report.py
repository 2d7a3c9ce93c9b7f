"""The yearly compliance report: per public body and per Compact, how each item fared.

Built from the compliance log (``bot/compliance.py``) with no I/O; "as of" is passed
in, because whether an unrecorded notice is late depends on the day you ask.  Every
figure is a count of log rows, and every row names its item, so any number in the
report can be traced to what the group registered.  ``bot/report_formats.py`` renders it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from bot.domain.deadlines import days_between
from bot.domain.verdicts import CheckResult
from bot.records.compliance import ItemRecord

NO_BODY = "(public body not given)"
NO_COMPACT = "(no Compact chosen)"

# Outcomes per kind of item, in the order reports show them, with their labels.
OUTCOMES: dict[str, dict[str, str]] = {
    "consultation": {
        "met": "met the standard",
        "explain": "short of the standard: explanation owed",
        "below_minimum": "below a minimum",
        "no_rule": "no length set by the Compact",
    },
    "funding": {
        "on_time": "notice on time",
        "late": "notice late",
        "missed": "no notice recorded, deadline passed",
        "not_due": "notice not yet due",
        "closed": "closed with no notice recorded",
        "no_rule": "no notice period set by the Compact",
    },
    "complaint": {
        "resolved": "resolved",
        "unresolved": "ended unresolved",
        "closed": "closed, outcome not said",
        "open": "still open",
    },
}

KIND_TITLES = {
    "consultation": "Consultations",
    "funding": "Funding changes",
    "complaint": "Complaints",
}


@dataclass(frozen=True)
class LogRow:
    """One item as one Compact sees it: the unit every report figure counts."""

    item_id: int
    kind: str
    title: str
    body: str
    compact: str
    on: date
    outcome: str
    days: int | None
    """Consultation: days short of the standard; funding: days late (or overdue);
    complaint: days from raising to closing (or to "as of" while open)."""
    deadline: date | None
    """Consultation: its close; funding: the notice deadline; complaint: the reply deadline."""
    verdict: str
    status: str
    length_days: int | None = None
    """A consultation's length: days from its opening to its closing day."""
    feedback_on: date | None = None
    feedback_owed: bool = False
    """A consultation that had closed by "as of", so feedback could have followed."""
    notice_given_on: date | None = None
    steps_done: int = 0

    @property
    def outcome_label(self) -> str:
        return OUTCOMES[self.kind][self.outcome]


@dataclass
class Report:
    year: int
    as_of: date
    chat_title: str | None
    body_filter: str | None
    rows: list[LogRow]
    cancelled: list[int] = field(default_factory=list)
    """Items left out because the group cancelled them."""

    @property
    def item_ids(self) -> list[int]:
        return sorted({r.item_id for r in self.rows})

    def groups(self) -> dict[str, dict[str, list[LogRow]]]:
        """Rows by public body, then by Compact (first seen first)."""
        out: dict[str, dict[str, list[LogRow]]] = defaultdict(lambda: defaultdict(list))
        for row in self.rows:
            out[row.body][row.compact].append(row)
        return {b: dict(c) for b, c in out.items()}


def _consultation_outcome(verdict: str) -> str:
    return {"meets": "met", "explain": "explain", "breach": "below_minimum"}.get(verdict, "no_rule")


def item_rows(record: ItemRecord, body: str, as_of: date) -> list[LogRow]:
    """An item as each of its Compacts sees it, as of ``as_of``."""
    views: list[CheckResult | None] = [*record.compacts.values()] or [None]
    rows = []
    for view in views:
        compact = view.compact if view else NO_COMPACT
        verdict = view.verdict if view else "no_rule"
        deadlines = view.deadlines if view else {}
        days: int | None = None
        deadline: date | None = None
        if record.kind == "consultation":
            outcome = _consultation_outcome(verdict)
            closes = record.closes
            target = deadlines.get("standard_close") or deadlines.get("minimum_close")
            if closes is not None and target is not None and closes < target:
                days = days_between(closes, target)
            deadline = closes
        elif record.kind == "funding":
            deadline = deadlines.get("notice_by")
            given = record.notice_given_on
            if deadline is None:
                outcome = "no_rule"
            elif given is not None:
                outcome = "on_time" if given <= deadline else "late"
                days = days_between(deadline, given) if given > deadline else None
            elif record.status != "open":
                # Closed by the group (the funding went on, say): no notice was owed after all.
                outcome = "closed"
            elif deadline < as_of:
                outcome, days = "missed", days_between(deadline, as_of)
            else:
                outcome = "not_due"
        else:
            if record.status == "open":
                outcome = "open"
            else:
                outcome = (
                    record.outcome if record.outcome in ("resolved", "unresolved") else "closed"
                )
            end = record.closed_at.date() if record.closed_at else as_of
            days = max(0, days_between(record.key_date, end))
            deadline = deadlines.get("reply_by")
        rows.append(
            LogRow(
                item_id=record.item_id,
                kind=record.kind,
                title=record.title,
                body=body,
                compact=compact,
                on=record.key_date,
                outcome=outcome,
                days=days,
                deadline=deadline,
                verdict=verdict,
                status=record.status,
                length_days=view.length_days if view else None,
                feedback_on=record.feedback_on,
                feedback_owed=record.kind == "consultation"
                and record.closes is not None
                and record.closes < as_of,
                notice_given_on=record.notice_given_on,
                steps_done=len(record.steps_done),
            )
        )
    return rows


def body_name(record: ItemRecord) -> str:
    return " ".join((record.body or "").split()) or NO_BODY


def _body_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def build_report(
    records: list[ItemRecord],
    *,
    year: int,
    as_of: date,
    body: str | None = None,
    chat_title: str | None = None,
) -> Report:
    """The report for items whose date (opening, last funded day, raising) falls in ``year``,
    optionally only for public bodies whose name contains ``body``."""
    wanted = _body_key(body) if body else None
    names: dict[str, str] = {}  # first spelling seen of each body, so "KCC" and "kcc" merge
    report = Report(year, as_of, chat_title, body, [])
    for record in records:
        if record.key_date.year != year:
            continue
        name = body_name(record)
        key = _body_key(name)
        if wanted is not None and wanted not in key:
            continue
        if record.status == "cancelled":
            report.cancelled.append(record.item_id)
            continue
        report.rows += item_rows(record, names.setdefault(key, name), as_of)
    return report
