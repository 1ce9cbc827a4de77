"""The questions a row answers (lic_cli/chat/queries.py), the third view of a row (session 11).

Phrasings from domains none of the templates was written from (a dentist, a ferry, a bakery, a
coworking space, a climbing gym, a library): fast, no model (tests/wordvec.py's bag of words)."""

from __future__ import annotations

import numpy as np
import pytest
from wordvec import words_encoder

from lic_cli.chat import queries, rerank, rowindex


@pytest.mark.parametrize("key, want", [
    ("How much is a scale and polish?", "a scale and polish"),
    ("What time does the last ferry leave on Sundays?", "the last ferry leave on Sundays"),
    ("Who bakes the sourdough?", "bakes the sourdough"),
    ("Is there a locker for my bag?", "a locker for my bag"),
    ("Can I bring a guest to the coworking space?", "bring a guest to the coworking space"),
    ("climbing wall route setter", "climbing wall route setter"),  # a fact's subject and relation stay
])
def test_topic_is_the_key_without_its_asking_words(key, want):
    assert queries.topic(key) == want


@pytest.mark.parametrize("key, value, form", [
    ("How much is a scale and polish?", "€65", "How much does a scale and polish cost?"),
    ("What is the ferry office's phone number?", "+44 1475 650100", "What number do I call for"),
    ("What time does the last ferry leave on Sundays?", "21:40", "When is the last ferry leave on Sundays?"),
    ("Who bakes the sourdough?", "Tomasz Nowak", "Who do I ask about bakes the sourdough?"),
    ("How long can I keep a library book?", "three weeks", "How long is"),
    ("Where is the bouldering room?", "on the second floor, behind reception", "Where is the bouldering room?"),
    ("Which flour does the bakery use?", "stoneground spelt", "Can you tell me about"),
])
def test_questions_ask_for_the_kind_of_value_the_row_holds(key, value, form):
    asked = queries.questions(key, value)
    assert 1 <= len(asked) <= queries.MOST
    assert any(q.startswith(form) or q == form for q in asked), asked
    assert all(value.lower() not in q.lower() for q in asked)  # the value itself is never in the view


def test_a_count_is_asked_as_its_other_kind():
    asked = queries.questions("How much is a day pass?", "12 euros")
    assert not any("How many" in q for q in asked)
    assert any("How many" in q for q in queries.questions("How many desks are in the quiet room?", "24"))


def test_the_question_view_is_opt_in_and_costs_nothing_when_off(monkeypatch):
    """Measured on dev it did not raise the combined retriever (docs/chat.md "Session 11"): off by
    default, a row is embedded two ways as in session 10 (same cache config), no third embedding."""
    from lic_cli.tasks import Task

    monkeypatch.delenv(rowindex.QUESTION_ENV, raising=False)
    task = Task("faq", "", "faq.jsonl", "qa", {}, ("question",))
    assert rowindex.question_view() == "off" and rowindex.indexed_views() == 2
    assert len(rowindex.row_views(task, {"question": "How much is a scale and polish?", "answer": "€65"})) == 2
    assert "views" not in rowindex._config(task, "minilm")
    assert rowindex.Rows([("a b", "a", "b")], words_encoder()).emb.shape[0] == 2
    monkeypatch.setenv(rowindex.QUESTION_ENV, "base")
    assert rowindex.indexed_views() == 3 and rowindex.head_views() == 2 and "views3" in rowindex._config(task, "minilm")


def test_row_views_add_the_questions_a_qa_row_answers(monkeypatch):
    from lic_cli.tasks import Task

    monkeypatch.setenv(rowindex.QUESTION_ENV, "1")
    task = Task("faq", "", "faq.jsonl", "qa", {}, ("question",))
    note = Task("notes", "", "notes.jsonl", "text", {}, ("text",))
    assert rowindex.row_views(note, {"text": "The ferry runs hourly."})[2] == "The ferry runs hourly."
    row = {"question": "How much is a scale and polish?", "answer": "€65"}
    views = rowindex.row_views(task, row)
    assert len(views) == rowindex.VIEWS == 3
    assert views[0] == "How much is a scale and polish? €65" and views[1] == "How much is a scale and polish?"
    assert views[2] == queries.view("How much is a scale and polish?", "€65")


def _emb(rows, encode):
    return rowindex.Rows(rows, encode)


def test_the_view_finds_a_paraphrase_that_shares_only_the_asking_words(monkeypatch):
    """'What do I pay for ...' shares its words with the question view only: scored with the view,
    the price row is first; without it (LIC_QUESTION_VIEW=0) a row sharing the topic word wins."""


    rows = [("Dental checkup for adults 45 euros", "Dental checkup for adults", "45 euros"),
            ("Checkup length for adults thirty minutes total", "Checkup length for adults", "thirty minutes")]
    monkeypatch.setenv(rowindex.QUESTION_ENV, "1")
    table = _emb(rows, words_encoder())
    question = "what do i pay for a checkup"
    q = words_encoder()([question])[0]
    on = table.scores(q, question)
    monkeypatch.setenv(rowindex.QUESTION_ENV, "0")
    off = table.scores(q, question)
    assert rowindex.active_views() == 2
    assert on[0] > off[0]  # the price row is lifted by its question view
    assert int(np.argmax(on)) == 0
    assert np.allclose(on[1], off[1]) or on[1] >= off[1]


def test_the_learned_head_reads_the_better_view_with_the_questions(monkeypatch):


    rows = [("Dental checkup for adults 45 euros", "Dental checkup for adults", "45 euros")]
    monkeypatch.setenv(rowindex.QUESTION_ENV, "1")
    table = _emb(rows, words_encoder())
    question = "what do i pay for a checkup"
    q = words_encoder()([question])[0]
    on = table.features(q, question)
    monkeypatch.setenv(rowindex.QUESTION_ENV, "base")  # the blend reads the view, the head's features do not
    off = table.features(q, question)
    best = rerank.FEATURES.index("cos_best")
    assert on[0, best] > off[0, best]
    assert on[0, rerank.FEATURES.index("cos_whole")] == off[0, rerank.FEATURES.index("cos_whole")]
