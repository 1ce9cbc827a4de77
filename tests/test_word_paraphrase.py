"""Rewordings in other content words (lic_cli/train/word_paraphrase.py, session 14): the text filters and
MiniLM's meaning filter, on a domain no bench file holds (a bicycle workshop)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lic_cli.train import word_paraphrase
from lic_cli.train.params import SFTParams

Q = "How much is a full service at Spokeworks?"


def test_a_rewording_must_change_content_words_and_keep_numbers_and_subject():
    assert word_paraphrase.accept(Q, "What does a complete tune-up cost?") == "What does a complete tune-up cost?"
    assert word_paraphrase.accept(Q, "Question: What do I pay for a full overhaul at Spokeworks? Thanks") == \
        "What do I pay for a full overhaul at Spokeworks?"
    assert word_paraphrase.accept(Q, "So how much is a full service at Spokeworks?") is None  # same content words
    assert word_paraphrase.accept(Q, "What does a complete tune-up cost at Wheelhouse?") is None  # another name
    assert word_paraphrase.accept(Q, "A tune-up costs money.") is None  # not a question
    assert word_paraphrase.accept(Q, "What does a bike tune-up cost at the theatre?") is None  # copied from the examples
    q2 = "Can I leave my bike for 2 days?"
    assert word_paraphrase.accept(q2, "Is it fine to park my cycle there for 2 nights?") is not None
    assert word_paraphrase.accept(q2, "Is it fine to park my cycle there for 3 nights?") is None  # a number changed
    assert word_paraphrase.accept(q2, "Is it fine to park my cycle there for 2 nights?",
                                  kept=["is it fine to park my cycle there for 2 nights?"]) is None


class _Fixed:
    """An encoder with fixed unit vectors, so the meaning filter is tested without a model."""

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = {k: np.asarray(v, dtype=np.float32) / np.linalg.norm(v) for k, v in vectors.items()}

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts])


def test_meaning_filter_drops_drift_to_another_taught_question_and_far_rewordings():
    day, week = "How much is a bike per day?", "How much is a bike per week?"
    enc = _Fixed({day: [1, 0, 0], week: [0.6, 0.8, 0],
                  "What's a cycle for 24 hours?": [0.9, 0.1, 0.2],  # near its own question: kept
                  "What's a cycle for seven days?": [0.7, 0.7, 0],  # close to its own, nearer the other: dropped
                  "Where do I park?": [0.1, 0, 1]})  # far from any: dropped
    written = {day: ["What's a cycle for 24 hours?", "What's a cycle for seven days?", "Where do I park?"]}
    assert word_paraphrase.same_meaning([day, week], written, enc) == {day: ["What's a cycle for 24 hours?"], week: []}


def test_off_loads_no_model_and_the_param_is_checked():
    assert word_paraphrase.generate(Path("nowhere"), [Q], 0, seed=1) == {Q: []}
    assert SFTParams.from_dict({"augment_words": 2}, "qa").augment_words == 2
    try:
        SFTParams.from_dict({"augment_words": -1}, "qa")
    except Exception as exc:  # the one-line config error names the key
        assert "augment_words" in str(exc)
    else:
        raise AssertionError("a negative augment_words was accepted")


@pytest.mark.slow
def test_the_base_model_writes_rewordings_in_other_words_that_pass_both_filters():
    from lic_cli import models

    # six questions: the filters keep few of the 135M model's candidates (17 for 30 carhire questions, session 14)
    questions = ["How much is a full service at Spokeworks?", "When does Spokeworks close on Saturdays?",
                 "How much does Spokeworks charge to fix a puncture?", "Does Spokeworks hire out electric bikes?",
                 "How long does a wheel rebuild take at Spokeworks?", "Who is the head mechanic at Spokeworks?"]
    written = word_paraphrase.generate(models.resolve("smollm2"), questions, 2, seed=42)
    assert written == word_paraphrase.generate(models.resolve("smollm2"), questions, 2, seed=42)  # seeded
    assert set(written) == set(questions) and sum(map(len, written.values())) >= 1
    enc = models.load_encoder("minilm")
    for q, rewordings in written.items():
        assert len(rewordings) <= 2
        assert all(word_paraphrase.accept(q, r) == r for r in rewordings)
    assert word_paraphrase.same_meaning(questions, written, enc) == written
