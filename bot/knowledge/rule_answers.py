"""Plain-language answers built from a Compact's machine-readable obligations.

For the six topics a Compact sets rules on (consultation length, funding notice,
correspondence, consultation feedback, disputes, review) the answer states the
number with its conditions, or says plainly that the Compact sets none.  The
numbers come only from the data file, never from here.

Every figure is said with whose duty it is: the party of the commitment the rule
comes from ("the public bodies' duty", "a duty of both sides").  A period in the
question is judged against the rule only when the question puts it forward
(``bot.knowledge.reading``): "is the 12 week rule a minimum?" is not a 12-week
consultation to judge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.domain.checks import notice_terms
from bot.domain.deadlines import add_period
from bot.domain.duty import DRAFT, asks, modal, owed, strength_of
from bot.knowledge.reading import Reading, Said, read
from compacts.models import Compact, ConsultationRule, Party, Period

RULE_TOPICS = (
    "consultation",
    "funding_change",
    "correspondence",
    "consultation_feedback",
    "disputes",
    "review",
)

# A fixed day to compare periods of different units (weeks against months):
# only the order matters, and a non-leap January start keeps months at their shortest.
_REFERENCE_DAY = date(2001, 1, 1)


@dataclass(frozen=True)
class RuleAnswer:
    text: str
    commitments: list[str]
    has_number: bool
    party: Party = "public"
    """Whose duty the figure is."""
    note: str = ""
    """The rule's plain-language note (its scope and strength), for questions about them."""
    duty: bool = True
    """False where the Compact sets no such duty at all (no feedback promised)."""


DUTY_OF: dict[Party, str] = {
    "public": "the public bodies' duty",
    "vcs": "your group's duty",
    "joint": "a duty of both sides (your group and the public bodies)",
}
WHO: dict[Party, str] = {
    "public": "the public bodies",
    "vcs": "your group",
    "joint": "both sides (your group and the public bodies)",
}


def party_of(compact: Compact, commitments: list[str]) -> Party:
    """Whose duty a rule is: the party of the first commitment it comes from."""
    return compact.commitment(commitments[0]).party if commitments else "public"


def _lead(compact: Compact, party: Party) -> str:
    return f"{compact.short_name} — {DUTY_OF[party]}: "


def duration_in(question: str) -> Period | None:
    """A length of time a question puts forward to be judged ("is 5 weeks ok?"), if any.

    A period that names the rule ("the 12 week rule") is not one; neither are years.
    """
    return as_period(read(question).proposed)


def as_period(said: Said | None) -> Period | None:
    if said is None or said.unit == "years":
        return None
    return Period(amount=said.amount, unit=said.unit)


def same_period(said: Said, period: Period | None) -> bool:
    return period is not None and said.unit == period.unit and said.amount == period.amount


def rule_figures(compact: Compact) -> dict[str, list[Period]]:
    """The periods each rule topic of ``compact`` sets (empty lists where none)."""
    ob = compact.obligations
    found: dict[str, list[Period | None]] = {
        "consultation": [ob.consultation.standard, ob.consultation.minimum],
        "funding_change": [ob.funding_change.notice, ob.funding_change.consultation_before_notice],
        "correspondence": [ob.correspondence.response],
        "consultation_feedback": [ob.consultation_feedback.within],
        "review": [ob.review.every],
    }
    return {topic: [p for p in periods if p is not None] for topic, periods in found.items()}


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


_SAYS_NONE = re.compile(
    r"\b(sets no|sets out no|does not (promise|set|say|give)|gives no|says nothing)\b"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"(])")


def _none_set(said: str, note: str | None) -> str:
    """That the Compact sets none, then its note on what it does say, without saying twice
    that it sets none (the note's first sentence often does)."""
    if not note:
        return said
    first, *rest = _SENTENCE_END.split(note.strip())
    kept = rest if _SAYS_NONE.search(first) else [first, *rest]
    return " ".join([said, *kept])


def consultation(compact: Compact, asked: Period | None) -> RuleAnswer:
    rule = compact.obligations.consultation
    name = compact.short_name
    party = party_of(compact, rule.commitments)
    if rule.standard is None and rule.minimum is None:
        text = _none_set(f"{name} sets no length for consultations.", rule.note)
        return RuleAnswer(text, rule.commitments, False, party, rule.note)
    parts: list[str] = []
    scope = f" ({rule.applies_to})" if rule.applies_to else ""
    strength = strength_of(rule)
    if rule.standard and strength in DRAFT:
        parts.append(f"{name} {asks(strength)} {rule.standard.describe()} consultation{scope}.")
    elif rule.standard:
        parts.append(
            f"{_lead(compact, party)}consultations should run {rule.standard.describe()}"
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
    text = " ".join(parts) + _draft(compact)
    return RuleAnswer(text, rule.commitments, True, party, rule.note)


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
            f"Between {rule.minimum.describe()} and {rule.standard.describe()} it promises "
            "no explanation."
        )
    return "It does not say what follows from a shorter period: it promises no explanation."


def _judge_consultation(asked: Period, rule: ConsultationRule) -> str:
    said = asked.describe()
    standard, minimum = rule.standard, rule.minimum
    if minimum and shorter(asked, minimum):
        if strength_of(rule) in DRAFT:
            # "For example:" in a consultation draft: a figure put to respondents, not a rule.
            return (
                f"So {said} is below the draft's example minimum: a draft's figure, not an "
                "agreed term, so it is no breach."
            )
        if rule.minimum_is_hard:
            return f"So {said} is below the minimum: not allowed."
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
    party = party_of(compact, rule.commitments)
    if rule.notice is None and rule.consultation_before_notice is None:
        text = _none_set(f"{name} sets no notice period for ending or changing funding.", rule.note)
        return RuleAnswer(text, rule.commitments, False, party, rule.note)
    parts: list[str] = []
    must = modal(strength_of(rule))
    if rule.consultation_before_notice:
        parts.append(
            f"{_lead(compact, party)}before ending or changing funding there {must} be a "
            f"{rule.consultation_before_notice.adjective()} consultation, then"
        )
    if rule.notice:
        lead = "" if rule.consultation_before_notice else _lead(compact, party)
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
    return RuleAnswer(text + _draft(compact), rule.commitments, True, party, rule.note)


def correspondence(compact: Compact, asked: Period | None) -> RuleAnswer:
    rule = compact.obligations.correspondence
    name = compact.short_name
    party = party_of(compact, rule.commitments)
    if rule.response is None:
        said = f"{name} sets no time for replying to letters or correspondence."
        text = _none_set(said, rule.note)
        return RuleAnswer(text, rule.commitments, False, party, rule.note)
    within = rule.response.describe()
    who = "each side" if party == "joint" else "they"
    qualifier, verb = rule.qualifier, ""
    if party == "joint":  # "each side aims to reply", "each side replies"
        if qualifier:
            head, _, tail = qualifier.partition(" ")
            qualifier = f"{head}s {tail}".strip() if head in ("aim", "try", "agree") else qualifier
        else:
            verb = "ies"
    text = (
        f"{_lead(compact, party)}{who}{_q(qualifier)} repl{verb or 'y'} to correspondence"
        f" within {within}."
    )
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
    return RuleAnswer(text + _draft(compact), rule.commitments, True, party, rule.note)


def consultation_feedback(compact: Compact, asked: Period | None) -> RuleAnswer:
    rule = compact.obligations.consultation_feedback
    name = compact.short_name
    party = party_of(compact, rule.commitments)
    if not rule.required:
        text = _none_set(f"{name} does not promise feedback after a consultation.", rule.note)
        return RuleAnswer(text, rule.commitments, False, party, rule.note, duty=False)
    said = owed(strength_of(rule))
    if rule.within is None:
        text = (
            f"{_lead(compact, party)}feedback on a consultation {said}, but {name} sets no "
            "time for it."
        )
        if asked is not None:
            text += f" So there is no deadline that {asked.describe()} could miss."
        return RuleAnswer(text + _draft(compact), rule.commitments, False, party, rule.note)
    text = (
        f"{_lead(compact, party)}feedback on a consultation {said} within {rule.within.describe()}."
    )
    return RuleAnswer(text + _draft(compact), rule.commitments, True, party, rule.note)


_VCS_WORDS = re.compile(
    r"\b(charity|charities|vcs|voluntary|group|groups|organisation|organization|trustees|"
    r"we broke|we have broken)\b"
)
_PUBLIC_WORDS = re.compile(r"\b(council|nhs|pct|ccg|borough|district|public body|kcc|police)\b")


_BREACH = re.compile(r"\b(breach\w*|br[eo]ak\w*|broken|not (sticking|keeping) to|ignor\w*)\b")
_VCS_WORD = re.compile(
    r"\b(charity|charities|vcs|voluntary|group|groups|organisation|organization|trustees|"
    r"we|us|our)\b"
)
_PUBLIC_WORD = re.compile(r"\b(council|councils|nhs|pct|ccg|borough|public|kcc|police|they|rbkc)\b")


def breached_by_vcs(question: str) -> bool:
    """Whether the question says a voluntary group (not a public body) broke the Compact.

    The party named nearest before the word for breaking it ("our charity has breached",
    "if a charity is the one breaking"), else nearest after it ("a breach by a group").
    """
    text = question.lower()
    m = _BREACH.search(text)
    if m is None:
        return bool(_VCS_WORDS.search(text)) and not _PUBLIC_WORDS.search(text)
    before = [(w.start(), "vcs") for w in _VCS_WORD.finditer(text, 0, m.start())]
    before += [(w.start(), "public") for w in _PUBLIC_WORD.finditer(text, 0, m.start())]
    if before:
        return max(before)[1] == "vcs"
    after = [(w.start(), "vcs") for w in _VCS_WORD.finditer(text, m.end())]
    after += [(w.start(), "public") for w in _PUBLIC_WORD.finditer(text, m.end())]
    return bool(after) and min(after)[1] == "vcs"


def disputes(compact: Compact, question: str) -> RuleAnswer:
    rule = compact.obligations.complaints
    name = compact.short_name
    against_vcs = breached_by_vcs(question)
    against = "vcs" if against_vcs else "public"
    steps, options = rule.steps(against), rule.options(against)
    if not steps and not options:
        text = _none_set(f"{name} sets no complaints procedure.", rule.note)
        return RuleAnswer(text, rule.commitments, False, "joint", rule.note)
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
    return RuleAnswer(" ".join(parts) + _draft(compact), cited, True, "joint", rule.note)


_SAYS = {
    "firm": "it has this procedure",
    "should": "it says what should happen",
    "wherever_possible": "it says what should happen wherever possible",
    "usually": "it says what usually happens",
    "aim": "it says what it aims to happen",
    "proposal": "the draft proposes",
    "example": "the draft gives as an example",
}


_FREQUENCY = re.compile(
    r"\b(\d+|one|two|three|four|five|six|twelve)[\s-]*(day|week|month|year)s?\b|\b(once|twice|"
    r"three times) a (year|month)\b|\b(annual\w*|yearly|bi-yearly|monthly|quarterly)\b"
    r"|\bafter the first year\b|\bevery (year|month)\b"
)


def states_figure(text: str) -> bool:
    """Whether ``text`` states a period or frequency ("12 weeks", "twice a year")."""
    return bool(_FREQUENCY.search(text.lower()))


def review(compact: Compact) -> RuleAnswer:
    rule = compact.obligations.review
    name = compact.short_name
    party = party_of(compact, rule.commitments) if rule.commitments else "joint"
    if rule.every is None and not rule.description:
        text = _none_set(f"{name} sets no review cycle.", rule.note)
        return RuleAnswer(text, rule.commitments, False, party, rule.note)
    parts = [_lead(compact, party).rstrip()]
    if rule.description:
        parts.append(rule.description.rstrip(".") + ".")
    if rule.every and not rule.description:
        parts.append(f"reviewed every {rule.every.describe()}.")
    has_number = rule.every is not None or states_figure(rule.description or "")
    return RuleAnswer(
        " ".join(parts) + _draft(compact), rule.commitments, has_number, party, rule.note
    )


def answer_rule(
    compact: Compact, topic: str, question: str, reading: Reading | None = None
) -> RuleAnswer:
    """The rule of ``topic`` in ``compact``, judged against a period ``question`` proposes."""
    asked = as_period((reading or read(question)).proposed)
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
