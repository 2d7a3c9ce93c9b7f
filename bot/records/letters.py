"""A letter for an item below its Compact, or for a complaint's current step, as data.

Pure: no I/O, and "today" is passed in.  Every sentence is made here from one of three
things: the item (its title, public body and dates), its latest verdict (the deadlines the
check computed, what it found), or the Compact's data (the clause quoted whole, the rule's
strength in the words of ``bot.domain.duty``).  The template (``bot.records.letter_text``)
only lays these out, so a network can change the wording around them but not the facts.
What the bot cannot know (the group's name, a signatory, an address) is a placeholder in
capitals and square brackets, for the user to fill in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from bot.domain.checks import notice_terms, status_caveat, weeks_and_days
from bot.domain.deadlines import add_period, days_between
from bot.domain.duty import DRAFT, SOFT, asks, modal, sets, strength_of
from bot.domain.duty import owed as owed_word
from bot.domain.events import ComplaintRaised, ConsultationLaunched, FundingEnding
from bot.domain.verdicts import CheckResult, Citation, ProcedureStep, cite
from bot.records.addressees import Addressee, addressee
from bot.records.compliance import ItemRecord
from bot.records.log import ItemKind
from bot.records.report import current
from compacts.models import Compact, ComplaintStep

PLACEHOLDERS: dict[str, str] = {
    "group": "[YOUR GROUP'S NAME]",
    "group_address": "[YOUR GROUP'S ADDRESS]",
    "recipient_address": "[THEIR ADDRESS]",
    "salutation": "[THEIR NAME]",
    "signatory": "[YOUR NAME]",
    "role": "[YOUR ROLE]",
    "details": "[THE DETAILS OF THE BREACH]",
}
"""What only the group can fill in; templates get them as ``placeholders``."""

NO_BODY = "[THE PUBLIC BODY'S NAME]"
NO_ORGANISATION = "[THE ORGANISATION'S NAME]"
"""The recipient when the item names no body and the Compact names nobody."""

BELOW = ("short", "explain", "breach")
"""Verdicts a letter is written for: short of what the Compact asks, an explanation owed,
below a minimum or past a firm deadline."""


class LetterRefused(ValueError):
    """No letter for this item, with one line saying why (it meets its Compact, no Compact
    sets a rule for it, it was cancelled ...)."""


@dataclass(frozen=True)
class Quote:
    """A clause quoted whole, with the sentence that introduces it."""

    lead: str
    text: str
    section: str
    compact: str
    compact_name: str
    compact_title: str
    commitment: str
    where: str = ""
    """Where the clause stands, as the text numbers it: "Kensington and Chelsea Compact,
    section 2: Well managed programmes and services; undertaking 13 by the public sector"."""

    @property
    def citation(self) -> Citation:
        return Citation(
            compact=self.compact, commitment=self.commitment, section=self.section, quote=self.text
        )


@dataclass(frozen=True)
class CompactPart:
    """What one Compact says about the item, as the letter states it."""

    code: str
    name: str
    title: str
    quotes: list[Quote]
    says: list[str]
    """What the Compact asks of the recipient, in its own strength, with the check's dates."""
    found: list[str]
    """How the item stands against that: the facts of the shortfall."""
    status: str | None = None
    """Said beside the figures of a Compact that is not adopted (a draft, a text put out for
    consultation)."""
    dates: dict[str, date] = field(default_factory=dict)
    """The check's deadlines this part states, by their key in ``CheckResult.deadlines``."""


@dataclass(frozen=True)
class Letter:
    """One letter, to one recipient, about one item."""

    item_id: int
    kind: ItemKind
    recipient: str
    subject: str
    facts: list[str]
    parts: list[CompactPart]
    requests: list[str]
    """What the letter asks for: what the Compact gives the group (an explanation, notice,
    the next step)."""
    written_on: date
    step: int | None = None
    """For a complaint: the step of its procedure the letter is for."""
    recipient_address: str | None = None
    """The recipient's address as its Compact gives it, or None (the letter then keeps a
    placeholder)."""

    @property
    def compacts(self) -> list[str]:
        return [p.code for p in self.parts]

    @property
    def citations(self) -> list[Citation]:
        return [q.citation for p in self.parts for q in p.quotes]

    def context(self) -> dict[str, Any]:
        """What a template receives: plain data, dates already written out."""
        data = asdict(self)
        data["written_on"] = _day(self.written_on)
        for part in data["parts"]:
            part["dates"] = {k: _day(v) for k, v in part["dates"].items()}
        data["placeholders"] = dict(PLACEHOLDERS)
        # At the head of the address block a name starts with a capital ("The Compact
        # Steering Group"); elsewhere it is as the Compact writes it.
        data["recipient_line"] = self.recipient[:1].upper() + self.recipient[1:]
        data["complaint"] = self.kind == "complaint"
        return data


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _says(quote: str, words: str) -> bool:
    return " ".join(words.split()).casefold() in " ".join(quote.split()).casefold()


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text[-1:] in ".!?" else f"{text}."


_NUMBERED_TITLE = re.compile(r"^(\d{1,3})[.)]\s+(.+)$")


def where(citation: Citation, compact: Compact) -> str:
    """The clause's place as the text gives it: the Compact, its section (with the number
    the text gives the section) and the clause's own number in its list, if it has one."""
    section = citation.section
    numbered = _NUMBERED_TITLE.match(section)
    place = f"section {numbered[1]}: {numbered[2]}" if numbered else section
    try:
        clause = compact.commitment(citation.commitment)
    except KeyError:
        clause = None
    if clause is not None and clause.number:
        heading = (clause.list_heading or "").split(" ", 1)
        first = heading[0]
        if first.endswith("s") and first[:-1].isalpha() and first[:1].isupper():
            # "Undertakings by the public sector" → "undertaking 13 by the public sector"
            rest = f" {heading[1]}" if len(heading) > 1 else ""
            place += f"; {first[:-1].lower()} {clause.number}{rest}"
        else:
            place += f"; point {clause.number}"
    return f"{compact.short_name}, {place}"


def _quote(citation: Citation, compact: Compact, lead: str) -> Quote:
    return Quote(
        lead=lead,
        text=citation.quote,
        section=citation.section,
        compact=compact.code,
        compact_name=compact.short_name,
        compact_title=compact.title,
        commitment=citation.commitment,
        where=where(citation, compact),
    )


def _rule_quotes(result: CheckResult, compact: Compact, words: list[str]) -> list[Quote]:
    """The clauses of the verdict that carry the rule's own words (its strength, what it
    attaches to falling short); the first cited clause when none records them."""
    carrying = [c for c in result.citations if any(_says(c.quote, w) for w in words if w)]
    chosen = carrying or result.citations[:1]
    return [_quote(c, compact, f"{compact.short_name} says:") for c in chosen]


# --------------------------------------------------------------------------- the letters


def build_letters(record: ItemRecord, compacts: Mapping[str, Compact], today: date) -> list[Letter]:
    """The letters for ``record`` as of ``today``: one to the public body for a consultation
    or funding change below any of its Compacts; for a complaint, one per recipient of its
    current step.  Raises LetterRefused (one line) when there is nothing to write."""
    n = record.item_id
    if record.status == "cancelled":
        raise LetterRefused(f"Item #{n} is cancelled, so there is nothing to write about.")
    views = [(r, compacts[c]) for c, r in record.compacts.items() if c in compacts]
    if not views:
        raise LetterRefused(
            f"Item #{n} was checked under no Compact I know, so there is no clause to cite."
        )
    if isinstance(record.event, ComplaintRaised):
        return _complaint_letters(record, record.event, views, today)
    verdicts = [(r, c, current(r, record, today)[1]) for r, c in views]
    below = [(r, c) for r, c, verdict in verdicts if verdict in BELOW]
    if not below:
        if all(verdict == "no_rule" for _, _, verdict in verdicts):
            raise LetterRefused(
                f"No Compact sets a rule for item #{n}, so there is no clause to cite."
            )
        unknown = [(r, c) for r, c, v in verdicts if v == "conditional"]
        if unknown:
            names = " and ".join(c.short_name for _, c in unknown)
            raise LetterRefused(
                f"Item #{n}'s verdict under {names} turns on what is not yet known (see /item "
                f"{n}): say it with /change {n} … (e.g. '/change {n} rationale no'), then ask "
                "again."
            )
        met = [(r, c) for r, c, v in verdicts if v == "meets"]
        names = " and ".join(c.short_name for _, c in met)
        if any(current(r, record, today)[0] == "not_due" for r, _ in met):
            raise LetterRefused(
                f"Item #{n} meets {names} so far: nothing is due yet, so there is nothing to "
                "write about."
            )
        raise LetterRefused(f"Item #{n} meets {names}: there is nothing to write about.")
    if isinstance(record.event, ConsultationLaunched):
        return [_consultation_letter(record, record.event, below, today)]
    assert isinstance(record.event, FundingEnding)
    return [_funding_letter(record, record.event, below, today)]


def _recipient(body: str | None, compacts: list[Compact]) -> Addressee:
    """The body as its Compacts name it, with the address they give (``addressees``)."""
    return addressee(body, compacts) or Addressee(NO_BODY)


def _reference(title: str) -> str:
    """The group's own name for the item: only ever said as theirs."""
    return f"(our reference: “{' '.join(title.split())}”)"


# --------------------------------------------------------------------------- consultations


def _consultation_letter(
    record: ItemRecord,
    event: ConsultationLaunched,
    below: list[tuple[CheckResult, Compact]],
    today: date,
) -> Letter:
    opened = "opened" if event.opens <= today else "opens"
    closes = "closed" if event.closes < today else "closes"
    length = days_between(event.opens, event.closes)
    facts = [
        f"We write about your consultation that {opened} on {_day(event.opens)} and {closes} "
        f"on {_day(event.closes)}, a period of {weeks_and_days(length)} "
        f"{_reference(event.title)}."
    ]
    if event.earlier_rounds_days:
        facts.append(
            "Earlier formal consultation rounds on the same matter ran "
            f"{_plural(event.earlier_rounds_days, 'day')} in all."
        )
    parts: list[CompactPart] = []
    requests: list[str] = []
    targets: list[date] = []
    for result, compact in below:
        part, asked, target = _consultation_part(compact, result, event, today)
        parts.append(part)
        requests += asked
        if target is not None:
            targets.append(target)
    if targets:
        # Still open: one request, for the latest close any of its Compacts asks for.
        requests.insert(
            0,
            f"Please extend the consultation so that it closes on or after {_day(max(targets))}.",
        )
    to = _recipient(event.body, [c for _, c in below])
    return Letter(
        item_id=record.item_id,
        kind="consultation",
        recipient=to.name,
        recipient_address=to.address,
        subject=f"Your consultation closing on {_day(event.closes)}",
        facts=facts,
        parts=parts,
        requests=requests,
        written_on=today,
    )


def _consultation_part(
    compact: Compact, result: CheckResult, event: ConsultationLaunched, today: date
) -> tuple[CompactPart, list[str], date | None]:
    """The part, its requests, and the close to ask for while the consultation is open."""
    rule = compact.obligations.consultation
    strength = result.strength or strength_of(rule)
    name = compact.short_name
    says: list[str] = []
    found: list[str] = []
    requests: list[str] = []
    dates: dict[str, date] = {}
    standard_close = result.deadlines.get("standard_close")
    minimum_close = result.deadlines.get("minimum_close")
    earlier = event.earlier_rounds_days if rule.standard_is_total else 0
    per_round = " in any single formal consultation period" if rule.standard_is_total else ""
    closes = "closed" if event.closes < today else "closes"

    if rule.standard is not None and standard_close is not None:
        dates["standard_close"] = standard_close
        standard = rule.standard.describe()
        if earlier:
            says.append(
                f"The {standard} {name} {asks(strength)} are a total for consultation on the "
                f"matter: with earlier rounds of {_plural(earlier, 'day')}, this round "
                f"{modal(strength)} close on or after {_day(standard_close)}."
            )
        else:
            says.append(
                f"To give the {standard} {name} {asks(strength)}, a consultation that opens on "
                f"{_day(event.opens)} {modal(strength)} close on or after {_day(standard_close)}."
            )
        if event.closes < standard_close:
            short = days_between(event.closes, standard_close)
            found.append(
                f"This one {closes} on {_day(event.closes)}, {_plural(short, 'day')} before "
                f"{_day(standard_close)}."
            )
    below_minimum = minimum_close is not None and event.closes < minimum_close
    if rule.minimum is not None and minimum_close is not None:
        dates["minimum_close"] = minimum_close
        says.append(
            f"Its minimum of {rule.minimum.describe()}{per_round} means this consultation "
            f"{modal(strength)} close on or after {_day(minimum_close)}."
        )
        if below_minimum:
            if standard_close is None:
                short = days_between(event.closes, minimum_close)
                found.append(
                    f"This one {closes} on {_day(event.closes)}, {_plural(short, 'day')} before "
                    f"{_day(minimum_close)}."
                )
            if strength in DRAFT:
                what = "example" if strength == "example" else "proposed"
                found.append(
                    f"It is below the draft's {what} minimum of {rule.minimum.describe()} "
                    "(a draft's figure, not an agreed term: no breach)."
                )
            else:
                found.append(f"It is below the minimum of {rule.minimum.describe()}{per_round}.")

    if result.verdict == "explain":
        words = f" (“{rule.shortfall_words}”)" if rule.shortfall_words else ""
        if below_minimum and not rule.minimum_is_hard:
            found.append(f"Below its minimum, {name} promises an explanation{words}.")
            requests.append(f"Please give us the explanation {name} promises below its minimum.")
        else:
            found.append(f"For a shorter period, {name} asks for an explanation{words}.")
            requests.append(
                f"Please give us the explanation for the shorter period that {name} asks for."
            )
    target = result.demand_date
    still_open = event.closes >= today and target is not None and event.closes < target
    if not still_open and result.verdict != "explain":
        figure = rule.standard or rule.minimum
        if figure is not None:
            requests.append(
                f"Please allow the {figure.describe()} {name} {asks(strength)} "
                "in future consultations."
            )
    part = CompactPart(
        code=compact.code,
        name=name,
        title=compact.title,
        quotes=_rule_quotes(result, compact, [*rule.strength_words, rule.shortfall_words or ""]),
        says=says,
        found=found,
        status=status_caveat(compact),
        dates=dates,
    )
    return part, requests, target if still_open else None


# --------------------------------------------------------------------------- funding


def _funding_letter(
    record: ItemRecord,
    event: FundingEnding,
    below: list[tuple[CheckResult, Compact]],
    today: date,
) -> Letter:
    given, started = record.notice_given_on, record.consultation_started_on
    to = _recipient(event.funder, [c for _, c in below])
    ended = event.last_funded_day < today
    facts = [
        f"We write about our funding from {to.name} {_reference(event.title)}: the last day "
        f"{'it was' if ended else 'it is'} funded on its current terms "
        f"{'was' if ended else 'is'} {_day(event.last_funded_day)}."
    ]
    if given is not None:
        facts.append(f"Notice of the change was given on {_day(given)}.")
    if started is not None:
        facts.append(f"The consultation on it started on {_day(started)}.")
    parts: list[CompactPart] = []
    requests: list[str] = []
    for result, compact in below:
        part, asked = _funding_part(compact, result, record, event, today)
        parts.append(part)
        requests += asked
    return Letter(
        item_id=record.item_id,
        kind="funding",
        recipient=to.name,
        recipient_address=to.address,
        subject=f"Our funding from {to.name}, funded to {_day(event.last_funded_day)}",
        facts=facts,
        parts=parts,
        requests=requests,
        written_on=today,
    )


def _funding_part(
    compact: Compact,
    result: CheckResult,
    record: ItemRecord,
    event: FundingEnding,
    today: date,
) -> tuple[CompactPart, list[str]]:
    rule = compact.obligations.funding_change
    strength = result.strength or strength_of(rule)
    name = compact.short_name
    word = rule.notice_word
    written = " in writing" if rule.notice_in_writing else ""
    given, started = record.notice_given_on, record.consultation_started_on
    notice_by = result.deadlines.get("notice_by")
    start_by = result.deadlines.get("consultation_start_by")
    says: list[str] = []
    found: list[str] = []
    dates: dict[str, date] = {}
    ends = _day(event.last_funded_day)
    ended = event.last_funded_day < today
    notice_short = False
    owed: list[str] = []
    """What was owed and by when, dated: "notice in writing by 30 September 2026"."""
    wanted: list[str] = []
    """What the letter asks for now."""

    if rule.notice is not None and notice_by is not None:
        dates["notice_by"] = notice_by
        says.append(
            f"{name} asks for {notice_terms(rule, rule.notice)}: to end funding after {ends} it "
            f"{modal(strength)} be given by {_day(notice_by)}."
        )
        if given is not None and given > notice_by:
            days = _plural(days_between(notice_by, given), "day")
            after = "after the usual date" if strength in SOFT else "late"
            after_end = ""
            if given > event.last_funded_day:
                gone = _plural(days_between(event.last_funded_day, given), "day")
                after_end = f", {gone} after the funding ended"
            found.append(
                f"{word.capitalize()} given on {_day(given)} came {days} {after}{after_end}."
            )
            owed.append(f"{word}{written} by {_day(notice_by)} (it came on {_day(given)})")
            notice_short = True
        elif given is None and today > notice_by:
            found.append(
                f"We have no record of {word} of this change, and {_day(notice_by)} has passed."
            )
            owed.append(f"{word}{written} by {_day(notice_by)}")
            wanted.append(f"that {word}{written}")
            notice_short = True
    period = rule.consultation_before_notice
    consultation_short = False
    if period is not None and start_by is not None:
        dates["consultation_start_by"] = start_by
        says.append(
            f"Before {word}, a {period.adjective()} consultation {owed_word(strength)}: it "
            f"{modal(strength)} start by {_day(start_by)}."
        )
        if started is not None and started > start_by:
            days = _plural(days_between(start_by, started), "day")
            found.append(f"The consultation started on {_day(started)}, {days} late.")
            consultation_short = True
        elif started is None and event.consulted is False and today > start_by:
            found.append(
                f"No consultation on this change has started, and {_day(start_by)} has passed."
            )
            consultation_short = True
        elif started is None and event.consulted is None and today > start_by:
            found.append(
                f"We have no record of a consultation on this change: if none has started, the "
                f"timetable is already missed, since {_day(start_by)} has passed."
            )
            wanted.append("word of whether a consultation on this change has started")
        if started is not None and given is not None and given <= add_period(started, period):
            # "Prior to" means before: notice on the day the consultation ends is not after it.
            full = add_period(started, period)
            found.append(
                f"{word.capitalize()} came on {_day(given)}, before the {period.describe()} of "
                f"consultation that started on {_day(started)} had run: {word} could not come "
                f"before {_day(full + timedelta(days=1))}."
            )
            consultation_short = True
        if consultation_short:
            owed.insert(0, f"a {period.adjective()} consultation starting by {_day(start_by)}")
            if not ended and given is None:
                wanted.append(f"the {period.adjective()} consultation before {word}")
    if rule.rationale_required:
        says.append(f"The decision {modal(strength)} come with a clear rationale.")
        if event.rationale_given is False:
            found.append("No rationale came with the decision.")
        if event.rationale_given is not True:
            wanted.insert(0, "your clear rationale for the decision")

    requests: list[str] = []
    if owed:
        ask = f"; please give us {_and(wanted)}" if wanted else ""
        if strength in SOFT or strength in DRAFT:
            # Not owed outright: said with the Compact's own qualifier.
            requests.append(f"{name} {asks(strength)} {_and(owed)}{ask}.")
        else:
            requests.append(
                f"Under {name}, {_and(owed)} {'was' if len(owed) == 1 else 'were'} owed{ask}."
            )
    elif wanted:
        requests.append(f"Please give us {_and(wanted)}, as {name} {asks(strength)}.")
    if notice_short and not ended and rule.notice is not None:
        after = f"{_day(given)}, when {word} came" if given is not None else f"{word} is given"
        requests.append(
            f"As the funding has not yet ended, please keep it on its current terms until "
            f"{rule.notice.describe()} after {after}."
        )
    part = CompactPart(
        code=compact.code,
        name=name,
        title=compact.title,
        quotes=_rule_quotes(result, compact, rule.strength_words),
        says=says,
        found=found,
        status=status_caveat(compact),
        dates=dates,
    )
    return part, requests


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


# --------------------------------------------------------------------------- complaints


def _complaint_letters(
    record: ItemRecord,
    event: ComplaintRaised,
    views: list[tuple[CheckResult, Compact]],
    today: date,
) -> list[Letter]:
    n = record.item_id
    if record.status != "open":
        raise LetterRefused(f"Complaint #{n} is {record.status}, so it has no step to write for.")
    ordered = [
        (r, c, [s for s in r.steps if not s.option]) for r, c in views if r.verdict == "procedure"
    ]
    ordered = [(r, c, steps) for r, c, steps in ordered if steps]
    if not ordered:
        raise LetterRefused(
            f"No Compact sets a procedure with steps for complaint #{n}, so there is no step "
            "to write for."
        )
    step_no = max(record.steps_done) + 1 if record.steps_done else 1
    by_recipient: dict[str, tuple[Addressee, list[CompactPart], list[str]]] = {}
    for result, compact, steps in ordered:
        step = next((s for s in steps if s.n == step_no), None)
        if step is None:
            continue
        named = _step_recipient(compact, event.against, step)
        placeholder = NO_BODY if event.against == "public" else NO_ORGANISATION
        to = addressee(named, [compact], tidy=False) if named else addressee(event.body, [compact])
        to = to or Addressee(placeholder)
        following = next((s for s in steps if s.n == step_no + 1), None)
        _, parts, requests = by_recipient.setdefault(to.name, (to, [], []))
        parts.append(_complaint_part(compact, result, event, step, following))
        requests.append(_proposal(compact, event.against, step, following))
    if not by_recipient:
        raise LetterRefused(
            f"Step {step_no - 1} of complaint #{n} is recorded: its procedure sets no step after "
            "it in order, so there is no step to write for."
        )
    about = ""
    if event.body:
        body = addressee(event.body, [c for _, c, _ in ordered])
        about = f" about {body.name}" if body else ""
    facts = [f"We write with our complaint{about} {_reference(event.summary)}."]
    facts.append(f"It was raised on {_day(event.raised_on)}.")
    facts += [
        f"Step {k} of the procedure was done on {_day(on)}."
        for k, on in sorted(record.steps_done.items())
    ]
    return [
        Letter(
            item_id=n,
            kind="complaint",
            recipient=to.name,
            recipient_address=to.address,
            subject=f"A complaint under the Compact: step {step_no} of its procedure",
            facts=facts,
            parts=parts,
            requests=requests,
            written_on=today,
            step=step_no,
        )
        for to, parts, requests in by_recipient.values()
    ]


def _proposal(
    compact: Compact, against: str, step: ProcedureStep, following: ProcedureStep | None
) -> str:
    """The step the procedure names, proposed in the Compact data's plain words."""
    summaries = {s.commitment: s.summary for s in compact.obligations.complaints.steps(against)}

    def plain(s: ProcedureStep) -> str:
        words = summaries.get(s.citation.commitment) or s.citation.quote
        if words[1:2].islower():  # "Contact KCSC ..." reads on as "contact KCSC ..."
            words = words[:1].lower() + words[1:]
        return _sentence(words)

    text = f"We propose step {step.n} of {compact.short_name}'s procedure: {plain(step)}"
    if following is not None:
        text += f" If that does not settle it, step {following.n} follows: {plain(following)}"
    return text


def _step_recipient(compact: Compact, against: str, step: ProcedureStep) -> str | None:
    """Whom the Compact's data names as taking the complaint at ``step`` (its own words)."""
    procedure = compact.obligations.complaints
    found: ComplaintStep | None = next(
        (s for s in procedure.steps(against) if s.commitment == step.citation.commitment), None
    )
    return found.recipient if found is not None else None


def _complaint_part(
    compact: Compact,
    result: CheckResult,
    event: ComplaintRaised,
    step: ProcedureStep,
    following: ProcedureStep | None,
) -> CompactPart:
    procedure = compact.obligations.complaints
    strength = result.strength or strength_of(procedure)
    name = compact.short_name
    who = "a public body" if event.against == "public" else "a voluntary or community group"
    procedure_is = f"{name} {sets(strength)} when {who} is said to have broken it."
    quotes: list[Quote] = []
    pre = procedure.precondition(event.against)
    condition = next((c for c in result.citations if c.commitment == pre), None)
    if condition is None and pre is not None:
        # A re-check after a step cites only what comes next: the condition is quoted as the
        # Compact's data has it.
        condition = cite(compact, pre)
    if condition is not None:
        quotes.append(_quote(condition, compact, f"{procedure_is} It applies as it states:"))
    this_step = f"Step {step.n} of it, which this letter is:"
    quotes.append(
        _quote(step.citation, compact, this_step if quotes else f"{procedure_is} {this_step}")
    )
    if following is not None:
        quotes.append(_quote(following.citation, compact, f"Step {following.n} follows it:"))
    says = (
        [] if following is not None else [f"Step {step.n} is the last step {name} gives in order."]
    )
    return CompactPart(
        code=compact.code,
        name=name,
        title=compact.title,
        quotes=quotes,
        says=says,
        found=[],
        status=status_caveat(compact),
    )
