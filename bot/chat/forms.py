"""Registration forms: each kind of item declared once, field by field.

A form says which fields an item has, which are required, how each is asked for and read
back, and how the answers become the event the core registers.  The guided registration
(``bot.chat.registration``), the free-text reader (``bot.chat.registration_parsing``) and
the command line (``compactbot check``) all use these declarations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from bot.domain.events import ComplaintRaised, ConsultationLaunched, FundingEnding
from bot.records.log import RegisteredEvent

Kind = Literal["consultation", "funding", "complaint"]
FieldValue = str | date | int | None
FieldKind = Literal["text", "date", "choice", "days", "yes_no", "fact"]
"""``yes_no``: only "yes" counts (not said is read as no).  ``fact``: yes, no or don't know,
each kept as said: a verdict that turns on a "don't know" is conditional."""

AskedWhen = Literal["rounds_counted", "statutory_excluded", "consultation_first", "rationale"]
"""When a question is asked only for some Compacts: one the chat follows counts earlier
formal rounds toward its standard (``standard_is_total``: West Kent), leaves consultations
required by statute out (``statutory_exclusion``: the Kent 2007 draft), wants a consultation
before notice of a funding change (``consultation_before_notice``: Kent 2011), or a rationale
with the decision (``rationale_required``: Kensington and Chelsea, Kent 2011)."""

YES_NO = ("yes", "no", "not said")
"""The answers a yes/no question stores ("not said": skipped; never read as yes)."""

FACT_VALUES: dict[str, bool] = {"yes": True, "no": False}
"""A ``fact`` answer as the event holds it; "not said" (don't know) is None: not known."""
FACT_SAID = {"not said": "don't know"}
"""How the read-back shows a ``fact`` answered "don't know"."""

MAX_TEXT = 500
"""The longest text an event field holds (a summary keeps the first 500 characters)."""


@dataclass(frozen=True)
class FormField:
    name: str
    """The field's name in drafts and in the read-back's "change" answers."""
    label: str
    """How the read-back names it: "Last funded day"."""
    question: str
    """How the guided registration asks for it."""
    kind: FieldKind = "text"
    required: bool = True
    event_field: str = ""
    """The event's attribute it fills (default: the same name)."""
    about: str = ""
    """How an error message names it: "the last funded day" (default: the name)."""
    aliases: tuple[str, ...] = ()
    """Other words people use for it ("close", "deadline"), e.g. in /change."""
    forward: bool = False
    """A date that looks ahead (a close, a last funded day): "30 June" said in December
    means next June, and a length ("in 6 weeks") counts from the opening day."""
    asked_when: AskedWhen | None = None
    """Only for a form's ``extra`` questions: which Compacts make it worth asking."""

    @property
    def target(self) -> str:
        return self.event_field or self.name

    def asked(self, today: date) -> str:
        """The question with its examples' years filled in, so an example is never a date
        that has passed."""
        return self.question.format(this_year=today.year, next_year=today.year + 1)

    @property
    def phrase(self) -> str:
        return self.about or self.name


@dataclass(frozen=True)
class Form:
    kind: Kind
    noun: str
    """"a consultation", "a funding change", "a complaint"."""
    fields: tuple[FormField, ...]
    event_type: type[ConsultationLaunched] | type[FundingEnding] | type[ComplaintRaised]
    title_field: str
    default_title: str
    change_example: str
    """A field and a new value, as typed at the read-back or after /change ID."""
    raised_today: bool = False
    """The event's ``raised_on`` is the day it is registered (complaints)."""
    extra: tuple[FormField, ...] = ()
    """Questions asked after the fields, only when a Compact the chat follows needs the
    answer (``FormField.asked_when``); each may be skipped."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        """Required fields, in the order the guided registration asks for them."""
        return tuple(f.name for f in self.fields if f.required)

    @property
    def date_fields(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.kind == "date")

    def field(self, name: str) -> FormField:
        for f in (*self.fields, *self.extra):
            if f.name == name:
                return f
        raise KeyError(name)

    def find_field(self, words: str, *, extra: bool = False) -> tuple[FormField, str] | None:
        """The field ``words`` starts with (by name, label or alias; longest first) and the
        rest of the words: "closes 15 March" -> (closes, "15 March"). ``extra``: the extra
        questions' fields too ("earlier rounds 4 weeks")."""
        words = " ".join(words.split())
        low = words.lower()
        fields = (*self.fields, *self.extra) if extra else self.fields
        names = sorted(
            ((n, f) for f in fields for n in (f.name, f.label.lower(), *f.aliases)),
            key=lambda pair: -len(pair[0]),
        )
        for name, f in names:
            if low == name or low.startswith(name + " ") or low.startswith(name + ":"):
                return f, words[len(name) :].lstrip(" :").strip()
        return None

    def extra_for(self, needs: set[AskedWhen]) -> tuple[FormField, ...]:
        """The extra questions the followed Compacts need (``needs``), in order."""
        return tuple(f for f in self.extra if f.asked_when in needs)

    def title(self, values: Mapping[str, FieldValue]) -> str:
        return str(values.get(self.title_field) or self.default_title)[:200]

    def readback(
        self, values: Mapping[str, FieldValue], notes: Mapping[str, str] | None = None
    ) -> str:
        """The values as the bot reads them back before storing anything; ``notes`` say
        where a value came from ("closes": "6 weeks from opening")."""
        notes = notes or {}
        lines = []
        for f in (*self.fields, *self.extra):
            value = values.get(f.name)
            if value is None:
                continue
            if isinstance(value, date):
                value = f"{value:%a} {value.day} {value:%B %Y}"
            elif f.name == "against":
                value = "the public sector" if value == "public" else "the VCS"
            elif f.kind == "fact":
                value = FACT_SAID.get(str(value), str(value))
            elif f.kind == "days" and isinstance(value, int):
                value = "none given" if value == 0 else f"{value} day{'s' if value != 1 else ''}"
            note = f" ({notes[f.name]})" if f.name in notes else ""
            lines.append(f"{f.label}: {value}{note}")
        return "\n".join(lines)

    def event(
        self,
        values: Mapping[str, FieldValue],
        *,
        today: date,
        chat_id: int = 0,
        registered_by: int | None = None,
        **extra: Any,
    ) -> RegisteredEvent:
        """The event the answers describe; raises pydantic's ValidationError if they don't
        add up (a close before an open)."""
        data: dict[str, Any] = {}
        for f in (*self.fields, *self.extra):
            value = values.get(f.name)
            if f.kind == "yes_no":
                value = True if value == "yes" else None  # only the group's "yes" counts
            elif f.kind == "fact":
                value = FACT_VALUES.get(str(value)) if value is not None else None
            elif isinstance(value, str):
                value = value[:MAX_TEXT]
            if value is not None:
                data[f.target] = value
        data.setdefault(self.field(self.title_field).target, self.default_title)
        if self.raised_today:
            data["raised_on"] = today
        return self.event_type(chat_id=chat_id, registered_by=registered_by, **data, **extra)


CONSULTATION = Form(
    kind="consultation",
    noun="a consultation",
    fields=(
        FormField("title", "Title", "What is it called?", aliases=("name",)),
        FormField(
            "body",
            "Public body",
            "Which public body is it (e.g. Sevenoaks DC)?",
            aliases=("body", "by", "council"),
        ),
        FormField(
            "opens",
            "Opens",
            "When does it open? (e.g. 1 Dec, 01/12/{this_year}, today)",
            "date",
            aliases=("open", "opening", "starts", "start"),
        ),
        FormField(
            "closes",
            "Closes",
            "When does it close? (e.g. 23 Feb, 23/02/{next_year}, in 12 weeks)",
            "date",
            aliases=("close", "closing", "closing date", "deadline", "ends", "end"),
            forward=True,
        ),
    ),
    event_type=ConsultationLaunched,
    title_field="title",
    default_title="Consultation",
    change_example="closes 15 March",
    extra=(
        FormField(
            "earlier_rounds",
            "Earlier rounds",
            "Were there earlier formal consultation rounds on the same matter? If so, how long "
            "did they run in all (e.g. 4 weeks, 28 days)? Say 'none' if there were none, or "
            "'skip'.",
            "days",
            required=False,
            event_field="earlier_rounds_days",
            about="the earlier rounds",
            asked_when="rounds_counted",
        ),
        FormField(
            "statutory",
            "Required by statute",
            "Is this consultation required by statute (for example a planning application or "
            "a highways proposal)? (yes / no, or 'skip' if you don't know)",
            "yes_no",
            required=False,
            event_field="statutory",
            about="whether it is required by statute",
            asked_when="statutory_excluded",
        ),
    ),
)

FUNDING = Form(
    kind="funding",
    noun="a funding change",
    fields=(
        FormField("funder", "Funder", "Who is the funder?", aliases=("by",)),
        FormField("title", "Title", "What is it called?", aliases=("name", "grant")),
        FormField(
            "ends",
            "Last funded day",
            "What is the last day funded on the current terms? (e.g. 31 March {next_year})",
            "date",
            event_field="last_funded_day",
            about="the last funded day",
            aliases=("ends", "end", "last day", "until"),
            forward=True,
        ),
        FormField(
            "notice",
            "Notice given",
            "When was notice given?",
            "date",
            required=False,
            event_field="notice_given_on",
            about="notice",
        ),
        FormField(
            "consultation_start",
            "Consultation started",
            "When did the consultation on it start?",
            "date",
            required=False,
            event_field="consultation_started_on",
            about="the consultation start",
        ),
    ),
    event_type=FundingEnding,
    title_field="title",
    default_title="Funding",
    change_example="ends 30 September",
    extra=(
        FormField(
            "consulted",
            "Consultation on it started",
            "Has the funder started a consultation on this change? (yes / no / don't know; "
            "the day it started can be added later with /consulted)",
            "fact",
            required=False,
            event_field="consulted",
            about="whether a consultation has started",
            asked_when="consultation_first",
        ),
        FormField(
            "rationale",
            "Rationale given",
            "Did the decision come with a rationale, the funder's reasons for it? "
            "(yes / no / don't know)",
            "fact",
            required=False,
            event_field="rationale_given",
            about="whether a rationale was given",
            aliases=("reasons",),
            asked_when="rationale",
        ),
    ),
)

COMPLAINT = Form(
    kind="complaint",
    noun="a complaint",
    fields=(
        FormField(
            "against",
            "Against",
            "Is the complaint against the public sector or the VCS? (public / vcs)",
            "choice",
        ),
        FormField(
            "body",
            "Public body",
            "Which body is it about (e.g. Sevenoaks DC)?",
            aliases=("body", "about"),
        ),
        FormField("summary", "Summary", "What happened, in a sentence?", aliases=("what",)),
    ),
    event_type=ComplaintRaised,
    title_field="summary",
    default_title="Complaint",
    change_example="body Sevenoaks DC",
    raised_today=True,
)

FORMS: dict[Kind, Form] = {f.kind: f for f in (CONSULTATION, FUNDING, COMPLAINT)}
