"""Parse free-text registration messages into drafts the bot can complete by asking questions.

Three kinds: a consultation ("Library services review, opens 1 Dec, closes 23 Feb, by
Sevenoaks DC"), a funding change ("KCC ending our youth grant, last funded day 30 June 2027")
and a complaint ("Sevenoaks DC ignored our letters"). Pure functions: ``today`` is passed in.

How a message is read:

1. It is split into tokens; runs of up to 7 tokens that `parse_day_info` accepts are dates.
2. Each date takes its role from the words just before it ("opens", "closing date:",
   "notice given on", "last funded day" ...). Two dates joined by a dash, "to" or "until" are a
   range. Dates without a role fill the remaining date fields in order. Dates without digits
   ("today", "Monday") only count after such a word, so "Sunday opening hours review" is a title.
3. What's left, split at commas/semicolons/new lines/spaced dashes, gives the title (first
   piece) and the body: "by X"/"from X", a piece that looks like a public body ("Tonbridge &
   Malling BC"), or a public body named anywhere ("Sevenoaks DC grant ends ...").

Rules worth knowing:

* Years, per field: a date without a year takes it from what the date is. A deadline
  (closes, ends) is the next such day on or after today; a day something happened (notice
  given, a consultation on the change started, "opened 3 Nov") the latest not after today;
  an opening the nearest (see `bot.chat.dateparsing`). A close before its opening, or a last
  funded day before the notice, is never moved to another year to fit: the registration
  says it doesn't add up (``contradiction``) and asks what to change.
* Months and weekdays misspelt the common ways are read ("Febuary", "Wendesday").
* The tense of the clause says which weekday or day of the month: said in the past
  ("launched … on Monday", "kicked off on the 29th") the latest such day, else the next.
* "1 Dec 23 Feb" is two dates, not 1 Dec 2023.
* Funding: ``ends`` is the LAST FUNDED DAY. "ends 31 March", "until 31 March" and "last funded
  day 31 March" mean 31 March. "from 1 April", "stops on 1 April", "cut from 1 April" name the
  first UNFUNDED day, so the last funded day is 31 March. "funded from 1 April 2024 to 31 March
  2027" is a funding period: ``ends`` is 31 March 2027.
* `Draft.missing` lists the required fields not found, in the order a guided conversation
  should ask for them, plus any optional field the user clearly tried to give but we couldn't
  read (so it gets asked again rather than silently dropped). Every message in `Draft.errors`
  goes with a field in `missing`, so ``complete`` is simply "nothing missing".

The modules, each importing only those above it:

- ``tokens``: the tokenizer (step 1)
- ``chatter``: a greeting or lead-in before the registration, thanks after it (set aside)
- ``dates``: keyword tables, date spans and their roles, ranges; the dates a message gives
- ``lengths``: a consultation's length ("for 6 weeks"), counted from the opening day
- ``funders``: funders that are no public body, from a table (``funders.json``)
- ``names``: public bodies and titles (step 3); public or voluntary; whether a value names
  a body (``names_a_body``, for a correction naming no field)
- ``labels``: lines labelled with a field ("funder - KCC", "who/what/when:"), from a table
  of label words per field
- ``drafts``: ``Draft``, ``parse_consultation``, ``parse_funding``, ``parse_complaint``, ``settle``
- ``field_answers``: the guided conversation's answers: ``apply_answer``, ``read_date`` and the rest
"""

from __future__ import annotations

from bot.chat.registration_parsing.drafts import (
    ALL_FIELDS,
    REQUIRED,
    Draft,
    contradiction,
    parse_complaint,
    parse_consultation,
    parse_funding,
)
from bot.chat.registration_parsing.field_answers import (
    apply_answer,
    classify_against,
    read_correction,
    read_date,
    read_days,
    read_message,
    read_yes_no,
)
from bot.chat.registration_parsing.lengths import length_from

__all__ = [
    "ALL_FIELDS",
    "REQUIRED",
    "Draft",
    "apply_answer",
    "classify_against",
    "contradiction",
    "length_from",
    "parse_complaint",
    "parse_consultation",
    "parse_funding",
    "read_correction",
    "read_date",
    "read_days",
    "read_message",
    "read_yes_no",
]
