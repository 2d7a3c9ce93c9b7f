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

from dateutil.relativedelta import relativedelta

from bot.domain.deadlines import days_between
from bot.domain.duty import DRAFT
from bot.domain.verdicts import VERDICT_LABEL, CheckResult, Verdict
from bot.records.compliance import ItemRecord

NO_BODY = "(public body not given)"
NO_COMPACT = "(no Compact chosen)"

# Outcomes per kind of item, in the order reports show them, with their labels.
OUTCOMES: dict[str, dict[str, str]] = {
    "consultation": {
        "met": "met the standard",
        "explain": "short of the standard: explanation owed",
        "short": "short of what the Compact asks for: no explanation promised",
        "below_minimum": "below a minimum",
        "below_draft_example": "below the draft's example minimum (a draft, not agreed terms)",
        "excluded": "not covered: required by statute",
        "no_rule": "no length set by the Compact",
    },
    "funding": {
        "on_time": "notice on time",
        "notice_before_consultation": "notice before the consultation had run its period",
        "consultation_late": "consultation started late",
        "consultation_missed": "no consultation recorded, its start deadline passed",
        "late": "notice late",
        "missed": "no notice recorded, deadline passed",
        "no_rationale": "no rationale given with the decision",
        "consultation_unknown": "not known whether a consultation started (conditional)",
        "rationale_unknown": "not known whether a rationale was given (conditional)",
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
    """Consultation: days short of the standard; funding: days late (or overdue), of notice
    or of the consultation before it; complaint: days from raising to closing (or to "as of"
    while open)."""
    deadline: date | None
    """Consultation: its close; funding: the deadline its outcome is about (notice, or the
    consultation's start); complaint: none (no Compact sets a reply deadline for them)."""
    verdict: Verdict
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

    @property
    def verdict_label(self) -> str:
        """The verdict as the chat labels it (its reply, re-check and this row agree)."""
        if self.outcome == "excluded":
            return "— not covered (required by statute)"
        if self.outcome == "below_draft_example":
            return "📝 below the draft's example minimum (a draft, not agreed terms)"
        if self.kind == "complaint" and self.verdict == "no_rule":
            return "— no procedure set"
        return VERDICT_LABEL[self.verdict]


@dataclass
class Report:
    year: int
    as_of: date
    chat_title: str | None
    body_filter: str | None
    rows: list[LogRow]
    cancelled: list[int] = field(default_factory=list)
    """Items left out because the group cancelled them."""
    since: date | None = None
    """Set for the report of the twelve months to ``as_of`` (and every item still open)
    rather than of ``year``: the first day it covers."""
    still_open: dict[int, str] = field(default_factory=dict)
    """Each open item of the report, with why it is open ("feedback not yet recorded")."""

    @property
    def period(self) -> str:
        """What the report covers, as its title says it."""
        if self.since is None:
            return str(self.year)
        return f"{self.since.day} {self.since:%B %Y} to {self.as_of.day} {self.as_of:%B %Y}"

    @property
    def item_ids(self) -> list[int]:
        return sorted({r.item_id for r in self.rows})

    def groups(self) -> dict[str, dict[str, list[LogRow]]]:
        """Rows by public body, then by Compact (first seen first)."""
        out: dict[str, dict[str, list[LogRow]]] = defaultdict(lambda: defaultdict(list))
        for row in self.rows:
            out[row.body][row.compact].append(row)
        return {b: dict(c) for b, c in out.items()}


def _consultation_outcome(view: CheckResult | None) -> str:
    """A consultation's outcome is its verdict (it does not change with time)."""
    if view is None:
        return "no_rule"
    if view.finding == "excluded":
        return "excluded"
    if view.finding == "below_minimum" and view.strength in DRAFT:
        return "below_draft_example"  # a draft's example: never counted as a breach
    return {
        "meets": "met",
        "explain": "explain",
        "short": "short",
        "breach": "below_minimum",
    }.get(view.verdict, "no_rule")


def current(view: CheckResult, record: ItemRecord, as_of: date) -> tuple[str | None, Verdict]:
    """The finding and verdict of the latest check as of ``as_of``: what the chat said, moved
    on only by the lapses that check itself planned (a deadline passed with nothing recorded
    while the item stayed open)."""
    finding, verdict = view.finding, view.verdict
    if record.status == "open":
        for lapse in view.lapses:
            if as_of > lapse.after:
                finding, verdict = lapse.finding, lapse.verdict
    return finding, verdict


def _funding_outcome(
    view: CheckResult, record: ItemRecord, as_of: date
) -> tuple[str, Verdict, int | None, date | None]:
    """A funding change's outcome, verdict, days off and deadline, from its latest check."""
    deadlines = view.deadlines
    notice_by = deadlines.get("notice_by")
    start_by = deadlines.get("consultation_start_by")
    finding, verdict = current(view, record, as_of)
    if finding is None:  # a check logged before findings were recorded
        return _legacy_funding_outcome(view, record, as_of)
    given, started = record.notice_given_on, record.consultation_started_on
    if given is None and record.status != "open" and finding != "no_rule":
        # Closed by the group with no notice recorded (the funding went on, say): nothing more
        # is owed; the verdict the chat last gave stays beside it.
        return "closed", verdict, None, notice_by
    if finding == "late" and notice_by is not None and given is not None:
        return finding, verdict, days_between(notice_by, given), notice_by
    if finding == "missed" and notice_by is not None:
        return finding, verdict, max(0, days_between(notice_by, as_of)), notice_by
    if finding == "consultation_late" and start_by is not None and started is not None:
        return finding, verdict, days_between(start_by, started), start_by
    if finding == "consultation_missed" and start_by is not None:
        return finding, verdict, max(0, days_between(start_by, as_of)), start_by
    if finding in OUTCOMES["funding"]:
        return finding, verdict, None, notice_by
    return "no_rule", verdict, None, notice_by


def _legacy_funding_outcome(
    view: CheckResult, record: ItemRecord, as_of: date
) -> tuple[str, Verdict, int | None, date | None]:
    """The outcome of a check logged before checks said what they found: from the dates."""
    deadline = view.deadlines.get("notice_by")
    given = record.notice_given_on
    if deadline is None:
        return "no_rule", view.verdict, None, None
    if given is not None:
        late = given > deadline
        days = days_between(deadline, given) if late else None
        return ("late" if late else "on_time"), view.verdict, days, deadline
    if record.status != "open":
        return "closed", view.verdict, None, deadline
    if deadline < as_of:
        return "missed", view.verdict, days_between(deadline, as_of), deadline
    return "not_due", view.verdict, None, deadline


def item_rows(
    record: ItemRecord, body: str, as_of: date, promises_feedback: frozenset[str] | None = None
) -> list[LogRow]:
    """An item as each of its Compacts sees it, as of ``as_of``: the outcome of each row is
    the verdict the chat last gave (at registration or at the latest re-check)."""
    views: list[CheckResult | None] = [*record.compacts.values()] or [None]
    rows = []
    for view in views:
        compact = view.compact if view else NO_COMPACT
        verdict: Verdict = view.verdict if view else "no_rule"
        deadlines = view.deadlines if view else {}
        days: int | None = None
        deadline: date | None = None
        if record.kind == "consultation":
            outcome = _consultation_outcome(view)
            closes = record.closes
            target = deadlines.get("standard_close") or deadlines.get("minimum_close")
            if closes is not None and target is not None and closes < target:
                days = days_between(closes, target)
            deadline = closes
        elif record.kind == "funding":
            if view is None:
                outcome = "no_rule"
            else:
                outcome, verdict, days, deadline = _funding_outcome(view, record, as_of)
        else:
            if record.status == "open":
                outcome = "open"
            else:
                outcome = (
                    record.outcome if record.outcome in ("resolved", "unresolved") else "closed"
                )
            end = record.closed_at.date() if record.closed_at else as_of
            days = max(0, days_between(record.key_date, end))
            if verdict == "meets":
                # Logged before complaints had their own verdict: a complaint never "meets".
                verdict = "procedure"
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
                and record.closes < as_of
                and (
                    promises_feedback is None or view is None or view.compact in promises_feedback
                ),
                notice_given_on=record.notice_given_on,
                steps_done=len(record.steps_done),
            )
        )
    return rows


def why_open(record: ItemRecord, promises_feedback: frozenset[str] | None, as_of: date) -> str:
    """Why an open item is still open, in a few words: what is still to come, or that
    nothing more is owed and the group can close it."""
    n = record.item_id
    if record.kind == "consultation":
        closes = record.closes
        if closes is not None and closes >= as_of:
            return f"it runs to {closes.day} {closes:%B %Y}"
        if any(promises_feedback is None or c in promises_feedback for c in record.compacts):
            return "feedback not yet recorded (/feedback " + str(n) + " DATE)"
    elif record.kind == "funding":
        if record.notice_given_on is None and any(
            v.deadlines.get("notice_by") for v in record.compacts.values()
        ):
            return "no notice recorded yet (/notice " + str(n) + " DATE)"
        if record.event.last_funded_day >= as_of:  # type: ignore[union-attr]
            return "its funding has not ended yet"
    else:
        return "the complaint is not yet resolved"
    return f"nothing more is owed under its Compacts: /done {n} closes it"


def body_name(record: ItemRecord) -> str:
    return " ".join((record.body or "").split()) or NO_BODY


def _body_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def build_report(
    records: list[ItemRecord],
    *,
    year: int | None,
    as_of: date,
    body: str | None = None,
    chat_title: str | None = None,
    promises_feedback: frozenset[str] | None = None,
) -> Report:
    """The report for items whose date (opening, last funded day, raising) falls in ``year``,
    or, with no year, in the twelve months to ``as_of`` plus every item still open;
    optionally only for public bodies whose name contains ``body``.  Feedback is counted
    only under the Compacts in ``promises_feedback`` (those that promise it)."""
    wanted = _body_key(body) if body else None
    names: dict[str, str] = {}  # first spelling seen of each body, so "KCC" and "kcc" merge
    # Twelve months back by the corresponding-date rule (29 February → 28 February).
    since = None if year is not None else as_of - relativedelta(months=12)
    report = Report(year or as_of.year, as_of, chat_title, body, [], since=since)
    for record in records:
        if since is not None:
            if not (since < record.key_date <= as_of or record.status == "open"):
                continue
        elif record.key_date.year != year:
            continue
        name = body_name(record)
        key = _body_key(name)
        if wanted is not None and wanted not in key:
            continue
        if record.status == "cancelled":
            report.cancelled.append(record.item_id)
            continue
        report.rows += item_rows(record, names.setdefault(key, name), as_of, promises_feedback)
        if record.status == "open":
            report.still_open[record.item_id] = why_open(record, promises_feedback, as_of)
    return report
