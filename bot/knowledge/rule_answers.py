"""Plain-language answers built from a Compact's machine-readable obligations.

For the six topics a Compact sets rules on (consultation length, funding notice,
correspondence, consultation feedback, disputes, review) the answer states the
number with its conditions, or says plainly that the Compact sets none.  The
numbers come only from the data file, never from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.domain.checks import notice_terms
from bot.domain.deadlines import add_period
from bot.domain.duty import DRAFT, asks, modal, owed, strength_of
from compacts.models import Compact, ConsultationRule, Period

RULE_TOPICS = (
    "consultation",
    "funding_change",
    "correspondence",
    "consultation_feedback",
    "disputes",
    "review",
)

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_DURATION = re.compile(r"\b(\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")[\s-]*(day|week|month)s?\b")

# A fixed day to compare periods of different units (weeks against months):
# only the order matters, and a non-leap January start keeps months at their shortest.
_REFERENCE_DAY = date(2001, 1, 1)


@dataclass(frozen=True)
class RuleAnswer:
    text: str
    commitments: list[str]
    has_number: bool


def duration_in(question: str) -> Period | None:
    """A length of time mentioned in a question ("is 5 weeks ok?"), if any."""
    m = _DURATION.search(question.lower())
    if not m:
        return None
    raw = m.group(1)
    amount = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
    if amount == 0:
        return None
    return Period(amount=amount, unit=f"{m.group(2)}s")


def shorter(a: Period, b: Period) -> bool:
    return add_period(_REFERENCE_DAY, a) < add_period(_REFERENCE_DAY, b)


def _draft(compact: Compact) -> str:
    return (
        " This is a consultation draft: its numbers are proposals, not agreed terms."
        if compact.is_draft
        else ""
    )


def _q(qualifier: str | None) -> str:
    return f" {qualifier}" if qualifier else ""


def consultation(compact: Compact, asked: Period | None) -> RuleAnswer:
    rule = compact.obligations.consultation
    name = compact.short_name
    if rule.standard is None and rule.minimum is None:
        text = f"{name} sets no length for consultations."
        if rule.note:
            text += f" {rule.note}"
        return RuleAnswer(text, rule.commitments, False)
    parts: list[str] = []
    scope = f" ({rule.applies_to})" if rule.applies_to else ""
    strength = strength_of(rule)
    if rule.standard and strength in DRAFT:
        parts.append(f"{name} {asks(strength)} {rule.standard.describe()} consultation{scope}.")
    elif rule.standard:
        parts.append(
            f"{name}: consultations should run {rule.standard.describe()}"
            f"{_q(rule.standard_qualifier)}{scope}."
        )
    if rule.minimum:
        hard = (
            ""
            if rule.minimum_is_hard
            else f"; if they cannot meet it, the Compact says “{rule.shortfall_words}”"
            if rule.shortfall_words
            else "; if they cannot meet it, an explanation is owed"
        )
        said = f"The minimum is {rule.minimum.describe()}{hard}"
        parts.append(said if said.endswith((".”", "!”")) else f"{said}.")
    if rule.standard:
        parts.append(_shorter(rule))
    if asked is not None:
        parts.append(_judge_consultation(asked, rule))
    return RuleAnswer(" ".join(parts) + _draft(compact), rule.commitments, True)


def _shorter(rule: ConsultationRule) -> str:
    """What the Compact attaches to a period shorter than its standard, and nothing more."""
    words = f" (“{rule.shortfall_words}”)" if rule.shortfall_words else ""
    if rule.shorter_allowed == "with_explanation":
        return f"A shorter period needs an explanation{words}."
    if rule.shorter_allowed == "when_circumstances_dictate":
        return (
            "A shorter timescale is acceptable when circumstances dictate; it promises no "
            "explanation."
        )
    if rule.shorter_allowed == "no":
        return "No shorter period is allowed."
    if rule.minimum and rule.standard:
        return (
            f"It attaches nothing to a period between {rule.minimum.describe()} and "
            f"{rule.standard.describe()}: it promises no explanation for it."
        )
    return "It does not say what follows from a shorter period: it promises no explanation."


def _judge_consultation(asked: Period, rule: ConsultationRule) -> str:
    said = asked.describe()
    standard, minimum = rule.standard, rule.minimum
    if minimum and shorter(asked, minimum):
        if rule.minimum_is_hard:
            proposed = " the draft proposes" if strength_of(rule) in DRAFT else ""
            return f"So {said} is below the minimum{proposed}: not allowed."
        return f"So {said} is below the minimum: an explanation is owed."
    if standard and shorter(asked, standard):
        follows = {
            "with_explanation": "an explanation and rationale are owed",
            "when_circumstances_dictate": (
                "acceptable when circumstances dictate, with no explanation promised"
            ),
            "no": "not allowed",
            "not_said": "the Compact promises no explanation for that",
        }[rule.shorter_allowed]
        return f"So {said} is shorter than the {standard.describe()} standard: {follows}."
    return f"So {said} meets it."


def funding_change(compact: Compact, asked: Period | None) -> RuleAnswer:
    rule = compact.obligations.funding_change
    name = compact.short_name
    if rule.notice is None and rule.consultation_before_notice is None:
        text = f"{name} sets no notice period for ending or changing funding."
        if rule.note:
            text += f" {rule.note}"
        return RuleAnswer(text, rule.commitments, False)
    parts: list[str] = []
    must = modal(strength_of(rule))
    if rule.consultation_before_notice:
        parts.append(
            f"{name}: before ending or changing funding there {must} be a "
            f"{rule.consultation_before_notice.adjective()} consultation, then"
        )
    if rule.notice:
        lead = "" if rule.consultation_before_notice else f"{name}: "
        parts.append(f"{lead}{notice_terms(rule, rule.notice)}.")
    text = " ".join(parts)
    if rule.rationale_required:
        text += f" The decision {must} come with a clear rationale."
    if asked is not None and rule.notice is not None:
        if shorter(asked, rule.notice):
            verdict = (
                "less than the usual period; the Compact promises no explanation for that"
                if rule.notice_is_usual
                else "less than the Compact requires"
            )
            text += f" So {asked.possessive()} notice is {verdict}."
        else:
            text += f" So {asked.possessive()} notice meets it."
    return RuleAnswer(text + _draft(compact), rule.commitments, True)


def correspondence(compact: Compact, asked: Period | None) -> RuleAnswer:
    rule = compact.obligations.correspondence
    name = compact.short_name
    if rule.response is None:
        text = f"{name} sets no time for replying to letters or correspondence."
        if rule.note:
            text += f" {rule.note}"
        return RuleAnswer(text, rule.commitments, False)
    within = rule.response.describe()
    text = f"{name}: they{_q(rule.qualifier)} reply to correspondence within {within}."
    if asked is not None:
        late = shorter(rule.response, asked)
        if strength_of(rule) == "aim":
            text += (
                f" After {asked.describe()} it is past the {within} they aim for"
                " (an aim, not a deadline)."
                if late
                else f" After {asked.describe()} it is within the {within} they aim for."
            )
        else:
            text += (
                f" After {asked.describe()} the reply is overdue."
                if late
                else f" After {asked.describe()} it is not yet overdue."
            )
    return RuleAnswer(text + _draft(compact), rule.commitments, True)


def consultation_feedback(compact: Compact, asked: Period | None) -> RuleAnswer:
    rule = compact.obligations.consultation_feedback
    name = compact.short_name
    if not rule.required:
        text = f"{name} does not promise feedback after a consultation."
        if rule.note:
            text += f" {rule.note}"
        return RuleAnswer(text, rule.commitments, False)
    said = owed(strength_of(rule))
    if rule.within is None:
        text = f"{name}: feedback on a consultation {said}, but it sets no time for it."
        return RuleAnswer(text + _draft(compact), rule.commitments, False)
    text = f"{name}: feedback on a consultation {said} within {rule.within.describe()}."
    return RuleAnswer(text + _draft(compact), rule.commitments, True)


_VCS_WORDS = re.compile(
    r"\b(charity|charities|vcs|voluntary|group|groups|organisation|organization|trustees|"
    r"we broke|we have broken)\b"
)
_PUBLIC_WORDS = re.compile(r"\b(council|nhs|pct|ccg|borough|district|public body|kcc|police)\b")


def disputes(compact: Compact, question: str) -> RuleAnswer:
    rule = compact.obligations.complaints
    name = compact.short_name
    against_vcs = bool(_VCS_WORDS.search(question.lower())) and not _PUBLIC_WORDS.search(
        question.lower()
    )
    against = "vcs" if against_vcs else "public"
    steps, options = rule.steps(against), rule.options(against)
    if not steps and not options:
        text = f"{name} sets no complaints procedure."
        if rule.note:
            text += f" {rule.note}"
        return RuleAnswer(text, rule.commitments, False)
    who = "a voluntary or community group" if against_vcs else "a public body"
    says = _SAYS[strength_of(rule)]
    parts = [f"{name}: if {who} breaks the Compact, {says}:"]
    pre = rule.precondition(against)
    if pre is not None:
        parts[0] = parts[0][:-1] + "."
        parts.append(f"“{compact.commitment(pre).quote}”")
    parts += [f"{i}. {s.summary}." for i, s in enumerate(steps, start=1)]
    if options:
        listed = "; ".join(s.summary + (f" (scope: {s.scope})" if s.scope else "") for s in options)
        parts.append(f"Routes it lists, in no order: {listed}.")
    cited = [s.commitment for s in steps + options]
    return RuleAnswer(" ".join(parts) + _draft(compact), cited, True)


_SAYS = {
    "firm": "it has this procedure",
    "should": "it says what should happen",
    "wherever_possible": "it says what should happen wherever possible",
    "usually": "it says what usually happens",
    "aim": "it says what it aims to happen",
    "proposal": "the draft proposes",
    "example": "the draft gives as an example",
}


def review(compact: Compact) -> RuleAnswer:
    rule = compact.obligations.review
    name = compact.short_name
    if rule.every is None and not rule.description:
        text = f"{name} sets no review cycle."
        if rule.note:
            text += f" {rule.note}"
        return RuleAnswer(text, rule.commitments, False)
    parts = [f"{name}:"]
    if rule.description:
        parts.append(rule.description.rstrip(".") + ".")
    if rule.every and not rule.description:
        parts.append(f"reviewed every {rule.every.describe()}.")
    return RuleAnswer(" ".join(parts) + _draft(compact), rule.commitments, rule.every is not None)


def answer_rule(compact: Compact, topic: str, question: str) -> RuleAnswer:
    asked = duration_in(question)
    if topic == "consultation":
        return consultation(compact, asked)
    if topic == "funding_change":
        return funding_change(compact, asked)
    if topic == "correspondence":
        return correspondence(compact, asked)
    if topic == "consultation_feedback":
        return consultation_feedback(compact, asked)
    if topic == "disputes":
        return disputes(compact, question)
    if topic == "review":
        return review(compact)
    raise ValueError(f"{topic} is not a rule topic")
