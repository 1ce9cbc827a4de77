"""Issue 16, session 12: a value the turn says stays ("the group price is the same"), a sibling
holding the same value that stays, prices said in words inside a two-price answer, the sweep's
precision (a colon's other side, a yes/no question's verb), and forgets whose target names the
kind of value its row holds ("the print lab line"). Every phrasing is from a domain in neither
the trial rounds nor the sweep eval (a pool, a guesthouse, a yoga studio, a hotel, a car dealer,
a wedding venue, a ferry, a zoo, a garden centre, a tattoo studio ...), written to check the
rules on wordings they were not written from; each fails without the session's change.

Fast tests load no model; the slow ones run route and locate with MiniLM on a small project.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from test_session11_corrections import run_turn  # the same turn runner (route + locate, real MiniLM)

from lic_cli.locate import _money_in_words, numbers, old_value, spans
from lic_cli.locate.forgets import states_kind, value_kind

_SPEC = importlib.util.spec_from_file_location(
    "sweep_eval", Path(__file__).resolve().parents[1] / "evals" / "trial" / "sweep_eval.py")
sweep_eval = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(sweep_eval)


# ---- a value the turn says stays, said as "the same" / "holding at" -----------------------------

@pytest.mark.parametrize(("stored", "said", "new", "question", "old"), [
    ("An adult swim is $6 and a child swim is $4.", "Adult swims are $7 now. The child price is the same, $4.",
     "$7", "How much is a swim?", "$6"),
    ("A single room is £60 and a double is £80.", "Doubles are £90 now; singles are holding at £60.",
     "£90", "How much is a room?", "£80"),
    ("Day tickets are $30 and a weekly ticket is $150.", "Weekly tickets went up to $160, no change for day tickets "
     "at $30.", "$160", "What do tickets cost?", "$150"),
])
def test_a_value_said_to_be_the_same_is_not_the_one_replaced(stored, said, new, question, old):
    core = spans.core(new)
    got = old_value(stored, stored, core, f"{question} {spans.stating(said, new)}", said)
    assert got is not None and got.text == old
    # the extractor copied the kept value as `replaces`: still not the one replaced
    kept = next(s.text for s in spans.said_to_stay(said, core))
    got = old_value(kept, stored, core, f"{question} {spans.stating(said, new)}", said)
    assert got is not None and got.text == old


@pytest.mark.parametrize(("stored", "said", "new", "question", "old"), [
    # the sibling that stays holds the same value as the one corrected, and is not in this answer
    ("A drop-in class is $15 and a 10-class pass is $120.", "Drop-in classes are $18 now, the beginners' course "
     "stays at $15.", "$18", "How much is a class?", "$15"),
    ("A car wash is $12 and a wax is $20.", "A car wash is $14 now; the van wash stays at $12.", "$14",
     "How much is a wash?", "$12"),
    ("Standard rooms are $95 a night and breakfast is $12.", "Standard rooms are $99 now, the annexe rooms are "
     "still $95.", "$99", "How much is a room?", "$95"),
])
def test_a_sibling_said_to_stay_at_the_same_value_does_not_hide_the_corrected_one(stored, said, new, question, old):
    core = spans.core(new)
    got = old_value(stored, stored, core, f"{question} {spans.stating(said, new)}", said)
    assert got is not None and got.text == old


def test_kept_words_name_what_stays_not_what_changed():
    core = spans.core("$18")
    assert spans.kept_words("Drop-in classes are $18 now, the beginners' course stays at $15.", core) >= {"beginner"}
    assert not spans.kept_words("Drop-in classes are $18 now, the beginners' course stays at $15.", core) & {"drop"}
    assert spans.kept_words("Drop-in classes are $18 now.", core) == frozenset()


# ---- numbers in words: one reader ---------------------------------------------------------------

@pytest.mark.parametrize(("phrase", "n"), [
    ("fourteen hundred", 1400), ("twelve hundred", 1200), ("two thousand five hundred", 2500),
    ("one hundred and twenty", 120), ("nine hundred fifty", 950), ("a hundred", 100), ("forty-five", 45),
    ("three thousand two hundred and ten", 3210), ("twelve fifty", None), ("five six", None), ("dozen", None),
])
def test_words_number_reads_one_number_or_none(phrase, n):
    assert numbers.words_number(phrase) == n


def test_snap_and_spans_share_the_number_words():
    from lic_cli.extract import snap

    assert "thousand" in spans.NUMBER_WORDS and spans.words_number is numbers.words_number
    assert {w for w in numbers.NUMBER_WORDS if "-" not in w} <= snap._NUM_WORDS


@pytest.mark.parametrize(("said", "answer", "want"), [
    ("twelve hundred", "The standard package is $950 and the deluxe package is $1,100.", "$1,200"),
    ("two thousand five hundred now", "A weekday wedding is £2,300 and a Saturday is £3,100.", "£2,500"),
    ("nine hundred", "Leasing starts at 850 euros a month.", "900 euros"),
    ("forty", "Adults are $35 and children $20.", "$40"),
])
def test_a_bare_number_in_words_is_a_price_written_as_the_answer_writes_prices(said, answer, want):
    new, core = _money_in_words(said, answer)
    assert new == want and core is not None and core.kind == "money"


@pytest.mark.parametrize(("said", "answer"), [
    ("nine", "We open at 8 am and parking is $5."),  # a clock time in the answer: not read as a price
    ("fourteen hundred", "The lift takes 12 people."),  # no price in the answer
    ("twelve fifty", "A ticket is $11."),  # not one number
])
def test_a_bare_number_stays_as_it_is_without_a_price_to_copy(said, answer):
    assert _money_in_words(said, answer) == (said, None)


def test_the_second_of_two_prices_in_words_replaces_only_its_span():
    answer = "A weekday wedding is £2,300 and a Saturday is £3,100."
    said = "saturdays are thirty-two hundred now, weekdays stay at £2,300"
    new, core = _money_in_words("thirty-two hundred", answer)
    assert new == "£3,200"
    old = old_value(answer, answer, core, f"How much is a Saturday wedding? {spans.stating(said, new)}", said)
    assert old is not None and old.text == "£3,100"
    rw = spans.rewrite(answer, new, old=old.text)
    assert rw is not None and rw.text == "A weekday wedding is £2,300 and a Saturday is £3,200."


# ---- the sweep's precision -----------------------------------------------------------------------

def case(subject, qa, facts, question, new, said=""):
    return {"id": "t", "split": "dev", "subject": subject, "said": said,
            "qa": [{"id": f"q{i}", "question": q, "answer": a} for i, (q, a) in enumerate(qa, 1)],
            "facts": [{"id": f"f{i}", "subject": subject, "relation": r, "object": o} for i, (r, o) in enumerate(facts, 1)],
            "correct": {"task": "qa", "row": "q1", "question": question, "new": new}, "swept": []}


@pytest.mark.parametrize(("c", "swept"), [
    # a colon's other side names what the row holds, not its subject
    (case("Marlow Zoo", [("How much is a keeper talk?", "A keeper talk is $12 per person."),
                         ("Do you do birthday parties?", "A party pack is $12 a child: a keeper talk, a mask and a badge."),
                         ("Can I add a keeper talk to a school trip?", "Yes, keeper talks are $12 each for schools.")],
          [("keeper talk price", "$12 per person"), ("party pack price", "$12 a child")],
          "How much is a keeper talk?", "$14", "Keeper talks are $14 now."), {"q3", "f1"}),
    (case("Ink & Oak Tattoo", [("What's the minimum charge?", "Our minimum charge is $80."),
                               ("Do you do flash days?", "Flash tattoos are $80 on flash days: minimum charge "
                                "waived, small designs only.")],
          [("minimum charge", "$80"), ("flash tattoo price", "$80")],
          "What's the minimum charge?", "$90", "The minimum's $90 now."), {"f1"}),
    # the verb a yes/no question asks with is no evidence of the subject
    (case("Greenacre Garden Centre", [("Do you sell bird feeders?", "We sell hanging bird feeders for $18."),
                                      ("Do you sell compost?", "We sell peat-free compost at $18 for three bags.")],
          [("bird feeder price", "$18"), ("compost price", "$18 for three bags")],
          "Do you sell bird feeders?", "$20", "Bird feeders are $20 now."), {"f1"}),
    (case("Bayside Ferries", [("Can I bring a bike?", "Bikes travel for $6 each way."),
                              ("Can I bring a kayak?", "Kayaks travel for $6 on the car deck, booked ahead.")],
          [("bike fare", "$6 each way"), ("kayak fare", "$6")],
          "Can I bring a bike?", "$8", "Bikes are $8 each way now."), {"f1"}),
    # a sibling the turn says stays at the same value
    (case("Foxley Golf Club", [("How much is a round?", "A weekday round is $40 and twilight golf is $25."),
                               ("Is golf cheaper for juniors?", "A junior round is $40 for two juniors together.")],
          [("weekday round price", "$40"), ("junior round price", "$40")],
          "How much is a round?", "$45", "Weekday rounds are $45 now; the junior round stays at $40."), {"f1"}),
])
def test_the_sweep_leaves_rows_of_another_subject(c, swept):
    got = sweep_eval.run_case(c)
    assert set(got["got"]) == swept, got["about"]


# ---- forgets whose target names the kind of value its row holds -----------------------------------

@pytest.mark.parametrize(("target", "kind"), [
    ("the print lab line", "phone"), ("the ticket office line", "phone"), ("the old bookings email", "email"),
    ("our old website", "url"), ("the locker number", "number"), ("the number for the night porter", "number"),
    ("the line about parking", None), ("the number of pitches", None), ("the wifi question", None),
])
def test_value_kind_reads_the_targets_head_word(target, kind):
    assert value_kind(target) == kind


def test_states_kind():
    assert states_kind("Call 555-0142 for parts.", "phone")
    assert not states_kind("Tyres start at $60 fitted.", "phone")
    assert states_kind("Locker 14", "number") and not states_kind("by the door", "number")


TASKS = """version: 1
tasks:
  - name: venue_faq
    description: Questions and answers about Hollins Barn, a wedding venue.
    dataset: datasets/venue_faq.jsonl
    format: qa
    key: [question]
  - name: venue_facts
    description: Facts about Hollins Barn as subject / relation / object triples.
    dataset: datasets/venue_facts.jsonl
    format: fact
    key: [subject, relation]
"""
FAQ = [("Can we bring our own caterer?", "Outside caterers are welcome for a $300 kitchen fee."),
       ("Is there a bar?", "Our bar is open until midnight; the bar manager is Rhys Dale."),
       ("How much is a wedding?", "A Saturday wedding is $6,500 and a weekday wedding is $4,200."),
       ("Is there parking?", "There is free parking for 80 cars.")]
FACTS = [("catering line", "555-0731"), ("main phone", "555-0730"), ("kitchen fee", "$300"),
         ("bar manager", "Rhys Dale"), ("Saturday wedding price", "$6,500"), ("weekday wedding price", "$4,200")]


@pytest.fixture(scope="module")
def venue(tmp_path_factory):
    from lic_cli.tasks import load_project

    root = tmp_path_factory.mktemp("venue")
    (root / "datasets").mkdir()
    (root / "tasks.yaml").write_text(TASKS, encoding="utf-8")
    rows = {"venue_faq": [{"question": q, "answer": a} for q, a in FAQ],
            "venue_facts": [{"subject": "Hollins Barn", "relation": r, "object": o} for r, o in FACTS]}
    for name, rs in rows.items():
        (root / "datasets" / f"{name}.jsonl").write_text(
            "".join(json.dumps({**r, "split": "train"}) + "\n" for r in rs), encoding="utf-8")
    return load_project(root)


@pytest.mark.slow
def test_a_forget_of_a_line_deletes_the_phone_fact_only(venue):
    from lic_cli.extract.schema import make_item

    item = make_item("forget", {"target": "the catering line"}, source="c/t1", engine="gold")
    rec = run_turn(venue, "Nobody picks up the catering line since the chef left, so take it off.", [item])
    deleted = {(e["task"], e["before"].get("question") or e["before"].get("relation"))
               for e in rec.get("edits") or [] if e.get("op") == "delete"}
    assert deleted == {("venue_facts", "catering line")}


@pytest.mark.slow
def test_a_price_in_words_corrects_one_of_two_prices_and_its_fact(venue):
    before = [{"conversation": "c", "turn": 1, "role": "user", "text": "What does a weekday wedding cost?"},
              {"conversation": "c", "turn": 2, "role": "assistant",
               "text": "A Saturday wedding is $6,500 and a weekday wedding is $4,200."}]
    item = {"kind": "qa", "question": "What does a weekday wedding cost?", "answer": "forty-five hundred",
            "replaces": "A Saturday wedding is $6,500 and a weekday wedding is $4,200.",
            "statement": "What does a weekday wedding cost? forty-five hundred", "source": "c/t3", "engine": "gold"}
    rec = run_turn(venue, "weekdays are forty-five hundred now, Saturdays stay at $6,500", [item], before,
                   intent="correct")
    got = {(e["task"], (e.get("after") or {}).get("answer") or (e.get("after") or {}).get("object"))
           for e in rec["edits"] if e.get("op") == "update" and not e.get("review")}
    assert got >= {("venue_faq", "A Saturday wedding is $6,500 and a weekday wedding is $4,500.")}
    everything = {(e["task"], (e.get("after") or {}).get("object")) for e in rec["edits"]}
    assert ("venue_facts", "$4,500") in everything and ("venue_facts", "$7,500") not in everything


def test_a_clause_stating_the_new_value_with_a_staying_word_is_no_staying_clause():
    # "stays open until ..." states the new value: it keeps nothing (a ski school, a marina)
    assert spans.kept_words("Good news - the slopes now stay open until 20 April.", spans.core("20 April")) == frozenset()
    assert spans.kept_words("The fuel dock stays open until 9 pm now, the shop is still 6 pm.",
                            spans.core("9 pm")) >= {"shop"}


# ---- forgets said around another statement: more request forms ------------------------------------

@pytest.mark.parametrize(("text", "want"), [
    ("Tom is reprinting the menus and he's dropping the takeaway hotline, so lose it from here as well.",
     ["takeaway hotline"]),
    ("They're taking down the old events page, so lose that too.", ["events page"]),
    ("That shuttle line we list - lose it, the minibus is sold.", ["shuttle line"]),
])
def test_lose_it_points_at_the_thing_said_before(text, want):
    from lic_cli.extract.rules.forget import around_reading

    assert around_reading(text, []) == want


@pytest.mark.parametrize(("text", "want"), [
    ("The sauna's shut for good, so the bit about the sauna needs to come out.", "sauna"),
    ("The crèche closed in June, so the answer about leaving children with us has to come out.",
     "leaving children with us"),
    ("We sold the minibus, so the airport pickup question should be taken out.", "airport pickup"),
])
def test_a_record_that_has_to_come_out_is_a_forget(text, want):
    from lic_cli.extract.rules.forget import _forget

    assert [f["target"] for _, f in _forget(text, [])] == [want]


def test_a_forget_turn_sets_aside_what_it_is_said_with():
    from lic_cli.router import forget_only

    rec = {"text": "Nobody answers the kennel line since March, so take it off. The main number still works.",
           "knowledge": [{"kind": "forget", "target": "kennel line"},
                         {"kind": "fact", "subject": "the kennel", "relation": "closing date", "object": "March"}]}
    out = forget_only(rec)
    assert [k["kind"] for k in out["knowledge"]] == ["forget"] and out["set_aside"][0]["object"] == "March"
    # no forget item: the record is left as it was (forget_from_turn reads the turn first)
    only_fact = {"text": "x", "knowledge": rec["knowledge"][1:]}
    assert forget_only(only_fact) is only_fact


@pytest.mark.parametrize("text", [
    "Nobody has rung the pager line since we switched to the app in June, so take it off your list.",
    "The old fax has been silent since they moved the office to Leeds, so bin it.",
])
def test_a_clause_with_a_pronoun_subject_is_not_the_thing_a_pointer_means(text):
    from lic_cli.extract.rules.forget import around_reading

    assert not any(t.lower().startswith(("we ", "they ")) for t in around_reading(text, []))


# ---- a correction said as news, with no answer before it -------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize(("text", "item", "want"), [
    # the extractor's key is garbage; the turn's words name the row holding such a value
    ("The kitchen fee is $350 a day now; three hundred didn't cover the cleaning.",
     {"kind": "fact", "subject": "the cleaning", "relation": "cost", "object": "$350", "replaces": "three hundred"},
     ("venue_faq", "Outside caterers are welcome for a $350 kitchen fee.")),
    ("Weekday weddings only cost $4,600 these days, since we added the evening buffet.",
     {"kind": "fact", "subject": "the evening buffet", "relation": "duration", "object": "$4,600"},
     ("venue_faq", "A Saturday wedding is $6,500 and a weekday wedding is $4,600.")),
    # a QA item: the rows of its own kind are searched (no fact holds the parking)
    ("Parking is for 120 cars since we opened the paddock.",
     {"kind": "qa", "question": "since we opened the paddock", "answer": "120 cars"},
     ("venue_faq", "There is free parking for 120 cars.")),
])
def test_a_correction_said_as_news_updates_the_row_the_turn_names(venue, text, item, want):
    from lic_cli.extract.schema import make_item

    it = make_item(item.pop("kind"), item, source="c/t1", engine="gold")
    rec = run_turn(venue, text, [it], intent="correct")
    got = {(e["task"], (e.get("after") or {}).get("answer") or (e.get("after") or {}).get("object"))
           for e in rec["edits"] if e.get("op") == "update"}
    assert want in got
    assert not any(e.get("op") == "add" for e in rec["edits"])


def test_news_targets_name_the_row_by_the_turns_words_or_nothing(venue):
    from lic_cli.locate import answered

    faq, facts = venue.task("venue_faq"), venue.task("venue_facts")
    said = "The kitchen fee is $350 a day now; three hundred didn't cover the cleaning."
    old = spans.core(numbers.money_like(numbers.bare_number("three hundred"), ["$350"]))
    assert old is not None and old.text == "$300"
    got = answered.news_targets(venue, facts, said=said, new=spans.core("$350"), old=old)
    assert [t.row["relation"] for t in got] == ["kitchen fee"]
    got = answered.news_targets(venue, faq, said=said, new=spans.core("$350"), old=None)
    assert [t.row["question"] for t in got] == ["Can we bring our own caterer?"]
    # nothing names a row: no target (the key search decides)
    assert answered.news_targets(venue, facts, said="It's $99 now.", new=spans.core("$99"), old=None) == []
