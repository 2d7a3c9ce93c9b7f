"""The registration sets, scored end to end (``tests/registration_scoring.py``), with floors
at the figures reached: the blind set (written before the work, never tuned on) and the
developer's own set. Only totals are asserted; a blind case is never named."""

from __future__ import annotations

from datetime import date

import pytest
import registration_scoring as scoring

BLIND_FLOOR = 157
"""Of 157 blind messages read back right (main before issue 20: 58; the dates work alone 92;
with the bodies and places read by the gazetteer 137; 157 since round 3 used the spent set as
development data, so in-sample)."""
BLIND_ASKED_AGAIN_CEILING = 0
"""Blind messages whose reading asks for a field the message gave (before: 64)."""
BLIND_2_FLOOR = 159
"""Of 159 messages of blind-2 (written after the work, scored once): main before issue 20
read 59 right, the work 144 (2 asking for a field the message gave; before: 59); 159 and 0
since round 3 used it as development data (in-sample)."""
BLIND_3_FLOOR = 152
"""Of 153 messages of blind-3 (written before round 3's work, only its totals looked at):
136 at the start of round 3; 145 with titles chosen by the measured word model
(``bot/chat/registration_parsing/titles.py``) and the round's reading of dates and names;
152 since round 4 read dates as people mean them, set chatter aside and read "complaint
about <a group>" (spent, so in-sample)."""
BLIND_3_ASKED_AGAIN_CEILING = 0
"""Blind-3 messages whose reading asks for a field the message gave (3 at the start too; 0
since round 4)."""
BLIND_4_FLOOR = 150
"""Of 150 messages of blind-4 (written after round 3's work, scored once): 123 on main before
round 3, 142 after it; 150 since round 4 used it as development data (in-sample)."""
BLIND_4_ASKED_AGAIN_CEILING = 0
"""Blind-4 messages whose reading asks for a field the message gave (10 before round 3, 6
after it, 0 since round 4)."""
BLIND_5_FLOOR = 169
"""Of 169 messages of blind-5 (written after round 4's work, scored once): 135 on main before
round 3, 155 after round 3, 161 after round 4; 169 since round 5 used it as development
data (in-sample)."""
BLIND_5_ASKED_AGAIN_CEILING = 0
"""Blind-5 messages whose reading asks for a field the message gave (14 before round 3, 7
after it, 3 after round 4, 0 since round 5)."""
DEV_FLOOR = 27
"""Of the 27 dev messages."""


async def test_the_blind_registrations_are_read_back_right_at_least_as_often_as_reached() -> None:
    scored = await scoring.score(scoring.BLIND)
    totals = scoring.totals(scored)
    assert totals["all"][1] == 157
    assert totals["all"][0] >= BLIND_FLOOR
    assert totals["asked again"][0] <= BLIND_ASKED_AGAIN_CEILING


async def test_the_second_blind_set_is_read_back_right_as_often_as_first_scored() -> None:
    totals = scoring.totals(await scoring.score(scoring.BLIND.with_name("blind-2")))
    assert totals["all"][1] == 159
    assert totals["all"][0] >= BLIND_2_FLOOR
    assert totals["asked again"][0] == 0


async def test_the_third_blind_set_is_read_back_right_at_least_as_often_as_reached() -> None:
    totals = scoring.totals(await scoring.score(scoring.BLIND.with_name("blind-3")))
    assert totals["all"][1] == 153
    assert totals["all"][0] >= BLIND_3_FLOOR
    assert totals["asked again"][0] <= BLIND_3_ASKED_AGAIN_CEILING


async def test_the_fourth_blind_set_is_read_back_right_as_often_as_first_scored() -> None:
    totals = scoring.totals(await scoring.score(scoring.BLIND.with_name("blind-4")))
    assert totals["all"][1] == 150
    assert totals["all"][0] >= BLIND_4_FLOOR
    assert totals["asked again"][0] <= BLIND_4_ASKED_AGAIN_CEILING


async def test_the_fifth_blind_set_is_read_back_right_as_often_as_first_scored() -> None:
    totals = scoring.totals(await scoring.score(scoring.BLIND.with_name("blind-5")))
    assert totals["all"][1] == 169
    assert totals["all"][0] >= BLIND_5_FLOOR
    assert totals["asked again"][0] <= BLIND_5_ASKED_AGAIN_CEILING


LATER_SETS: dict[str, tuple[int, int, int]] = {
    # name: (messages, read back right at least, asked again at most)
    "blind-6": (171, 165, 5),
    # Written before round 5's work (totals only while working): 159 on main before it,
    # asked again 10; 160 and 9 after round 5; 165 and 5 since round 6 used it as
    # development data (in-sample).
    "blind-7": (176, 175, 1),
    # Written after round 5's work, scored once: 160 on main before round 5, asked again 9;
    # 162 (92.0%) and 9 after it; 175 and 1 since round 6 used it as development data
    # (in-sample).
    "blind-8": (168, 163, 4),
    # Written after round 6's work, scored once: 150 (89.3%) on main before round 5, asked
    # again 12; 149 and 15 after round 5's registration work; 163 (97.0%) and 4 after round 6.
}


@pytest.mark.parametrize("folder", sorted(LATER_SETS))
async def test_the_later_blind_sets_are_read_back_right_at_least_as_often_as_reached(
    folder: str,
) -> None:
    size, floor, ceiling = LATER_SETS[folder]
    totals = scoring.totals(await scoring.score(scoring.BLIND.with_name(folder)))
    assert totals["all"][1] == size
    assert totals["all"][0] >= floor
    assert totals["asked again"][0] <= ceiling


async def test_the_dev_registrations_are_read_back_right() -> None:
    totals = scoring.totals(await scoring.score(scoring.DEV))
    assert totals["all"][0] >= DEV_FLOOR


def test_the_scorer_tells_a_wrong_date_an_invented_one_and_a_field_asked_again() -> None:
    case = {
        "id": "x",
        "kind": "funding",
        "expect": {
            "funder": "KCC",
            "funder_full": "Kent County Council",
            "ends": date(2027, 3, 31),
        },
    }
    right = {"funder": "kent county  council", "ends": date(2027, 3, 31)}
    assert scoring.judge(case, right, [], refused=False, readback=True).ok
    wrong = scoring.judge(case, {**right, "ends": date(2027, 4, 1)}, [], False, True)
    assert not wrong.ok and wrong.why == ["ends 2027-04-01 (want 2027-03-31)"]
    invented = scoring.judge(case, {**right, "notice": date(2026, 12, 1)}, [], False, True)
    assert not invented.ok
    asked = scoring.judge(case, {"ends": date(2027, 3, 31)}, ["funder"], False, False)
    assert not asked.ok and asked.asked_again
    refusal = {"id": "y", "kind": "funding", "expect": {}, "refuse": True}
    assert scoring.judge(refusal, {}, [], refused=True, readback=False).ok
    assert not scoring.judge(refusal, right, [], refused=False, readback=True).ok
