"""What a message means: the examples file, the classifier, and its scores on the labelled
sets (floors at the figures reached; ``tests/intent_scoring.py`` prints them).  dev is never
trained on; the spent blind sets are (``labelled.yaml``), so their floors are in-sample and
only guard what was learnt: ``benchmarks/intents_cv.py`` gives the held-out figures."""

from __future__ import annotations

import pytest
from intent_scoring import BLIND, DEV, load, score

from bot.chat.buttons import OfferAnswer, decode, encode
from bot.chat.corrections import corrected_field
from bot.chat.forms import FORMS
from bot.chat.meaning import ASKS
from bot.chat.understanding import LABELS, read_intent
from bot.chat.understanding.examples import ALLOWED, parse, training_data
from bot.chat.understanding.features import Featuriser
from bot.chat.understanding.naive_bayes import NaiveBayes

BLIND_FLOOR = 281
"""Blind messages read right (of 282): 72 with the keyword rules before issue 20, 268 with
the first examples, 270 after examples were added for the development set's misses.  Spent
since round 3: the set is now trained on (``labelled.yaml``; 281 in-sample), so this floor
only guards against losing what was learnt."""
DEV_FLOOR = 129
"""Development messages read right (of 131; written with the examples, tuned on, never
trained on: 130 with the linear SVM and with round 5's model trained on five sets; 129 once
blind-6 and blind-7 were trained on too, which the other sets left out gained from)."""


def test_the_blind_set_scores_at_least_its_floor() -> None:
    result = score(load(BLIND))
    assert result.total == 282
    assert result.right >= BLIND_FLOOR, f"{result.right}/{result.total}"


BLIND_2_FLOOR = 280
"""Messages of blind-2 (written after the work, scored once) read right, of 280: 57 with
main's keyword rules, 250 after issue 20's first round.  Spent and trained on since round 3,
like blind (280 in-sample)."""


def test_the_second_blind_set_scores_at_least_its_floor() -> None:
    result = score(load(BLIND.with_name("blind-2")))
    assert result.total == 280
    assert result.right >= BLIND_2_FLOOR, f"{result.right}/{result.total}"


BLIND_3_FLOOR = 280
"""Messages of blind-3 (written before round 3's work, totals only while working) read
right, of 280: 246 with naive Bayes over the examples, 265 with the linear SVM trained on
the examples and the spent sets, 268 with the Compacts' bodies and places as lookups and
examples of situations that ask, 266 once an unsure yes or no at a read-back is not taken
(``SURE_ANSWER``: a wrong yes stores a registration).  Spent and trained on since round 5
(``labelled.yaml``): this floor is in-sample (280); left out of training, 277
(``benchmarks/intents_cv.py``)."""


def test_the_third_blind_set_scores_at_least_its_floor() -> None:
    result = score(load(BLIND.with_name("blind-3")))
    # Only the totals are compared, so a failure shows no case of the blind set.
    right, total = result.right, result.total
    assert total == 280
    assert right >= BLIND_3_FLOOR, f"{right}/{total}"


BLIND_4_FLOOR = 280
"""Messages of blind-4 (written after round 3's work, scored once) read right, of 280: 251
on main before round 3 (naive Bayes), 265 after it.  Spent and trained on since round 5:
this floor is in-sample (280); left out of training, 276 (``benchmarks/intents_cv.py``)."""


def test_the_fourth_blind_set_scores_at_least_its_floor() -> None:
    result = score(load(BLIND.with_name("blind-4")))
    right, total = result.right, result.total
    assert total == 280
    assert right >= BLIND_4_FLOOR, f"{right}/{total}"


BLIND_5_FLOOR = 280
"""Messages of blind-5 (written after round 4's work, scored once) read right, of 280: 228
on main before round 3, 256 after round 3 and after round 4.  Spent and trained on since
round 5: this floor is in-sample (280); left out of training, 273 (261 with round 4's model
and data, ``benchmarks/intents_cv.py``)."""


def test_the_fifth_blind_set_scores_at_least_its_floor() -> None:
    result = score(load(BLIND.with_name("blind-5")))
    right, total = result.right, result.total
    assert total == 280
    assert right >= BLIND_5_FLOOR, f"{right}/{total}"


SPENT_AFTER_ROUND_5 = {
    "blind-6": 280,
    # Written before round 5's work (totals only while working): 261 on main before it,
    # 270 (96.4%) after it.  In-sample since (trained on); left out of training, 274.
    "blind-7": 280,
    # Written after round 5's intents work, scored once: 259 (92.5%; 245 with round 4's
    # model).  In-sample since; left out of training, 269, after examples were written for
    # the kinds it read worst, so that figure flatters.
}


@pytest.mark.parametrize("folder", sorted(SPENT_AFTER_ROUND_5))
def test_the_sets_spent_in_round_5_score_at_least_their_floors(folder: str) -> None:
    result = score(load(BLIND.with_name(folder)))
    assert result.total == 280
    assert result.right >= SPENT_AFTER_ROUND_5[folder], f"{result.right}/{result.total}"


BLIND_8_FLOOR = 266
"""Messages of blind-8 (written after round 5's intents work, blind-6 and blind-7 trained on
too, scored once) read right, of 280: 250 (89.3%) with round 4's model and data, 258 with
round 5's before blind-6 and blind-7 were trained on, 266 (95.0%) after."""


def test_the_eighth_blind_set_scores_at_least_its_floor() -> None:
    result = score(load(BLIND.with_name("blind-8")))
    # Only the totals are compared, so a failure shows no case of the set.
    assert result.total == 280
    assert result.right >= BLIND_8_FLOOR, f"{result.right}/{result.total}"


def test_the_development_set_scores_at_least_its_floor() -> None:
    result = score(load(DEV))
    assert result.right >= DEV_FLOOR, f"{result.right}/{result.total}"


def test_the_examples_cover_every_label_and_kind_many_times() -> None:
    data = training_data()
    assert len(data.examples) >= 500
    for label in LABELS:
        assert sum(e.intent == label for e in data.examples) >= 20, label
    for kind in ("consultation", "funding", "complaint"):
        assert sum(e.kind == kind for e in data.examples) >= 25, kind
    # No example is said where its label cannot be.
    assert all(e.context is None or e.intent in ALLOWED[e.context] for e in data.examples)


def test_the_development_set_is_not_trained_on() -> None:
    """Only the shortest answers ("yep", "cancel"), which cannot be said another way, are
    in both."""
    trained = {" ".join(e.text.lower().split()) for e in training_data().examples}
    shared = [c.text for c in load(DEV) if " ".join(c.text.lower().split()) in trained]
    assert all(len(text.split()) <= 2 for text in shared), shared


def test_a_message_means_only_what_its_context_allows() -> None:
    assert read_intent("yes please", "readback").label == "yes"
    assert read_intent("yes please", "none").label != "yes"  # nothing was asked
    assert read_intent("closes 3 april actually", "readback").label == "correction"
    assert read_intent("closes 3 april actually", "none").label != "correction"
    assert read_intent("the council extended it to 3 april", "readback").label != "change"


@pytest.mark.parametrize(
    ("text", "context", "label", "kind"),
    [
        ("yeah go for it", "readback", "yes", None),
        ("nah wrong", "readback", "no", None),
        ("thank u so much", "none", "thanks", None),
        ("the county council has cut our youth grant from 1 may", "none", "register", "funding"),
        ("nhs tayside are consulting on the care home closures till 4 feb", "none", "register",
         "consultation"),
        ("we want to complain, the borough never replied to us", "none", "register", "complaint"),
        ("please remind us next thursday to phone the funder", "none", "remind", None),
        ("how much notice must the council give before ending a grant?", "none", "question",
         None),
    ],
)  # fmt: skip
def test_unseen_phrasings_are_read(text: str, context: str, label: str, kind: str | None) -> None:
    meant = read_intent(text, context)  # type: ignore[arg-type]
    assert (meant.label, meant.kind) == (label, kind)


def test_lookups_stand_for_what_they_list() -> None:
    data = parse(
        """
version: "1"
nlu:
- lookup: month
  examples: |
    - march
    - sept
- synonym: please
  examples: |
    - pls
- intent: remind
  examples: |
    - remind us on 3 march
- intent: question
  examples: |
    - how long is a consultation
"""
    )
    featuriser = Featuriser(data)
    assert featuriser.tokens("Remind us on 14 Sept pls") == [
        "remind", "us", "on", "0", "‹month›", "please"
    ]  # fmt: skip
    # One example with one month teaches the others: "sept" was never in an example.
    model = NaiveBayes(featuriser, data.examples)
    assert model.scores("remind us 21 sept", "none")[0][0] == "remind"


def test_an_entry_must_say_what_it_is() -> None:
    with pytest.raises(ValueError, match="kind"):
        parse('version: "1"\nnlu:\n- intent: register\n  examples: |\n    - our grant ends\n')


@pytest.mark.parametrize(
    ("kind", "text", "field", "value"),
    [
        ("consultation", "closes 19/2/27 actually", "closes", "19/2/27"),
        ("consultation", "actually it closes on the 28th", "closes", "on the 28th"),
        ("consultation", "no, it's PKC", "body", "PKC"),
        ("consultation", "it's twbc not kcc", "body", "twbc"),
        ("consultation", "title should be parks survey", "title", "parks survey"),
        ("funding", "the funder is nhs tayside", "funder", "nhs tayside"),
        ("funding", "ends 30 sept", "ends", "30 sept"),
        ("funding", "no, 31 march", "ends", "31 march"),
    ],
)
def test_a_correction_names_its_field_and_value(
    kind: str, text: str, field: str, value: str
) -> None:
    found = corrected_field(FORMS[kind], text)  # type: ignore[index]
    assert found is not None and (found[0].name, found[1]) == (field, value)


def test_a_date_naming_no_field_of_a_form_with_two_is_not_guessed() -> None:
    assert corrected_field(FORMS["consultation"], "no, the 14th") is None
    opens = FORMS["consultation"].field("opens")
    assert corrected_field(FORMS["consultation"], "no, the 14th", opens) == (opens, "14th")


def test_offer_buttons_round_trip() -> None:
    for action in (OfferAnswer("ab12cd34", 0), OfferAnswer("ab12cd34", 3), OfferAnswer("x", None)):
        data = encode(action)
        assert len(data.encode()) <= 64 and decode(data) == action
    assert decode("offer:maybe:ab12") is None and decode("offer:1:") is None


def test_the_spent_sets_are_trained_on_as_they_were_labelled() -> None:
    """``labelled.yaml`` is blind … blind-7, less what dev repeats (dev stays unseen)."""
    trained = {(e.text, e.context, e.intent, e.kind) for e in training_data().examples}
    dev = {" ".join(c.text.lower().split()) for c in load(DEV)}
    for folder in ("blind", "blind-2", "blind-3", "blind-4", "blind-5", "blind-6", "blind-7"):
        for c in load(BLIND.with_name(folder)):
            repeated = " ".join(c.text.lower().split()) in dev and len(c.text.split()) > 2
            assert ((c.text, c.context, c.intent, c.kind) in trained) != repeated, c.text


def test_a_situation_that_asks_something_is_also_a_question() -> None:
    asking = read_intent("the county council stopped our youth grant from 1 april, can they?")
    telling = read_intent("the county council stopped our youth grant from 1 april")
    assert (asking.label, asking.kind) == (telling.label, telling.kind) == ("register", "funding")
    assert asking.asks >= ASKS > telling.asks
