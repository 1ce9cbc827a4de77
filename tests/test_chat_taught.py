"""Session 12 (issue 18): a chat-taught row keeps the sentence it was taught with (chat/taught.py), which
retrieval reads and a row answers with; and the sibling qualifier classes of chat/qualifier.py
(months and seasons, the period a price is for, sizes, counts) on phrasings of domains none of them
was written from (a ski school, a campsite, a bakery, a museum, a car hire, a cinema, a gym, a
pizzeria). Fast: no model is loaded."""

from __future__ import annotations

import json

import pytest

from lic_cli.chat import qualifier, rowindex, taught
from lic_cli.chat.retrieve import Hit
from lic_cli.chat.session import Session, own_answer, says_itself, template
from lic_cli.chat.staging import Stage
from lic_cli.tasks import load_project


class Says:
    """A backend that replies with a fixed text (what a model said is the input under test)."""

    name = "says"

    def __init__(self, text: str) -> None:
        self.text, self.calls, self.last_tokens = text, 0, 0

    def generate(self, messages, emit, *, grounded=False):
        self.calls += 1
        for word in self.text.split(" "):
            self.last_tokens += 1
            emit(word + " ")

FACT = {"subject": "the ski school", "relation": "opening time", "object": "8:30"}
SAID = "From December to March the ski school opens at 8:30."


def _teach(project, text: str | None):
    stage = Stage(project, "tester")
    stage.add("c", 3, {"task": "facts", "op": "add", "row": None, "before": None, "after": dict(FACT)}, text)
    (result,) = stage.apply()
    return result


def test_apply_keeps_each_taught_rows_sentence(demo_project):
    project = load_project(demo_project)
    result = _teach(project, SAID)
    assert result["applied"]
    kept = taught.load(project, "facts")
    assert list(kept.values()) == [SAID]
    (line,) = taught.path(project, "facts").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["source"] == "c/t3"
    # The row id is the one the dataset gives the row (what the index reads it by).
    from lic_cli.store.formats import read_rows
    from lic_cli.store.rows import RowIds

    task = project.task("facts")
    assign = RowIds(task)
    ids = {assign(row): row for _, row in read_rows(project.dataset_path(task), task.dataset)}
    (rid,) = kept
    assert ids[rid]["object"] == "8:30"


def test_a_row_applied_without_a_turn_has_no_sentence(demo_project):
    project = load_project(demo_project)
    _teach(project, None)
    assert taught.load(project, "facts") == {}
    assert not taught.path(project, "facts").exists()


def test_a_torn_line_is_skipped(demo_project):
    project = load_project(demo_project)
    taught.record(project, "facts", [("k1", "c/t1", "The sauna opens at 7.")])
    with taught.path(project, "facts").open("a", encoding="utf-8") as f:
        f.write('{"row": "k2", "text": "half')
    taught.record(project, "facts", [("k3", "c/t2", "Lockers cost 1 euro.")])
    assert taught.load(project, "facts") == {"k1": "The sauna opens at 7.", "k3": "Lockers cost 1 euro."}


@pytest.mark.parametrize("mode", ["view", "answer"])
def test_the_whole_view_reads_the_sentence(demo_project, monkeypatch, mode):
    project = load_project(demo_project)
    task = project.task("facts")
    monkeypatch.setenv(taught.ENV, mode)
    fields = {**FACT, taught.FIELD: SAID}
    assert rowindex.row_text(task, fields) == f"the ski school opening time 8:30 ({SAID})"
    assert rowindex.row_key(task, fields) == "the ski school opening time"  # the key view is the key
    monkeypatch.setenv(taught.ENV, "off")
    assert rowindex.row_text(task, fields) == "the ski school opening time 8:30"


def test_the_index_scan_attaches_the_sentence_and_its_cache_tag_changes(demo_project, monkeypatch):
    project = load_project(demo_project)
    _teach(project, SAID)
    task = project.task("facts")
    monkeypatch.setenv(taught.ENV, "off")
    assert taught.digest(project, "facts") == ""
    _, texts, _, fields = rowindex._scan(project, task)
    assert not any(SAID in t for t in texts)
    monkeypatch.setenv(taught.ENV, "view")
    assert taught.digest(project, "facts")
    _, texts, views, fields = rowindex._scan(project, task)
    assert sum(SAID in t for t in texts) == 1
    assert sum(f.get(taught.FIELD) == SAID for f in fields) == 1


def test_a_taught_row_answers_with_its_sentence_when_it_states_the_value(demo_project, monkeypatch):
    project = load_project(demo_project)
    facts = project.task("facts")
    hit = Hit("facts", "k9", {**FACT, taught.FIELD: SAID}, 0.9)
    monkeypatch.setenv(taught.ENV, "answer")
    assert own_answer(facts, hit) == SAID and says_itself(facts, hit)
    # A sentence that does not state the row's value is not the answer: the template is.
    other = Hit("facts", "k9", {**FACT, taught.FIELD: "The ski school moved to the east lift."}, 0.9)
    assert own_answer(facts, other) is None
    assert template(facts, other) == "the ski school — opening time: 8:30."
    monkeypatch.setenv(taught.ENV, "view")
    assert own_answer(facts, hit) is None
    monkeypatch.setenv(taught.ENV, "off")
    assert own_answer(facts, hit) is None


@pytest.mark.parametrize(("fact", "said", "want"), [
    # the sentence that states the value and names the row, without the question asked with it
    ({"subject": "the pottery studio", "relation": "Friday closing time", "object": "9 pm"},
     "fyi the pottery studio stays open till 9 pm on Fridays now. Do you sell glazes too?",
     "fyi the pottery studio stays open till 9 pm on Fridays now."),
    ({"subject": "the bike shop", "relation": "puncture repair price", "object": "£12"},
     "Puncture repairs at the bike shop are £12! Anyway, thanks.", "Puncture repairs at the bike shop are £12!"),
    # a correction that names nothing is no reply on its own: the template is
    ({"subject": "the aquarium", "relation": "feeding time", "object": "2:30 pm"},
     "No, it's 2:30 pm now, they moved it in May.", None),
    ({"subject": "the choir", "relation": "director", "object": "Ines Moreau"},
     "nope, Ines Moreau took over, Paul left.", None),
    # a question stating the value is no reply either
    ({"subject": "the pottery studio", "relation": "Friday closing time", "object": "9 pm"},
     "Does the pottery studio close at 9 pm on Fridays?", None),
])
def test_a_taught_row_answers_only_with_a_sentence_that_stands_alone(demo_project, monkeypatch, fact, said, want):
    facts = load_project(demo_project).task("facts")
    monkeypatch.setenv(taught.ENV, "answer")
    assert own_answer(facts, Hit("facts", "k1", {**fact, taught.FIELD: said}, 0.9)) == want


# --- qualifier classes (session 12), on phrasings none was written from ---------------------------

@pytest.mark.parametrize(("question", "row", "want"), [
    # months and seasons
    ("Can we camp here in late October?", "When is the campsite open? from April to September", -1),
    ("Can we camp here in late October?", "When is the winter pitch rate charged? November to March", -1),
    ("Is the museum open on Mondays in July?", "Summer opening: every day, 10:00 to 18:00", 1),
    ("Is the museum open on Mondays in July?", "Winter opening: closed on Mondays", -1),
    ("What time do lifts open in February?", "When do lifts open from December to March? 8:30", 1),
    ("autumn hours?", "What are the opening hours from 1 June to 31 August? 9 to 21", -1),
    ("Can I order a Christmas cake?", "When can Christmas cakes be ordered? from 1 November", 1),
    ("May I bring my dog?", "What are the summer opening hours? June to August", 0),  # "May" asked, not a month
    # the period a price is for
    ("How much is the car for a whole day?", "How much is a small car per hour? £9", -1),
    ("How much is the car for a whole day?", "What is the daily rate for a small car? £45", 1),
    ("Is there an hourly rate for the studio?", "How much is the studio for a half day? £60", -1),
    ("What's a morning in the studio?", "How much is the studio for a half day? £60", 1),
    ("What does a month at the gym cost?", "How much is a gym pass per week? £12", -1),
    ("What's the price for an hour and a half on court?", "How much is a court per hour? £8", 0),
    # sizes said another way
    ("How much is a mid-size pizza?", "How much is a small pizza? £7", -1),
    ("How much is a mid-size pizza?", "How much is a medium pizza? £9", 1),
    ("price of the biggest popcorn?", "How much is a large popcorn? £6", 1),
    ("How big is the cinema's screen?", "How much is a small popcorn? £3", 0),  # "how big" asks a size
    # counts of a thing, in words or digits; a party size
    ("What do six bread rolls cost?", "How much are 12 bread rolls? £3.60", -1),
    ("What does half a dozen doughnuts cost?", "How much are 6 doughnuts? £4", 1),
    ("Is there a table for 6 people on Friday?", "How much is the tasting menu for two? £80", -1),
    ("What does one coffee cost?", "How much are two coffees? £5", 0),  # "one" is not read as a count
    # an age said without an apostrophe
    ("im 40, what's a swim?", "How much is a swim for over-60s? £3", -1),
])
def test_session12_qualifiers_on_other_domains(question, row, want):
    assert qualifier.conflict(question, row) == want


def test_session12_classes_switch_off_to_session_11(monkeypatch):
    monkeypatch.setattr(qualifier, "EXTRA", set())
    qualifier._extra.cache_clear()
    try:
        assert qualifier.conflict("How much is a mid-size pizza?", "How much is a small pizza? £7") == 0
    finally:
        qualifier._extra.cache_clear()


def test_months_of_ranges_wrap_the_year():
    assert qualifier.months("open october to march") == frozenset({10, 11, 12, 1, 2, 3})
    assert qualifier.months("from 1 july to 20 september") == frozenset({7, 8, 9})
    assert qualifier.months("in winter") == frozenset({12, 1, 2})
    assert qualifier.months("you may book online") == frozenset()


@pytest.mark.slow
def test_a_taught_row_is_found_by_its_sentence_and_answers_with_it(demo_project, monkeypatch):
    """Real MiniLM (the base retriever): a fact row whose key lost the months is found by a question
    naming a month, through the sentence it was taught with, and the reply is that sentence, said at
    once (the model is not asked); with the sentences off the model is asked."""
    from lic_cli.chat.retrieve import Retriever
    from lic_cli.models import load_encoder

    project = load_project(demo_project)
    _teach(project, SAID)
    monkeypatch.setenv(taught.ENV, "answer")
    retriever = Retriever(project, load_encoder("minilm"), ranker=False, cross=False)
    backend = Says("I am not sure.")
    s = Session(backend, retriever=retriever)
    s.record(s.user("What time does the ski school open in January?"))
    rec = s.reply()
    assert rec["text"] == SAID and rec["grounded"] == "answer" and backend.calls == 0
    assert rec["answered_from"][0]["task"] == "facts"
    monkeypatch.setenv(taught.ENV, "off")
    s = Session(backend, retriever=Retriever(project, load_encoder("minilm"), ranker=False, cross=False))
    s.record(s.user("What time does the ski school open in January?"))
    rec = s.reply()
    assert rec["grounded"] in ("row", "model") and backend.calls == 1
