"""Tests for bot.chat.dateparsing: UK day-first dates, year inference, reminders and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from bot.chat.dateparsing import (
    DateParseError,
    Hint,
    PastTimeError,
    parse_day,
    parse_day_info,
    parse_when,
    spell_date_words,
    split_when_and_text,
)

TODAY = date(2026, 11, 25)  # a Wednesday
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)  # GMT, so local == UTC


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- parse_day ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 Dec", date(2026, 12, 1)),
        ("1st December", date(2026, 12, 1)),
        ("1st of December", date(2026, 12, 1)),
        ("the 1st of Dec", date(2026, 12, 1)),
        ("December 1st", date(2026, 12, 1)),
        ("Dec 1, 2026", date(2026, 12, 1)),
        ("Tuesday 1 December 2026", date(2026, 12, 1)),
        ("Tue, 1 Dec 2026", date(2026, 12, 1)),
        ("on 1 Dec", date(2026, 12, 1)),
        ("1 Dec.", date(2026, 12, 1)),
        ("  1   DEC  ", date(2026, 12, 1)),
        ("23 Feb", date(2027, 2, 23)),
        ("23 February 2027", date(2027, 2, 23)),
        ("23rd Feb 27", date(2027, 2, 23)),
        ("23 Feb '27", date(2027, 2, 23)),
        ("23-Feb-2027", date(2027, 2, 23)),
        ("23/2/27", date(2027, 2, 23)),
        ("23/02/2027", date(2027, 2, 23)),
        ("23.02.2027", date(2027, 2, 23)),
        ("23-02-2027", date(2027, 2, 23)),
        ("23/2", date(2027, 2, 23)),
        ("2027-02-23", date(2027, 2, 23)),
        ("2027/02/23", date(2027, 2, 23)),
        ("3 Sept 2027", date(2027, 9, 3)),
        ("3 sep", date(2026, 9, 3)),
        ("today", TODAY),
        ("Today.", TODAY),
        ("tomorrow", date(2026, 11, 26)),
        ("tmrw", date(2026, 11, 26)),
        ("yesterday", date(2026, 11, 24)),
        ("the day after tomorrow", date(2026, 11, 27)),
        ("in 10 days", date(2026, 12, 5)),
        ("in 6 weeks", date(2027, 1, 6)),
        ("in 6 weeks' time", date(2027, 1, 6)),
        ("6 weeks from now", date(2027, 1, 6)),
        ("in six weeks", date(2027, 1, 6)),
        ("in a fortnight", date(2026, 12, 9)),
        ("in 3 months", date(2027, 2, 25)),
        ("in a year", date(2027, 11, 25)),
        ("3 weeks ago", date(2026, 11, 4)),
        ("a week ago", date(2026, 11, 18)),
        ("end of March", date(2027, 3, 31)),
        ("end of Feb 2028", date(2028, 2, 29)),
        ("end of the month", date(2026, 11, 30)),
        ("end of next month", date(2026, 12, 31)),
    ],
)
def test_parse_day_accepts(text: str, expected: date) -> None:
    assert parse_day(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # British day-first: never month-first.
        ("3/4/27", date(2027, 4, 3)),
        ("03/04/2027", date(2027, 4, 3)),
        ("12/1/27", date(2027, 1, 12)),
        ("1/12/26", date(2026, 12, 1)),
        ("4/3/27", date(2027, 3, 4)),
    ],
)
def test_numeric_dates_are_day_first(text: str, expected: date) -> None:
    assert parse_day(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # No year: the nearest occurrence, up to six months either way.
        ("1 Nov", TODAY, date(2026, 11, 1)),  # last month, not next year
        ("1 Dec", TODAY, date(2026, 12, 1)),
        ("23 Feb", TODAY, date(2027, 2, 23)),
        ("30 June", TODAY, date(2026, 6, 30)),  # 148 days back beats 217 ahead
        ("1 June", TODAY, date(2026, 6, 1)),  # 177 back vs 188 ahead
        ("25 May", TODAY, date(2027, 5, 25)),  # 181 ahead vs 184 back
        ("25 Nov", TODAY, TODAY),
        ("2 Jan", date(2026, 12, 30), date(2027, 1, 2)),
        ("30 Dec", date(2027, 1, 2), date(2026, 12, 30)),
        ("29 Feb", date(2027, 11, 25), date(2028, 2, 29)),  # leap day, next year
        ("29 Feb", date(2028, 6, 1), date(2028, 2, 29)),
        ("end of Feb", date(2027, 12, 1), date(2028, 2, 29)),
        ("end of Feb", date(2026, 12, 1), date(2027, 2, 28)),
    ],
)
def test_year_inference_nearest(text: str, today: date, expected: date) -> None:
    info = parse_day_info(text, today)
    assert info.day == expected
    assert info.year_inferred


def test_explicit_year_is_not_inferred() -> None:
    assert not parse_day_info("1 Dec 2026", TODAY).year_inferred
    assert not parse_day_info("in 6 weeks", TODAY).year_inferred


def test_future_hint_picks_next_occurrence() -> None:
    assert parse_day_info("1 Nov", TODAY, hint="future").day == date(2027, 11, 1)
    assert parse_day_info("30 June", TODAY, hint="future").day == date(2027, 6, 30)
    assert parse_day_info("25 Nov", TODAY, hint="future").day == TODAY
    assert parse_day_info("29 Feb", TODAY, hint="future").day == date(2028, 2, 29)


def test_leap_day_far_away_asks_for_year() -> None:
    with pytest.raises(DateParseError, match="add the year"):
        parse_day("29 Feb", TODAY)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # Calendar months by the corresponding-date rule.
        ("in 1 month", date(2027, 1, 31), date(2027, 2, 28)),
        ("in 1 month", date(2028, 1, 31), date(2028, 2, 29)),
        ("in 3 months", date(2026, 8, 31), date(2026, 11, 30)),
        ("in 1 month", date(2026, 12, 31), date(2027, 1, 31)),
        ("in 1 year", date(2028, 2, 29), date(2029, 2, 28)),
        ("in 12 months", date(2028, 2, 29), date(2029, 2, 28)),
        ("a month ago", date(2027, 3, 31), date(2027, 2, 28)),
        ("in 1 day", date(2028, 2, 28), date(2028, 2, 29)),
        ("in 1 day", date(2027, 12, 31), date(2028, 1, 1)),
        ("29/02/2028", TODAY, date(2028, 2, 29)),
        ("29 February 2028", TODAY, date(2028, 2, 29)),
        ("end of February 2100", TODAY, date(2100, 2, 28)),  # not a leap year
    ],
)
def test_month_ends_and_leap_years(text: str, today: date, expected: date) -> None:
    assert parse_day(text, today) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("next Monday", TODAY, date(2026, 11, 30)),
        ("next Friday", TODAY, date(2026, 11, 27)),  # first Friday after today
        ("next Wednesday", TODAY, date(2026, 12, 2)),  # never today
        ("Wednesday", TODAY, TODAY),
        ("this Friday", TODAY, date(2026, 11, 27)),
        ("friday", TODAY, date(2026, 11, 27)),
        ("Mon", TODAY, date(2026, 11, 30)),
        ("last Monday", TODAY, date(2026, 11, 23)),
        ("last Wednesday", TODAY, date(2026, 11, 18)),
        ("next Monday", date(2026, 11, 29), date(2026, 11, 30)),  # Sunday
        ("next Monday", date(2026, 11, 30), date(2026, 12, 7)),  # Monday
    ],
)
def test_weekdays(text: str, today: date, expected: date) -> None:
    assert parse_day(text, today) == expected


def test_past_hint_weekday_is_most_recent() -> None:
    assert parse_day_info("Monday", TODAY, hint="past").day == date(2026, 11, 23)
    # Said of the past, the latest such day not after today: on a Wednesday, today.
    assert parse_day_info("Wednesday", TODAY, hint="past").day == TODAY
    assert parse_day_info("last Wednesday", TODAY, hint="past").day == TODAY - timedelta(days=7)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "banana",
        "32/13/27",
        "32/12/27",
        "31/11/2026",
        "0/1/2027",
        "1/0/2027",
        "31 Feb",
        "31 Feb 2027",
        "29/02/2027",
        "30 February",
        "Dec",
        "December 2026",
        "2027",
        "12",
        "1.5",  # more likely 1.5 million than 1 May
        "1-12",  # a range, not a date
        "6 weeks",
        "in 3 weeks ago",
        "next week",
        "next month",
        "in banana weeks",
        "1 Dec and some more words",
        "the 32nd",
        "2027-13-01",
        "2027-02-30",
        "in 99999999 years",
        "99/99/99",
        "1 Dec 12345",
        "Monday 1 December 2026",  # 1 Dec 2026 is a Tuesday
    ],
)
def test_parse_day_rejects(text: str) -> None:
    with pytest.raises(DateParseError):
        parse_day(text, TODAY)


def test_error_messages_are_short_and_human() -> None:
    with pytest.raises(DateParseError) as exc:
        parse_day("31 Feb", TODAY)
    assert str(exc.value) == "I couldn't read '31 Feb' as a date — try 23 Feb 2027 or 23/02/2027."
    with pytest.raises(DateParseError, match="is a Tuesday, not a Monday"):
        parse_day("Monday 1 December 2026", TODAY)
    with pytest.raises(DateParseError) as exc:
        parse_day("x" * 500, TODAY)
    assert len(str(exc.value)) < 120


def test_date_parse_error_is_a_value_error() -> None:
    assert issubclass(DateParseError, ValueError)
    assert issubclass(PastTimeError, DateParseError)


_DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@given(_DAYS)
def test_property_numeric_round_trip(d: date) -> None:
    assert parse_day(d.strftime("%d/%m/%Y"), TODAY) == d
    assert parse_day(d.isoformat(), TODAY) == d
    assert parse_day(f"{d.day}/{d.month}/{d:%y}", TODAY) == d


@given(_DAYS)
def test_property_text_round_trip(d: date) -> None:
    assert parse_day(f"{d.day} {d:%B %Y}", TODAY) == d
    assert parse_day(f"{d.day} {d:%b %Y}", TODAY) == d
    assert parse_day(f"{d:%A} {d.day} {d:%B %Y}", TODAY) == d


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31)))
def test_property_yearless_is_nearest_and_within_six_months(today: date) -> None:
    target = today + timedelta(days=40)
    assert parse_day(f"{target.day} {target:%b}", today) == target
    back = today - timedelta(days=170)
    if (back.month, back.day) != (2, 29):
        assert parse_day(f"{back.day} {back:%B}", today) == back


@given(_DAYS, st.integers(min_value=0, max_value=500))
def test_property_in_n_weeks(today: date, n: int) -> None:
    assert parse_day(f"in {n} weeks", today) == today + timedelta(weeks=n)
    assert parse_day(f"in {n} days", today) == today + timedelta(days=n)
    assert parse_day(f"{n} days ago", today) == today - timedelta(days=n)


@given(_DAYS, st.integers(min_value=0, max_value=120))
def test_property_in_n_months_corresponding_date(today: date, n: int) -> None:
    assert parse_day(f"in {n} months", today) == today + relativedelta(months=n)


@given(st.text(max_size=60))
def test_property_parse_day_only_raises_date_parse_error(text: str) -> None:
    try:
        result = parse_day(text, TODAY)
    except DateParseError:
        return
    assert isinstance(result, date)


# --- parse_when -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in 10 minutes", utc(2026, 11, 25, 10, 10)),
        ("in 10 mins", utc(2026, 11, 25, 10, 10)),
        ("in 2 hours", utc(2026, 11, 25, 12, 0)),
        ("in an hour", utc(2026, 11, 25, 11, 0)),
        ("in half an hour", utc(2026, 11, 25, 10, 30)),
        ("in 1 hour and 30 minutes", utc(2026, 11, 25, 11, 30)),
        ("in 2 days", utc(2026, 11, 27, 10, 0)),  # days keep the time of day
        ("tomorrow", utc(2026, 11, 26, 9, 0)),
        ("Tomorrow at 2pm", utc(2026, 11, 26, 14, 0)),
        ("tomorrow 10:15", utc(2026, 11, 26, 10, 15)),
        ("noon tomorrow", utc(2026, 11, 26, 12, 0)),
        ("on 3 March at 9am", utc(2027, 3, 3, 9, 0)),  # no year: the next 3 March
        ("3 March 9:30", utc(2027, 3, 3, 9, 30)),
        ("3 March, 9.30am", utc(2027, 3, 3, 9, 30)),
        ("next Monday at 14:00", utc(2026, 11, 30, 14, 0)),
        ("23/2/27 10am", utc(2027, 2, 23, 10, 0)),
        ("23/2/27 at 10.30", utc(2027, 2, 23, 10, 30)),
        ("9am on Friday", utc(2026, 11, 27, 9, 0)),
        ("at 3pm", utc(2026, 11, 25, 15, 0)),
        ("3pm", utc(2026, 11, 25, 15, 0)),
        ("at 9am", utc(2026, 11, 26, 9, 0)),  # a time already gone today means tomorrow
        ("12pm tomorrow", utc(2026, 11, 26, 12, 0)),
        ("12am on 1 Dec", utc(2026, 12, 1, 0, 0)),
        ("1 Nov", utc(2027, 11, 1, 9, 0)),  # reminders look forward
        ("in 6 weeks", utc(2027, 1, 6, 10, 0)),
        ("in 6 weeks at 9am", utc(2027, 1, 6, 9, 0)),
    ],
)
def test_parse_when(text: str, expected: datetime) -> None:
    got = parse_when(text, NOW, LONDON)
    assert got == expected
    assert got.utcoffset() == timedelta(0)


def test_parse_when_summer_time_is_converted() -> None:
    now = datetime(2027, 6, 1, 10, 0, tzinfo=LONDON)  # BST
    assert parse_when("tomorrow", now, LONDON) == utc(2027, 6, 2, 8, 0)
    assert parse_when("1 July 3pm", now, LONDON) == utc(2027, 7, 1, 14, 0)


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        # Clocks go forward 01:00 GMT on Sunday 28 March 2027.
        (datetime(2027, 3, 27, 12, 0, tzinfo=LONDON), "tomorrow", utc(2027, 3, 28, 8, 0)),
        (datetime(2027, 3, 27, 12, 0, tzinfo=LONDON), "in 24 hours", utc(2027, 3, 28, 12, 0)),
        (datetime(2027, 3, 27, 12, 0, tzinfo=LONDON), "in 1 day", utc(2027, 3, 28, 11, 0)),
        # 01:30 doesn't exist that night: it comes out as 02:30 BST.
        (datetime(2027, 3, 27, 12, 0, tzinfo=LONDON), "tomorrow 1:30am", utc(2027, 3, 28, 1, 30)),
        (datetime(2027, 3, 28, 0, 30, tzinfo=LONDON), "in 1 hour", utc(2027, 3, 28, 1, 30)),
        # Clocks go back 02:00 BST on Sunday 25 October 2026.
        (datetime(2026, 10, 24, 12, 0, tzinfo=LONDON), "tomorrow", utc(2026, 10, 25, 9, 0)),
        (datetime(2026, 10, 24, 12, 0, tzinfo=LONDON), "in 1 day", utc(2026, 10, 25, 12, 0)),
        (datetime(2026, 10, 24, 12, 0, tzinfo=LONDON), "in 24 hours", utc(2026, 10, 25, 11, 0)),
        # 01:30 happens twice: the first (BST) one.
        (datetime(2026, 10, 24, 12, 0, tzinfo=LONDON), "tomorrow 1:30am", utc(2026, 10, 25, 0, 30)),
        (datetime(2026, 10, 24, 12, 0, tzinfo=LONDON), "25/10/26 3am", utc(2026, 10, 25, 3, 0)),
    ],
)
def test_parse_when_dst_change_days(now: datetime, text: str, expected: datetime) -> None:
    assert parse_when(text, now, LONDON) == expected


def test_parse_when_accepts_now_in_any_zone() -> None:
    now_utc = NOW.astimezone(UTC)
    assert parse_when("tomorrow", now_utc, LONDON) == utc(2026, 11, 26, 9, 0)
    # 23:30 UTC on 25 Nov is already 26 Nov in Auckland.
    late = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    auckland = ZoneInfo("Pacific/Auckland")
    assert parse_when("tomorrow", late, auckland).astimezone(auckland).date() == date(2026, 11, 27)


@pytest.mark.parametrize(
    "text", ["yesterday", "today", "1 Dec 2025", "yesterday 3pm", "today at 9am", "25/11/26 8am"]
)
def test_parse_when_past(text: str) -> None:
    with pytest.raises(PastTimeError, match="in the past"):
        parse_when(text, NOW, LONDON)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "banana",
        "soon",
        "at 5",  # 05:00 or 17:00? we ask
        "tomorrow at 25:00",
        "tomorrow at 13pm",
        "tomorrow at 9:75",
        "in 10 bananas",
        "31 Feb 9am",
        "next week",
        "in 99999999 years",
    ],
)
def test_parse_when_rejects(text: str) -> None:
    with pytest.raises(DateParseError):
        parse_when(text, NOW, LONDON)


def test_parse_when_needs_aware_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("tomorrow", datetime(2026, 11, 25, 10, 0), LONDON)


_NOWS = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(LONDON)
)


@given(_NOWS, st.integers(min_value=1, max_value=10_000))
def test_property_in_n_minutes(now: datetime, n: int) -> None:
    # Elapsed time: compare in UTC (aware + timedelta in Python is wall-clock arithmetic).
    assert parse_when(f"in {n} minutes", now, LONDON) == now.astimezone(UTC) + timedelta(minutes=n)


@given(_NOWS)
def test_property_tomorrow_is_nine_local(now: datetime) -> None:
    got = parse_when("tomorrow", now, LONDON).astimezone(LONDON)
    assert (got.hour, got.minute) == (9, 0)
    assert got.date() == now.date() + timedelta(days=1)


# --- split_when_and_text --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "when", "text"),
    [
        ("in 10 minutes call the council", utc(2026, 11, 25, 10, 10), "call the council"),
        (
            "on 3 March at 9am chase the grant letter",
            utc(2027, 3, 3, 9, 0),
            "chase the grant letter",
        ),
        ("tomorrow send feedback", utc(2026, 11, 26, 9, 0), "send feedback"),
        ("me tomorrow to send feedback", utc(2026, 11, 26, 9, 0), "send feedback"),
        ("tomorrow: send feedback", utc(2026, 11, 26, 9, 0), "send feedback"),
        ("in 10 minutes, call KCC", utc(2026, 11, 25, 10, 10), "call KCC"),
        ("next Monday at 14:00 trustees meeting", utc(2026, 11, 30, 14, 0), "trustees meeting"),
        ("23/2/27 10am consultation closes", utc(2027, 2, 23, 10, 0), "consultation closes"),
        ("1 Dec 10 copies to print", utc(2026, 12, 1, 9, 0), "10 copies to print"),
        ("3pm ring Sevenoaks DC", utc(2026, 11, 25, 15, 0), "ring Sevenoaks DC"),
        ("in 2 days  check   replies", utc(2026, 11, 27, 10, 0), "check replies"),
    ],
)
def test_split_when_and_text(args: str, when: datetime, text: str) -> None:
    assert split_when_and_text(args, NOW, LONDON) == (when, text)


@pytest.mark.parametrize("args", ["", "tomorrow", "in 10 minutes", "tomorrow to", "3pm -"])
def test_split_needs_text(args: str) -> None:
    with pytest.raises(DateParseError):
        split_when_and_text(args, NOW, LONDON)


def test_split_reports_unreadable_and_past_times() -> None:
    with pytest.raises(DateParseError, match="couldn't tell when"):
        split_when_and_text("call the council soon", NOW, LONDON)
    with pytest.raises(PastTimeError):
        split_when_and_text("yesterday call the council", NOW, LONDON)


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("the 20th", "future", date(2026, 12, 20)),  # today is 25 Nov: the next 20th
        ("the 25th", "future", date(2026, 11, 25)),  # today itself
        ("the 20th", "past", date(2026, 11, 20)),  # something that happened
        ("the 30th", "nearest", date(2026, 11, 30)),
        ("the 31st", "future", date(2026, 12, 31)),  # November has no 31st
        ("10 Jan", "past", date(2026, 1, 10)),  # told on 10 Jan, said in November
        ("10 Jan", "future", date(2027, 1, 10)),
        ("29 Feb", "past", date(2024, 2, 29)),
        ("end of June", "future", date(2027, 6, 30)),
        ("3 Febuary 2027", "nearest", date(2027, 2, 3)),
        ("15 Janaury", "future", date(2027, 1, 15)),
        ("Septmber 30", "past", date(2026, 9, 30)),
        ("2 Novmber", "past", date(2026, 11, 2)),
        ("1 Octber", "past", date(2026, 10, 1)),
        ("Decmber 24", "future", date(2026, 12, 24)),
        ("Wendesday", "future", date(2026, 11, 25)),
        ("next Thrusday", "future", date(2026, 11, 26)),
    ],
)
def test_a_date_as_the_field_means_it(text: str, hint: Hint, expected: date) -> None:
    assert parse_day_info(text, TODAY, hint=hint).day == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Marsh Lane play area", "Marsh Lane play area"),  # not a month without a number
        ("the match on Saturday", "the match on Saturday"),
        ("money for Monday", "money for Monday"),
        ("closes 3 Febuary", "closes 3 february"),
        ("opened last Wendesday", "opened last wednesday"),
    ],
)
def test_only_misspelt_months_and_days_are_put_right(text: str, expected: str) -> None:
    assert spell_date_words(text) == expected
