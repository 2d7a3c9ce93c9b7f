"""How a registration message is read (round 5 of issue 20): the tense of the clause says a
weekday or day of the month is in the past; days said in words, of a named week, by name;
a negated beginning ("doesn't open till"); labelled lines from a table of label words;
funders that are no public body from a table; a trailing aside is no title. Examples
written for these tests, not taken from any scored set."""

from __future__ import annotations

from datetime import date

import pytest

from bot.chat.dateparsing import parse_day_info, spread_day_ranges
from bot.chat.registration_parsing import (
    contradiction,
    parse_consultation,
    parse_funding,
    read_message,
)
from bot.chat.registration_parsing.dates import said_in_past
from bot.chat.registration_parsing.funders import funder_in
from bot.chat.registration_parsing.labels import labelled_lines
from bot.chat.registration_parsing.names import names_a_body

TODAY = date(2027, 3, 10)  # a Wednesday
D = date


@pytest.mark.parametrize(
    ("text", "opens"),
    [
        # A past verb further back in the clause: the Monday just gone, not the next.
        ("TWBC launched a consultation on the pool changes on Monday, closes 30 April",
         D(2027, 3, 8)),
        ("Swale BC kicked off the harbour survey on the 2nd, closes 30 April", D(2027, 3, 2)),
        ("Swale BC harbour survey - it went out on Friday, closing 30 April", D(2027, 3, 5)),
        # Said in the present or future, the coming one.
        ("TWBC pool consultation opens on Monday, closes 30 April", D(2027, 3, 15)),
        ("TWBC will launch the pool consultation on Monday, closes 30 April", D(2027, 3, 15)),
    ],
)  # fmt: skip
def test_the_tense_of_the_clause_says_which_weekday(text: str, opens: date) -> None:
    assert parse_consultation(text, TODAY).fields["opens"] == opens


def test_a_tense_is_the_nearest_one_before_the_date() -> None:
    assert said_in_past("they launched it on".split())
    assert not said_in_past("we were told it opens on".split())
    assert not said_in_past("it'll be published on".split())
    assert not said_in_past("the consultation on the shed is on".split())


@pytest.mark.parametrize(
    ("text", "notice"),
    [
        ("Dover DC youth grant halved from 1 April, they rang us yesterday", D(2027, 3, 9)),
        ("Dover DC youth grant halved from 1 April, heard the day before yesterday",
         D(2027, 3, 8)),
        ("We got word from Dover DC on Monday that the youth grant ends 30 June", D(2027, 3, 8)),
        ("Dover DC said on the phone on Monday they'd stop the youth grant in June",
         D(2027, 3, 8)),
    ],
)  # fmt: skip
def test_notice_said_the_ways_people_say_it(text: str, notice: date) -> None:
    assert parse_funding(text, TODAY).fields["notice"] == notice


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("the first of April", D(2027, 4, 1)),
        ("April the twenty-first", D(2027, 4, 21)),
        ("the thirty first of March", D(2027, 3, 31)),
        ("Friday next week", D(2027, 3, 19)),
        ("Tuesday of last week", D(2027, 3, 2)),
        ("Monday next", D(2027, 3, 15)),
        ("Friday last", D(2027, 3, 5)),
        ("Christmas Eve", D(2026, 12, 24)),
        ("Boxing Day 2027", D(2027, 12, 26)),
        ("3 days back", D(2027, 3, 7)),
        ("the 3rd of last month", D(2027, 2, 3)),
        ("the end of 2026/27", D(2027, 3, 31)),
        ("31 March next year", D(2028, 3, 31)),
    ],
)
def test_days_said_in_words(said: str, day: date) -> None:
    assert parse_day_info(said, TODAY).day == day


def test_a_day_by_name_takes_its_year_from_what_the_date_is() -> None:
    assert parse_day_info("Christmas", TODAY, hint="future").day == D(2027, 12, 25)
    assert parse_day_info("Christmas", TODAY, hint="past").day == D(2026, 12, 25)


def test_a_range_of_days_in_one_month_is_two_dates() -> None:
    assert spread_day_ranges("1–12 December") == "1 December – 12 December"
    assert spread_day_ranges("from the 13th until 7 March") == "from the 13th until 7 March"
    draft = parse_consultation("Medway play parks survey, 15-29 March", TODAY)
    assert (draft.fields["opens"], draft.fields["closes"]) == (D(2027, 3, 15), D(2027, 3, 29))


def test_how_long_it_has_been_open_is_no_length() -> None:
    draft = parse_consultation("Medway play parks survey has been open a week, ends 2 May", TODAY)
    assert (draft.fields["opens"], draft.fields["closes"]) == (D(2027, 3, 3), D(2027, 5, 2))
    assert not draft.lengths


@pytest.mark.parametrize(
    "text",
    [
        "Medway bus survey closes 2 April 2027 - and it doesn't even open till 9 April 2027",
        "Medway bus survey: closes 2 April 2027 but won't go live until 9 April 2027",
    ],
)
def test_a_negated_opening_until_a_day_is_the_opening(text: str) -> None:
    draft = parse_consultation(text, TODAY)
    assert draft.fields["opens"] == D(2027, 4, 9) and draft.fields["closes"] == D(2027, 4, 2)
    assert contradiction(draft) is not None  # refused at the read-back, never moved


def test_the_cut_not_taking_effect_until_a_day_is_funded_to_the_day_before() -> None:
    draft = parse_funding("Dover DC grant cut - it doesn't take effect until 1 May", TODAY)
    assert draft.fields["ends"] == D(2027, 4, 30)


def test_round_the_clock_is_no_date_and_an_aside_no_title() -> None:
    draft = parse_consultation(
        "Dover DC survey on the seafront shelters - opened on the 8th, runs for 6 weeks. "
        "Our 24/7 helpline number is on the leaflet if anyone needs it",
        TODAY,
    )
    assert draft.fields["opens"] == D(2027, 3, 8) and draft.lengths == {"closes": "6 weeks"}
    assert "shelters" in str(draft.fields["title"]) and "helpline" not in str(draft.fields["title"])
    # With a date's keyword before it, 24/7 is 24 July.
    assert parse_consultation("Dover DC shelters survey closes 24/7", TODAY).fields["closes"] == D(
        2027, 7, 24
    )


def test_an_aside_naming_the_body_still_gives_the_body() -> None:
    draft = parse_consultation(
        "Seafront shelters consultation opens 1 April closes 3 June. Dover District "
        "Council are running it.",
        TODAY,
    )
    assert draft.fields["body"] == "Dover District Council"


@pytest.mark.parametrize(
    ("kind", "text", "fields"),
    [
        ("funding", "funder - Dover DC\nproject - seafront youth club\nlast funded - end of May",
         {"funder": "Dover DC", "title": "seafront youth club", "ends": D(2027, 5, 31)}),
        ("funding", "Funder = Tudor Trust\nGrant = core costs\nStops = 1 June",
         {"funder": "Tudor Trust", "title": "core costs", "ends": D(2027, 5, 31)}),
        ("consultation", "who/what/when:\nDover District Council\nseafront shelters\n"
         "1 April till 3 June",
         {"body": "Dover District Council", "title": "seafront shelters",
          "opens": D(2027, 4, 1), "closes": D(2027, 6, 3)}),
        ("consultation", "what/who/when\nseafront shelters\nDover DC\n1 April - 3 June",
         {"body": "Dover DC", "title": "seafront shelters", "opens": D(2027, 4, 1)}),
        ("consultation", "Consultation – Dover DC seafront shelters\nOpens – 1 April\n"
         "Closes – 3 June",
         {"body": "Dover DC", "title": "Seafront shelters", "closes": D(2027, 6, 3)}),
    ],
)  # fmt: skip
def test_labelled_lines_from_the_table_of_label_words(
    kind: str, text: str, fields: dict[str, object]
) -> None:
    draft = read_message(kind, text, TODAY)  # type: ignore[arg-type]
    assert {k: draft.fields[k] for k in fields} == fields
    assert not draft.missing


def test_a_label_alone_in_a_sentence_is_no_form() -> None:
    # One line with a dash after a word of the table: a sentence, read as free text.
    assert labelled_lines("consultation", "Consultation - library review closes 3 Feb").fields == []
    draft = read_message(
        "consultation", "Survey - Dover DC seafront shelters, closes 3 June", TODAY
    )
    assert draft.fields["body"] == "Dover DC"


@pytest.mark.parametrize(
    ("text", "funder"),
    [
        ("not a council one but logging it - the National Lottery Community Fund grant for "
         "the sewing group finishes 31 March", "the National Lottery Community Fund"),
        ("our Awards for All grant for the lunch club ends 31 May", "Awards for All"),
        ("HLF money for the heritage trail runs out at the end of June", "HLF"),
        ("the council passed on that Children in Need are ending the youth club grant in May",
         "Children in Need"),
        ("Dover DC are ending the Tudor Trust match funding on 31 May", "Dover DC"),
    ],
)  # fmt: skip
def test_a_funder_that_is_no_public_body(text: str, funder: str) -> None:
    assert parse_funding(text, TODAY).fields["funder"] == funder


def test_the_funders_table_reads_an_abbreviation_only_in_capitals() -> None:
    found = funder_in("the HLF grant")
    assert found is not None and found.name == "The National Lottery Heritage Fund"
    assert funder_in("an ace youth project") is None


@pytest.mark.parametrize(
    ("value", "body"),
    [
        ("PKC", True),
        ("the royal borough", True),
        ("Dover District Council", True),
        ("Tudor Trust", True),
        ("the one at the library", False),
        ("hmm let me think", False),
        ("parks survey", False),
    ],
)
def test_what_names_a_body(value: str, body: bool) -> None:
    assert names_a_body(value) is body


@pytest.mark.parametrize(
    "text",
    [
        "- who: Dover DC\n- what: seafront shelters\n- opens: 1 April\n- closes: 3 June",
        "1. Dover DC\n2. seafront shelters\n3. 1 April - 3 June",
        "Opens\t1 April\nCloses\t3 June\nBy\tDover DC\nTitle\tseafront shelters",
    ],
)
def test_a_list_or_a_table_of_fields(text: str) -> None:
    draft = read_message("consultation", text, TODAY)
    assert draft.fields == {
        "title": draft.fields["title"],
        "body": "Dover DC",
        "opens": D(2027, 4, 1),
        "closes": D(2027, 6, 3),
    }
    assert str(draft.fields["title"]).lower() == "seafront shelters"


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("Dover DC youth grant runs out next month", D(2027, 4, 30)),
        ("Dover DC youth grant cut from next month", D(2027, 3, 31)),
        ("Dover DC youth grant finishes when the financial year ends", D(2027, 3, 31)),
        ("Dover DC youth grant stops at financial year end", D(2027, 3, 31)),
        ("Dover DC youth grant withdrawn w.e.f. 1 June", D(2027, 5, 31)),
    ],
)
def test_a_last_funded_day_said_as_a_month_or_a_year_end(text: str, ends: date) -> None:
    assert parse_funding(text, TODAY).fields["ends"] == ends


@pytest.mark.parametrize(
    "text",
    [
        "Dover DC youth grant ends 31 May - Dover DC ran a consultation starting 1 Feb",
        "Dover DC youth grant ends 31 May, they did consult, starting on the 1st of February",
    ],
)
def test_the_start_of_a_consultation_on_the_change(text: str) -> None:
    draft = parse_funding(text, TODAY)
    assert draft.fields["consultation_start"] == D(2027, 2, 1)
    assert draft.fields["ends"] == D(2027, 5, 31)


# Round 6: funding end phrases, relative days, past events told by a weekday, labelled
# complaint lines, the title among chatter. Examples written for these tests.
TUESDAY = date(2026, 12, 8)


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("Medway Council play grant ends end of financial year", D(2027, 3, 31)),
        ("Medway Council play grant terminated end of financial year", D(2027, 3, 31)),
        ("Swale BC lunch club grant stops end of month", D(2026, 12, 31)),
        ("Swale BC lunch club grant finishes end of next month", D(2027, 1, 31)),
        ("Swale BC said the lunch club grant won't roll over past March", D(2027, 3, 31)),
        ("The lunch club money from Swale BC will not be funded past June", D(2027, 6, 30)),
        ("Swale BC lunch club grant ends Friday week", D(2026, 12, 18)),
        ("Swale BC lunch club grant ends two weeks tomorrow", D(2026, 12, 23)),
        ("Swale BC lunch club grant ends 3 weeks on Monday", D(2027, 1, 4)),
    ],
)
def test_a_last_funded_day_said_the_ways_people_say_it(text: str, ends: date) -> None:
    assert parse_funding(text, TUESDAY).fields["ends"] == ends


@pytest.mark.parametrize(
    ("text", "notice"),
    [
        # A past event named by its weekday: the latest such day not after today (a
        # Tuesday here).
        ("Swale BC will end the lunch club grant on 31 March. Phone call Thursday.",
         D(2026, 12, 3)),
        ("We were told at Friday's trustees meeting that Swale BC ends the grant 31 March",
         D(2026, 12, 4)),
        ("We were told at Tuesday's trustees meeting that Swale BC ends the grant 31 March",
         D(2026, 12, 8)),
        ("Swale BC grant ends 31 March, told at Monday's meeting", D(2026, 12, 7)),
    ],
)  # fmt: skip
def test_a_past_event_told_by_its_weekday_is_the_notice(text: str, notice: date) -> None:
    assert parse_funding(text, TUESDAY).fields["notice"] == notice


def test_a_meeting_ahead_is_no_notice() -> None:
    draft = parse_funding("Swale BC grant ends 31 March, meeting on Friday to discuss it", TUESDAY)
    assert draft.fields["notice"] is None


def test_open_since_a_day_is_an_opening_gone_by() -> None:
    draft = parse_consultation("Swale BC harbour survey, open since 20 Nov, closes 30 Jan", TUESDAY)
    assert draft.fields["opens"] == D(2026, 11, 20)
    today = D(2027, 1, 5)
    draft = parse_consultation(
        "Swale BC harbour survey, open since the 20th Dec, closes 30 Jan", today
    )
    assert draft.fields["opens"] == D(2026, 12, 20)


@pytest.mark.parametrize(
    ("text", "body", "against", "summary"),
    [
        ("Complaint about: Swale BC. They never answered our letter", "Swale BC", "public",
         "never answered"),
        ("Complaint Body: Medway CVS\nIssue: they shared our bid with others", "Medway CVS",
         "vcs", "shared our bid"),
        ("Issue: Medway Council gave us 2 weeks to respond", "Medway Council", "public",
         "2 weeks"),
        ("Details: Swale BC cut the consultation short", "Swale BC", "public", "cut the"),
    ],
)  # fmt: skip
def test_labelled_complaint_lines(text: str, body: str, against: str, summary: str) -> None:
    draft = read_message("complaint", text, TUESDAY)
    assert draft.fields["body"] == body
    assert draft.fields["against"] == against
    assert summary in str(draft.fields["summary"])
    assert draft.complete


def test_a_complaint_about_a_name_please_is_that_name() -> None:
    text = "could you log a complaint about Riverside Tenants Association please. they lied"
    draft = read_message("complaint", text, TUESDAY)
    assert draft.fields["body"] == "Riverside Tenants Association"
    assert draft.fields["against"] == "vcs"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Spotted on the Swale BC facebook page - consultation on harbour parking, closes 20 Jan",
         "harbour parking"),
        ("monday catch up!! Medway Council allotments review consultation closes 20 Jan",
         "allotments review"),
    ],
)  # fmt: skip
def test_the_title_is_the_piece_naming_what_is_consulted_on(text: str, title: str) -> None:
    draft = read_message("consultation", text, TUESDAY)
    assert title in str(draft.fields["title"]).lower()
    assert "catch up" not in str(draft.fields["title"]).lower()
    assert "spotted" not in str(draft.fields["title"]).lower()


@pytest.mark.parametrize(
    "text",
    [
        "Swale BC have opened a consultation on the harbour car park. It closes end of next month",
        "Medway Council has launched a survey on allotment rents, closes 30 Jan",
        "Medway Council have started consulting on library hours, closes 30 Jan",
    ],
)
def test_opened_in_the_present_perfect_opens_today(text: str) -> None:
    assert parse_consultation(text, TUESDAY).fields["opens"] == TUESDAY


def test_a_day_said_with_the_present_perfect_stands() -> None:
    text = "Medway Council has launched a survey on allotment rents, opened 1 Dec, closes 30 Jan"
    assert parse_consultation(text, TUESDAY).fields["opens"] == D(2026, 12, 1)


def test_an_exclaimed_first_piece_is_no_title() -> None:
    text = "friday inbox tidy!! Medway Council are consulting on the Strood skate park, 2 to 30 Jan"
    title = str(read_message("consultation", text, TUESDAY).fields["title"]).lower()
    assert "skate park" in title


def test_the_news_given_on_a_weekday_is_the_notice() -> None:
    text = "Swale BC grant for the heritage walks ends 31 Jan. they gave us the news on Friday"
    assert parse_funding(text, TUESDAY).fields["notice"] == D(2026, 12, 4)


def test_back_from_a_holiday_is_no_opening() -> None:
    today = D(2027, 1, 4)
    text = (
        "Still getting over it, back from Christmas. Medway Council consulting on Strood "
        "skate park, open since the 20th Dec, closes 14 Feb"
    )
    draft = parse_consultation(text, today)
    assert draft.fields["opens"] == D(2026, 12, 20)
    assert draft.fields["closes"] == D(2027, 2, 14)


def test_an_exclaimed_first_piece_naming_a_place_is_the_title() -> None:
    text = "Medway Council is consulting on Strood skate park closures!! closes 30 Jan. outrageous"
    title = str(read_message("consultation", text, TUESDAY).fields["title"]).lower()
    assert "skate park" in title


@pytest.mark.parametrize(
    ("text", "closes"),
    [
        ("Swale BC has launched a survey on beach huts, two weeks tomorrow is the closing date",
         D(2026, 12, 23)),
        ("Swale BC has launched a survey on beach huts, Friday is the deadline", D(2026, 12, 11)),
    ],
)  # fmt: skip
def test_a_day_before_the_words_saying_it_closes(text: str, closes: date) -> None:
    assert parse_consultation(text, TUESDAY).fields["closes"] == closes
