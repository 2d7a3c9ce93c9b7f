"""The checks every Compact shares, driven by its data file.  Pure: "today" is passed in.

A Compact's own plugin calls these and adds only what is particular to it.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.deadlines import (
    add_period,
    consultation_length_days,
    days_between,
    latest_start,
    reminder_days,
)
from bot.domain.events import (
    AnyEvent,
    ComplaintRaised,
    ComplaintStepCompleted,
    ConsultationClosed,
    ConsultationLaunched,
    FundingEnding,
)
from bot.domain.verdicts import CheckResult, ProcedureStep, ReminderPlan, Verdict, cite, cite_all
from compacts.models import Compact, ComplaintStep, Period


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _draft_caveat(compact: Compact, result: CheckResult) -> CheckResult:
    if compact.is_draft:
        result.reasons.append(
            f"{compact.short_name} is a consultation draft: its numbers are proposals, "
            "not agreed terms."
        )
    return result


def _weeks_and_days(days: int) -> str:
    weeks, rest = divmod(days, 7)
    if rest == 0:
        return _plural(weeks, "week")
    if weeks == 0:
        return _plural(rest, "day")
    return f"{_plural(weeks, 'week')} {_plural(rest, 'day')}"


def check_consultation(compact: Compact, event: ConsultationLaunched, today: date) -> CheckResult:
    """Length of a consultation against the Compact's standard and minimum."""
    rule = compact.obligations.consultation
    length = consultation_length_days(event.opens, event.closes)
    result = CheckResult(
        compact=compact.code,
        compact_name=compact.short_name,
        kind="consultation",
        verdict="no_rule",
        length_days=length,
        citations=cite_all(compact, rule.commitments),
    )
    result.reminders = consultation_reminders(compact, event, today)
    if rule.standard is None and rule.minimum is None:
        result.reasons.append(
            rule.note or f"{compact.short_name} sets no length for consultations."
        )
        return _draft_caveat(compact, result)

    described = f"This consultation runs {_weeks_and_days(length)}"
    verdict: Verdict = "meets"
    if rule.standard is not None:
        standard_close = add_period(event.opens, rule.standard)
        result.deadlines["standard_close"] = standard_close
        result.demand_days = days_between(event.opens, standard_close)
        qualifier = f" {rule.standard_qualifier}" if rule.standard_qualifier else ""
        if event.closes >= standard_close:
            result.reasons.append(
                f"{described}: it meets the {rule.standard.describe()} "
                f"{compact.short_name} asks for{qualifier}."
            )
        else:
            short = days_between(event.closes, standard_close)
            verdict = "breach" if rule.shorter_allowed == "no" else "explain"
            result.reasons.append(
                f"{described}, {_plural(short, 'day')} short of the "
                f"{rule.standard.describe()} {compact.short_name} asks for{qualifier} "
                f"(it would have to close on or after {_day(standard_close)})."
            )
            result.reasons.append(_shorter_clause(rule.shorter_allowed))
    if rule.minimum is not None:
        minimum_close = add_period(event.opens, rule.minimum)
        result.deadlines["minimum_close"] = minimum_close
        if result.demand_days is None:
            result.demand_days = days_between(event.opens, minimum_close)
        if event.closes < minimum_close:
            if rule.minimum_is_hard:
                verdict = "breach"
                result.reasons.append(
                    f"It is below the minimum of {rule.minimum.describe()}: "
                    f"it would have to close on or after {_day(minimum_close)}."
                )
            else:
                verdict = "explain"
                result.reasons.append(
                    f"It is below the minimum of {rule.minimum.describe()}; the Compact "
                    "says the public body must explain why."
                )
    result.verdict = verdict
    return _draft_caveat(compact, result)


def _shorter_clause(shorter_allowed: str) -> str:
    if shorter_allowed == "when_circumstances_dictate":
        return "A shorter period is acceptable only when circumstances dictate: ask what they are."
    if shorter_allowed == "no":
        return "The Compact allows no shorter period."
    return "A shorter period needs a clear explanation and rationale: ask for it in writing."


def consultation_reminders(
    compact: Compact, event: ConsultationLaunched, today: date
) -> list[ReminderPlan]:
    plans = [
        ReminderPlan(
            due=day,
            text=(
                f"'{event.title}' closes on {_day(event.closes)} "
                f"({_plural(days_between(day, event.closes), 'day')} left): "
                "send your response in time."
            ),
            key=f"close-{days_between(day, event.closes)}",
        )
        for day in reminder_days(event.closes, today)
    ]
    feedback = compact.obligations.consultation_feedback
    after = event.closes + timedelta(days=1)
    if feedback.required and after >= today:
        when = (
            f" within {feedback.within.describe()}"
            if feedback.within
            else " (the Compact sets no time for it)"
        )
        plans.append(
            ReminderPlan(
                due=after,
                text=(
                    f"'{event.title}' has closed: {compact.short_name} says feedback on the "
                    f"consultation is owed{when}."
                ),
                key=f"feedback-{compact.code}",
            )
        )
    return plans


def check_consultation_closed(
    compact: Compact, event: ConsultationClosed, today: date
) -> CheckResult:
    """Feedback owed after a consultation closes."""
    rule = compact.obligations.consultation_feedback
    result = CheckResult(
        compact=compact.code,
        compact_name=compact.short_name,
        kind="consultation_closed",
        verdict="no_rule",
        citations=cite_all(compact, rule.commitments),
    )
    if not rule.required:
        result.reasons.append(
            rule.note or f"{compact.short_name} does not promise feedback after a consultation."
        )
        return result
    result.verdict = "meets"
    if rule.within is None:
        result.reasons.append(
            f"{compact.short_name} says feedback on the consultation is owed; "
            "it sets no time for it."
        )
        return result
    due = add_period(event.closed_on, rule.within)
    result.deadlines["feedback_by"] = due
    result.demand_days = days_between(event.closed_on, due)
    if today > due:
        result.verdict = "breach"
        result.reasons.append(f"Feedback was due by {_day(due)}.")
    else:
        result.reasons.append(f"Feedback is due by {_day(due)}.")
        result.reminders = [
            ReminderPlan(
                due=d,
                text=f"Feedback on '{event.title}' is due by {_day(due)}.",
                key=f"feedback-{days_between(d, due)}",
            )
            for d in reminder_days(due, today, (7, 1))
        ]
    return result


def check_funding(compact: Compact, event: FundingEnding, today: date) -> CheckResult:
    """Notice (and consultation before notice) owed before funding ends or changes."""
    rule = compact.obligations.funding_change
    result = CheckResult(
        compact=compact.code,
        compact_name=compact.short_name,
        kind="funding",
        verdict="no_rule",
        citations=cite_all(compact, rule.commitments),
        deadlines={"consultation_start_by": None, "notice_by": None},
    )
    if rule.notice is None and rule.consultation_before_notice is None:
        result.reasons.append(
            rule.note or f"{compact.short_name} sets no notice period for ending funding."
        )
        return _draft_caveat(compact, result)

    ends = event.last_funded_day
    verdict: Verdict = "meets"
    written = " in writing" if rule.notice_in_writing else ""
    notice_by = latest_start(ends, rule.notice) if rule.notice else ends
    if rule.notice is not None:
        result.deadlines["notice_by"] = notice_by
        kind = (
            "at least " if rule.notice_is_minimum else ("usually " if rule.notice_is_usual else "")
        )
        result.reasons.append(
            f"{compact.short_name} asks for {kind}{rule.notice.possessive()} notice{written}: "
            f"to end funding after {_day(ends)} it must be given by {_day(notice_by)}."
        )
        verdict = _worse(
            verdict, _notice_verdict(rule.notice_is_usual, event, notice_by, today, result)
        )
    start_by: date | None = None
    if rule.consultation_before_notice is not None:
        start_by = latest_start(notice_by, rule.consultation_before_notice)
        result.deadlines["consultation_start_by"] = start_by
        result.reasons.append(
            f"Before notice, a {rule.consultation_before_notice.adjective()} consultation is "
            f"owed: it must start by {_day(start_by)}."
        )
        verdict = _worse(verdict, _consultation_start_verdict(event, start_by, today, result))
    if rule.rationale_required:
        result.reasons.append("The decision must come with a clear rationale.")
    if rule.qualifier:
        result.reasons.append(f"The Compact also asks for {rule.qualifier}.")
    earliest = start_by or notice_by
    result.demand_days = days_between(earliest, ends)
    result.verdict = verdict
    result.reminders = funding_reminders(
        event, notice_by if rule.notice else None, start_by, today, written
    )
    return _draft_caveat(compact, result)


def _notice_verdict(
    usual: bool, event: FundingEnding, notice_by: date, today: date, result: CheckResult
) -> Verdict:
    given = event.notice_given_on
    if given is not None:
        if given <= notice_by:
            result.reasons.append(f"Notice given on {_day(given)} was in time.")
            return "meets"
        late = days_between(notice_by, given)
        result.reasons.append(f"Notice given on {_day(given)} was {_plural(late, 'day')} late.")
        return "explain" if usual else "breach"
    if today > notice_by:
        result.reasons.append(
            f"No notice is recorded and {_day(notice_by)} has passed: "
            "the notice period can no longer be met for this end date."
        )
        return "explain" if usual else "breach"
    result.reasons.append(
        "No notice yet: it can still be given in time "
        f"({_plural(days_between(today, notice_by), 'day')} left)."
    )
    return "meets"


def _consultation_start_verdict(
    event: FundingEnding, start_by: date, today: date, result: CheckResult
) -> Verdict:
    started = event.consultation_started_on
    if started is not None:
        if started <= start_by:
            result.reasons.append(f"The consultation that started on {_day(started)} was in time.")
            return "meets"
        result.reasons.append(
            f"The consultation started on {_day(started)}, "
            f"{_plural(days_between(start_by, started), 'day')} late."
        )
        return "breach"
    if today > start_by:
        result.reasons.append(
            f"No consultation is recorded and {_day(start_by)} has passed: "
            "if none started by then, the Compact's timetable is already missed."
        )
        return "breach"
    return "meets"


def _worse(a: Verdict, b: Verdict) -> Verdict:
    order = ["no_rule", "meets", "explain", "breach"]
    return a if order.index(a) >= order.index(b) else b


def funding_reminders(
    event: FundingEnding,
    notice_by: date | None,
    start_by: date | None,
    today: date,
    written: str,
) -> list[ReminderPlan]:
    plans: list[ReminderPlan] = []
    if start_by is not None and event.consultation_started_on is None:
        plans += [
            ReminderPlan(
                due=d,
                text=(
                    f"{event.title}: the consultation on ending it must start by "
                    f"{_day(start_by)} ({_plural(days_between(d, start_by), 'day')} left)."
                ),
                key=f"consult-{days_between(d, start_by)}",
            )
            for d in reminder_days(start_by, today)
        ]
    if notice_by is not None and event.notice_given_on is None:
        plans += [
            ReminderPlan(
                due=d,
                text=(
                    f"{event.title}: notice{written} must be given by {_day(notice_by)} "
                    f"({_plural(days_between(d, notice_by), 'day')} left) to end funding after "
                    f"{_day(event.last_funded_day)}."
                ),
                key=f"notice-{days_between(d, notice_by)}",
            )
            for d in reminder_days(notice_by, today)
        ]
    return plans


def complaint_steps(compact: Compact, against: str) -> list[ProcedureStep]:
    procedure = compact.obligations.complaints
    steps: list[ComplaintStep] = (
        procedure.against_public if against == "public" else procedure.against_vcs
    ) or []
    return [
        ProcedureStep(
            n=i,
            summary=step.summary,
            citation=cite(compact, step.commitment),
        )
        for i, step in enumerate(steps, start=1)
    ]


def check_complaint(compact: Compact, event: ComplaintRaised, today: date) -> CheckResult:
    """The procedure that applies to a complaint, and when a reply is due."""
    procedure = compact.obligations.complaints
    steps = complaint_steps(compact, event.against)
    who = "a public body" if event.against == "public" else "a voluntary or community group"
    result = CheckResult(
        compact=compact.code,
        compact_name=compact.short_name,
        kind="complaint",
        verdict="meets" if steps else "no_rule",
        steps=steps,
        citations=[s.citation for s in steps] or cite_all(compact, procedure.commitments),
    )
    if steps:
        result.reasons.append(
            f"{compact.short_name} sets a {len(steps)}-step procedure when {who} "
            f"is said to have broken it. Step 1: {steps[0].summary}."
        )
    else:
        result.reasons.append(
            procedure.note or f"{compact.short_name} sets no complaints procedure."
        )
    _reply_due(compact, event.raised_on, today, result, "your complaint")
    return _draft_caveat(compact, result)


def check_complaint_step(
    compact: Compact, event: ComplaintStepCompleted, today: date
) -> CheckResult:
    steps = complaint_steps(compact, event.against)
    result = CheckResult(
        compact=compact.code,
        compact_name=compact.short_name,
        kind="complaint_step",
        verdict="meets" if steps else "no_rule",
        steps=steps,
    )
    following = [s for s in steps if s.n == event.step + 1]
    if following:
        nxt = following[0]
        result.citations = [nxt.citation]
        result.reasons.append(f"Next, step {nxt.n}: {nxt.summary}.")
    elif steps:
        result.reasons.append("That was the last step of the procedure.")
    else:
        result.reasons.append(
            compact.obligations.complaints.note
            or f"{compact.short_name} sets no complaints procedure."
        )
    _reply_due(compact, event.completed_on, today, result, f"step {event.step}")
    return result


def _reply_due(compact: Compact, since: date, today: date, result: CheckResult, what: str) -> None:
    rule = compact.obligations.correspondence
    if rule.response is None:
        return
    due = add_period(since, rule.response)
    result.deadlines["reply_by"] = due
    result.demand_days = days_between(since, due)
    qualifier = (
        f" ({rule.qualifier} reply within {rule.response.describe()})" if rule.qualifier else ""
    )
    result.reasons.append(f"A reply to {what} is due by {_day(due)}{qualifier}.")
    result.citations += cite_all(compact, rule.commitments)
    if due >= today:
        result.reminders.append(
            ReminderPlan(
                due=due,
                text=(
                    f"A reply to {what} is due today under {compact.short_name} "
                    f"({rule.response.describe()} for correspondence)."
                ),
                key=f"reply-{what}",
            )
        )


def period_text(period: Period | None) -> str:
    return period.describe() if period else "no number"


def default_check(compact: Compact, event: AnyEvent, today: date) -> CheckResult:
    """The shared, data-driven check of ``event`` under ``compact``.

    Every Compact gets this unless its plugin answers ``compactbot_check`` itself; a plugin
    that only adds to it calls this and returns ``result.model_copy(update=...)``."""
    if isinstance(event, ConsultationLaunched):
        return check_consultation(compact, event, today)
    if isinstance(event, ConsultationClosed):
        return check_consultation_closed(compact, event, today)
    if isinstance(event, FundingEnding):
        return check_funding(compact, event, today)
    if isinstance(event, ComplaintRaised):
        return check_complaint(compact, event, today)
    if isinstance(event, ComplaintStepCompleted):
        return check_complaint_step(compact, event, today)
    raise TypeError(f"no check for {type(event).__name__}")
