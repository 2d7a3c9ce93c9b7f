"""How a registration message is read (round 3 of issue 20): the title is the phrase naming
the thing, not the chatter around it (a measured model, ``titles.py``); bodies and funders
the Compacts' data does not name; dates said the ways people say them. Examples written
for these tests, not taken from any scored set."""

from __future__ import annotations

from datetime import date

import pytest

from bot.chat.dateparsing import parse_day_info
from bot.chat.registration_parsing import parse_complaint, parse_consultation, parse_funding
from bot.chat.registration_parsing.titles import best_piece, model, with_its_list
from bot.chat.registration_parsing.tokens import tokenize

TODAY = date(2027, 3, 10)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Bad news I'm afraid - SDC are ending the Edenbridge lunch club grant on 30 June",
         ["lunch club"]),
        ("Hi, chair here. TWBC have told us (letter dated 2 March) that the Pantiles "
         "befriending contract stops at the end of May", ["befriending"]),
        ("Happy Friday all! KCC grant for the Swanley toy library ends 31 May", ["toy library"]),
        ("Just had a phone call then an email from PKC - the Crieff men's shed funding is "
         "reduced from 1 June", ["men's shed"]),
    ],
)  # fmt: skip
def test_the_title_is_the_thing_funded_not_the_chatter(text: str, words: list[str]) -> None:
    title = str(parse_funding(text, TODAY).fields["title"]).lower()
    assert all(w in title for w in words), title
    assert not any(w in title for w in ("news", "chair", "happy", "phone call"))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Urgent - RBKC's consultation on the Golborne Road market pitches closes 12 April",
         ["market pitches"]),
        ("Sorry this is late! TWBC launched a consultation yesterday on the Amelia Scott "
         "opening hours, closes 21 April", ["opening hours"]),
        ("KCC consultation on day centres, lunch clubs and transport, closes 12 April",
         ["day centres, lunch clubs and transport"]),
    ],
)  # fmt: skip
def test_the_title_is_the_thing_consulted_on(text: str, words: list[str]) -> None:
    title = str(parse_consultation(text, TODAY).fields["title"]).lower()
    assert all(w in title for w in words), title


def test_the_title_model_prefers_a_named_thing_to_a_greeting_or_chatter() -> None:
    text = "Hi all, treasurer here, the Sevenoaks carers cafe grant"
    toks = tokenize(text)
    pieces = [[0, 1], [3, 4], [6, 7, 8, 9, 10]]
    assert best_piece(toks, pieces, model()) == pieces[2]
    # ... and the pieces of a list around it are kept with it.
    listed = tokenize("lunch clubs, day centres and transport")
    runs = [[0, 1], [3, 4, 5, 6]]
    assert with_its_list(listed, runs, runs[1]) == [0, 1, 2, 3, 4, 5, 6]


def test_a_weekday_or_number_describing_a_thing_is_no_date() -> None:
    draft = parse_funding("TWBC are ending the Sunday community bus funding, last day 30 April",
                          TODAY)  # fmt: skip
    assert draft.fields["ends"] == date(2027, 4, 30)
    assert "sunday" in str(draft.fields["title"]).lower()
    closing = parse_consultation(
        "KCC consultation on closing 3 children's centres, opened 8 March, closes 31 May", TODAY
    )
    assert (closing.fields["opens"], closing.fields["closes"]) == (
        date(2027, 3, 8),
        date(2027, 5, 31),
    )


@pytest.mark.parametrize(
    "text",
    [
        "KCC consultation on libraries is now open, closes 12 April",
        "KCC have just launched a consultation on libraries, closes 12 April",
        "KCC launched a consultation on libraries this morning, closes 12 April",
    ],
)
def test_open_now_is_today(text: str) -> None:
    draft = parse_consultation(text, TODAY)
    assert draft.fields["opens"] == TODAY
    assert draft.fields["closes"] == date(2027, 4, 12)


def test_a_consultation_heard_of_today_did_not_open_today() -> None:
    draft = parse_consultation(
        "We only found out today that PKC's consultation on school transport started on "
        "22 Feb. Deadline is 5 April.",
        TODAY,
    )
    assert draft.fields["opens"] == date(2027, 2, 22)
    assert draft.fields["body"] == "PKC"


def test_just_got_the_letter_is_notice_today() -> None:
    draft = parse_funding("Just got the letter from SDC: the youth club grant ends 30 June", TODAY)
    assert draft.fields["notice"] == TODAY
    assert parse_funding("SDC youth club grant ends 30 June", TODAY).fields["notice"] is None


@pytest.mark.parametrize(
    ("text", "funder"),
    [
        ("The National Lottery Community Fund have told us our grant ends 30 June",
         "The National Lottery Community Fund"),
        ("the lottery told us on 2 March that our grant won't continue after 30 June",
         "the lottery"),
        ("The Henry Smith Charity grant ends 30 September", "The Henry Smith Charity"),
        ("Kent Police and Crime Commissioner have cut the Safer Streets grant from 1 April",
         "Kent Police and Crime Commissioner"),
        ("PKAVS passed this on: Perth & Kinross Council will stop the lunch club grant "
         "from 1 October", "Perth & Kinross Council"),
        ("Public Health Kent are ending the smoking cessation contract on 30 June",
         "Public Health Kent"),
    ],
)  # fmt: skip
def test_the_funder_named(text: str, funder: str) -> None:
    assert parse_funding(text, TODAY).fields["funder"] == funder


def test_a_place_standing_for_its_council_is_the_body() -> None:
    draft = parse_consultation(
        "Just back from the forum - the council (Tonbridge & Malling) are consulting on the "
        "grants pot, 8 March to 31 May",
        TODAY,
    )
    assert draft.fields["body"] == "Tonbridge & Malling"
    plain = parse_consultation("Tonbridge swimming pool consultation, closes 30 April", TODAY)
    assert plain.fields["body"] is None  # a place in the title names no body


@pytest.mark.parametrize(
    ("text", "against", "body"),
    [
        ("Kent Council for Voluntary Youth Services excluded us from the forum", "vcs",
         "Kent Council for Voluntary Youth Services"),
        ("Kent CAN's board refused to consider our membership", "vcs", "Kent CAN"),
        ("complaint against a local charity that keeps using our name", "vcs", None),
        ("The Sevenoaks Volunteer Transport Group keep telling funders we've closed", "vcs",
         "The Sevenoaks Volunteer Transport Group"),
    ],
)  # fmt: skip
def test_a_complaints_body_and_side(text: str, against: str, body: str | None) -> None:
    fields = parse_complaint(text, TODAY).fields
    assert (fields["against"], fields["body"]) == (against, body)


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("w/c 15 March", date(2027, 3, 15)),
        ("Weds 17th", date(2027, 3, 17)),
        ("Friday just gone", date(2027, 3, 5)),
        ("a week today", date(2027, 3, 17)),
        ("tomorrow week", date(2027, 3, 18)),
        ("Friday week", date(2027, 3, 19)),
        ("a week on Monday", date(2027, 3, 22)),
        ("the start of April", date(2027, 4, 1)),
        ("this morning", TODAY),
        ("last night", date(2027, 3, 9)),
    ],
)
def test_days_said_the_ways_people_say_them(said: str, day: date) -> None:
    assert parse_day_info(said, TODAY).day == day


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("a fortnight on Friday", date(2027, 3, 26)),
        ("two weeks tomorrow", date(2027, 3, 25)),
        ("tomorrow fortnight", date(2027, 3, 25)),
        ("3 weeks on Monday", date(2027, 4, 5)),
    ],
)
def test_a_day_counted_from_another(said: str, day: date) -> None:
    assert parse_day_info(said, TODAY).day == day


def test_a_day_counted_from_another_is_no_consultation_length() -> None:
    draft = parse_consultation(
        "Dartford BC consultation on allotment rents opens a fortnight on Friday, closes 30 April",
        TODAY,
    )
    assert draft.fields["opens"] == date(2027, 3, 26)
    assert draft.fields["closes"] == date(2027, 4, 30)
    assert not draft.lengths and not draft.errors


def test_a_past_tense_keyword_takes_the_latest_such_day() -> None:
    draft = parse_consultation(
        "Gravesham BC consultation on the market charter started on the 12th, closes 30 April",
        TODAY,
    )
    assert draft.fields["opens"] == date(2027, 2, 12)  # not the 12th still to come


def test_the_weekday_of_an_event_is_that_day() -> None:
    draft = parse_funding(
        "KCC told us at Monday's board meeting that the Faversham youth bus grant ends 31 May",
        TODAY,
    )
    assert draft.fields["notice"] == date(2027, 3, 8)
    assert draft.fields["ends"] == date(2027, 5, 31)


@pytest.mark.parametrize(
    ("parse", "text", "want"),
    [
        (parse_funding,
         "KCC ending the grant for the Sheppey Saturday morning youth club, ends 30 April",
         {"ends": date(2027, 4, 30)}),
        (parse_consultation,
         "Dartford BC consultation on opening the library on Sundays and Mondays, 15/3 to 26/4",
         {"opens": date(2027, 3, 15), "closes": date(2027, 4, 26)}),
        (parse_consultation,
         "Gravesham BC consulting on closing the Northfleet pool 22/3 - 3/5",
         {"opens": date(2027, 3, 22), "closes": date(2027, 5, 3)}),
        (parse_consultation,
         "Medway Council consulting on closing 3 of the 9 libraries, from 15 March for 8 weeks",
         {"opens": date(2027, 3, 15), "closes": date(2027, 5, 10)}),
        (parse_consultation,
         "Ashford BC consultation on bin rounds, open now (opened 1 March), until 12 April",
         {"opens": date(2027, 3, 1), "closes": date(2027, 4, 12)}),
        (parse_consultation,
         "Swale BC went live with the beach huts consultation today, it runs for 6 weeks",
         {"opens": TODAY, "closes": date(2027, 4, 21)}),
        (parse_funding,
         "We've been told NHS Kent and Medway won't fund the Deal dementia cafe beyond 30 June",
         {"ends": date(2027, 6, 30)}),
        (parse_funding,
         "Swale BC: the Sittingbourne carers cafe grant stops at the end of Apirl",
         {"ends": date(2027, 4, 30)}),
    ],
)  # fmt: skip
def test_words_that_are_no_date_leave_the_real_ones(
    parse: object, text: str, want: dict[str, date]
) -> None:
    """A weekday describing a thing ("Saturday morning youth club", "on Sundays"), a topic
    ("consulting on closing"), a count ("3 of the 9"), "open now" beside the day it opened:
    none of them hides or clashes with the dates the message gives."""
    assert callable(parse)
    draft = parse(text, TODAY)
    assert {name: draft.fields[name] for name in want} == want
    assert not draft.errors and not draft.missing


def test_the_meeting_where_the_news_was_heard_is_not_the_body() -> None:
    draft = parse_consultation(
        "At the Kent County Council cabinet meeting we heard Swale BC is consulting on beach "
        "hut fees, 15 March to 30 April",
        TODAY,
    )
    assert draft.fields["body"] == "Swale BC"


@pytest.mark.parametrize(
    ("parse", "text", "words"),
    [
        (parse_consultation,
         "Happy Easter! before I forget - Dartford BC are consulting on new allotment plots at "
         "Joyce Green, 4 May to 15 June", ["allotment plots"]),
        (parse_funding,
         "Grim news from Swale BC: the Faversham lunch club grant ends on the 31st of May",
         ["lunch club"]),
        (parse_consultation,
         "sdc - consultation re fees at the district's sports grounds (Otford, Kemsing) opened "
         "on 1 March and closes 30 April", ["sports grounds (otford, kemsing)"]),
    ],
)  # fmt: skip
def test_the_title_is_not_chatter_nor_half_a_list(
    parse: object, text: str, words: list[str]
) -> None:
    """A lead-in ("Before I forget", "Grim news from <body>:") is no title, and a list in
    brackets stays with the thing it lists."""
    assert callable(parse)
    title = str(parse(text, TODAY).fields["title"]).lower()
    assert all(w in title for w in words), title
    assert not any(w in title for w in ("forget", "news", "happy")), title


def test_a_complaint_about_a_named_group_is_against_it_whoever_else_is_named() -> None:
    draft = parse_complaint(
        "complaint about Swanley Youth Club - they told KCC we had stopped running, we have not",
        TODAY,
    )
    assert (draft.fields["against"], draft.fields["body"]) == ("vcs", "Swanley Youth Club")
    # "about" a thing, not a body: the body named later still counts.
    other = parse_complaint(
        "complaint about the consultation being too short, KCC gave us 2 weeks", TODAY
    )
    assert (other.fields["against"], other.fields["body"]) == ("public", "KCC")


@pytest.mark.parametrize(
    ("text", "ends", "notice"),
    [
        ("We heard at Mondays committee that Swale BC are ending the Minster lunch club grant "
         "on 30 June", date(2027, 6, 30), date(2027, 3, 8)),
        ("Swale BC Minster lunch club grant ends in Agust", date(2027, 8, 31), None),
        ("Swale BC are cutting the Minster lunch club grant from Agust", date(2027, 7, 31),
         None),
    ],
)  # fmt: skip
def test_a_weekday_or_month_typed_loosely(text: str, ends: date, notice: date | None) -> None:
    """ "Mondays committee" (no apostrophe) is that Monday; a month alone, misspelt, is
    read as a month ("in Agust": funded to 31 August; "from Agust": to 31 July)."""
    draft = parse_funding(text, TODAY)
    assert (draft.fields["ends"], draft.fields["notice"]) == (ends, notice)


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("the 1st of next month", date(2027, 4, 1)),
        ("the 20th of Jnue", date(2027, 6, 20)),
        ("3 Juyl", date(2027, 7, 3)),
    ],
)
def test_a_day_of_next_month_and_a_short_month_with_two_letters_swapped(
    said: str, day: date
) -> None:
    assert parse_day_info(said, TODAY).day == day


def test_opens_a_length_from_a_day_is_the_opening_not_the_length() -> None:
    draft = parse_consultation(
        "Medway Council consultation on park cafes opens a fortnight from Monday, closes 30 May",
        TODAY,
    )
    assert (draft.fields["opens"], draft.fields["closes"]) == (date(2027, 3, 29), date(2027, 5, 30))
    assert not draft.lengths and not draft.errors
