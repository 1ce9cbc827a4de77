"""The learned scope judge (lic_cli/models/scope_judge.py): its training pairs, its cache key,
the scope file field that switches it on, and (slow) a judge trained on a small cut of the
packaged retrieval domains that keeps a near miss out and lets a paraphrase in on a domain
it never saw."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lic_cli.errors import ModelLoadError, TaskConfigError
from lic_cli.models import scope, scope_judge
from lic_cli.train.params import SFTParams

SHOP = [
    {"question": "What time does the shop open on weekdays?", "answer": "9:00",
     "paraphrases": ["When do you open Monday through Friday?"], "near_miss": ["What time does the café open on weekdays?"]},
    {"question": "What time does the shop open on weekends?", "answer": "8:00",
     "paraphrases": ["How early are you open on Saturdays?"]},
    {"question": "How much is a city bike per hour?", "answer": "$6 per hour", "paraphrases": ["hourly price?"]},
    {"question": "Do helmets cost extra?", "answer": "at no charge", "paraphrases": []},
]
POOL = [{"question": "Where is the studio?", "answer": "12 Carver Street", "paraphrases": ["studio address?"]}]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_pairs_hold_positives_near_misses_and_the_nearest_other_rows():
    pairs = scope_judge.training_pairs({"shop": SHOP, "studio": POOL},
                                       scope_judge.Settings(near_rows=1, near_paraphrases=1, other_domain=1, swaps=1))
    weekday = scope_judge.row_text(SHOP[0]["question"], "9:00")
    mine = {(p.question, p.label, p.kind) for p in pairs if p.row == weekday}
    assert (SHOP[0]["question"], 1, "question") in mine
    assert ("When do you open Monday through Friday?", 1, "paraphrase") in mine
    assert ("What time does the café open on weekdays?", 0, "near_miss") in mine
    # the nearest other fact of the domain by content words: the weekend opening, not the helmets
    assert (SHOP[1]["question"], 0, "other_row") in mine
    assert ("How early are you open on Saturdays?", 0, "other_paraphrase") in mine
    assert ("Where is the studio?", 0, "other_domain") in mine
    assert {k for _, _, k in mine} == {"question", "paraphrase", "near_miss", "other_row", "other_paraphrase",
                                       "other_domain", "swap"}
    # a row is never its own negative, and the order is seeded
    assert not any(p.label == 0 and p.question in (SHOP[0]["question"], *SHOP[0]["paraphrases"])
                   for p in pairs if p.row == weekday)
    assert pairs == scope_judge.training_pairs({"shop": SHOP, "studio": POOL},
                                               scope_judge.Settings(near_rows=1, near_paraphrases=1, other_domain=1,
                                                                    swaps=1))


def test_a_swap_replaces_one_word_or_number_and_keeps_the_frame():
    import random

    made = scope_judge.swaps("How much is a 2-hour session on weekends?", ["Do helmets cost extra?"], 5,
                             random.Random(1))
    assert made and len(set(made)) == len(made)
    for q in made:
        assert q != "How much is a 2-hour session on weekends?" and q.startswith("How much is a ")
        old, new = "How much is a 2-hour session on weekends?".split(), q.split()
        assert len(old) == len(new) and sum(a != b for a, b in zip(old, new, strict=True)) == 1
    assert any(q.startswith("How much is a ") and "-hour" in q and "2-hour" not in q for q in made)
    assert scope_judge.swaps("Is it open?", [], 3, random.Random(1)) == []


def test_two_rows_with_one_answer_are_not_each_others_negatives():
    rows = [{"question": "Who runs the shop?", "answer": "Ana Ruiz", "paraphrases": []},
            {"question": "Who is the shop's owner?", "answer": "Ana Ruiz", "paraphrases": []}]
    pairs = scope_judge.training_pairs({"shop": rows}, scope_judge.Settings())
    assert all(p.label == 1 for p in pairs if p.kind != "swap")


def test_a_bad_data_file_is_one_error_naming_file_line_and_field(tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(SHOP[0]) + "\n" + json.dumps({"question": "Q?", "answer": "A", "near_miss": "x"}) + "\n",
                   encoding="utf-8")
    with pytest.raises(ModelLoadError, match=r"bad.jsonl:2: field 'near_miss'"):
        scope_judge.domains_from([bad])
    bad.write_text('{"question": "Q?"}\n', encoding="utf-8")
    with pytest.raises(ModelLoadError, match=r"bad.jsonl:1: field 'answer'"):
        scope_judge.domains_from([bad])


def test_the_cache_key_follows_data_and_settings(tmp_path: Path):
    a = _write(tmp_path / "a.jsonl", SHOP)
    key = scope_judge.cache_key([a], scope_judge.Settings())
    assert key == scope_judge.cache_key([a], scope_judge.Settings())
    assert key != scope_judge.cache_key([a], scope_judge.Settings(epochs=3))
    _write(a, SHOP[:3])
    assert key != scope_judge.cache_key([a], scope_judge.Settings())
    assert len(key) == 16
    # the packaged data trains the shared judge, cached under $LIC_HOME
    assert scope_judge.packaged_data() and all(p.parent.name == "retrieval" for p in scope_judge.packaged_data())


def test_hand_written_near_misses_beside_the_data_join_by_id_and_key_the_cache(tmp_path: Path):
    """Session 11: the judge also trains on lic_cli/data/near_miss/<name> (negatives joined by fact id)."""
    (tmp_path / "retrieval").mkdir()
    (tmp_path / "near_miss").mkdir()
    rows = [{**r, "id": f"shop-{n}"} for n, r in enumerate(SHOP, 1)]
    data = _write(tmp_path / "retrieval" / "shop.jsonl", rows)
    extra = _write(tmp_path / "near_miss" / "shop.jsonl",
                   [{"id": "shop-1", "near_miss": ["What time does the shop close on weekdays?"]}])
    joined = scope_judge.domains_from([data], near_miss_files=True)["shop"]
    assert joined[0]["near_miss"] == [*SHOP[0]["near_miss"], "What time does the shop close on weekdays?"]
    assert joined[1:] == rows[1:] and scope_judge.domains_from([data])["shop"] == rows
    pairs = scope_judge.training_pairs({"shop": joined}, scope_judge.Settings())
    assert any(p.question == "What time does the shop close on weekdays?" and p.label == 0 and p.kind == "near_miss"
               for p in pairs)
    on, off = scope_judge.Settings(), scope_judge.Settings(near_miss_files=False)
    key_on, key_off = scope_judge.cache_key([data], on), scope_judge.cache_key([data], off)
    _write(extra, [{"id": "shop-1", "near_miss": ["Is the shop open on bank holidays?"]}])
    assert scope_judge.cache_key([data], on) != key_on and scope_judge.cache_key([data], off) == key_off
    extra.write_text('{"id": "shop-1", "near_miss": "x"}\n', encoding="utf-8")
    with pytest.raises(ModelLoadError, match=r"near_miss/shop.jsonl:1: field 'near_miss'"):
        scope_judge.domains_from([data], near_miss_files=True)
    # the packaged near misses sit beside the packaged retrieval files, one file for each
    assert all(scope_judge.near_miss_file(p) is not None for p in scope_judge.packaged_data())


def test_the_judge_threshold_travels_in_the_scope_file(tmp_path: Path):
    gate = scope.for_training(tmp_path / "v1", ["Q?"], 0.5, parent_folder=None, base="smollm2", answers=["A"],
                              judge=0.6)
    scope.write(tmp_path, gate)
    assert json.loads((tmp_path / scope.SCOPE_FILE).read_text())["judge"] == 0.6
    assert scope.read(tmp_path) == gate
    plain = scope.for_training(tmp_path / "v1", ["Q?"], 0.5, parent_folder=None, base="smollm2", answers=["A"])
    scope.write(tmp_path, plain)
    assert "judge" not in json.loads((tmp_path / scope.SCOPE_FILE).read_text())
    assert scope.read(tmp_path).judge is None


def test_a_taught_question_is_in_scope_even_where_its_own_row_checks_refuse_it():
    """Kestrel's taught "What discount code do students get at Kestrel?" asks for money by its
    wording and its answer gives a percentage: the row checks refused it its own row, and the
    gate sent a taught question to the model from before the teaching (gated reliability 95 %)."""
    q, a = "What discount code do students get at Kestrel?", "Students get 12% off with the code WINGS12."
    assert not scope.fits(q, scope.Row.of([q], a))
    gate = scope.Gate(scope.Scope(questions=(q,), threshold=0.5, fallback="smollm2", answers=(a,)))
    assert gate.in_scope([q, "What is the capital of France?"]) == [True, False]


def test_scope_judge_param_is_checked():
    with pytest.raises(TaskConfigError, match="train.params.scope_judge"):
        SFTParams.from_dict({"scope_judge": 1.5}, "qa")
    assert SFTParams.from_dict({"scope_judge": 0.5}, "qa").scope_judge == 0.5


# Taught rows of bench/domains' gym and library (tuning domains; the judge never trains on
# them), each with a written paraphrase and a near miss of the same subject, other relation.
ROWS = [
    ("What time does Ironfield Gym open on weekdays?", "On weekdays the gym opens at 5:30.",
     "How early can I train at Ironfield from Monday to Friday?", "What time does Ironfield Gym close on weekdays?"),
    ("Who is the head coach at Ironfield Gym?", "The head coach is Dario Fenwick.",
     "Who leads the coaching team at Ironfield?", "Who is the nutritionist at Ironfield Gym?"),
    ("What is the door code for the Ironfield Gym locker room?", "The locker room door code is 4417.",
     "What do I key in to get into the Ironfield changing rooms?", "What is the Wi-Fi password at Ironfield Gym?"),
    ("What is the late fee for an overdue book at Elmbrook Library?", "The late fee is 20 cents per day.",
     "How much am I charged each day a book is late?", "What is the fee for a lost library card at Elmbrook Library?"),
]


@pytest.mark.slow
def test_a_judge_trained_on_a_small_cut_keeps_near_misses_out_and_lets_paraphrases_in(tmp_path, monkeypatch):
    """Trained on 4 of the 16 packaged retrieval domains (3 epochs at 1e-4, about 60 s on 2
    cores; 3 domains at the shipped settings learned too little: 0.53 vs 0.48) and asked about gym and library facts, domains it never saw: paraphrases score above
    the near misses of their row, and a gate with the judge lets in more paraphrases than near
    misses (one row's paraphrase in, its near miss out) and no unrelated question. (A judge that only measures similarity, like the first
    one tried, scores both about 0.9 and fails this.)"""
    import dataclasses

    monkeypatch.setenv("LIC_HOME", str(tmp_path / "home"))
    cut = scope_judge.packaged_data()[:4]
    # fewer pairs than the shipped judge's 4,900: more passes at a higher rate (about 115 steps)
    settings = dataclasses.replace(scope_judge.DEFAULT, epochs=3, learning_rate=1e-4)
    judge = scope_judge.load(cut, settings)
    assert judge.folder.parent == tmp_path / "home" / "cache" / "scope_judge"
    assert judge.meta["pairs"] > 500 and judge.meta["data"] == [p.name for p in cut]
    shown = [scope_judge.row_text(q, a) for q, a, _, _ in ROWS]
    p_para = judge.probability([p for _, _, p, _ in ROWS], shown)
    p_near = judge.probability([n for _, _, _, n in ROWS], shown)
    assert sum(p > n for p, n in zip(p_para, p_near, strict=True)) >= 3
    assert p_para.mean() - p_near.mean() > 0.2
    # through the gate, the judge alone deciding (the row checks would keep out some of these
    # on their own), loaded from the same cache (no second training)
    monkeypatch.setattr(scope_judge, "packaged_data", lambda: cut)
    monkeypatch.setattr(scope_judge, "DEFAULT", settings)
    monkeypatch.setattr(scope, "JUDGE_WITH_FITS", False)
    gate = scope.Gate(scope.Scope(questions=tuple(q for q, _, _, _ in ROWS), threshold=0.3, fallback="smollm2",
                                  answers=tuple(a for _, a, _, _ in ROWS), judge=0.5))
    paras_in = gate.in_scope([p for _, _, p, _ in ROWS])
    near_in = gate.in_scope([n for _, _, _, n in ROWS])
    assert sum(paras_in) > sum(near_in), (paras_in, near_in, p_para, p_near)
    assert any(p and not n for p, n in zip(paras_in, near_in, strict=True))
    assert gate.in_scope(["What is the capital of France?"]) == [False]
    assert gate.in_scope([q for q, _, _, _ in ROWS]) == [True] * len(ROWS)  # a taught wording, whatever the judge says
