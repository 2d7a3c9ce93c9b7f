"""Reading the bodies and places the Compacts' data names from text
(``bot.knowledge.gazetteer``), and the data itself: every way of writing a body names that
body and no other, and a body said to be named in a text is in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.gazetteer import Gazetteer, normal
from bot.knowledge.knowledge import Knowledge
from compacts.loader import CompactFileError, load_compact


@pytest.fixture(scope="module")
def gazetteer(knowledge: Knowledge) -> Gazetteer:
    return knowledge.gazetteer


@pytest.mark.parametrize(
    ("text", "name", "kind", "code"),
    [
        ("does PKC have to give us notice?", "Perth & Kinross Council", "public", "perth-kinross"),
        ("perth and kinross council cut our grant", "Perth & Kinross Council", "public",
         "perth-kinross"),
        ("P & K   Council wants views", "Perth & Kinross Council", "public", "perth-kinross"),
        ("nhs tayside never replied", "NHS Tayside", "public", "perth-kinross"),
        ("the Perth and Kinross HSCP wants our views",
         "Perth & Kinross Community Health Partnership", "public", "perth-kinross"),
        ("THE ROYAL BOROUGH gave us 4 weeks", "Royal Borough of Kensington and Chelsea",
         "public", "rbkc"),
        ("rbkc consultation", "Royal Borough of Kensington and Chelsea", "public", "rbkc"),
        ("kcsc told us to complain", "Kensington and Chelsea Social Council", "vcs", "rbkc"),
        ("Tunbridge Wells BC review", "Tunbridge Wells Borough Council", "public", "west-kent"),
        ("twbc", "Tunbridge Wells Borough Council", "public", "west-kent"),
        ("T&M are consulting", "Tonbridge & Malling Borough Council", "public", "west-kent"),
        ("tmbc", "Tonbridge & Malling Borough Council", "public", "west-kent"),
        ("Sevenoaks DC", "Sevenoaks District Council", "public", "west-kent"),
        ("sdc's library review", "Sevenoaks District Council", "public", "west-kent"),
        ("West Kent CVS ignored us", "West Kent Council for Voluntary Service", "vcs",
         "west-kent"),
        ("Dartford, Gravesham & Swanley PCT", "Dartford, Gravesham and Swanley Primary Care Trust",
         "public", "west-kent"),
        ("KCC ending our youth grant", "Kent County Council", "public", "kent-2011"),
        ("Kent Fire and Rescue", "Kent Fire & Rescue Service", "public", "kent-2011"),
        ("Eastern and Coastal Kent PCT", "Eastern & Coastal Kent Primary Care Trust", "public",
         "kent-2011"),
    ],
)  # fmt: skip
def test_a_body_is_read_however_it_is_written(
    gazetteer: Gazetteer, text: str, name: str, kind: str, code: str
) -> None:
    found = gazetteer.body(text)
    assert found is not None
    assert (found.name, found.known.kind) == (name, kind)
    assert gazetteer.compacts_named(text) == [code]


@pytest.mark.parametrize(
    ("text", "name", "code"),
    [
        ("we're in sevenaoks", "Sevenoaks", "west-kent"),
        ("a group in tunbridge wels", "Tunbridge Wells", "west-kent"),
        ("kensignton residents", "Kensington", "rbkc"),
        ("perth and kinros", "Perth and Kinross", "perth-kinross"),
        ("folkstone", "Folkestone", "kent-2011"),
        ("sevenoaks district councl", "Sevenoaks District Council", "west-kent"),
    ],
)
def test_a_misspelt_name_is_read(gazetteer: Gazetteer, text: str, name: str, code: str) -> None:
    [found] = gazetteer.mentions(text)
    assert found.name == name and not found.exact
    assert gazetteer.compacts_named(text) == [code]


@pytest.mark.parametrize(
    "text",
    [
        "Margaret from our group asks how long a consultation must be",
        "does the compact cover volunteering?",
        "we deal with the council a lot",  # "Deal" the town only with its capital
        "the council ignored our letter",  # which council, in a chat following none?
        "can we seal the deal by friday",
        "how long should a consultation be? 12 weeks?",
        "Sevenoaks DC - 1 Dec to 23 Feb" + " x" * 0,  # not a misspelling of "Sevenoaks D.C."
    ],
)
def test_everyday_words_name_nothing_they_should_not(gazetteer: Gazetteer, text: str) -> None:
    found = [m for m in gazetteer.mentions(text) if m.name != "Sevenoaks District Council"]
    assert found == []
    if "Sevenoaks" in text:
        assert [m.said for m in gazetteer.mentions(text)] == ["Sevenoaks DC"]


def test_an_everyday_word_is_a_place_with_its_capital_or_after_in(gazetteer: Gazetteer) -> None:
    assert gazetteer.compacts_named("our lunch club in deal") == ["kent-2011"]
    assert gazetteer.compacts_named("a lunch club, Deal") == ["kent-2011"]
    assert gazetteer.compacts_named("what a deal that was") == []


def test_the_council_is_the_one_council_of_the_compact_a_chat_follows(
    gazetteer: Gazetteer,
) -> None:
    text = "the council gave us three weeks"
    assert gazetteer.compacts_named(text, follows=["rbkc"]) == ["rbkc"]
    assert gazetteer.compacts_named(text, follows=["perth-kinross"]) == ["perth-kinross"]
    # West Kent has three councils: "the council" names none of them.
    assert gazetteer.compacts_named(text, follows=["west-kent"]) == []
    # Two Compacts with a council each: which one is not said.
    assert gazetteer.compacts_named(text, follows=["rbkc", "perth-kinross"]) == []
    assert gazetteer.compacts_named("the county council", follows=["kent-2011"]) == ["kent-2011"]


def test_the_more_local_and_the_adopted_compact_is_the_one_meant(gazetteer: Gazetteer) -> None:
    # Sevenoaks is in Kent too; the West Kent Compact lies within Kent's.
    assert gazetteer.compacts_named("Sevenoaks") == ["west-kent"]
    # KCC is named by the 2011 refresh and the 2007 draft: the refresh, even in a chat
    # following the draft, unless the draft itself is named.
    assert gazetteer.compacts_named("KCC", follows=["kent-2007-draft"]) == ["kent-2011"]
    assert gazetteer.compacts_named("what did the 2007 draft say KCC must do") == [
        "kent-2007-draft"
    ]
    assert gazetteer.compacts_named("in the draft Kent compact") == ["kent-2007-draft"]
    assert gazetteer.compacts_named("what does the 2011 version say") == ["kent-2011"]
    # Two places of two Compacts: both, in the order named.
    assert gazetteer.compacts_named("Pitlochry or Chelsea?") == ["perth-kinross", "rbkc"]


def test_one_name_per_body(gazetteer: Gazetteer) -> None:
    for said in (
        "PKC",
        "pkc",
        "Perth and Kinross Council",
        "P&K council",
        "perth & kinross council",
    ):
        assert gazetteer.canonical(said) == "Perth & Kinross Council"
    assert gazetteer.canonical("the Royal Borough") == "Royal Borough of Kensington and Chelsea"
    # A body no Compact names, or more than a body, stays as written (spacing tidied).
    assert gazetteer.canonical("Dover  Town Council") == "Dover Town Council"
    assert gazetteer.canonical("PKC and NHS Tayside") == "PKC and NHS Tayside"
    assert gazetteer.kind_of("pkavs") == "vcs"
    assert gazetteer.kind_of("the local charity") is None


def test_no_way_of_writing_a_body_or_place_names_two_things(knowledge: Knowledge) -> None:
    """Across every Compact: each name, short name and abbreviation stands for one body or
    place (a place and the body named after it are written differently)."""
    meaning: dict[tuple[str, ...], str] = {}
    for compact in knowledge.registry.compacts.values():
        for what, entries in (("body", compact.bodies), ("place", compact.places)):
            for entry in entries:
                for said in (entry.name, *entry.also, *entry.cased):
                    key = normal(said)
                    here = f"{what}:{entry.name}"
                    assert meaning.setdefault(key, here) == here, (said, meaning[key], here)


def test_every_body_and_place_reads_back_as_itself(
    gazetteer: Gazetteer, knowledge: Knowledge
) -> None:
    for compact in knowledge.registry.compacts.values():
        for body in compact.bodies:
            for said in (body.name, *body.also, *body.cased):
                found = gazetteer.whole_body(said)
                assert found is not None and found.name == body.name, said
                assert compact.code in found.known.compacts
        for place in compact.places:
            for said in (place.name, *place.also, *place.cased):
                [found] = gazetteer.mentions(said)
                assert found.name == place.name, said


def test_a_body_said_to_be_named_in_the_text_must_be_in_it(tmp_path: Path) -> None:
    source = Path(__file__).parent / "sample_plugin" / "compactbot_sample"
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "sample-town.txt").write_bytes(
        (source / "sources" / "sample-town.txt").read_bytes()
    )
    text = (source / "sample-town.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "sample-town.yaml"
    bad.write_text(text.replace("    named_in_text: false\n", ""), encoding="utf-8")
    with pytest.raises(CompactFileError, match=r"bodies\.name: not in sample-town\.txt.*"
                       r"Sample Town Council"):  # fmt: skip
        load_compact(bad)
    good = tmp_path / "good.yaml"
    good.write_text(text, encoding="utf-8")
    assert load_compact(good).bodies[0].name == "Sample Town Council"


@pytest.mark.parametrize(
    ("text", "name", "code"),
    [
        ("T.W.B.C. told us", "Tunbridge Wells Borough Council", "west-kent"),
        ("k.c.c. want replies", "Kent County Council", "kent-2011"),
        ("PKHSCP cut our contract", "Perth & Kinross Community Health Partnership",
         "perth-kinross"),
        ("the pkijb decided", "Perth & Kinross Community Health Partnership", "perth-kinross"),
        ("P+K council", "Perth & Kinross Council", "perth-kinross"),
        ("rbck havent paid", "Royal Borough of Kensington and Chelsea", "rbkc"),
    ],
)  # fmt: skip
def test_abbreviations_dotted_run_together_or_with_two_letters_swapped(
    gazetteer: Gazetteer, text: str, name: str, code: str
) -> None:
    [found] = gazetteer.mentions(text)
    assert found.name == name
    assert gazetteer.compacts_named(text) == [code]


def test_a_short_name_is_read_with_one_swap_only(gazetteer: Gazetteer) -> None:
    assert [m.name for m in gazetteer.mentions("pck said")] == ["Perth & Kinross Council"]
    assert gazetteer.mentions("the kcp said") == []  # PKC's letters, but moved twice
    assert gazetteer.mentions("the kkc said") == []  # a letter changed: not KCC nor PKC


def test_a_name_as_written_is_no_misspelling_of_another(gazetteer: Gazetteer) -> None:
    # "stanley" is a Perthshire village (in capitals); lower case it is not Swanley, Kent.
    assert gazetteer.compacts_named("stanley (perthshire) - can they?") == ["perth-kinross"]


def test_an_everyday_word_before_council_is_the_place(gazetteer: Gazetteer) -> None:
    assert gazetteer.compacts_named("deal town council want our views") == ["kent-2011"]
    assert gazetteer.compacts_named("we need to deal with the council") == []


def test_local_words_count_in_a_chat_following_a_compact_within(gazetteer: Gazetteer) -> None:
    # A West Kent group's "county council" is Kent County Council (West Kent lies in Kent).
    text = "the county council cut our grant"
    assert gazetteer.compacts_named(text, follows=["west-kent"]) == ["kent-2011"]
    assert gazetteer.compacts_named(text, follows=["rbkc"]) == []


def test_a_year_or_draft_beside_a_name_is_the_more_exact(gazetteer: Gazetteer) -> None:
    assert gazetteer.compacts_named("kent partners compact draft 2007: what then?")[0] == (
        "kent-2007-draft"
    )
    assert gazetteer.compacts_named("the old kent compact") == ["kent-2007-draft"]
    assert gazetteer.compacts_named("the kent compact") == ["kent-2011"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("TN13 charity here, the district council gave us 2 weeks", "west-kent"),
        ("we're a ph7 group", "perth-kinross"),
        ("KY13 befriending group", "perth-kinross"),
        ("walmer road W11 community centre", "rbkc"),
        ("a sw3 lunch club", "rbkc"),
        ("CT9 youth club", "kent-2011"),
        ("our hall is at ME19 4LZ", "west-kent"),
        ("post to tn132ab please", "west-kent"),
        # Shared by West Kent and Maidstone borough: the wider Compact's.
        ("TN12 village hall", "kent-2011"),
    ],
)
def test_a_postcode_district_names_its_compact(gazetteer: Gazetteer, text: str, code: str) -> None:
    assert gazetteer.compacts_named(text) == [code]


@pytest.mark.parametrize(
    "text",
    [
        "TN16 group",  # Westerham, but also Biggin Hill (Bromley) and Tatsfield (Surrey)
        "a TN3 charity",  # Kent and East Sussex
        "DA1 food bank",  # Dartford and Crayford (Bexley)
        "W14 tenants",  # mostly Hammersmith & Fulham
        "we moved from SE1",
    ],
)
def test_a_postcode_district_shared_with_an_area_no_compact_covers_names_none(
    gazetteer: Gazetteer, text: str
) -> None:
    assert gazetteer.compacts_named(text) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("fordwich and blean scouts", "kent-2011"),
        ("eastchurch village hall", "kent-2011"),
        ("kilndown village society", "west-kent"),
        ("glenalmond community council", "perth-kinross"),
        ("spittal of glenshee hall", "perth-kinross"),
        ("trellick tower tenants group", "rbkc"),
        ("the fair city: the hall is closing", "perth-kinross"),
        ("our tunny wells group", "west-kent"),
    ],
)
def test_a_village_hamlet_or_estate_names_its_compact(
    gazetteer: Gazetteer, text: str, code: str
) -> None:
    assert gazetteer.compacts_named(text) == [code]


def test_a_name_as_written_outweighs_a_near_miss_of_another(gazetteer: Gazetteer) -> None:
    # "letham" is one slip from Lenham (Kent), "kennington" from Kensington (RBKC).
    assert gazetteer.compacts_named("letham (perth) community association") == ["perth-kinross"]
    assert gazetteer.compacts_named("kennington (ashford) community association") == ["kent-2011"]
    # A near miss alone still counts.
    assert gazetteer.compacts_named("our hall in tunbridge wels") == ["west-kent"]


def test_an_everyday_place_word_heading_a_message_is_the_place(gazetteer: Gazetteer) -> None:
    assert gazetteer.compacts_named("dunning: the council want us out") == ["perth-kinross"]
    assert gazetteer.compacts_named("deal - the council cut our grant") == ["kent-2011"]
    assert gazetteer.compacts_named("dunning the rota is a pain") == []


def test_a_draft_named_by_its_two_digit_year(gazetteer: Gazetteer) -> None:
    assert gazetteer.compacts_named("KPC draft 07 - did it propose a champion?") == [
        "kent-2007-draft"
    ]
    assert gazetteer.compacts_named("we had 07 volunteers") == []


def test_a_long_name_is_read_with_three_slips_spread_over_its_words(
    gazetteer: Gazetteer,
) -> None:
    [found] = gazetteer.mentions("perth & kinoss counsil cut the grant")
    assert found.name == "Perth & Kinross Council"
    [found] = gazetteer.mentions("tunbrige wels borogh council")
    assert found.name == "Tunbridge Wells Borough Council"
    # A word swapped for another is no slip: the CAB is not the borough council.
    assert [m.name for m in gazetteer.mentions("tunbridge wells cab told us")] == [
        "Tunbridge Wells"
    ]
