"""Answers sized for a phone: the key sentence verbatim, clean section names, nothing said
twice, the whole clause one press away."""

from __future__ import annotations

import re

import pytest

from bot.chat import buttons
from bot.chat.conversation import Conversation
from bot.chat.messages import Incoming
from bot.chat.replies import key_sentence, section_name
from bot.knowledge.knowledge import Knowledge
from bot.knowledge.rule_answers import RULE_TOPICS, answer_rule

CHAT = 321


async def _yes() -> bool:
    return True


async def ask(conversation: Conversation, text: str) -> tuple[str, list[buttons.Action]]:
    [reply] = await conversation.handle_text(Incoming(CHAT, CHAT, "Ann", text, True, _yes))
    actions = [buttons.decode(b.data) for row in reply.buttons for b in row]
    return reply.text, [a for a in actions if a is not None]


def test_key_sentence_is_verbatim_and_carries_the_figure() -> None:
    quote = (
        "Give early notice of forthcoming consultations allowing sufficient time for the VCS "
        "to involve service users, beneficiaries, members and trustees in responding. Conduct "
        "12 week written consultations with clear explanations and rationale for shorter "
        "time-frames."
    )
    shown = key_sentence(quote, "consultations should run 12 weeks")
    assert shown.startswith("… Conduct 12 week written consultations")
    assert shown.removeprefix("… ") in quote
    assert key_sentence("Short clause.", "anything") == "Short clause."


def test_key_sentence_is_the_one_that_answers_the_question() -> None:
    """The question's words choose the sentence, not only the answer's figure."""
    quote = (
        "Give early notice of forthcoming consultations allowing sufficient time for the VCS "
        "to involve service users, beneficiaries, members and trustees in responding. Conduct "
        "12 week written consultations with clear explanations and rationale for shorter "
        "time-frames. Give feedback to those who took part, explaining how their views were "
        "taken into account."
    )
    about = "consultations should run 12 weeks"
    feedback = "the public bodies' duty: feedback on a consultation is owed, but sets no time"
    shown = key_sentence(quote, feedback, "will we get feedback after a consultation?")
    assert shown == (
        "… Give feedback to those who took part, explaining how their views were taken into "
        "account."
    )
    notice = key_sentence(quote, about, "do they have to give us early notice of consultations?")
    assert notice.startswith("Give early notice of forthcoming consultations")
    assert notice.endswith(" …")
    # With no question, the answer's figure still chooses.
    assert key_sentence(quote, about).startswith("… Conduct 12 week written consultations")


def test_key_sentence_never_cuts_off_a_negation() -> None:
    quote = (
        "The Compact sets out principles and commitments for partnership working between the "
        "public bodies and the voluntary and community sector across the district. It is not a "
        "legally binding document. It will be reviewed every year by the Compact working group, "
        "which reports to the local strategic partnership."
    )
    shown = key_sentence(quote, "", "how often is it reviewed?")
    assert shown == (
        "… It is not a legally binding document. It will be reviewed every year by the Compact "
        "working group, which reports to the local strategic partnership."
    )
    first = key_sentence(quote, "", "what principles does it set out?")
    assert first == (
        "The Compact sets out principles and commitments for partnership working between the "
        "public bodies and the voluntary and community sector across the district. It is not a "
        "legally binding document. …"
    )


def test_section_names_lose_their_numbering() -> None:
    assert section_name("1) Working in partnership") == "Working in partnership"
    assert section_name("2. Funding") == "Funding"
    assert section_name("Code of Practice on Funding") == "Code of Practice on Funding"


async def test_an_answer_under_two_compacts_fits_a_phone(
    conversation: Conversation, knowledge: Knowledge
) -> None:
    await ask(conversation, "/compact kent-2011 west-kent")
    text, actions = await ask(conversation, "how long must a consultation be?")
    assert len(text) < 1000
    assert "Working Together: A Compact between" not in text  # short names, not titles
    quotes = [line for line in text.splitlines() if line.strip().startswith("“")]
    assert len(quotes) == len(set(quotes)) == 2  # one key sentence per Compact
    for line in quotes:
        said = line.strip().split("” (")[0].strip("“… ").rstrip(" …")
        assert any(
            said in c.quote for k in knowledge.registry.compacts.values() for c in k.commitments
        )
    more = [a for a in actions if isinstance(a, buttons.MoreClauses)]
    assert more and all(a.commitments for a in more)


async def test_more_gives_the_whole_clause_word_for_word(
    conversation: Conversation, knowledge: Knowledge
) -> None:
    await ask(conversation, "/compact kent-2011")
    _, actions = await ask(conversation, "how long must a consultation be?")
    [more] = [a for a in actions if isinstance(a, buttons.MoreClauses)]
    reply = await conversation.handle_button(CHAT, CHAT, buttons.encode(more), _yes)
    assert not reply.edit  # a new message below the answer, which stays
    whole = knowledge.registry.get("kent-2011").commitment("comms.public.6").quote
    assert f"“{whole}”" in reply.text


async def test_show_gives_a_compacts_clauses_on_a_topic(conversation: Conversation) -> None:
    text, _ = await ask(conversation, "/show west kent consultation")
    assert "allow a total of 12 weeks for consultation" in text
    assert "Working Together" in text
    assert "Say which Compact" in (await ask(conversation, "/show kent"))[0]


async def test_rbkc_section_names_read_cleanly(conversation: Conversation) -> None:
    await ask(conversation, "/compact rbkc")
    text, _ = await ask(conversation, "how long must a consultation be?")
    assert "(Working in partnership)" in text and "(1)" not in text


@pytest.mark.parametrize("topic", RULE_TOPICS)
def test_a_rule_is_never_said_twice(knowledge: Knowledge, topic: str) -> None:
    """Where a Compact sets no number, "sets no" is said once, not once in the bot's words
    and again in the data's note; no sentence of any rule answer repeats."""
    for compact in knowledge.registry.compacts.values():
        text = answer_rule(compact, topic, "what does it say?").text
        sentences = [s.strip().lower() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
        assert len(sentences) == len(set(sentences)), (compact.code, text)
        again = [s for s in sentences[1:] if re.match(r"(the )?[\w&' -]{0,60}\bsets no\b", s)]
        assert not again, (compact.code, text)
