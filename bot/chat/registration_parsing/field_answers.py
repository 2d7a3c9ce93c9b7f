"""The guided conversation's answers, one field at a time (``apply_answer``): a date or a
length, a number of days, yes or no, who a complaint is against."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.chat.dateparsing import DateParseError, Hint, parse_day_info
from bot.chat.forms import FORMS, YES_NO, FieldValue, Kind
from bot.chat.registration_parsing.chatter import without_chatter
from bot.chat.registration_parsing.dates import end_of_period
from bot.chat.registration_parsing.drafts import (
    ALL_FIELDS,
    DATE_FIELDS,
    MAX_LENGTH,
    Draft,
    contradiction,
    ordered_missing,
    parse_complaint,
    parse_consultation,
    parse_funding,
    settle,
)
from bot.chat.registration_parsing.labels import labelled_lines, without_list_marks
from bot.chat.registration_parsing.lengths import length_from, length_said
from bot.chat.registration_parsing.names import cap, classify, names_a_body

if TYPE_CHECKING:
    from bot.knowledge.gazetteer import Gazetteer

HAPPENED = frozenset({"notice", "consultation_start"})
"""Date fields of something that has happened: a yearless day is the latest not after
today (said in December, "notice given 10 Jan" is last January)."""

_STOP_ANSWER_RE = re.compile(
    r"^(?:(?:it\s+|the\s+change\s+|funding\s+)?(?:from|stops?|stopping|ceases?|ceasing|cut"
    r"|effective(?:\s+from)?|as of|starting|with effect from|takes? effect(?:\s+from)?"
    r"|changes?(?:\s+from)?|changing(?:\s+from)?))\s+(?:on\s+|at\s+)?(?P<rest>.+)$",
    re.IGNORECASE,
)
_END_ANSWER_RE = re.compile(
    r"^(?:ends?|ending|until|till|to|last funded day|last day)\s+(?:on\s+|is\s+)?(?P<rest>.+)$",
    re.IGNORECASE,
)
_PUBLIC_ANSWERS = frozenset(
    "public|p|public body|public sector|statutory|council|the council|nhs|government".split("|")
)
_VCS_ANSWERS = frozenset(
    "vcs|v|vcse|voluntary|voluntary sector|charity|community|community group|voluntary group".split(
        "|"
    )
)


def classify_against(text: str) -> str | None:
    """Who a complaint is against, from an answer ("public", "the council", "vcs", "a
    charity"): "public", "vcs", or None when it does not say."""
    low = text.lower().strip(" .!")
    if low in _PUBLIC_ANSWERS:
        return "public"
    if low in _VCS_ANSWERS:
        return "vcs"
    return classify(text)


@dataclass(frozen=True)
class DateAnswer:
    """A date field's answer: a day, or (for a consultation's close) a length that counts
    from the opening day."""

    day: date | None
    length: str | None = None
    """A length as a phrase ``parse_length`` reads: "6 weeks"."""
    yearless: bool = False
    day_before: str | None = None
    """The date as said when the answer names the first unfunded day ("from 1 April")."""


_FROM_OPENING = re.compile(
    r"(?:it\s+opens|it\s+starts|(?:the\s+)?opening(?:\s+day|\s+date)?|the\s+start)",
    re.IGNORECASE,
)
_LENGTH_FROM = re.compile(r"^(?P<length>.+?)\s+(?:from|after)\s+(?P<day>.+)$", re.IGNORECASE)


def read_date(kind: Kind, name: str, text: str, today: date) -> DateAnswer:
    """What a date field's answer means. A consultation's close may be a length from the
    opening day ("in 6 weeks", "6 weeks after it opens") or from a day ("6 weeks from 4
    January"); a forward field without a year (close, last funded day) is the next such
    day. For funding, "from 1 April" names the first unfunded day: the last funded day is
    31 March. Raises ``DateParseError`` with the message to show."""
    forward = any(f.name == name and f.forward for f in FORMS[kind].fields)
    hint: Hint = "future" if forward else "past" if name in HAPPENED else "nearest"
    if kind == "consultation" and name == "closes":
        if (said := length_said(text)) is not None:
            return DateAnswer(None, said)
        if m := _LENGTH_FROM.match(text.strip()):
            said = length_said(m.group("length"))
            if said is not None and _FROM_OPENING.fullmatch(m.group("day").strip()):
                return DateAnswer(None, said)
            if said is not None:
                start = parse_day_info(m.group("day"), today)
                return DateAnswer(length_from(start.day, said))
    if kind == "funding" and name == "ends":
        if (m := _STOP_ANSWER_RE.match(text)) and not end_of_period(m.group("rest")):
            parsed = parse_day_info(m.group("rest"), today, hint=hint)
            from_word = re.search(r"\b(?:from|effect|as of|starting)\b", text[: m.start("rest")])
            if not from_word and (parsed.day + timedelta(days=1)).day == 1:
                # "ceases on 30 June": a month's last day is itself the last funded day.
                return DateAnswer(parsed.day, yearless=parsed.year_inferred)
            return DateAnswer(
                parsed.day - timedelta(days=1),
                yearless=parsed.year_inferred,
                day_before=m.group("rest").strip(),
            )
        if m:
            text = m.group("rest")
        if (m := _END_ANSWER_RE.match(text)) and not end_of_period(text):
            text = m.group("rest")  # "ends 31 March"; "end of March" is the date itself
    parsed = parse_day_info(text, today, hint=hint)
    return DateAnswer(parsed.day, yearless=parsed.year_inferred)


_NONE_ANSWERS = frozenset("none|no|nope|0|skip|n/a|na|nothing|no rounds|not sure".split("|"))
_SPAN_NUMBERS = "one two three four five six seven eight nine ten eleven twelve".split()
_DURATION_PART = re.compile(
    r"(\d{1,4}|" + "|".join(_SPAN_NUMBERS) + r")\s*(days?|weeks?|wks?|d|w)\b"
)
_YES = frozenset("yes|y|yeah|yep|it is|statutory|required by statute|yes it is".split("|"))
_NO = frozenset("no|n|nope|it isn't|it is not|not statutory|no it isn't".split("|"))
_SKIP = frozenset("skip|don't know|dont know|not sure|unknown|?|pass|no idea".split("|"))


def read_days(text: str) -> int:
    """How long earlier rounds ran, in days: "4 weeks" 28, "3 weeks 2 days" 23, "none" 0.

    Raises ValueError (with the message to show) for anything else; months are refused
    rather than guessed in days."""
    low = text.lower().strip(" .!")
    if low in _NONE_ANSWERS:
        return 0
    if "month" in low:
        raise ValueError("Please give the earlier rounds in weeks or days (e.g. 4 weeks).")
    parts = _DURATION_PART.findall(low)
    rest = _DURATION_PART.sub("", low).replace("and", "").replace(",", "").strip()
    if not parts or rest:
        raise ValueError(
            "Please say how long the earlier rounds ran in all, e.g. 4 weeks or 28 days "
            "(or 'none')."
        )
    days = 0
    for amount, unit in parts:
        n = int(amount) if amount.isdigit() else _SPAN_NUMBERS.index(amount) + 1
        days += n * (7 if unit.startswith("w") else 1)
    if days > 36_500:
        raise ValueError("That is more than a hundred years of earlier rounds; please check it.")
    return days


def read_yes_no(text: str) -> str:
    """'yes', 'no' or 'not said' (skipped: never taken as yes)."""
    low = text.lower().strip(" .!")
    if low in _YES:
        return YES_NO[0]
    if low in _NO:
        return YES_NO[1]
    if low in _SKIP:
        return YES_NO[2]
    raise ValueError("Please answer yes or no (or 'skip' if you don't know).")


def apply_answer(
    draft: Draft, field: str, text: str, today: date, *, refuse_contradiction: bool = True
) -> Draft:
    """Fill in one field from the user's answer and return a new draft.

    Dates go through ``read_date`` (for funding ``ends``, "from 1 April" means 31 March).
    ``errors`` on the result describe this answer only; a field whose answer can't be used
    stays in ``missing``. Raises ``ValueError`` if ``field`` isn't a field of this kind.
    """
    kind = draft.kind
    extra = {f.name: f.kind for f in FORMS[kind].extra}
    if field not in ALL_FIELDS[kind] and field not in extra:
        raise ValueError(f"{field!r} is not a field of a {kind} registration")
    fields = dict(draft.fields)
    missing = set(draft.missing)
    lengths = dict(draft.lengths)
    yearless = set(draft.yearless)
    day_before = dict(draft.day_before)
    day_before.pop(field, None)
    answer = text.strip()

    def failed(message: str) -> Draft:
        fields[field] = None
        lengths.pop(field, None)
        yearless.discard(field)
        return Draft(
            kind,
            fields,
            ordered_missing(kind, missing | {field}),
            [message],
            lengths,
            yearless,
            day_before,
        )

    if len(answer) > MAX_LENGTH:
        return failed(
            f"That message is too long ({len(answer):,} characters); please keep it under 4,000."
        )
    if not answer:
        return failed("Please type an answer (or /cancel).")

    value: FieldValue
    if field in extra:
        read = read_days if extra[field] == "days" else read_yes_no
        try:
            value = read(answer)
        except ValueError as exc:
            return failed(str(exc))
    elif field in DATE_FIELDS:
        try:
            said = read_date(kind, field, answer, today)
        except DateParseError as exc:
            return failed(str(exc))
        lengths.pop(field, None)
        yearless.discard(field)
        if said.length is not None:
            lengths[field] = said.length
            value = None
        else:
            assert said.day is not None
            value = said.day
            if said.yearless:
                yearless.add(field)
            if said.day_before is not None:
                day_before[field] = said.day_before
            # An answer that contradicts a date already given is asked again, never moved.
            problem = contradiction(replace(draft, fields={**fields, field: value}))
            if problem is not None and refuse_contradiction:
                return failed(problem)
    elif field == "against":
        guessed = classify_against(answer)
        if guessed is None:
            return failed(
                "Please answer 'public' (a council, NHS or other public body) or 'vcs' "
                "(a voluntary or community organisation)."
            )
        value = guessed
    elif field == "summary":
        value = answer
    else:
        value = cap(answer)

    fields[field] = value
    missing.discard(field)
    return settle(
        Draft(kind, fields, ordered_missing(kind, missing), [], lengths, yearless, day_before)
    )


_SIDE_WORDS = _PUBLIC_ANSWERS | _VCS_ANSWERS | {"the public sector", "the vcs", "a charity"}
_PARSERS = {
    "consultation": parse_consultation,
    "funding": parse_funding,
    "complaint": parse_complaint,
}


def read_message(kind: Kind, text: str, today: date, bodies: Gazetteer | None = None) -> Draft:
    """A whole registration message: lines labelled with a field ("Title: …", "By: …",
    "Closes: 26 Feb") fill that field as its answer would; the other lines are read as
    free text (``parse_consultation`` …, finding bodies with ``bodies``). Never raises."""
    text = without_list_marks(without_chatter(text))
    lines = labelled_lines(kind, text)
    labelled, rest = lines.fields, lines.rest
    if not labelled:
        return _PARSERS[kind](text, today, bodies)
    draft = _PARSERS[kind]("\n".join(rest), today, bodies)
    if not any(line.strip() for line in rest):
        draft.errors = []
    given = {name for name, _ in labelled}
    # What the free lines guessed for a labelled field gives way to the label.
    draft.errors = [e for e in draft.errors if not any(n in e for n in given)]
    errors = list(draft.errors)
    for name, value in labelled:
        # Dates that contradict each other are kept: the read-back refuses them in one line.
        draft = apply_answer(draft, name, value, today, refuse_contradiction=False)
        errors.extend(draft.errors)
        if kind == "complaint" and name == "against" and "body" not in given:
            # "Against: Sevenoaks DC" names the body as well as its side.
            if value.lower().strip(" .") not in _SIDE_WORDS:
                draft = apply_answer(draft, "body", value, today)
    if kind == "complaint":
        draft = _labelled_complaint(draft, labelled, text, today, bodies)
    draft = _body_in_title(draft, labelled, today, bodies)
    draft.errors = errors
    return draft


def _labelled_complaint(
    draft: Draft, labelled: list[tuple[str, str]], text: str, today: date, bodies: Gazetteer | None
) -> Draft:
    """ "Complaint about: Sevenoaks DC. They ignored us": the body is the name the label's
    value starts with (what follows is what happened), its side follows from the body, and
    with no line saying what happened the message is the summary, as in plain words."""
    given = dict(labelled)
    said = given.get("body")
    if said is not None:
        inner = parse_complaint(said, today, bodies).fields.get("body")
        if isinstance(inner, str) and said.lower().startswith(inner.lower()):
            tail = said[len(inner) :].strip(" .,;:-–—")
            draft = apply_answer(draft, "body", inner, today)
            if tail and "summary" not in given:
                draft = apply_answer(draft, "summary", tail, today)
    what = given.get("summary")
    if draft.fields.get("body") is None and what is not None:
        # "Issue: KCC cut the consultation to 3 weeks": the body named in what happened.
        named = parse_complaint(what, today, bodies).fields.get("body")
        if isinstance(named, str):
            draft = apply_answer(draft, "body", named, today)
    body = draft.fields.get("body")
    if draft.fields.get("against") is None and isinstance(body, str):
        side = classify(body, bodies)
        if side is not None:
            draft = apply_answer(draft, "against", side, today)
    if draft.fields.get("summary") is None:
        draft = apply_answer(draft, "summary", text.strip(), today)
    return draft


def _body_in_title(
    draft: Draft, labelled: list[tuple[str, str]], today: date, bodies: Gazetteer | None
) -> Draft:
    """A body named in a labelled title ("Consultation – Sevenoaks DC library hours") when
    no line gives it: the body, and the title without it."""
    kind = draft.kind
    named = "funder" if kind == "funding" else "body"
    if kind == "complaint" or draft.fields.get(named) is not None:
        return draft
    for name, value in labelled:
        if name != FORMS[kind].title_field:
            continue
        inner = _PARSERS[kind](value, today, bodies)
        found, title = inner.fields.get(named), inner.fields.get("title")
        if isinstance(found, str):
            draft = apply_answer(draft, named, found, today)
            if isinstance(title, str):
                draft = apply_answer(draft, "title", title, today)
            return draft
    return draft


_CORRECTION_LEAD = re.compile(
    r"^(?:(?:no|nope|nah|sorry|oops|actually|correction|wait|ah|oh|erm|um|sorry)\b[\s,.:;!-]*)+",
    re.IGNORECASE,
)
_CORRECTION_TAIL = re.compile(
    r"(?:[\s,.!;-]*\b(?:actually|sorry|please|pls|thanks|instead|my mistake|my bad|not that)\b)*"
    r"[\s,.!;-]*$",
    re.IGNORECASE,
)
_IT_IS = re.compile(
    r"^(?:it'?s|it\s+is|its|it\s+should\s+be|should\s+be|make\s+(?:it|that)|that\s+should\s+be"
    r"|i\s+meant|meant|it\s+was|the\s+right\s+one\s+is|change\s+(?:it\s+)?to|it)\s+",
    re.IGNORECASE,
)
_VALUE_LEAD = re.compile(r"^(?:is|was|should\s+be|=|to|to\s+be|now)\s+", re.IGNORECASE)
_NAME_FIELDS = ("body", "funder")


def read_correction(
    kind: Kind, text: str, today: date, is_body: Callable[[str], bool] = names_a_body
) -> tuple[str, str] | None:
    """A correction typed at a read-back, as (field, new value): "closes 19/2/27 actually"
    -> ("closes", "19/2/27"); "no, it's PKC" -> ("body", "PKC"); "the funder should be KCC"
    -> ("funder", "KCC"). A bare value is taken for the one field it can be (a date where
    the form has one date field to change, a body's name for the body or funder:
    ``is_body``); None when it is not a correction or its field is unclear."""
    form = FORMS[kind]
    said = _CORRECTION_TAIL.sub("", _CORRECTION_LEAD.sub("", text.strip())).strip()
    if not said:
        return None
    for candidate in (
        said,
        re.sub(r"^the\s+", "", said, flags=re.IGNORECASE),
        _IT_IS.sub("", said),
    ):
        found = form.find_field(candidate, extra=True)
        if found is not None and found[1]:
            return found[0].name, _VALUE_LEAD.sub("", found[1]).strip()
    value = _IT_IS.sub("", said).strip()
    if not value or (value == said and not _CORRECTION_LEAD.match(text.strip())):
        return None  # a bare value counts only after "no", "actually", "it's" …
    dates = [f.name for f in form.fields if f.kind == "date" and f.required]
    readable = []
    for name in dates:
        try:
            read_date(kind, name, value, today)
        except DateParseError:
            continue
        readable.append(name)
    if readable:
        return (readable[0], value) if len(dates) == 1 else None
    if re.search(r"\d", value):
        return None  # a date we can't place, not a name
    names = [f.name for f in form.fields if f.name in _NAME_FIELDS]
    if names and len(value.split()) <= 6 and is_body(value):
        return names[0], value
    return None  # "no, the other one": no field named, no body either
