"""Tests for bot.chat.registration_parsing: consultations, funding changes, complaints, answers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.chat.registration_parsing import (
    ALL_FIELDS,
    REQUIRED,
    Draft,
    apply_answer,
    contradiction,
    parse_complaint,
    parse_consultation,
    parse_funding,
    read_message,
)
from bot.chat.registration_parsing.chatter import without_chatter

TODAY = date(2026, 11, 25)
D = date

# --- consultations --------------------------------------------------------------------------

_LIB = "Library services review"


@pytest.mark.parametrize(
    ("text", "title", "body", "opens", "closes"),
    [
        (
            "Library services review, opens 1 Dec, closes 23 Feb, by Sevenoaks DC",
            _LIB, "Sevenoaks DC", D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Youth strategy consultation by KCC from 3 March to 12 May",
            "Youth strategy consultation", "KCC", D(2027, 3, 3), D(2027, 5, 12),
        ),
        (
            "Budget consultation, Tonbridge & Malling BC, 1/12/26 - 23/2/27",
            "Budget consultation", "Tonbridge & Malling BC", D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Library services review; opening 1 December 2026; closing 23 February 2027; "
            "Sevenoaks District Council",
            _LIB, "Sevenoaks District Council", D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Library services review\nopens 1 Dec\ncloses 23 Feb\nby Sevenoaks DC",
            _LIB, "Sevenoaks DC", D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Library services review opens 1/12 closes 23/2 by Sevenoaks DC",
            _LIB, "Sevenoaks DC", D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Library services review 1 Dec-23 Feb Sevenoaks DC",
            _LIB, "Sevenoaks DC", D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Library services review, 2026-12-01 to 2027-02-23, KCC",
            _LIB, "KCC", D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Library services review. Opens 1 Dec. Closes 23 Feb. Run by Sevenoaks DC.",
            _LIB, "Sevenoaks DC", D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Covid-19 recovery plan consultation; Kent County Council; 1 Dec 2026 – 23 Feb 2027",
            "Covid-19 recovery plan consultation", "Kent County Council",
            D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Consultation on bins between 1 Dec and 23 Feb from Dartford BC",
            "Consultation on bins", "Dartford BC", D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Youth strategy consultation from KCC, 3 March - 12 May",
            "Youth strategy consultation", "KCC", D(2027, 3, 3), D(2027, 5, 12),
        ),
        (
            "Library services review opened Monday, responses by 23 Feb, run by Sevenoaks "
            "District Council",
            _LIB, "Sevenoaks District Council", D(2026, 11, 23), D(2027, 2, 23),
        ),
        (
            "Library services review, consultation opened 1 Nov, deadline is 23 Jan, KCC",
            _LIB, "KCC", D(2026, 11, 1), D(2027, 1, 23),
        ),
        (
            "Library services review, runs from 1st Dec until 23rd Feb, Sevenoaks DC",
            _LIB, "Sevenoaks DC", D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Library services review - Sevenoaks DC - 1 Dec to 23 Feb",
            _LIB, "Sevenoaks DC", D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "NHS Kent and Medway: hospital transport review, starts 1 Dec, ends 23 Feb",
            "Hospital transport review", "NHS Kent and Medway", D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Changes to library hours, closing date: 23/02/2027, open from 1/12/2026, "
            "Dartford Borough Council",
            "Changes to library hours", "Dartford Borough Council",
            D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Consultation by KCC on youth services closes 23 Feb opens 1 Dec",
            "Consultation on youth services", "KCC", D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Review of libraries by Sevenoaks District Council and partners, 1 Dec - 23 Feb",
            "Review of libraries", "Sevenoaks District Council",
            D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Stand by me review, KCC, 1 Dec - 23 Feb",
            "Stand by me review", "KCC", D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Bus review by the county council, 1 Dec - 23 Feb",
            "Bus review", "the county council", D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "KCC: Library services review 01/12/2026–23/02/2027",
            _LIB, "KCC", D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Library services review (Sevenoaks DC), closes 23 Feb at 5pm, opened 1 Dec",
            "Library services review", "Sevenoaks DC",
            D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "📚 Library services review — opens 1 Dec — closes 23 Feb — KCC 👍",
            _LIB, "KCC", D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Library services review KCC 1 Dec 23 Feb",  # not 1 Dec 2023
            "Library services review", "KCC", D(2026, 12, 1), D(2027, 2, 23),
        ),
        (
            "Bus review by Medway, 1 Dec - 23 Feb",
            "Bus review", "Medway", D(2026, 12, 1), D(2027, 2, 23),
        ),
    ],
)  # fmt: skip
def test_consultation_complete(text: str, title: str, body: str, opens: date, closes: date) -> None:
    draft = parse_consultation(text, TODAY)
    assert draft.kind == "consultation"
    assert draft.errors == []
    assert draft.fields == {"title": title, "body": body, "opens": opens, "closes": closes}
    assert draft.missing == []
    assert draft.complete


def test_consultation_relative_dates_and_missing_body() -> None:
    draft = parse_consultation("Parks review opened today closes in 6 weeks", TODAY)
    assert draft.fields == {
        "title": "Parks review",
        "body": None,
        "opens": TODAY,
        "closes": D(2027, 1, 6),
    }
    assert draft.missing == ["body"]
    assert not draft.complete


@pytest.mark.parametrize(
    ("text", "missing", "fields"),
    [
        ("", ["title", "body", "opens", "closes"], {}),
        ("banana", ["body", "opens", "closes"], {"title": "Banana"}),
        # A lone date with no keyword is taken as the deadline.
        ("Parks review, KCC, 23 Feb", ["opens"], {"closes": D(2027, 2, 23), "body": "KCC"}),
        ("Parks review, KCC, closes 23 Feb", ["opens"], {"closes": D(2027, 2, 23)}),
        ("Parks review, KCC, opens 1 Dec", ["closes"], {"opens": D(2026, 12, 1)}),
        ("Parks review closes Friday by KCC", ["opens"], {"closes": D(2026, 11, 27)}),
        ("opens 1 Dec closes 23 Feb", ["title", "body"], {"opens": D(2026, 12, 1)}),
        # A weekday with no keyword is part of the title, not a date.
        (
            "Sunday opening hours review by KCC, closing date: 23 Feb",
            ["opens"],
            {"title": "Sunday opening hours review", "closes": D(2027, 2, 23)},
        ),
        # A public body named in the title still counts as the body.
        (
            "Sevenoaks DC library review, opens 1 Dec, closes 23 Feb",
            [],
            {"title": "Library review", "body": "Sevenoaks DC"},
        ),
        ("Changes to opening hours, closes 23 Feb", ["body", "opens"], {}),
        ("Report from residents, 1 Dec - 23 Feb", ["body"], {"title": "Report from residents"}),
    ],
)
def test_consultation_partial(text: str, missing: list[str], fields: dict[str, object]) -> None:
    draft = parse_consultation(text, TODAY)
    assert draft.missing == missing
    assert draft.errors == []
    for name, value in fields.items():
        assert draft.fields[name] == value


def test_consultation_closing_rolls_into_next_year() -> None:
    # A close is a deadline: the next 30 June, so a consultation opened 1 Dec runs to it.
    draft = parse_consultation("Library review by KCC opens 1 Dec closes 30 June", TODAY)
    assert draft.fields["opens"] == D(2026, 12, 1)
    assert draft.fields["closes"] == D(2027, 6, 30)
    assert draft.complete


def test_a_yearless_opening_is_the_nearest_and_never_moved_to_fit() -> None:
    draft = parse_consultation("Library review by KCC opens 1 June, closes 1/1/2027", TODAY)
    assert draft.fields["opens"] == D(2026, 6, 1)
    # The nearest 20 May is May 2027: after the close, so it doesn't add up (not moved back).
    draft = parse_consultation("Library review by KCC opens 20 May, closes 10/1/2026", TODAY)
    assert draft.fields["opens"] == D(2027, 5, 20)
    assert contradiction(draft) == "closes (10 Jan 2026) is before opens (20 May 2027)"


@pytest.mark.parametrize(
    "text",
    [
        "Library review opens 23 Feb 2027 closes 1 Dec 2026 by KCC",
        "Library review by KCC opens 5 March, closes 1 March",  # not 1 March 2028
    ],
)
def test_consultation_closes_before_opens_is_refused(text: str) -> None:
    draft = parse_consultation(text, TODAY)
    problem = contradiction(draft)
    assert problem is not None and problem.startswith("closes (1 ")
    assert "is before opens" in problem


@pytest.mark.parametrize(
    ("text", "error", "missing"),
    [
        (
            "Library review, opens 31 Feb, closes 23 Feb, KCC",
            "I couldn't read 'opens 31 Feb' as a date",
            ["opens"],
        ),
        (
            "Library review opens 1 Dec, closes in 6 wekks, KCC",
            "I couldn't read 'closes in 6 wekks' as a date",
            ["closes"],
        ),
        (
            "Library review, KCC, from 1 Dec to 32/13/27",
            "I couldn't read 'to 32/13/27' as a date",
            ["closes"],
        ),
        (
            "Library review, KCC, opens 1 Dec 2026, opens 3 Dec 2026, closes 23 Feb",
            "I found more than one date for opens (1 Dec 2026 and 3 Dec 2026)",
            ["opens"],
        ),
        (
            "Library review, KCC, opens 1 Dec, closes Monday 23 Feb 2027",
            "23 Feb 2027 is a Tuesday",
            ["closes"],
        ),
    ],
)
def test_consultation_date_errors(text: str, error: str, missing: list[str]) -> None:
    draft = parse_consultation(text, TODAY)
    assert len(draft.errors) == 1
    assert draft.errors[0].startswith(error) or error in draft.errors[0]
    assert draft.missing == missing
    assert not draft.complete


def test_weekday_mismatch_is_reported_not_ignored() -> None:
    draft = parse_consultation("Library review, KCC, opens 1 Dec, closes Monday 23 Feb 2027", TODAY)
    assert draft.fields["closes"] is None


def test_words_like_to_and_by_are_not_dates() -> None:
    draft = parse_consultation("Changes to 3 libraries, by KCC, closes 23 Feb", TODAY)
    assert draft.errors == []
    assert draft.fields["title"] == "Changes to 3 libraries"
    assert draft.fields["body"] == "KCC"


@pytest.mark.parametrize("parse", [parse_consultation, parse_funding, parse_complaint])
def test_too_long(parse: object) -> None:
    text = "Library review opens 1 Dec " * 200
    assert callable(parse)
    draft = parse(text, TODAY)
    assert isinstance(draft, Draft)
    assert draft.errors == [
        f"That message is too long ({len(text):,} characters); please keep it under 4,000."
    ]
    assert all(value is None for value in draft.fields.values())
    assert draft.missing == list(REQUIRED[draft.kind])


def test_exactly_4000_characters_is_parsed() -> None:
    text = ("Parks review closes 23 Feb, KCC " + "x" * 4000)[:4000]
    draft = parse_consultation(text, TODAY)
    assert not any("too long" in e for e in draft.errors)
    assert draft.fields["closes"] == D(2027, 2, 23)


# --- funding --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "KCC ending our youth grant, last funded day 30 June 2027",
            {"funder": "KCC", "title": "Youth grant", "ends": D(2027, 6, 30),
             "notice": None, "consultation_start": None},
        ),
        (
            "Sevenoaks DC grant ends 31 March, notice given 2 Jan",
            {"funder": "Sevenoaks DC", "title": "Sevenoaks DC grant", "ends": D(2027, 3, 31),
             "notice": D(2026, 1, 2), "consultation_start": None},  # happened: the last 2 Jan
        ),
        (
            "council cutting our funding from 1 April, consultation started 5 Dec, notice 2 Jan",
            {"funder": "council", "title": "Council cutting our funding", "ends": D(2027, 3, 31),
             "notice": D(2026, 1, 2), "consultation_start": D(2025, 12, 5)},  # the last ones
        ),
        (
            "Our youth grant stops on 1 April, told us 2 Jan, funded by Sevenoaks Town Council",
            {"funder": "Sevenoaks Town Council", "title": "Our youth grant",
             "ends": D(2027, 3, 31), "notice": D(2026, 1, 2), "consultation_start": None},
        ),
        (
            "Grant from Kent Community Foundation funded from 1 April 2024 to 31 March 2027",
            {"funder": "Kent Community Foundation", "title": "Grant", "ends": D(2027, 3, 31),
             "notice": None, "consultation_start": None},
        ),
        (
            "KCC cutting our grant by 50% from 1 April",
            {"funder": "KCC", "title": "Grant by 50%", "ends": D(2027, 3, 31),
             "notice": None, "consultation_start": None},
        ),
        (
            "Youth grant, KCC, funded until 31/3/27; letter dated 2/1/27; consultation from 1 Dec",
            {"funder": "KCC", "title": "Youth grant", "ends": D(2027, 3, 31),
             "notice": D(2027, 1, 2), "consultation_start": D(2025, 12, 1)},  # the last 1 Dec
        ),
        (
            "Dartford BC: advice service grant, 1 April 2024 - 31 March 2027",
            {"funder": "Dartford BC", "title": "Advice service grant", "ends": D(2027, 3, 31),
             "notice": None, "consultation_start": None},
        ),
        (
            "KCC grant ceases 1 March 2028",  # leap year: the day before is 29 Feb
            {"funder": "KCC", "title": "KCC grant", "ends": D(2028, 2, 29),
             "notice": None, "consultation_start": None},
        ),
        (
            "Sevenoaks DC grant, last day of funding end of March",
            {"funder": "Sevenoaks DC", "title": "Sevenoaks DC grant", "ends": D(2027, 3, 31),
             "notice": None, "consultation_start": None},
        ),
        (
            "Sevenoaks DC grant expires 31 March, we were notified on Monday",
            {"funder": "Sevenoaks DC", "title": "Sevenoaks DC grant", "ends": D(2027, 3, 31),
             "notice": D(2026, 11, 23), "consultation_start": None},
        ),
    ],
)  # fmt: skip
def test_funding(text: str, expected: dict[str, object]) -> None:
    draft = parse_funding(text, TODAY)
    assert draft.kind == "funding"
    assert draft.errors == []
    assert draft.fields == expected
    assert draft.missing == []
    assert draft.complete


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        # "ends"/"until"/"last day" name the last funded day ...
        ("KCC grant ends 31 March", D(2027, 3, 31)),
        ("KCC grant until 31 March", D(2027, 3, 31)),
        ("KCC grant, last day 31 March", D(2027, 3, 31)),
        # ... "from"/"stops"/"cut" name the first unfunded day.
        ("KCC grant stops on 1 April", D(2027, 3, 31)),
        ("KCC cutting our grant from 1 April", D(2027, 3, 31)),
        ("KCC grant withdrawn from 1 April", D(2027, 3, 31)),
        ("KCC grant cut on 1 Jan 2027", D(2026, 12, 31)),
        ("KCC grant, no funding from 1 March 2027", D(2027, 2, 28)),
        # A date with no keyword is the last funded day.
        ("KCC grant, 31 March", D(2027, 3, 31)),
    ],
)
def test_funding_last_funded_day_rule(text: str, ends: date) -> None:
    assert parse_funding(text, TODAY).fields["ends"] == ends


def test_funding_missing_and_errors() -> None:
    draft = parse_funding("Grant ends 31 Feb", TODAY)
    assert draft.errors == ["I couldn't read 'ends 31 Feb' as a date — try e.g. 23 Feb 2027."]
    assert draft.missing == ["funder", "ends"]

    draft = parse_funding("Youth grant ends 31 March; notice given 31 Feb", TODAY)
    assert draft.fields["ends"] == D(2027, 3, 31)
    # An optional field the user tried to give is asked again.
    assert draft.missing == ["funder", "notice"]
    assert draft.errors == [
        "I couldn't read 'notice given 31 Feb' as a date — try e.g. 23 Feb 2027."
    ]

    draft = parse_funding("", TODAY)
    assert draft.missing == ["funder", "title", "ends"]


def test_funding_conflicting_end_dates() -> None:
    draft = parse_funding("KCC grant ends 31 March, stops 1 June", TODAY)
    assert draft.missing == ["ends"]
    assert "more than one date for the last funded day" in draft.errors[0]
    # The same day said two ways is not a conflict.
    draft = parse_funding("KCC grant ends 31 March, stops 1 April", TODAY)
    assert draft.errors == []
    assert draft.fields["ends"] == D(2027, 3, 31)


# --- complaints -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "against", "body", "summary"),
    [
        (
            "against the council: they cut the consultation to 3 weeks",
            "public", "the council", "they cut the consultation to 3 weeks",
        ),
        ("against VCS: they didn't share the data", "vcs", None, "they didn't share the data"),
        (
            "Sevenoaks DC ignored our letters",
            "public", "Sevenoaks DC", "Sevenoaks DC ignored our letters",
        ),
        (
            "complaint against KCC for cutting the consultation short",
            "public", "KCC", "complaint against KCC for cutting the consultation short",
        ),
        (
            "Against Kent County Council - no reply to our letters in 3 months",
            "public", "Kent County Council", "no reply to our letters in 3 months",
        ),
        (
            "against West Kent CVS: they shared our data without asking",
            "vcs", "West Kent CVS", "they shared our data without asking",
        ),
        (
            "The NHS trust closed the service with no notice",
            "public", None, "The NHS trust closed the service with no notice",
        ),
        ("Complaint: the local charity ignored us", "vcs", None, "the local charity ignored us"),
        ("they never reply", None, None, "they never reply"),
        (
            "against Kent Community Foundation, no reply to our bid",
            "vcs", "Kent Community Foundation", "no reply to our bid",
        ),
    ],
)  # fmt: skip
def test_complaint(text: str, against: str | None, body: str | None, summary: str) -> None:
    draft = parse_complaint(text, TODAY)
    assert draft.kind == "complaint"
    assert draft.fields["against"] == against
    if body is not None:
        assert draft.fields["body"] == body
    assert draft.fields["summary"] == summary
    assert draft.errors == []


def test_complaint_missing_order() -> None:
    assert parse_complaint("they never reply", TODAY).missing == ["against", "body"]
    assert parse_complaint("", TODAY).missing == ["against", "body", "summary"]
    assert parse_complaint("against VCS: no data", TODAY).missing == ["body"]


# --- apply_answer ---------------------------------------------------------------------------


def test_guided_consultation_conversation() -> None:
    draft = parse_consultation("Parks review opened today", TODAY)
    assert draft.missing == ["body", "closes"]
    draft = apply_answer(draft, "body", "  Sevenoaks DC ", TODAY)
    assert draft.fields["body"] == "Sevenoaks DC"
    assert draft.missing == ["closes"]
    draft = apply_answer(draft, "closes", "31 Feb", TODAY)
    assert draft.errors == ["I couldn't read '31 Feb' as a date — try 23 Feb 2027 or 23/02/2027."]
    assert draft.missing == ["closes"]
    draft = apply_answer(draft, "closes", "in 12 weeks", TODAY)
    assert draft.fields["closes"] == D(2027, 2, 17)
    assert draft.errors == []
    assert draft.complete


def test_answer_closes_before_opens() -> None:
    draft = parse_consultation("Parks review, KCC, opens 23 Feb 2027", TODAY)
    draft = apply_answer(draft, "closes", "1/12/26", TODAY)
    assert draft.errors == ["closes (1 Dec 2026) is before opens (23 Feb 2027)"]
    assert draft.missing == ["closes"]
    assert draft.fields["closes"] is None


def test_answer_yearless_close_rolls_forward() -> None:
    draft = parse_consultation("Parks review, KCC, opens 1 Dec", TODAY)
    draft = apply_answer(draft, "closes", "30 June", TODAY)
    assert draft.fields["closes"] == D(2027, 6, 30)
    assert draft.complete


def test_answer_does_not_mutate_the_original() -> None:
    draft = parse_consultation("Parks review, opens 1 Dec", TODAY)
    before = (dict(draft.fields), list(draft.missing))
    apply_answer(draft, "body", "KCC", TODAY)
    assert (draft.fields, draft.missing) == before


@pytest.mark.parametrize(
    ("answer", "ends"),
    [
        ("31 March", D(2027, 3, 31)),
        ("from 1 April", D(2027, 3, 31)),
        ("stops on 1 April", D(2027, 3, 31)),
        ("ends 31/3/27", D(2027, 3, 31)),
        ("until end of March", D(2027, 3, 31)),
    ],
)
def test_answer_funding_ends(answer: str, ends: date) -> None:
    draft = parse_funding("KCC youth grant", TODAY)
    assert draft.missing == ["ends"]
    draft = apply_answer(draft, "ends", answer, TODAY)
    assert draft.fields["ends"] == ends
    assert draft.complete


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        ("public", "public"),
        ("Public body", "public"),
        ("the council", "public"),
        ("VCS", "vcs"),
        ("a charity", "vcs"),
        ("Sevenoaks DC", "public"),
    ],
)
def test_answer_against(answer: str, value: str) -> None:
    draft = parse_complaint("they never reply", TODAY)
    draft = apply_answer(draft, "against", answer, TODAY)
    assert draft.fields["against"] == value
    assert draft.missing == ["body"]


def test_answer_errors() -> None:
    draft = parse_complaint("they never reply", TODAY)
    bad = apply_answer(draft, "against", "dunno", TODAY)
    assert bad.missing == ["against", "body"]
    assert "public" in bad.errors[0] and "vcs" in bad.errors[0]
    empty = apply_answer(draft, "body", "   ", TODAY)
    assert empty.missing == ["against", "body"]
    assert empty.errors
    long = apply_answer(draft, "body", "x" * 4001, TODAY)
    assert long.errors == [
        "That message is too long (4,001 characters); please keep it under 4,000."
    ]
    with pytest.raises(ValueError, match="not a field"):
        apply_answer(draft, "closes", "1 Dec", TODAY)


def test_answer_can_correct_a_field_that_was_present() -> None:
    draft = parse_consultation("Parks review, KCC, opens 1 Dec, closes 23 Feb", TODAY)
    assert draft.complete
    draft = apply_answer(draft, "title", "Parks and open spaces review", TODAY)
    assert draft.fields["title"] == "Parks and open spaces review"
    assert draft.complete


# --- properties -----------------------------------------------------------------------------

# Fragments that exercise the date and keyword machinery far more than random unicode does.
_MESSAGE = st.lists(
    st.sampled_from(
        [
            *"abc KCDF,;-–/.:\n0123456789",
            *("opens ", "closes ", "Dec", " from ", " by ", " to ", "Monday ", "ends "),
            *("notice ", "29 Feb", "1/12/26", "against ", "Sevenoaks DC"),
        ]
    ),
    max_size=40,
).map("".join)


@given(st.one_of(st.text(max_size=200), _MESSAGE))
def test_property_parsers_never_raise(text: str) -> None:
    for parse in (parse_consultation, parse_funding, parse_complaint):
        draft = parse(text, TODAY)
        assert set(draft.fields) == set(ALL_FIELDS[draft.kind])
        # Invariants the conversation relies on.
        for name in draft.missing:
            assert draft.fields[name] is None
        for name in REQUIRED[draft.kind]:
            assert (draft.fields[name] is None) == (name in draft.missing)
        assert draft.complete == (not draft.missing)
        if draft.errors:
            assert draft.missing


@given(
    st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 1, 1)),
    st.integers(min_value=1, max_value=365),
)
def test_property_explicit_range_round_trips(opens: date, length: int) -> None:
    closes = opens.fromordinal(opens.toordinal() + length)
    text = f"Parks review, KCC, {opens:%d/%m/%Y} - {closes.day} {closes:%B %Y}"
    draft = parse_consultation(text, TODAY)
    assert (draft.fields["opens"], draft.fields["closes"]) == (opens, closes)
    assert draft.complete


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("Hi everyone, KCC library review closes 18 Jan", "KCC library review closes 18 Jan"),
        ("Morning all - TWBC parks plan", "TWBC parks plan"),
        ("Hello! Just to let you know that KCC are cutting our grant", "KCC are cutting our grant"),
        ("FYI: RBKC consultation on halls. Thanks!", "RBKC consultation on halls"),
        ("Can you register this please: PKC bus review", "PKC bus review"),
        ("Hiking club grant ends 31 March", "Hiking club grant ends 31 March"),  # not "Hi"
        ("Update on the Heads Up project", "Update on the Heads Up project"),  # no lead-in
        ("Hi all", "Hi all"),  # nothing else: left as it is
    ],
)
def test_greetings_and_lead_ins_are_not_read_as_the_title(text: str, left: str) -> None:
    assert without_chatter(text) == left


def test_a_greeting_is_never_the_title() -> None:
    draft = read_message("funding", "Hi, KCC are ending our youth work grant on 31 March", TODAY)
    title = str(draft.fields["title"])
    assert "youth work grant" in title.lower() and not title.lower().startswith("hi")
    assert draft.fields["funder"] == "KCC" and draft.fields["ends"] == D(2027, 3, 31)


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("KCC youth grant, stops at the end of June", D(2027, 6, 30)),
        ("KCC youth grant will be stopped at the end of June", D(2027, 6, 30)),
        ("KCC youth grant ceases on 30 June 2027", D(2027, 6, 30)),  # a month's end: that day
        ("KCC youth grant ceases 1 July 2027", D(2027, 6, 30)),  # a month's start: the day before
        ("KCC youth grant, the change takes effect 1 July", D(2027, 6, 30)),
        ("KCC youth grant no longer funded from April 1st", D(2027, 3, 31)),
        ("KCC youth grant ends on the last day of March", D(2027, 3, 31)),
        ("KCC youth grant finishes at the end of the financial year", D(2027, 3, 31)),
        ("KCC youth grant: no money after 30 June", D(2027, 6, 30)),
        ("KCC youth grant ending the 20th", D(2026, 12, 20)),
    ],
)
def test_the_last_funded_day_as_people_say_it(text: str, ends: date) -> None:
    assert parse_funding(text, date(2026, 12, 7)).fields["ends"] == ends


@pytest.mark.parametrize(
    ("text", "notice", "started"),
    [
        ("KCC grant ends 31 March, we were told on 10 Jan", D(2026, 1, 10), None),
        ("On 20 Nov KCC told us our grant ends 31 March", D(2026, 11, 20), None),
        ("KCC grant ends 31 March. We heard on 20 Nov", D(2026, 11, 20), None),
        ("KCC grant ends 31 March, they consulted us from 2 Nov", None, D(2026, 11, 2)),
        (
            "KCC grant ends 31 March, consultation on the cut began 2 weeks ago",
            None,
            D(2026, 11, 23),
        ),
        ("KCC grant ends 31 March, a consultation ran from 1 Nov to 30 Nov", None, D(2026, 11, 1)),
    ],
)
def test_days_that_have_happened_are_the_latest_not_after_today(
    text: str, notice: date | None, started: date | None
) -> None:
    draft = parse_funding(text, date(2026, 12, 7))
    assert draft.fields["ends"] == D(2027, 3, 31)
    assert (draft.fields["notice"], draft.fields["consultation_start"]) == (notice, started)


def test_labelled_lines_that_contradict_are_kept_for_the_read_back_to_refuse() -> None:
    draft = read_message(
        "funding", "Funder: KCC\nTitle: Youth grant\nEnds: 31/3/2027\nNotice: 5/4/2027", TODAY
    )
    assert draft.missing == [] and draft.fields["notice"] == D(2027, 4, 5)
    assert contradiction(draft) == (
        "the last funded day (31 Mar 2027) is before notice was given (5 Apr 2027)"
    )


def test_a_labelled_against_names_the_body_too() -> None:
    draft = read_message("complaint", "Against: Sevenoaks DC\nWhat: they refused to meet us", TODAY)
    assert draft.fields == {
        "against": "public",
        "body": "Sevenoaks DC",
        "summary": "they refused to meet us",
    }
    draft = read_message("complaint", "Against: public\nWhat: they refused to meet us", TODAY)
    assert draft.fields["body"] is None and draft.missing == ["body"]


def test_a_notice_word_earlier_in_the_clause_and_a_period_start_before_an_end() -> None:
    today = date(2026, 12, 7)
    draft = parse_funding("KCC grant ends 31 March, we were notified in writing on 20 Nov", today)
    assert draft.fields["notice"] == D(2026, 11, 20)
    draft = parse_funding("The grant KCC gave us from 1 April 2024 ends 31 March 2027", today)
    assert draft.fields["ends"] == D(2027, 3, 31) and draft.errors == []


@pytest.mark.parametrize(
    "text",
    [
        "KCC library review opens 1 Dec, closes 23:59 on 20 January",
        "KCC library review opens 1 Dec, closes at 5 pm on 20 Jan",
        "KCC library review opens 1 Dec, closes at midnight on the 20th of January",
    ],
)
def test_a_time_of_day_is_not_a_date(text: str) -> None:
    draft = parse_consultation(text, date(2026, 12, 7))
    assert (draft.fields["opens"], draft.fields["closes"]) == (D(2026, 12, 1), D(2027, 1, 20))
    assert draft.errors == []


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("KCC youth grant ends at the end of the year", D(2026, 12, 31)),
        ("KCC youth grant ends at the end of next year", D(2027, 12, 31)),
        ("KCC youth grant ends 31 March next year", D(2027, 3, 31)),
    ],
)
def test_the_end_of_a_year(text: str, ends: date) -> None:
    assert parse_funding(text, date(2026, 12, 7)).fields["ends"] == ends


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("KCC will stop funding the youth project on 1 April", D(2027, 3, 31)),
        ("KCC will end the youth grant on 31 March", D(2027, 3, 31)),
        ("KCC youth grant cut from April", D(2027, 3, 31)),  # a month: from its first day
        ("KCC youth grant until March", D(2027, 3, 31)),  # a month: to its last day
        ("KCC youth grant ends in March 2027", D(2027, 3, 31)),
        ("Youth grant, KCC, no funding after June", D(2027, 6, 30)),
    ],
)
def test_a_funding_date_from_further_back_in_the_clause_or_a_month_alone(
    text: str, ends: date
) -> None:
    draft = parse_funding(text, date(2026, 12, 7))
    assert draft.fields["ends"] == ends and draft.errors == []
