"""Reading the public body, funder or organisation of a registration from its message
(``registration_parsing.names`` over the gazetteer): however it is written and wherever it
stands, it is read and never asked for again; the title leaves it (and a greeting) out; a
complaint's side is the named body's."""

from __future__ import annotations

from datetime import date

import pytest

from bot.chat.registration_parsing import parse_complaint, parse_consultation, parse_funding

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("message", "body", "title"),
    [
        ("pkc are consulting on the library closures until 14 feb", "pkc", "Library closures"),
        ("Hi everyone! Kensington and Chelsea council have opened a consultation on the "
         "community grants programme, closes 1st Feb", "Kensington and Chelsea council",
         "Consultation on the community grants programme"),
        ("the royal borough has a survey about the library, ends 31 jan", "the royal borough",
         "Survey about the library"),
        ("tonbridge council sent us a survey on their new parks plan, we have till 20 January",
         "tonbridge council", "Survey on their new parks plan"),
        ("sevenaoks district council library review closes 1 march",
         "sevenaoks district council", "Library review"),
        ("Consultation by KCC on youth services, opens 1 Dec closes 3 March", "KCC",
         "Consultation on youth services"),
        ("Good morning all, TWBC are consulting on parks, closes 3 March", "TWBC", "TWBC parks"),
    ],
)  # fmt: skip
def test_a_consultations_body_is_read_wherever_it_stands(
    message: str, body: str, title: str
) -> None:
    draft = parse_consultation(message, TODAY)
    assert (draft.fields["body"], draft.fields["title"]) == (body, title)
    assert "body" not in draft.missing and "title" not in draft.missing


@pytest.mark.parametrize(
    ("message", "funder", "title"),
    [
        ("KCC ending our youth grant, last funded day 30 June 2027", "KCC", "Youth grant"),
        ("our grant from Perth and Kinross Council stops at the end of March",
         "Perth and Kinross Council", "Our grant"),
        ("NHS Tayside is ending the befriending contract on 31 March", "NHS Tayside",
         "Befriending contract"),
        ("tmbc grant ends 31/3/27", "tmbc", "Tmbc grant"),
    ],
)  # fmt: skip
def test_a_funder_at_the_start_is_read(message: str, funder: str, title: str) -> None:
    draft = parse_funding(message, TODAY)
    assert (draft.fields["funder"], draft.fields["title"]) == (funder, title)
    assert "funder" not in draft.missing


@pytest.mark.parametrize(
    ("message", "against", "body"),
    [
        ("West Kent CVS ignored our letters", "vcs", "West Kent CVS"),
        ("kcsc never passed our concerns on", "vcs", "kcsc"),
        ("TWBC refused to meet us", "public", "TWBC"),
        ("against the royal borough: they cut the consultation to 3 weeks", "public",
         "the royal borough"),
        ("Age UK Sevenoaks ignored our referral", "vcs", "Age UK Sevenoaks"),
        ("our local Citizens Advice never replied to us", "vcs", "Citizens Advice"),
        ("Medway NHS Foundation Trust ignored our letters", "public",
         "Medway NHS Foundation Trust"),
        ("against Dover Town Council: no reply", "public", "Dover Town Council"),
    ],
)  # fmt: skip
def test_a_complaints_side_is_the_named_bodys_and_neither_is_asked(
    message: str, against: str, body: str
) -> None:
    draft = parse_complaint(message, TODAY)
    assert (draft.fields["against"], draft.fields["body"]) == (against, body)
    assert "against" not in draft.missing and "body" not in draft.missing


def test_a_message_naming_no_body_still_asks() -> None:
    draft = parse_complaint("they never reply", TODAY)
    assert draft.missing == ["against", "body"]
