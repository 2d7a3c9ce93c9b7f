"""The learned calibration: how sure an answer is (issue 21)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bot.knowledge.calibration import WEIGHTS, Calibrator, calibrator, fit
from bot.knowledge.knowledge import Knowledge

QUESTIONS = [
    "how long must a consultation be?",
    "how much notice before they end our grant?",
    "can we campaign against the council and keep our funding?",
    "does the compact say what insurance we need for our summer fair?",
    "what is full cost recovery?",
    "who do we contact about the compact?",
    "is the compact legally binding?",
    "how quickly should they reply to our letter?",
]


def test_probability_is_the_logistic_of_the_standardised_signals() -> None:
    model = Calibrator(("a", "b"), (1.0, 0.0), (2.0, 1.0), (2.0, -1.0), 0.5, 0.6)
    z = 0.5 + 2.0 * (3.0 - 1.0) / 2.0 - 1.0 * 1.0
    assert model.probability({"a": 3.0, "b": 1.0}) == pytest.approx(1 / (1 + math.exp(-z)))
    # A signal the answer does not carry counts as 0.
    assert model.probability({}) == pytest.approx(1 / (1 + math.exp(-(0.5 - 1.0))))
    assert model.doubts({"a": -5.0}) and not model.doubts({"a": 5.0})


def test_fit_learns_which_way_a_signal_points() -> None:
    rows = [{"good": x / 10, "noise": (x * 7) % 3} for x in range(-20, 21)]
    labels = [r["good"] > 0 for r in rows]
    model = fit(rows, labels, ["good", "noise"])
    assert model.weights[0] > 1.0
    assert model.probability({"good": 1.5, "noise": 1}) > 0.9
    assert model.probability({"good": -1.5, "noise": 1}) < 0.1


def test_weights_round_trip_and_a_missing_or_broken_file_means_no_model(tmp_path: Path) -> None:
    model = Calibrator(("a",), (0.0,), (1.0,), (1.5,), -0.2, 0.7)
    saved = tmp_path / "calibration.json"
    saved.write_text(json.dumps(model.as_json()), encoding="utf-8")
    assert calibrator(saved) == model
    assert calibrator(tmp_path / "absent.json") is None
    broken = tmp_path / "broken.json"
    broken.write_text('{"bias": 1}', encoding="utf-8")
    assert calibrator(broken) is None


def test_the_shipped_model_reads_only_signals_the_answerer_gives(knowledge: Knowledge) -> None:
    model = calibrator()
    assert model is not None and model == calibrator(WEIGHTS)
    assert 0.0 < model.threshold < 1.0
    given: set[str] = set()
    for question in QUESTIONS:
        for answer in knowledge.answerer.ask(question).answers:
            if answer.kind in ("rule", "clause", "no_number"):
                given |= set(answer.signals)
    assert set(model.names) <= given


def test_every_answer_is_confident_exactly_when_the_model_trusts_it(
    knowledge: Knowledge,
) -> None:
    """A confident answer's signals are ones the model trusts, unless it gives the figure of
    a rule asked for; an unsure one's signals are the doubted answer's."""
    model = calibrator()
    assert model is not None
    kinds: set[str] = set()
    not_judged: set[str] = set()
    for question in QUESTIONS:
        for answer in knowledge.answerer.ask(question).answers:
            kinds.add(answer.kind)
            if answer.kind in ("rule", "clause", "no_number") and "rule" in answer.signals:
                assert model.probability(answer.signals) >= model.threshold, question
            elif answer.kind in ("rule", "clause", "no_number"):
                # Not judged: a rule's figure (or that there is none) asked for.
                assert answer.kind in ("rule", "no_number") and "clause" not in answer.signals
                not_judged.add(question)
            elif answer.kind == "unsure":
                assert model.probability(answer.signals) < model.threshold, question
    assert "unsure" in kinds and kinds & {"rule", "clause"}
    assert "how long must a consultation be?" in not_judged
