"""The checks every Compact shares, driven by its data file.  Pure: "today" is passed in.

A Compact's own plugin calls these and adds only what is particular to it.  Every sentence
about a duty takes its words from the obligation's recorded strength (``bot.domain.duty``):
a "usually" is "should usually", an explanation is "owed" only where the text promises one
and only below the figure it names, and where the text is silent the reply says so.
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
from bot.domain.duty import DRAFT, SOFT, asks, modal, owed, sets, shortfall_verdict, strength_of
from bot.domain.events import (
    AnyEvent,
    ComplaintRaised,
    ComplaintStepCompleted,
    ConsultationClosed,
    ConsultationLaunched,
    FundingEnding,
)
from bot.domain.verdicts import (
    SEVERITY,
    CheckResult,
    Lapse,
    ProcedureStep,
    ReminderPlan,
    Verdict,
    cite,
    cite_all,
)
from compacts.models import Compact, ConsultationRule, FundingChangeRule, Period, Strength


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def status_caveat(compact: Compact) -> str | None:
    """What kind of document the figures come from, when it is not an adopted Compact."""
    if compact.is_draft:
        return (
            f"{compact.short_name} is a consultation draft: its numbers are proposals, "
            "not agreed terms."
        )
    if compact.status == "consultation_version":
        return (
            f"{compact.short_name}'s text says it comes before the end of a consultation "
            "period and does not say it was adopted; its words are quoted as written."
        )
    return None


def _status_caveat(compact: Compact, result: CheckResult) -> CheckResult:
    caveat = status_caveat(compact)
    if caveat is not None:
        result.reasons.append(caveat)
    return result


def weeks_and_days(days: int) -> str:
    """A length as people say it: "12 weeks", "10 weeks 3 days", "5 days"."""
    weeks, rest = divmod(days, 7)
    if rest == 0:
        return _plural(weeks, "week")
    if weeks == 0:
        return _plural(rest, "day")
    return f"{_plural(weeks, 'week')} {_plural(rest, 'day')}"


# --------------------------------------------------------------------------- consultations


def check_consultation(compact: Compact, event: ConsultationLaunched, today: date) -> CheckResult:
    """Length of a consultation against the Compact's standard and minimum.

    Where the standard is a total across formal rounds (``standard_is_total``), the earlier
    rounds the group gives count toward it, and the minimum applies to this round alone."""
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
    if event.statutory and rule.statutory_exclusion is not None:
        return _status_caveat(compact, _excluded(compact, rule.statutory_exclusion, result))
    result.reminders = consultation_reminders(compact, event, today)
    if rule.standard is None and rule.minimum is None:
        result.finding = "no_rule"
        result.reasons.append(
            rule.note or f"{compact.short_name} sets no length for consultations."
        )
        return _status_caveat(compact, result)

    strength = strength_of(rule)
    result.strength = strength
    name = compact.short_name
    earlier = event.earlier_rounds_days if rule.standard_is_total else 0
    start = event.opens - timedelta(days=earlier)
    verdict: Verdict = "meets"
    finding = "met"
    required = event.opens
    below_minimum = False
    minimum_close: date | None = None
    if rule.minimum is not None:
        minimum_close = add_period(event.opens, rule.minimum)
        result.deadlines["minimum_close"] = minimum_close
        required = minimum_close
        below_minimum = event.closes < minimum_close

    if rule.standard is not None:
        full = add_period(start, rule.standard)
        standard_close = max(full, event.opens)
        result.deadlines["standard_close"] = standard_close
        required = max(required, standard_close)
        asked = f"the {rule.standard.describe()} {name} {asks(strength)}"
        if earlier:
            total = earlier + length
            described = (
                f"With earlier rounds of {_plural(earlier, 'day')}, consultation on this matter "
                f"totals {total} of the {days_between(start, full)} days "
                f"({rule.standard.describe()}) {name} {asks(strength)}"
            )
        else:
            described = f"This consultation runs {weeks_and_days(length)}"
        if event.closes >= standard_close:
            met = f"{described}: it meets it" if earlier else f"{described}: it meets {asked}"
            result.reasons.append(f"{met}.")
        else:
            short = days_between(event.closes, standard_close)
            if earlier:
                result.reasons.append(
                    f"{described}: {_plural(short, 'day')} short (this round would have to "
                    f"close on or after {_day(standard_close)})."
                )
            else:
                result.reasons.append(
                    f"{described}, {_plural(short, 'day')} short of {asked} "
                    f"(it would have to close on or after {_day(standard_close)})."
                )
            finding = "short"
            verdict = _shorter_verdict(rule, strength)
            if not below_minimum:
                result.reasons.append(_shorter_clause(compact, rule))

    if rule.minimum is not None and minimum_close is not None:
        per_round = " for any single formal consultation period" if rule.standard_is_total else ""
        minimum = f"the minimum of {rule.minimum.describe()}{per_round}"
        if below_minimum:
            finding = "below_minimum"
            if strength in DRAFT:
                # "For example:" in a consultation draft: a figure put to respondents, which
                # nobody agreed to; falling below it is said, never called a breach.
                verdict = "short"
                result.reasons.append(
                    f"It is below {minimum} {name} {asks(strength)}, a figure in a "
                    "consultation draft, not an agreed term: falling below it is no breach, "
                    "and the draft promises no explanation for it (it would reach it by "
                    f"closing on or after {_day(minimum_close)})."
                )
            elif rule.minimum_is_hard:
                verdict = "breach"
                result.reasons.append(
                    f"It is below {minimum} {name} {asks(strength)}: it would have to close "
                    f"on or after {_day(minimum_close)}."
                )
            else:
                verdict = "explain"
                words = f"“{rule.shortfall_words}”" if rule.shortfall_words else "it will explain"
                subject = "This round is" if earlier else "It is"
                result.reasons.append(
                    f"{subject} below {minimum}; for that {name} says {words}: "
                    "an explanation is owed."
                )
        elif earlier:
            result.reasons.append(f"This round runs {weeks_and_days(length)}, at least {minimum}.")

    result.demand_days = days_between(event.opens, required)
    result.demand_date = required
    result.verdict = verdict
    result.finding = finding
    return _status_caveat(compact, result)


def _shorter_verdict(rule: ConsultationRule, strength: Strength) -> Verdict:
    """The verdict on a consultation shorter than the standard (not below any minimum)."""
    if strength in DRAFT:
        return "short"  # a draft's figure is a proposal: never a breach, nothing owed
    if rule.shorter_allowed == "no":
        return "breach"
    if rule.shorter_allowed == "with_explanation":
        return "explain"
    if rule.shorter_allowed == "when_circumstances_dictate":
        return "short"
    return "short" if strength in SOFT else "breach"


def _shorter_clause(compact: Compact, rule: ConsultationRule) -> str:
    """What the Compact attaches to a period shorter than its standard, in its own words."""
    name = compact.short_name
    words = f"“{rule.shortfall_words}”" if rule.shortfall_words else None
    if rule.shorter_allowed == "with_explanation":
        said = f" ({words})" if words else ""
        return (
            f"For a shorter period {name} asks for an explanation{said}: "
            "one is owed. Ask for it in writing."
        )
    if rule.shorter_allowed == "when_circumstances_dictate":
        said = words or "a shorter period is acceptable when circumstances dictate"
        return f"{name}: {said} It promises no explanation."
    if rule.shorter_allowed == "no":
        return f"{name} allows no shorter period."
    if rule.minimum is not None and rule.standard is not None:
        return (
            f"{name} attaches nothing to a period between {rule.minimum.describe()} and "
            f"{rule.standard.describe()}: it promises no explanation for it."
        )
    return f"{name} does not say what follows from a shorter period: it promises no explanation."


def _excluded(compact: Compact, clause_id: str, result: CheckResult) -> CheckResult:
    """The group said the consultation is required by statute, and the Compact leaves such
    consultations out: no verdict, deadlines, reminders or warnings; the clause, whole."""
    clause = cite(compact, clause_id)
    result.verdict = "no_rule"
    result.finding = "excluded"
    result.citations = [clause]
    result.reasons.append(
        f"You said this consultation is required by statute. {compact.short_name}'s "
        "consultation code does not cover consultations required by statute; its clause is "
        "quoted whole below."
    )
    return result


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
                    f"consultation {owed(strength_of(feedback))}{when}."
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
    strength = strength_of(rule)
    result.strength = strength
    result.verdict = "meets"
    if rule.within is None:
        result.reasons.append(
            f"{compact.short_name} says feedback on the consultation {owed(strength)}; "
            "it sets no time for it."
        )
        return result
    due = add_period(event.closed_on, rule.within)
    result.deadlines["feedback_by"] = due
    result.demand_days = days_between(event.closed_on, due)
    result.demand_date = due
    if today > due:
        result.verdict = shortfall_verdict(strength)
        result.reasons.append(f"Feedback {modal(strength)} have come by {_day(due)}.")
    else:
        result.reasons.append(f"Feedback {modal(strength)} come by {_day(due)}.")
        result.reminders = [
            ReminderPlan(
                due=d,
                text=f"Feedback on '{event.title}' {modal(strength)} come by {_day(due)}.",
                key=f"feedback-{days_between(d, due)}",
            )
            for d in reminder_days(due, today, (7, 1))
        ]
    return result


# --------------------------------------------------------------------------- funding

FUNDING_FINDINGS = (
    "notice_before_consultation",
    "late",
    "missed",
    "consultation_late",
    "consultation_missed",
    "no_rationale",
    "consultation_unknown",
    "rationale_unknown",
    "not_due",
    "on_time",
)
"""What a funding check can find, the one a report counts first: the Compact's order broken
(notice before the consultation had run), notice late or missing, the consultation before it
late or missing, no rationale given; then what turns on a fact not known (has a consultation
started? did a rationale come?); not yet due, all in time.  Every one of them is in the
verdict's reasons."""


def _first_finding(found: list[str]) -> str:
    return min(found, key=FUNDING_FINDINGS.index)


def _worse(a: Verdict, b: Verdict) -> Verdict:
    return a if SEVERITY[a] >= SEVERITY[b] else b


def notice_terms(rule: FundingChangeRule, notice: Period) -> str:
    """What the Compact asks for, in its terms: "at least 3 months' notice in writing",
    "as much warning as possible, usually 6 months or more"."""
    written = " in writing" if rule.notice_in_writing else ""
    if rule.notice_is_usual:
        usual = f"usually {notice.describe()} or more"
        return f"{rule.qualifier}, {usual}" if rule.qualifier else f"{rule.notice_word}, {usual}"
    least = "at least " if rule.notice_is_minimum else ""
    terms = f"{least}{notice.possessive()} {rule.notice_word}{written}"
    return f"{rule.qualifier}: {terms}" if rule.qualifier else terms


def consultation_start_by(notice_by: date, period: Period) -> date:
    """The last day a consultation that must run ``period`` "prior to" notice can start, for
    notice due by ``notice_by``: prior to means before, so the consultation's period is over
    the day before notice at the latest (notice on the day it ends is not after it)."""
    return latest_start(notice_by - timedelta(days=1), period)


def _item(event: FundingEnding) -> str:
    return str(event.item_id) if event.item_id is not None else "ID"


def check_funding(compact: Compact, event: FundingEnding, today: date) -> CheckResult:
    """Notice (and consultation before notice, and a rationale) owed before funding ends or
    changes, judged on what is recorded; what turns on a fact not known is said as an "if"."""
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
        result.finding = "no_rule"
        result.reasons.append(
            rule.note or f"{compact.short_name} sets no notice period for ending funding."
        )
        return _status_caveat(compact, result)

    strength = strength_of(rule)
    result.strength = strength
    ends = event.last_funded_day
    notice_by = latest_start(ends, rule.notice) if rule.notice else ends
    start_by: date | None = None
    if today > ends:
        result.reasons.append(f"This funding has ended: its last funded day was {_day(ends)}.")
    if rule.notice is not None:
        result.deadlines["notice_by"] = notice_by
        result.reasons.append(
            f"{compact.short_name} asks for {notice_terms(rule, rule.notice)}: to end funding "
            f"after {_day(ends)} it {modal(strength)} be given by {_day(notice_by)}."
        )
    if rule.consultation_before_notice is not None:
        start_by = consultation_start_by(notice_by, rule.consultation_before_notice)
        result.deadlines["consultation_start_by"] = start_by
        result.reasons.append(
            f"Before {rule.notice_word}, a {rule.consultation_before_notice.adjective()} "
            f"consultation {owed(strength)}, over before {rule.notice_word} comes: it "
            f"{modal(strength)} start by {_day(start_by)}."
        )
    verdict, finding, said = _assess_funding(compact, event, notice_by, start_by, today)
    result.reasons += said
    result.lapses = _funding_lapses(compact, event, notice_by, start_by, today, (verdict, finding))
    earliest = start_by or notice_by
    result.demand_days = days_between(earliest, ends)
    result.demand_date = earliest
    result.verdict = verdict
    result.finding = finding
    result.reminders = funding_reminders(
        compact, event, notice_by if rule.notice else None, start_by, today
    )
    return _status_caveat(compact, result)


def _assess_funding(
    compact: Compact,
    event: FundingEnding,
    notice_by: date,
    start_by: date | None,
    today: date,
) -> tuple[Verdict, str, list[str]]:
    """The verdict, finding and reasons for what is recorded as of ``today``."""
    rule = compact.obligations.funding_change
    strength = strength_of(rule)
    verdict: Verdict = "meets"
    found: list[str] = []
    said: list[str] = []
    if rule.notice is not None:
        v, f = _notice_verdict(compact, event, notice_by, today, said)
        verdict, found = _worse(verdict, v), [*found, f]
    if start_by is not None:
        v, started = _consultation_start_verdict(compact, event, start_by, today, said)
        verdict = _worse(verdict, v)
        found += [started] if started else []
        if _notice_before_consultation(compact, event, said):
            verdict = _worse(verdict, shortfall_verdict(strength))
            found.append("notice_before_consultation")
    if rule.rationale_required:
        v, f_rationale = _rationale_verdict(compact, event, today, said)
        verdict = _worse(verdict, v)
        found += [f_rationale] if f_rationale else []
    return verdict, _first_finding(found or ["on_time"]), said


def _rationale_verdict(
    compact: Compact, event: FundingEnding, today: date, said: list[str]
) -> tuple[Verdict, str | None]:
    """A Compact that asks for "a clear rationale" with the decision: given, not given, or
    not known (conditional once the decision is out: notice given or the funding ended)."""
    name = compact.short_name
    must = modal(strength_of(compact.obligations.funding_change))
    if event.rationale_given is True:
        said.append(f"A rationale came with the decision, as {name} asks.")
        return "meets", None
    if event.rationale_given is False:
        said.append(
            f"You said no rationale was given: {name} says the decision {must} come with a "
            "clear rationale, so that is owed."
        )
        return shortfall_verdict(strength_of(compact.obligations.funding_change)), "no_rationale"
    decided = event.notice_given_on is not None or today > event.last_funded_day
    if not decided:
        said.append(f"The decision {must} come with a clear rationale.")
        return "meets", None
    said.append(
        f"Whether a clear rationale came with the decision is not recorded: if none did, "
        f"that falls short of {name}, which says the decision {must} come with one. "
        f"Say which with /change {_item(event)} rationale yes (or no)."
    )
    return "conditional", "rationale_unknown"


def _notice_before_consultation(compact: Compact, event: FundingEnding, said: list[str]) -> bool:
    """Whether notice came before the consultation that must precede it had run its period.

    "Prior to" means before: a consultation that started on 1 December has run its three
    months on 1 March, so notice given on 2 March is after it, and notice given on 1 March,
    the day it ends, is not.  Said in plain words, never as a negative number of days."""
    rule = compact.obligations.funding_change
    period = rule.consultation_before_notice
    started, given = event.consultation_started_on, event.notice_given_on
    if period is None or started is None or given is None:
        return False
    full = add_period(started, period)
    if given > full:
        return False
    word = rule.notice_word
    must = modal(strength_of(rule))
    if given < started:
        when = f"{_plural(days_between(given, started), 'day')} before the consultation started"
    elif given == started:
        when = "on the day the consultation started"
    elif given == full:
        when = f"on the day the consultation's {period.describe()} ended"
    else:
        when = (
            f"{_plural(days_between(started, given), 'day')} after the consultation started, "
            f"before its {period.describe()} were up"
        )
    said.append(
        f"{word.capitalize()} came {when}: the {period.describe()} of consultation {must} "
        f"come before it, so {word} could not come before {_day(full + timedelta(days=1))}."
    )
    return True


def _funding_lapses(
    compact: Compact,
    event: FundingEnding,
    notice_by: date,
    start_by: date | None,
    today: date,
    now: tuple[Verdict, str],
) -> list[Lapse]:
    """What the result becomes as each deadline still ahead passes with nothing recorded."""
    lapses: list[Lapse] = []
    ends = event.last_funded_day
    deadlines = {d for d in (start_by, notice_by, ends) if d is not None and d >= today}
    for deadline in sorted(deadlines):
        verdict, finding, _ = _assess_funding(
            compact, event, notice_by, start_by, deadline + timedelta(days=1)
        )
        if (verdict, finding) != now:
            lapses.append(Lapse(after=deadline, finding=finding, verdict=verdict))
            now = (verdict, finding)
    return lapses


def _notice_verdict(
    compact: Compact, event: FundingEnding, notice_by: date, today: date, said: list[str]
) -> tuple[Verdict, str]:
    rule = compact.obligations.funding_change
    strength = strength_of(rule)
    word = rule.notice_word
    late: Verdict = shortfall_verdict(strength)
    ends = event.last_funded_day
    attached = ""
    if strength in SOFT and rule.notice is not None:
        beyond = f" beyond asking for {rule.qualifier}" if rule.qualifier else ""
        attached = (
            f" {compact.short_name} attaches nothing to less than the usual "
            f"{rule.notice.describe()}{beyond}."
        )
    given = event.notice_given_on
    if given is not None:
        if given <= notice_by:
            said.append(f"{word.capitalize()} given on {_day(given)} was in time.")
            return "meets", "on_time"
        days = _plural(days_between(notice_by, given), "day")
        if given > ends:
            after = _plural(days_between(ends, given), "day")
            said.append(
                f"{word.capitalize()} given on {_day(given)} came {after} after the funding "
                f"ended ({_day(ends)}); it was due by {_day(notice_by)}, {days} earlier."
                + (attached if strength in SOFT else "")
            )
        elif strength in SOFT:
            said.append(
                f"{word.capitalize()} given on {_day(given)} came {days} after the usual date."
                + attached
            )
        else:
            said.append(f"{word.capitalize()} given on {_day(given)} was {days} late.")
        return late, "late"
    if today > notice_by:
        ended = (
            f"the funding ended on {_day(ends)}"
            if today > ends
            else f"{_day(notice_by)} has passed"
        )
        if strength in SOFT and rule.notice is not None:
            said.append(
                f"No {word} is recorded and {ended}: the usual "
                f"{rule.notice.describe()} can no longer be given for this end date." + attached
            )
        else:
            said.append(
                f"No {word} is recorded and {ended}: "
                f"the {word} period can no longer be met for this end date."
            )
        return late, "missed"
    said.append(
        f"No {word} yet: it can still be given in time "
        f"({_plural(days_between(today, notice_by), 'day')} left)."
    )
    return "meets", "not_due"


def _consultation_start_verdict(
    compact: Compact, event: FundingEnding, start_by: date, today: date, said: list[str]
) -> tuple[Verdict, str | None]:
    """The consultation that must come before notice: started in time, late, said not to
    have started, or not known (a conditional verdict, never a breach, once it matters)."""
    strength = strength_of(compact.obligations.funding_change)
    must = modal(strength)
    late: Verdict = shortfall_verdict(strength)
    started = event.consultation_started_on
    item = _item(event)
    if started is not None:
        if started <= start_by:
            said.append(f"The consultation that started on {_day(started)} was in time.")
            return "meets", None
        said.append(
            f"The consultation started on {_day(started)}, "
            f"{_plural(days_between(start_by, started), 'day')} late."
        )
        return late, "consultation_late"
    due = today > start_by or event.notice_given_on is not None
    known = event.consultation_known
    if known is True:
        if not due:
            said.append("A consultation has started.")
            return "meets", None
        said.append(
            f"A consultation has started, on a day not recorded: if it started by "
            f"{_day(start_by)} it was in time; if later, it was late. "
            f"Record the day with /consulted {item} DATE."
        )
        return "conditional", "consultation_unknown"
    if known is False:
        if not due:
            said.append(
                f"No consultation has started yet: it {must} start by {_day(start_by)} "
                f"({_plural(days_between(today, start_by), 'day')} left)."
            )
            return "meets", None
        without = (
            " The decision was notified without the consultation that must come first."
            if event.notice_given_on is not None
            else ""
        )
        said.append(
            f"You said no consultation has started, and it {must} have started by "
            f"{_day(start_by)}: the Compact's timetable is missed.{without}"
        )
        return late, "consultation_missed"
    if not due:
        return "meets", None
    said.append(
        f"Whether a consultation has started is not recorded: if no consultation has started, "
        f"the Compact's timetable is already missed (it {must} have started by "
        f"{_day(start_by)}); if one started by then, it was in time. Say which with "
        f"/consulted {item} DATE, or /change {item} consulted no."
    )
    return "conditional", "consultation_unknown"


def funding_reminders(
    compact: Compact,
    event: FundingEnding,
    notice_by: date | None,
    start_by: date | None,
    today: date,
) -> list[ReminderPlan]:
    rule = compact.obligations.funding_change
    must = modal(strength_of(rule))
    written = " in writing" if rule.notice_in_writing else ""
    plans: list[ReminderPlan] = []
    if start_by is not None and event.consultation_known is not True:
        plans += [
            ReminderPlan(
                due=d,
                text=(
                    f"{event.title}: the consultation on ending it {must} start by "
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
                    f"{event.title}: {rule.notice_word}{written} {must} be given by "
                    f"{_day(notice_by)} ({_plural(days_between(d, notice_by), 'day')} left) "
                    f"to end funding after {_day(event.last_funded_day)}."
                ),
                key=f"notice-{days_between(d, notice_by)}",
            )
            for d in reminder_days(notice_by, today)
        ]
    return plans


# --------------------------------------------------------------------------- complaints


def complaint_steps(compact: Compact, against: str) -> list[ProcedureStep]:
    """The procedure as the text has it: its ordered steps, then the routes it lists without
    an order, each with whom it is for where the text limits it."""
    procedure = compact.obligations.complaints
    steps = [
        ProcedureStep(n=i, summary=step.summary, citation=cite(compact, step.commitment))
        for i, step in enumerate(procedure.steps(against), start=1)
    ]
    steps += [
        ProcedureStep(
            n=i,
            summary=step.summary,
            citation=cite(compact, step.commitment),
            option=True,
            scope=step.scope,
        )
        for i, step in enumerate(procedure.options(against), start=len(steps) + 1)
    ]
    return steps


def check_complaint(compact: Compact, event: ComplaintRaised, today: date) -> CheckResult:
    """The procedure that applies to a complaint, as the text has it (never a verdict of
    "meets"): its precondition, its steps in order, the routes it lists, or that it has none."""
    procedure = compact.obligations.complaints
    steps = complaint_steps(compact, event.against)
    who = "a public body" if event.against == "public" else "a voluntary or community group"
    result = CheckResult(
        compact=compact.code,
        compact_name=compact.short_name,
        kind="complaint",
        verdict="procedure" if steps else "no_rule",
        steps=steps,
        citations=[s.citation for s in steps] or cite_all(compact, procedure.commitments),
    )
    name = compact.short_name
    if steps:
        strength = strength_of(procedure)
        result.strength = strength
        result.finding = "procedure"
        result.reasons.append(f"{name} {sets(strength)} when {who} is said to have broken it.")
        pre = procedure.precondition(event.against)
        if pre is not None:
            result.citations.insert(0, cite(compact, pre))
            result.reasons.append("It applies only in the case it states, quoted first below.")
    else:
        result.finding = "no_rule"
        result.reasons.append(procedure.note or f"{name} sets no complaints procedure.")
    _correspondence_aside(compact, result)
    _status_caveat(compact, result)
    # Last, so the steps a reply lists follow the sentence that introduces them.
    ordered = [s for s in steps if not s.option]
    options = [s for s in steps if s.option]
    then = ", then the routes it lists in no order:" if options else ":"
    if len(ordered) == 1:
        result.reasons.append(f"Its first step{then}")
    elif ordered:
        result.reasons.append(f"Its {len(ordered)} steps, in the order it gives them{then}")
    elif options:
        result.reasons.append("It lists these routes, in no order:")
    return result


def check_complaint_step(
    compact: Compact, event: ComplaintStepCompleted, today: date
) -> CheckResult:
    steps = complaint_steps(compact, event.against)
    result = CheckResult(
        compact=compact.code,
        compact_name=compact.short_name,
        kind="complaint_step",
        verdict="procedure" if steps else "no_rule",
        finding="procedure" if steps else "no_rule",
        steps=steps,
    )
    if steps:
        result.strength = strength_of(compact.obligations.complaints)
    done = next((s for s in steps if s.n == event.step), None)
    following = [s for s in steps if s.n == event.step + 1 and not s.option]
    options = [s for s in steps if s.option]
    if following:
        nxt = following[0]
        result.citations = [nxt.citation]
        result.reasons.append(f"Next, step {nxt.n}: {nxt.summary}.")
    elif done is not None and done.option:
        result.reasons.append(
            "That was one of the routes the Compact lists; it sets no order among them."
        )
    elif options:
        result.citations = [s.citation for s in options]
        result.reasons.append(
            "The Compact sets no further step in order; it lists these routes, in no order: "
            + "; ".join(s.summary for s in options)
            + "."
        )
    elif steps:
        result.reasons.append("That was the last step of the procedure.")
    else:
        result.reasons.append(
            compact.obligations.complaints.note
            or f"{compact.short_name} sets no complaints procedure."
        )
    return _status_caveat(compact, result)


def _correspondence_aside(compact: Compact, result: CheckResult) -> None:
    """Name a Compact's correspondence rule for what it is: about correspondence in general,
    not a deadline for replying to a complaint (none is derived from it)."""
    rule = compact.obligations.correspondence
    if rule.response is None or not rule.commitments:
        return
    noun = "aim" if strength_of(rule) == "aim" else "rule"
    result.reasons.append(
        f"Separately, {compact.short_name}'s correspondence {noun} is a reply within "
        f"{rule.response.describe()}; it is about correspondence in general, not a deadline "
        "for complaints."
    )
    result.citations += cite_all(compact, rule.commitments)


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
