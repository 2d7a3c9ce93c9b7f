"""Reading a question: whose duty it asks about, which periods it proposes, what it asks.

Three things decide the shape of an answer before any clause is looked up:

- **Whose duty.** "how much notice must *we* give?" asks about the group's own duty and
  is answered from the voluntary sector's (or joint) commitments; "do *they* have to ...?"
  asks about the public bodies'.
- **Numbers.** A period in a question is either *proposed*, to be judged against the
  rule ("they gave us 4 weeks", "is 5 weeks ok?", "3 weeks ago"), or names the rule
  itself ("the 12 week rule", "is the six months a minimum?").  Only a proposed period is
  compared with the rule.
- **What is asked of the rule.** A figure ("how long", "by when"), its scope or strength
  ("does it apply to planning applications?", "is it guaranteed?"), or what to do next
  in a procedure ("we tried talking and got nowhere, what next?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Unit = Literal["days", "weeks", "months", "years"]

NUMBER_WORDS = {
    "a": 1,
    "an": 1,
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
_AMOUNT = r"(\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_PERIOD = re.compile(_AMOUNT + r"[\s-]*(day|week|month|year)s?'?\b")

# A period named as the rule: "the 12 week rule", "the six months", "the compact's 8 week
# minimum", "12 weeks the rule", "is the 3 months a minimum".
_RULE_BEFORE = re.compile(r"\b(the|this|that|its|same|compacts?|compact's)\s*$")
_A_PROPOSED = re.compile(r"\b(is|was|than|about|only|just|in|within|after|over|under)\s+$")
_RULE_AFTER = re.compile(
    r"^\s*(\w+\s+)?(rule|minimum|maximum|standard|requirement|limit|thing|target|"
    r"the rule|a (legal |hard |strict |absolute )?(minimum|maximum|rule|requirement))\b"
)
# ...while these make a period one the question puts forward ("gave us 4 weeks", "3 weeks
# ago", "is 5 weeks ok?").  A period with neither is only mentioned ("we keep 6 months of
# running costs in reserve").
_PROPOSED_BEFORE = re.compile(
    r"\b(gave|give|given|giving|got|get|getting|only|just|is|was|be|in|offered|offering|"
    r"allowed|allow|expect|told us|after|about|around|over|under|less than|more than|"
    r"within|another|of)\b[\w\s']{0,12}$"
)
_PROPOSED_AFTER = re.compile(
    r"^'?\s*(ago|notice|warning|consultation|consulting|funding|grant|contract|sla|deal|"
    r"is|are|was|ok|okay|enough|seems|too|reasonable|long enough|later|before|to (respond|"
    r"comment|reply))\b"
)

_OWN_DUTY = re.compile(
    r"\b(must|should|do|does|would|will) (we|us|our (group|charity|organisation|"
    r"organization|playgroup|club|trust))( also| still| really)? (have|need|give|tell|send|"
    r"return|do|take|get|keep|pay|provide|report|consult|say|answer|reply|be|sign)\b"
    r"|\b(have|need) we\b|\bwe (have|need|ought|are (expected|obliged|meant|supposed|"
    r"required)) to\b|\bare we (expected|obliged|meant|supposed|required|bound)\b"
    r"|\bexpects? (of )?us\b|\bexpected of us\b|\bour (own |\w+ )?(duty|duties|obligations?|"
    r"responsibilit\w*)\b|\bwhat do we owe\b|\bdo we owe\b|\bmust we\b|\bshould we\b"
    r"|\b(what|how much) (would|do|does|must|should) we\b.{0,40}\b(sign\w* up|commit\w*"
    r"|give|do)\b|\bmust we give\b|\bwe as (a|the) \w+"
)
# "do we get", "can we", "do we have a right", "should we have got", "must we be told": what
# the group is owed is the public bodies' duty, not its own.
_RIGHTS = re.compile(
    r"\b(do|will|would|can|could|should|shall|must|ought) we (get|receive|have a right|expect"
    r"|be given)\b"
    r"|\b(should|would|must|ought|could|shall|will|do) (we|i|our \w+)( not)? (to )?(have |not )?"
    r"(got|gotten|had|received|heard|been (given|told|sent|consulted|notified|informed|warned|"
    r"offered|paid)|be (given|told|sent|consulted|notified|informed|warned|offered|paid))\b"
    r"|\bwe should have (got|had|received|heard|been)\b"
)

_ASKS_FIGURE = re.compile(
    r"\bhow (long|much|many|soon|quickly|fast|often|far ahead|far in advance)\b"
    r"|\bby when\b|\bwhat (time limit|deadline|notice period)\b|\btime ?limit\b"
    r"|\bdeadline\b|\bwithin a set time\b|\bminimum (consultation )?(period|time|notice)\b"
    r"|\bwhen (will|should|must|do|does) .{0,40}\b(feedback|reply|respond|answer|hear)\b"
    r"|\b(weeks?|months?|days?) notice\b|\bnotice period\b"
    r"|\b(long|short|quick|soon|notice|period|time|weeks?|months?|days?)\b.{0,30}\bmeant to be\b"
    r"|\b(give|get|gives|giving) (us )?(longer|more (time|notice|warning))\b"
    r"|\b(enough|more|longer) (notice|warning)\b|\bnumber of (weeks|days|months|years)\b"
    r"|^(minimum|maximum) \w+ (period|time)\b"
)
_SCOPE = re.compile(
    r"\b(apply|applies)\b(?! for)"
    r"|\b(cover|covers|count|counts|include|includes|exclude\w*|exempt)\b"
    r"|\b(absolute|legal|legally|binding|guaranteed?|enforceable|mandatory|compulsory|"
    r"optional|strict|hard and fast)\b|\b(minimum|maximum)\s*\?"
    r"|\ba (minimum|maximum)\b(?! (number|period|time|length|of))"
    r"|\bon top of\b|\bthe same \w+ (weeks|months)\b|\btotal\b|\bacross\b"
    r"|\b(actually )?agreed\b|\bjust a proposal\b|\bproposal\b"
    r"|\bcan(not|'t|t)? (manage|meet) it\b|\bgo shorter\b|\bshorter if\b"
    r"|\bonly (written|grants?)\b|\bjust (grants?|written)\b|\bor only\b|\bor just\b"
)
_DUTY = re.compile(
    r"\b(must|mustn't|have to|has to|had to|need to|needs to|required|obliged|supposed to|"
    r"meant to|expected to|entitled|allowed|should|shouldn't|ought|duty|duties|obligations?|"
    r"responsibilit\w*|promise\w*|commit\w*)\b"
    r"|\b(do|does|did|will|would|can|could|are|is) (they|the council|the nhs|the pct|our funder|"
    r"the funder|funders|the councils)\b"
)
# "what is a local strategic partnership?", "who are Compact Voice?", "what does FCR mean?",
# "what counts as a community group?": the thing asked to be defined or named.
_FOCUS = [
    re.compile(
        r"\b(?:what|who)(?: actually| exactly| really)?(?:'s|s| is| are| was| were)"
        r"(?: meant by)?(?: actually| exactly| really)? (?:a |an |the |this |these |our )?"
        r"(?P<f>[\w'& -]+?)(?: for| about| exactly| actually| all about| anyway| then)?\s*\??$"
    ),
    re.compile(
        r"\bwhat (?:do|does|did) (?:the |this )?(?:compact|draft|document|agreement|it|they|you)"
        r" mean by (?:a |an |the )?"
        r"['\"]?(?P<f>[\w'& -]+?)['\"]?\s*\??$"
    ),
    re.compile(r"\bwhat (?:do|does) ['\"]?(?P<f>[\w'& -]+?)['\"]? (?:mean|stand for)\b"),
    re.compile(
        r"\bwhat (?:do|does|did) (?:the |this )?(?:compact|draft|document|agreement|it|they) say"
        r" (?:a |an |the )?['\"]?(?P<f>[\w'& -]+?)['\"]?(?: actually| exactly| really)?"
        r" (?:is|are|means)\s*\??$"
    ),
    re.compile(
        r"\b(?:define|definition of|meaning of|what counts as|who counts as) (?:a |an |the )?"
        r"['\"]?(?P<f>[\w'& -]+?)['\"]?(?: in the compact| under the compact)?\s*\??$"
    ),
]
_FOCUS_WORDS = 6
"""A longer "what is ..." asks about more than a name ("what is the council meant to do")."""

# "how many organisations signed?", "how much money", "how big": a count, an amount or a size,
# not a period.
_COUNT = re.compile(
    r"\bhow (many|much|big|large)\b(?! (time|notice|warning|longer|more time|weeks?|months?|"
    r"days?|years?|times?|often|in advance|ahead|before|after|later|sooner)\b)"
)
# "when was it set up?", "what year did ...": a date in the past, not a deadline.
_WHEN = re.compile(
    r"^(so |and )?when (did|was|were|had)\b|\bwhat (year|date|month)\b|\bhow long ago\b"
    r"|\bin what year\b"
)
_CONTACT = re.compile(
    r"\b(contact|contacts|get in touch|in touch with|phone|telephone|ring|e-?mail address|"
    r"postal address|address|website|web site|web page|who (do|should|can) (we|i) (ask|speak|"
    r"talk|write to)|who to (ask|speak|talk)|where (can|do|could|should) (we|i) (find|get|look))\b"
)
_NEXT_STEP = re.compile(
    r"\bwhat(('?s| is)? next| now| then| do we do next)\b|\bgot nowhere\b|\bdidn'?t work\b"
    r"|\bcouldn'?t (sort|resolve|fix)\b|\bnot (sorted|resolved)\b|\bwhere next\b"
    r"|\bafter that\b|\bstill (not|no)\b.{0,20}\b(resolved|sorted)\b"
)
_ENDING = re.compile(
    r"\b(hand\w*|give|giving)\b.{0,25}\bback\b|\bend(ing)? (our|the|a) (contract|grant|"
    r"agreement|funding)\b|\bterminat\w*\b|\bpull(ing)? out\b|\bwithdraw(ing)? from\b"
)


@dataclass(frozen=True)
class Said:
    """A period as a question states it."""

    amount: int
    unit: Unit
    proposed: bool
    """True when put forward to be judged."""
    names_rule: bool = False
    """True when it names the rule ("the 12 week rule"); neither: only mentioned."""


@dataclass(frozen=True)
class Reading:
    text: str
    own_duty: bool
    """The group asks about its own duty ("must we", "do we have to")."""
    periods: list[Said] = field(default_factory=list)
    asks_figure: bool = False
    """It asks for a figure: how long, how much notice, how often, by when."""
    about_scope: bool = False
    """It asks what a rule covers or how strong it is, not for the figure itself."""
    next_step: bool = False
    """Something has been tried already ("got nowhere", "what's next?")."""
    ending_relationship: bool = False
    """The group itself ends a funding relationship ("hand our contract back")."""
    owed: bool = False
    """It asks what the group is owed ("should we have got", "must we be told"): the public
    bodies' duty."""
    asks_duty: bool = False
    """It asks what someone must, should or will do ("do they have to ...?", "should we
    ...?"): a commitment answers it, a statement about the Compact does not."""
    asks_count: bool = False
    """Its figure is a count or amount ("how many organisations"), not a length of time."""
    asks_when: bool = False
    """It asks when something happened or was set up ("when was the partnership formed?"):
    a date or year answers it."""
    asks_contact: bool = False
    """It asks whom to contact, or for a telephone number, address or website."""
    focus: str | None = None
    """What the question asks to be defined or named ("local strategic partnership" in
    "what is a local strategic partnership?"), if that is what it asks."""

    @property
    def proposed(self) -> Said | None:
        return next((p for p in self.periods if p.proposed), None)

    @property
    def referenced(self) -> list[Said]:
        return [p for p in self.periods if p.names_rule]


def periods_in(text: str) -> list[Said]:
    found: list[Said] = []
    for m in _PERIOD.finditer(text):
        raw, unit = m.group(1), f"{m.group(2)}s"
        amount = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
        if amount == 0:
            continue
        if raw in ("a", "an") and not _A_PROPOSED.search(text[: m.start(1)]):
            # "a month" counts only where it is put forward ("is a month reasonable?").
            continue
        before, after = text[max(0, m.start() - 30) : m.start()], text[m.end() : m.end() + 40]
        names_rule = bool(_RULE_BEFORE.search(before) or _RULE_AFTER.search(after))
        put = bool(_PROPOSED_BEFORE.search(before) or _PROPOSED_AFTER.search(after))
        if names_rule and put and not _RULE_BEFORE.search(before):
            names_rule = False
        found.append(
            Said(amount, unit, proposed=put and not names_rule, names_rule=names_rule)  # type: ignore[arg-type]
        )
    return found


def read(question: str) -> Reading:
    """What ``question`` (spell-corrected, any case) asks."""
    text = " ".join(question.lower().replace("’", "'").split())
    owed = bool(_RIGHTS.search(text))
    own = bool(_OWN_DUTY.search(text)) and not owed
    periods = periods_in(text)
    return Reading(
        text=text,
        own_duty=own,
        owed=owed,
        periods=periods,
        asks_figure=bool(_ASKS_FIGURE.search(text)),
        about_scope=bool(_SCOPE.search(text)),
        next_step=bool(_NEXT_STEP.search(text)),
        ending_relationship=bool(_ENDING.search(text)),
        asks_duty=bool(_DUTY.search(text)),
        asks_count=bool(_COUNT.search(text)) and not periods,
        asks_when=bool(_WHEN.search(text)),
        asks_contact=bool(_CONTACT.search(text)),
        focus=_focus(text),
    )


def tried(text: str) -> str:
    """What a question says was already tried: its words before it says that did not work
    ("we tried talking to them *but got nowhere*, who now?"), else the whole question."""
    m = _NEXT_STEP.search(text)
    return text[: m.start()] if m and m.start() > 0 else text


def _focus(text: str) -> str | None:
    for rx in _FOCUS:
        m = rx.search(text)
        if m and 0 < len(m.group("f").split()) <= _FOCUS_WORDS:
            return m.group("f").strip()
    return None
