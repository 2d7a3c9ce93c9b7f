"""Strictest: the Compact that asks the most, whatever order the Compacts were given in.

Earliest deadline (for a consultation: the latest close it asks for); on the same date a firm
duty before a "should", a "usually" or "wherever possible", and a draft's proposal last; a tie
named as a tie.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.chat.replies import strictest_line
from bot.domain.events import ConsultationLaunched, FundingEnding
from bot.domain.verdicts import CheckResult, strictest, strictest_all
from bot.frontends.cli import main
from bot.knowledge.knowledge import Knowledge
from compacts.models import STRENGTH_RANK

TODAY = date(2026, 11, 25)
CODES = ["kent-2011", "west-kent", "perth-kinross", "kent-2007-draft", "rbkc"]
EVENTS = [
    ConsultationLaunched(title="Review", opens=date(2026, 12, 1), closes=date(2027, 1, 5)),
    ConsultationLaunched(
        title="Review", opens=date(2027, 2, 1), closes=date(2027, 3, 15), earlier_rounds_days=28
    ),
    FundingEnding(title="Grant", last_funded_day=date(2027, 6, 30)),
    FundingEnding(title="Grant", last_funded_day=date(2027, 6, 30), notice_given_on=TODAY),
]


def _result(
    code: str, days: int | None, strength: str | None, verdict: str = "meets"
) -> CheckResult:
    return CheckResult(
        compact=code,
        compact_name=code.upper(),
        kind="funding",
        verdict=verdict,  # type: ignore[arg-type]
        demand_days=days,
        demand_date=date(2027, 3, 31) if days is not None else None,
        strength=strength,  # type: ignore[arg-type]
    )


@settings(max_examples=60, deadline=None)
@given(order=st.permutations(CODES), event=st.sampled_from(EVENTS))
def test_the_order_of_the_compacts_never_changes_the_strictest(
    knowledge: Knowledge, order: list[str], event: ConsultationLaunched | FundingEnding
) -> None:
    given_order = knowledge.check(event, knowledge.registry.resolve(order), TODAY)
    code_order = knowledge.check(event, knowledge.registry.resolve(sorted(order)), TODAY)
    assert [r.compact for r in strictest_all(given_order)] == [
        r.compact for r in strictest_all(code_order)
    ]
    assert strictest_line(given_order) == strictest_line(code_order)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=400),
            st.sampled_from([*STRENGTH_RANK, None]),
            st.sampled_from(["meets", "short", "explain", "breach", "no_rule"]),
        ),
        min_size=1,
        max_size=6,
    ),
    data=st.data(),
)
def test_strictest_is_the_largest_demand_then_the_firmest(
    rows: list[tuple[int, str | None, str]], data: st.DataObject
) -> None:
    results = [
        _result(f"c{i}", days, strength, verdict)
        for i, (days, strength, verdict) in enumerate(rows)
    ]
    tied = strictest_all(results)
    shuffled = data.draw(st.permutations(results))
    assert [r.compact for r in strictest_all(shuffled)] == [r.compact for r in tied]
    ruled = [r for r in results if r.verdict != "no_rule"]
    if not ruled:
        assert tied == [] and strictest(results) is None
        return
    most = max(r.demand_days or 0 for r in ruled)
    assert {r.demand_days for r in tied} == {most}
    rank = {s: n for s, n in STRENGTH_RANK.items()}
    firmest = min(rank.get(r.strength or "", len(rank)) for r in ruled if r.demand_days == most)
    assert all(rank.get(r.strength or "", len(rank)) == firmest for r in tied)
    assert [r.compact for r in tied] == sorted(r.compact for r in tied)
    assert strictest(results) is tied[0]


def test_firm_before_usually_on_the_same_date(knowledge: Knowledge) -> None:
    """Ending funding on 31 March 2027: Kent 2011's consultation "shall" start by 30 September
    2026 (it must be over before notice, due by 31 December), the day Perth & Kinross's six
    months' warning "usually" falls: Kent 2011 is strictest, in either order."""
    event = FundingEnding(title="Grant", last_funded_day=date(2027, 3, 31))
    for order in (["perth-kinross", "kent-2011"], ["kent-2011", "perth-kinross"]):
        results = knowledge.check(event, knowledge.registry.resolve(order), TODAY)
        assert {r.demand_date for r in results} == {date(2026, 9, 30)}
        assert [r.compact for r in strictest_all(results)] == ["kent-2011"]
        assert strictest_line(results) == "Strictest: Kent Compact 2011."


def test_a_tie_is_named_as_a_tie() -> None:
    a = _result("kent-2011", 91, "firm").model_copy(update={"compact_name": "Kent Compact 2011"})
    b = _result("perth-kinross", 91, "firm").model_copy(update={"compact_name": "Perth & Kinross"})
    softer = _result("rbkc", 91, "usually")
    for results in ([a, b, softer], [softer, b, a]):
        assert [r.compact for r in strictest_all(results)] == ["kent-2011", "perth-kinross"]
        assert strictest_line(results) == (
            "Strictest: a tie: Kent Compact 2011 and Perth & Kinross both point to 31 March 2027."
        )


@pytest.mark.parametrize(
    "order",
    [["rbkc", "kent-2011", "perth-kinross"], ["perth-kinross", "rbkc", "kent-2011"]],
)
def test_cli_strictest_does_not_depend_on_the_order_of_compact(
    knowledge: Knowledge, capsys: pytest.CaptureFixture[str], order: list[str]
) -> None:
    flags = [f for code in order for f in ("--compact", code)]
    args = ["check", "funding", *flags, "--ends", "2027-06-30", "--today", "2026-11-25", "--json"]
    assert main(args, knowledge=knowledge) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["compact"] for r in data["results"]] == order
    assert data["strictest"] == "kent-2011"
    assert data["strictest_tie"] == []
