"""Dates in a registration as people mean them, with the clock fixed (Wednesday 25 Nov 2026).

A close given as a length counts from the opening day; a close or last funded day without a
year is the next such day, never a past one; every example a prompt shows does what it shows.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.chat.commands import COMMANDS
from bot.chat.forms import FORMS
from bot.chat.registration import Pending
from bot.chat.registration_parsing import (
    apply_answer,
    parse_complaint,
    parse_consultation,
    parse_funding,
)

TODAY = date(2026, 11, 25)  # a Wednesday
D = date
LIB = "Library review by KCC"


@pytest.mark.parametrize(
    ("message", "opens", "closes"),
    [
        # A length in the message counts from the opening day, not from today.
        (f"{LIB}, opens 7 December, closes in 6 weeks", D(2026, 12, 7), D(2027, 1, 18)),
        (f"{LIB}, opens 7 Dec, for 6 weeks", D(2026, 12, 7), D(2027, 1, 18)),
        (f"{LIB}, 6 weeks from Monday", D(2026, 11, 30), D(2027, 1, 11)),
        ("A 6 week consultation on the library from 4 Jan, by KCC", D(2027, 1, 4), D(2027, 2, 15)),
        (f"{LIB}, a six-week consultation from 4 January", D(2027, 1, 4), D(2027, 2, 15)),
        (f"{LIB} opens 7 Dec, runs for 12 weeks", D(2026, 12, 7), D(2027, 3, 1)),
        (f"{LIB} opens 7 Dec, closes 12 weeks after it opens", D(2026, 12, 7), D(2027, 3, 1)),
        (f"{LIB}, opens in 2 weeks, for 6 weeks", D(2026, 12, 9), D(2027, 1, 20)),
        (f"{LIB}, opens 1 Jan 2027, closes in 3 months", D(2027, 1, 1), D(2027, 4, 1)),
        # Months by the corresponding-date rule: no 31 February, so the last day of it.
        (f"{LIB}, opens 31 Jan 2027, for 1 month", D(2027, 1, 31), D(2027, 2, 28)),
        (f"{LIB}, opens 7 Dec, 4-week consultation", D(2026, 12, 7), D(2027, 1, 4)),
        # "from today" says where it counts from: today.
        (f"{LIB}, opens 1 Dec, closes 6 weeks from today", D(2026, 12, 1), D(2027, 1, 6)),
        # A date and a length that agree are one close.
        (f"{LIB}, opens 7 Dec, closes 18 Jan, 6 weeks", D(2026, 12, 7), D(2027, 1, 18)),
        # A close without a year is the first such day on or after the opening.
        ("Parks review by KCC, opens 1 Nov, closes 30 Nov", D(2026, 11, 1), D(2026, 11, 30)),
        ("Parks review by KCC, opened 1 Oct, closes 20 Nov", D(2026, 10, 1), D(2026, 11, 20)),
        ("Parks review by KCC, opens 1 Dec, closes 30 June", D(2026, 12, 1), D(2027, 6, 30)),
    ],
)  # fmt: skip
def test_a_consultations_close_as_people_mean_it(message: str, opens: date, closes: date) -> None:
    draft = parse_consultation(message, TODAY)
    assert draft.errors == []
    assert draft.complete, draft.missing
    assert (draft.fields["opens"], draft.fields["closes"]) == (opens, closes)


def test_a_length_leaves_the_title_alone_but_a_rules_name_is_not_a_length() -> None:
    draft = parse_consultation("Library review by KCC, opens 7 Dec, for 6 weeks", TODAY)
    assert draft.fields["title"] == "Library review"
    rule = "Review of the 12 week rule by KCC, opens 1 Dec, closes 23 Feb"
    named = parse_consultation(rule, TODAY)
    assert named.fields["title"] == "Review of the 12 week rule"
    assert named.fields["closes"] == D(2027, 2, 23) and named.lengths == {}


def test_a_length_and_a_date_that_disagree_are_asked_about() -> None:
    draft = parse_consultation("Library review by KCC, opens 7 Dec, closes 25 Jan, 6 weeks", TODAY)
    assert draft.missing == ["closes"] and draft.fields["closes"] is None
    assert "which is it" in draft.errors[0]


def test_a_length_waits_for_the_opening_day() -> None:
    draft = parse_consultation("Library review by KCC, for 6 weeks", TODAY)
    assert draft.missing == ["opens"]  # the close is not asked for: it follows the opening
    draft = apply_answer(draft, "opens", "7 Dec", TODAY)
    assert draft.complete and draft.fields["closes"] == D(2027, 1, 18)
    # The opening day moves: a close given as a length moves with it.
    draft = apply_answer(draft, "opens", "14 Dec", TODAY)
    assert draft.fields["closes"] == D(2027, 1, 25)


def test_a_yearless_close_given_before_the_opening_follows_the_opening() -> None:
    draft = parse_consultation("Parks review by KCC closes 20 Nov", TODAY)
    assert draft.fields["closes"] == D(2027, 11, 20)  # no opening yet: the next 20 Nov
    draft = apply_answer(draft, "opens", "1 Oct", TODAY)
    assert draft.fields["closes"] == D(2026, 11, 20)  # opened 1 Oct: this year's


@pytest.mark.parametrize(
    ("answer", "closes"),
    [
        ("in 6 weeks", D(2027, 1, 18)),
        ("for 6 weeks", D(2027, 1, 18)),
        ("6 weeks", D(2027, 1, 18)),
        ("six weeks", D(2027, 1, 18)),
        ("in 6 weeks' time", D(2027, 1, 18)),
        ("6 weeks after it opens", D(2027, 1, 18)),
        ("6 weeks after opening", D(2027, 1, 18)),
        ("6 weeks from 14 Dec", D(2027, 1, 25)),
        ("in 12 weeks", D(2027, 3, 1)),
        ("in 2 months", D(2027, 2, 7)),
        ("23 Feb", D(2027, 2, 23)),
        ("23/02/2027", D(2027, 2, 23)),
        ("end of February", D(2027, 2, 28)),
        ("20 Nov", D(2027, 11, 20)),  # after a 7 Dec opening: next year's
    ],
)
def test_the_close_answered_counts_from_the_opening_day(answer: str, closes: date) -> None:
    draft = parse_consultation("Library review by KCC, opens 7 Dec", TODAY)
    assert draft.missing == ["closes"]
    draft = apply_answer(draft, "closes", answer, TODAY)
    assert draft.errors == [] and draft.complete
    assert draft.fields["closes"] == closes


@pytest.mark.parametrize(
    ("message", "ends"),
    [
        # Said in November, "30 June" is next June: a last funded day looks ahead.
        ("NHS Kent ending befriending contract 30 June", D(2027, 6, 30)),
        ("KCC youth grant ends 20 Nov", D(2027, 11, 20)),
        ("KCC youth grant, last funded day 31 March", D(2027, 3, 31)),
        ("KCC youth grant stops from 1 June", D(2027, 5, 31)),
        ("KCC youth grant until end of March", D(2027, 3, 31)),
        ("KCC youth grant ends 30 June 2026", D(2026, 6, 30)),  # a year given is kept
        ("KCC youth grant ends in 3 months", D(2027, 2, 25)),  # no opening day: from today
    ],
)
def test_a_last_funded_day_without_a_year_is_the_next_one(message: str, ends: date) -> None:
    draft = parse_funding(message, TODAY)
    assert draft.errors == []
    assert draft.fields["ends"] == ends


def test_a_date_that_looks_back_keeps_the_nearest_year() -> None:
    draft = parse_funding("KCC youth grant ends 31 March, notice given 20 Nov", TODAY)
    assert draft.fields["notice"] == D(2026, 11, 20)
    answered = apply_answer(parse_funding("KCC youth grant", TODAY), "ends", "30 June", TODAY)
    assert answered.fields["ends"] == D(2027, 6, 30)


_EXAMPLES = re.compile(r"\(e\.g\. ([^)]*)\)")


def _prompt_examples() -> list[tuple[str, str, str]]:
    found = []
    for kind, form in FORMS.items():
        for f in (*form.fields, *form.extra):
            for m in _EXAMPLES.finditer(f.asked(TODAY)):
                found += [(kind, f.name, ex.strip()) for ex in m.group(1).split(",")]
    return found


@pytest.mark.parametrize(("kind", "name", "example"), _prompt_examples())
def test_every_example_in_a_prompt_is_taken(kind: str, name: str, example: str) -> None:
    base = {
        "consultation": "Library review by KCC, opens 7 Dec",
        "funding": "KCC youth grant",
        "complaint": "against the council: they cut it",
    }[kind]
    parser = {"consultation": parse_consultation, "funding": parse_funding}.get(
        kind, parse_complaint
    )
    draft = parser(base, TODAY)
    if name == "opens":
        draft = parse_consultation("Library review by KCC", TODAY)
    answered = apply_answer(draft, name, example, TODAY)
    assert answered.errors == [], (name, example)
    assert answered.fields[name] is not None or name in answered.lengths


def test_the_prompts_examples_mean_what_they_show() -> None:
    """Not only taken: "in 12 weeks" is twelve weeks from the opening day."""
    draft = parse_consultation("Library review by KCC, opens 7 Dec", TODAY)
    assert apply_answer(draft, "closes", "in 12 weeks", TODAY).fields["closes"] == D(2027, 3, 1)
    assert apply_answer(draft, "closes", "23 Feb", TODAY).fields["closes"] == D(2027, 2, 23)
    fresh = parse_consultation("Library review by KCC", TODAY)
    assert apply_answer(fresh, "opens", "today", TODAY).fields["opens"] == TODAY
    assert apply_answer(fresh, "opens", "1 Dec", TODAY).fields["opens"] == D(2026, 12, 1)


@pytest.mark.parametrize("kind", ["consultation", "funding", "complaint"])
def test_each_registration_commands_example_is_complete(kind: str) -> None:
    [command] = [c for c in COMMANDS if c.name == kind]
    parser = {"consultation": parse_consultation, "funding": parse_funding}.get(
        kind, parse_complaint
    )
    draft = parser(command.example.removeprefix(f"/{kind} "), TODAY)
    assert draft.errors == [] and draft.complete, (command.example, draft)


@pytest.mark.parametrize("kind", ["consultation", "funding", "complaint"])
def test_each_forms_change_example_changes_its_field(kind: str) -> None:
    form = FORMS[kind]  # type: ignore[index]
    found = form.find_field(form.change_example)
    assert found is not None
    field, value = found
    parser = {"consultation": parse_consultation, "funding": parse_funding}.get(
        kind, parse_complaint
    )
    example = next(c.example for c in COMMANDS if c.name == kind).removeprefix(f"/{kind} ")
    changed = apply_answer(parser(example, TODAY), field.name, value, TODAY)
    assert (
        changed.errors == []
        and changed.fields[field.name] != parser(example, TODAY).fields[field.name]
    )


def test_a_draft_keeps_its_lengths_across_a_restart() -> None:
    draft = parse_consultation("Library review by KCC, for 6 weeks", TODAY)
    stored = Pending(draft, "t0k3n", asking="opens").to_json()
    again = Pending.from_json(stored)
    assert again.draft.lengths == {"closes": "6 weeks"}
    answered = apply_answer(again.draft, "opens", "7 Dec", TODAY)
    assert answered.fields["closes"] == D(2027, 1, 18)
    # A draft stored before lengths existed still loads.
    old = {k: v for k, v in stored.items() if k not in ("lengths", "yearless")}
    assert Pending.from_json(old).draft.lengths == {}
