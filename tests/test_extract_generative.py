"""The generative engine (lic_cli/extract/generative.py): its prompt and answer format, parsing,
the cache key, auto's routes to it, and (slow) training the real SmolLM2 on a cut corpus and
reading a fact from a turn in a domain its training rows never name."""

from __future__ import annotations

import pytest

from lic_cli.extract import generative as g
from lic_cli.extract.auto import combine_generative, sends_generative
from lic_cli.extract.engine import Outcome, Turn


def test_prompt_holds_the_last_exchange_the_intent_and_the_turn():
    context = [{"role": "user", "text": "hi"}, {"role": "user", "text": "When does the gym open?"},
               {"role": "assistant", "text": "The gym opens at 6 am.\n"}]
    p = g.prompt("No, it opens at  7 now.", context, "correct")
    assert p == "user: When does the gym open?\nassistant: The gym opens at 6 am.\ncorrect: No, it opens at 7 now.\n=>"
    assert g.prompt("x", [], None) == "teach: x\n=>"


def test_answer_writes_one_line_per_item_and_drops_empty_trailing_fields():
    items = [{"kind": "fact", "subject": "the gym", "relation": "opening time", "object": "7 am", "replaces": "6 am"},
             {"kind": "note", "text": "The user is vegetarian."},
             {"kind": "qa", "question": "Who?", "answer": "A | B", "statement": "ignored"}]
    assert g.answer(items) == " fact | the gym | opening time | 7 am | 6 am\nnote | The user is vegetarian.\nqa | Who? | A / B"
    assert g.answer([]) == " none"
    assert g.answer([{"kind": "span", "text": "x", "spans": []}]) is None  # span turns are the rules'


def test_parse_round_trips_answers_and_drops_bad_lines_with_a_reason():
    items = [{"kind": "fact", "subject": "the ferry", "relation": "departure time", "object": "7:15"},
             {"kind": "label", "text": "my laptop is broken", "label": "hardware"}]
    assert g.parse(g.answer(items)) == (items, [])
    assert g.parse(" none") == ([], [])
    found, problems = g.parse(" fact | the ferry | 7:15\nnote | The user likes tea.\nbanana | x\nfact | the ferry")
    assert found == [{"kind": "note", "text": "The user likes tea."}]
    assert problems == ["line 1: a fact item needs 3 to 4 fields, got 2", "line 3: unknown kind 'banana'",
                        "line 4: a fact item needs 3 to 4 fields, got 1"]
    twice, _ = g.parse("note | The user likes tea.\nnote | The user likes tea.")
    assert len(twice) == 1


def test_training_pairs_keep_every_fact_and_note_turn_and_a_seeded_sample_of_the_rest():
    rows = [{"split": "train", "text": f"t{i}", "label": "teach", "knowledge": [{"kind": "note", "text": f"n{i}"}]}
            for i in range(5)]
    rows += [{"split": "train", "text": f"o{i}", "label": "none", "knowledge": []} for i in range(200)]
    rows += [{"split": "dev", "text": "d", "label": "teach", "knowledge": [{"kind": "note", "text": "d"}]}]
    rows += [{"split": "train", "text": "s", "label": "teach", "knowledge": [{"kind": "span", "text": "s", "spans": []}]}]
    settings = g.Settings(other_fraction=0.1)
    pairs = g.training_pairs(rows, settings)
    assert [p for p, _ in pairs if p.startswith("teach: t")] == [f"teach: t{i}\n=>" for i in range(5)]
    others = [p for p, a in pairs if a == " none"]
    assert 5 <= len(others) <= 40 and pairs == g.training_pairs(rows, settings)
    assert not any("teach: d\n" in p or "teach: s\n" in p for p, _ in pairs)


def test_cache_key_follows_the_training_rows_and_settings_not_the_generation_length(tmp_path, monkeypatch):
    monkeypatch.setenv("LIC_HOME", str(tmp_path))
    rows = [{"split": "train", "text": "t", "label": "teach", "knowledge": [{"kind": "note", "text": "n"}]}]
    path = g.cache_path(rows)
    assert path.parent == tmp_path / "cache" / "extract" and path.name.startswith("generative-")
    assert g.cache_path(rows, g.Settings(max_new_tokens=9)) == path
    assert g.cache_path(rows, g.Settings(top_layers=4)) != path
    assert g.cache_path([*rows, {**rows[0], "text": "u"}]) != path
    assert g.cache_path([*rows, {**rows[0], "split": "dev"}]) == path  # dev rows never train
    assert g.trained_path(rows) is None


FACT = {"kind": "fact", "subject": "the pool", "relation": "opening time", "object": "6 am"}
QA = {"kind": "qa", "question": "Where is it?", "answer": "Pier 3"}
NOTE = {"kind": "note", "text": "The user swims."}


def test_routes_send_fact_and_note_turns_only_where_the_route_says():
    rules = Outcome()
    assert sends_generative("any", Outcome(items=[QA, FACT]), rules)
    assert not sends_generative("all", Outcome(items=[QA, FACT]), rules)
    assert sends_generative("all", Outcome(items=[NOTE, FACT]), rules)
    assert not sends_generative("any", Outcome(items=[QA]), rules) and not sends_generative("any", Outcome(), rules)
    assert sends_generative("undecided", Outcome(), rules)


def test_combine_keeps_rules_decided_turns_and_learned_items_when_generation_finds_nothing():
    turns = [Turn("a", [], "teach")] * 4
    rules = [Outcome(items=[{"kind": "label", "text": "x", "label": "y"}]), Outcome(), Outcome(), Outcome()]
    learned = [Outcome(items=[FACT]), Outcome(items=[QA, FACT]), Outcome(items=[FACT]), Outcome(items=[QA])]
    combined = [rules[0], learned[1], learned[2], learned[3]]  # turn 0: the rules decided it
    gen_fact = {**FACT, "relation": "opening hours"}
    generated = [Outcome(items=[gen_fact]), Outcome(items=[gen_fact]), Outcome(), None]
    out = combine_generative("any", combined, rules, learned, generated, turns)
    assert out[0] is rules[0] and out[1].items == [gen_fact] and out[1].engine == "generative"
    assert out[2] is learned[2] and out[3] is learned[3]
    merged = combine_generative("merge", combined, rules, learned, generated, turns)
    assert merged[1].items == [QA, gen_fact]


@pytest.mark.slow
def test_generative_engine_trains_on_a_cut_corpus_and_reads_a_fact_in_an_unseen_domain(tmp_path):
    from lic_cli.extract.learned import corpus_rows

    # 64 one-fact teaching turns of the train domains, none about ferries (about 40 s of training
    # on 2 cores); saved to a folder of its own, not the machine's cache. The top 8 layers for 6
    # epochs were not enough ("the ferry | headache | headache"); the full engine is measured by
    # bench/bench_extract_generative.py.
    facts = [r for r in corpus_rows() if r["split"] == "train" and r["label"] == "teach"
             and [i["kind"] for i in r["knowledge"]] == ["fact"] and "ferr" not in r["text"].lower()]
    rows = facts[::len(facts) // 64][:64]
    assert len(rows) == 64 and len({r["domain"] for r in rows}) >= 10
    settings = g.Settings(top_layers=12, epochs=4, batch=8, lr=5e-4, max_new_tokens=32)
    info = g.train(rows, tmp_path / "gen", settings, note=lambda s: None)
    assert info["train_rows"] == 64 and info["steps"] == 32
    eng = g.GenerativeEngine.from_folder(tmp_path / "gen")
    assert eng.settings.top_layers == 12
    (out,) = eng.extract([Turn("Heads up: the ferry to Skye leaves at 7:15 pm.", [], "teach")])
    assert out.error is None, out.output
    facts = [i for i in out.items if i["kind"] == "fact"]
    assert facts and "7:15" in facts[0]["object"] and "ferry" in facts[0]["subject"].lower(), out.output


class _Learned:
    name, model = "learned", "fixed"

    def extract(self, turns):
        return [Outcome(items=[dict(FACT)] if "pool" in t.text else [dict(QA)]) for t in turns]


class _Generative:
    name = "generative"

    def __init__(self):
        self.seen = []

    def extract(self, turns):
        self.seen += [t.text for t in turns]
        return [Outcome(items=[{**FACT, "relation": "weekday opening time"}]) for _ in turns]


def test_auto_never_asks_for_the_generative_engine_while_no_route_is_chosen(monkeypatch):
    from lic_cli.extract import auto

    asked = []
    monkeypatch.setattr(auto, "GENERATIVE_ROUTE", None)
    eng = auto.AutoEngine(learned=_Learned, generative=lambda: asked.append(1))
    out = eng.extract([Turn("The pool opens at 6 am.", [], "teach")])
    assert out[0].items == [FACT] and out[0].engine == "learned" and asked == []


def test_auto_sends_only_the_routed_turns_to_the_generative_engine(monkeypatch):
    from lic_cli.extract import auto

    gen = _Generative()
    monkeypatch.setattr(auto, "GENERATIVE_ROUTE", "any")
    eng = auto.AutoEngine(learned=_Learned, generative=lambda: gen)
    fact, qa = eng.extract([Turn("The pool opens at 6 am.", [], "teach"), Turn("Where is it? Pier 3.", [], "teach")])
    assert gen.seen == ["The pool opens at 6 am."]
    assert fact.engine == "generative" and fact.items[0]["relation"] == "weekday opening time"
    assert qa.engine == "learned" and qa.items == [QA]


def test_generative_engine_stays_off_unless_trained_or_asked_for(tmp_path, monkeypatch):
    from lic_cli.extract import auto

    monkeypatch.setenv("LIC_HOME", str(tmp_path))
    monkeypatch.delenv(g.TRAIN_ENV, raising=False)
    assert auto._generative() is None  # not trained here, not asked for: nothing loads or trains
    monkeypatch.setenv(g.TRAIN_ENV, "0")
    assert not g.enabled() and auto._generative() is None
    monkeypatch.setenv(g.TRAIN_ENV, "1")
    assert g.enabled() and g.train_requested()
