"""Chat's cross-encoder re-ranker (lic_cli/chat/crossenc.py, chat/crosspairs.py): its pairing,
its cache key, its threshold rule, when chat uses it, and (slow) a short real training run that
puts the right sibling first for a question of a domain it never saw."""

from __future__ import annotations

from dataclasses import replace

import pytest
from wordvec import words_encoder

from lic_cli.chat import crossenc, crosspairs, ranker
from lic_cli.chat.retrieve import THRESHOLD, Retriever

ROWS = [("When do you open on weekdays? 8 am to 6 pm", "When do you open on weekdays?", "8 am to 6 pm"),
        ("When do you open on Saturday? 9 am to 1 pm", "When do you open on Saturday?", "9 am to 1 pm"),
        ("How much is a consultation? $55", "How much is a consultation?", "$55"),
        ("Where do I park? Behind the clinic", "Where do I park?", "Behind the clinic")]


def test_candidates_are_the_first_stage_best_with_the_right_row_kept():
    scores = [0.9, 0.1, 0.5, 0.7, 0.3]
    assert crosspairs.candidates(scores, 0, 3) == [0, 3, 2]
    assert crosspairs.candidates(scores, 1, 3) == [0, 3, 1]  # the right row replaces the last
    assert crosspairs.candidates(scores, crosspairs.NO_ROW, 3) == [0, 3, 2]
    assert crosspairs.candidates(scores, 4, 10) == [0, 3, 2, 4, 1]
    assert crosspairs.candidates([0.5, 0.5], 1, 1) == [1]  # ties: the first row, replaced by the right one


def test_examples_pair_each_question_with_its_siblings_and_general_requests_with_no_row():
    asks = [("On Saturday when are you open?", 1), ("What does a consultation cost?", 2)]
    ex = crosspairs.examples([("clinic/qa", ROWS, asks)], words_encoder(), 3,
                             nulls=["Tell me a joke", "What is the capital of Peru?"], seed=0)
    assert len(ex) == 4
    sat = ex[0]
    assert len(sat.rows) == 3 and sat.rows[sat.gold] == ROWS[1][0]
    assert ROWS[0][0] in sat.rows  # the weekday row, its sibling, is a hard negative
    assert sat.prior[0] == max(sat.prior)
    assert all(e.gold == crosspairs.NO_ROW and len(e.rows) == 3 for e in ex[2:])
    # Calibration and measurement hand over the first stage's best as they are.
    kept = crosspairs.examples([("clinic/qa", ROWS, [("Where can I leave my car?", 3)])], words_encoder(), 1,
                               keep_gold=False)
    assert kept[0].gold in (0, crosspairs.NO_ROW) and len(kept[0].rows) == 1


def test_training_examples_come_from_training_domains_only():
    items = ranker.all_items()
    train, dev = ranker.split_items(items)
    setups = ranker.setups(train + ranker.teaching_items())
    names = {n.split("/")[0] for n, _, _ in setups}
    assert not names & set(ranker.DEV_DOMAINS)
    assert not names & {"makerspace", "vetclinic", "campusit", "kestrel"}
    assert {n.split("/")[0] for n, _, _ in ranker.setups(dev)} == set(ranker.DEV_DOMAINS)


def test_the_cache_key_follows_settings_code_and_the_first_stage(monkeypatch):
    a = crossenc.fingerprint(crossenc.Settings())
    assert crossenc.fingerprint(crossenc.Settings()) == a
    assert crossenc.fingerprint(replace(crossenc.Settings(), k=5)) != a
    assert crossenc.fingerprint(replace(crossenc.Settings(), lr=1e-5)) != a
    monkeypatch.setattr(crossenc, "CODE_VERSION", "test")
    b = crossenc.fingerprint(crossenc.Settings())
    assert b != a
    from lic_cli.chat import retrieve

    monkeypatch.setattr(retrieve, "THRESHOLD", 0.5)  # another first stage: other candidates, other training
    assert crossenc.fingerprint(crossenc.Settings()) != b
    assert crossenc.folder(crossenc.Settings()).parent.name == "cross"


def test_the_threshold_lets_in_at_most_let_probes():
    assert crossenc.let_in_score([3.0, 1.0, 2.0], 1) == 2.0
    assert crossenc.let_in_score([3.0, 1.0, 2.0], 0) == 3.0
    assert crossenc.let_in_score([3.0], 1) == -1e9
    probes = [0.2, -4.0, 1.5, 0.9]
    t = crossenc.let_in_score(probes, 1) + 1e-4
    assert sum(p >= t for p in probes) == 1


def test_off_or_untrained_keeps_the_base_model_and_never_trains_unasked(monkeypatch, small_project):
    base = object()
    monkeypatch.setenv("LIC_CROSS", "0")
    assert crossenc.for_chat() is None
    monkeypatch.setenv("LIC_CROSS", "1")
    monkeypatch.delenv("LIC_CROSS_TRAIN", raising=False)
    monkeypatch.setattr(crossenc, "cached", lambda settings=None: None)
    trained = []
    monkeypatch.setattr(crossenc, "ensure", lambda *a, **k: trained.append(1) or "trained")
    assert crossenc.for_chat() is None and not trained
    r = Retriever(small_project, base)
    assert r.cross is None and r.encoder is base and r.threshold == THRESHOLD
    monkeypatch.setenv("LIC_CROSS_TRAIN", "1")
    assert crossenc.for_chat() == "trained" and trained == [1]


@pytest.mark.slow
def test_a_short_training_run_puts_the_right_sibling_first(monkeypatch, tmp_path, small_project):
    """Real training on a small cut of the data (five training domains, 30 steps): for
    questions of domains it never saw, with every candidate given the same first-stage score (so the
    untrained scorer ties them and picks the first), it reads the pair and puts the right sibling
    first; saved and loaded it scores the same; chat's retriever re-ranks with it."""
    import zlib

    import numpy as np

    from lic_cli.models import load_encoder

    monkeypatch.setenv("LIC_HOME", str(tmp_path / "home"))
    settings = replace(crossenc.Settings(), epochs=2, max_steps=30, batch=8, k=6)
    encode = ranker._memo(load_encoder("minilm").encode)
    train, _ = ranker.split_items(ranker.all_items())
    cut = [i for i in train if i.domain in ("gym", "library", "hotel", "pharmacy", "council")]
    data = crosspairs.examples(ranker.setups(cut), encode, settings.k, nulls=ranker.null_questions()[:60])
    data = [e for e in data if e.gold != 0 or zlib.crc32(e.question.encode()) % 5 == 0]
    folder = tmp_path / "cross"
    stats = crossenc.train(data, settings, folder)
    assert stats["steps"] == 30 and stats["loss_last"] < stats["loss_first"]
    cross = crossenc.Cross(folder, {"settings": {"k": settings.k, "max_len": settings.max_len},
                                    "calibration": {"threshold": 0.0}})
    asks = [  # held out: none of these domains or wordings is in the cut
        ("Are you open on Saturday mornings?", ["We open 8 am to 6 pm on weekdays.", "On Saturdays we open 9 am to 1 pm."], 1),
        ("How much does it cost to spay my cat?",
         ["A standard consultation costs $55.", "Spaying a cat costs $180, including the anaesthetic."], 1),
        ("Who do I call in an emergency at night?",
         ["The clinic's address is 4 Mill Road.", "Out of hours, call the emergency line on 555-0142."], 1),
    ]
    scores = [cross.score(q, rows, np.zeros(len(rows))).tolist() for q, rows, _ in asks]
    assert [int(np.argmax(s)) for s in scores] == [gold for _, _, gold in asks], scores
    again = crossenc.Cross(folder, cross.meta)
    q, rows, _ = asks[0]
    assert np.allclose(again.score(q, rows, [0.5, 0.4]), cross.score(q, rows, [0.5, 0.4]), atol=1e-4)
    # Chat's retriever: the first stage's best k, re-scored; scores are logits on the re-ranker's scale.
    monkeypatch.setattr(crossenc, "for_chat", lambda use=None: cross)
    r = Retriever(small_project, load_encoder("minilm"))
    assert r.cross is cross and r.threshold == 0.0 and r.ranker is None
    hits = Retriever(small_project, load_encoder("minilm"), threshold=-1e9).search("How long do refunds take?")
    assert hits and len(hits) <= 3 and hits[0].fields.get("question") == "How long do refunds take?"
