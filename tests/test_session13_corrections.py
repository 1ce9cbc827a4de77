"""Issue 16, session 13: a new fact in a facts task about one subject is that subject's (its
extractor's subject names the relation), a value said to be "staying" is kept, the sweep reads a
role at a sentence's end ("..., our principal.") and a corrected fact's relation naming a yes/no
question's verb ("Can I hire the studio?" ~ "studio hire rate"), and a forget names a label
example by a quoted piece of it ("The one starting '...'"). Every phrasing is from a domain in
neither the trial rounds nor the sweep eval (a climbing wall, a laundrette, a brewery tour, a
rink, a canoe club, a sailing club, a food pantry ...), written to check the rules on wordings
they were not written from. Each test of a new reading fails without the session's change; the
guards (what must stay as it was) pass before and after.

Fast tests load no model; the slow one runs route and locate with MiniLM on a small project.
"""

from __future__ import annotations

import json

import pytest
from test_session11_corrections import run_turn  # the same turn runner (route + locate, real MiniLM)

from lic_cli.locate import factkey, spans, sweep
from lic_cli.locate.factkey import refit_keys

WALL = [("Summit Climbing Wall", "phone"), ("Summit Climbing Wall", "address"),
        ("Summit Climbing Wall", "day pass price"), ("Summit Climbing Wall", "head instructor")]
LAUNDRY = [("Bubbles Laundrette", "phone number"), ("Bubbles Laundrette", "service wash price"),
           ("Bubbles Laundrette", "opening time"), ("Bubbles Laundrette", "email address")]


def fact(subject, relation, obj):
    return {"kind": "fact", "subject": subject, "relation": relation, "object": obj}


# ---- a new fact in a one-subject facts task ---------------------------------------------------------

@pytest.mark.parametrize(("rows", "subject", "relation", "obj", "want"), [
    # the extractor's subject names what the value is for
    (WALL, "the route setter", "location", "Priya Kaur", ("Summit Climbing Wall", "route setter")),
    (WALL, "the bouldering room", "phone number", "555-0611", ("Summit Climbing Wall", "bouldering room phone number")),
    (WALL, "TikTok", "handle", "@summitclimbs", ("Summit Climbing Wall", "TikTok handle")),
    # a relation naming another type than the value's is dropped; a contact value's type is named
    (LAUNDRY, "the collection van", "location", "555-0733", ("Bubbles Laundrette", "collection van phone")),
    (LAUNDRY, "Duvet orders", "email address", "duvets@bubbles.example",
     ("Bubbles Laundrette", "Duvet orders email address")),
])
def test_a_new_fact_in_a_one_subject_task_is_that_subjects(rows, subject, relation, obj, want):
    got, why = refit_keys(fact(subject, relation, obj), rows)
    assert (got["subject"], got["relation"]) == want and why


def test_a_row_the_candidate_only_holds_needs_the_subjects_words():
    # "the bouldering room" / "phone number" holds the row "phone", but names a room the row does not
    got, _ = refit_keys(fact("the bouldering room", "phone number", "555-0611"), WALL)
    assert got["relation"] != "phone"
    # "Check-out"-like: the subject's words are in the row, the relation adds a word: still that row
    got, _ = refit_keys(fact("the service wash", "cost", "$9"), LAUNDRY)
    assert (got["subject"], got["relation"]) == ("Bubbles Laundrette", "service wash price")


@pytest.mark.parametrize(("rows", "subject"), [
    # several subjects (the demo's facts: no subject on half the rows): a new subject stays one
    ([("Ava Stone", "birthplace"), ("Rome", "population"), ("Mount Fuji", "height"), ("Summit", "phone")], "TikTok"),
    # one subject on 3 of 5 rows (DOMINANT, not SOLE): the new subject stays as written
    ([("Kiln Studio", "phone"), ("Kiln Studio", "address"), ("Kiln Studio", "owner"), ("Glaze Bar", "phone"),
      ("Glaze Bar", "owner")], "the firing room"),
])
def test_a_new_subject_stays_when_the_task_has_several(rows, subject):
    got, why = refit_keys(fact(subject, "phone number", "555-0100"), rows)
    assert got["subject"] == subject and not why


def test_a_subject_of_determiners_only_names_nothing():
    got, _ = refit_keys(fact("the", "email address", "a@b.example"), LAUNDRY)
    assert got["subject"] in ("the", "Bubbles Laundrette") and got["relation"] == "email address"


def test_typed_relation_keeps_a_relation_of_the_values_type():
    assert factkey._typed_relation("phone number", "555-0100") == "phone number"
    assert factkey._typed_relation("location", "555-0100") == "phone"
    assert factkey._typed_relation("location", "Priya Kaur") == ""
    assert factkey._typed_relation("price", "$9 a load") == "price"  # not wholly a typed value: as it is


# ---- a value said to be "staying" ---------------------------------------------------------------------

@pytest.mark.parametrize(("said", "new", "kept"), [
    ("Tastings went up to $18 with the new hall - the brewery tour is staying at $12.", "$18", "$12"),
    ("Rink hire is $45 an hour now; the coaching rate is staying at $30 for members.", "$45", "$30"),
])
def test_a_value_said_to_be_staying_is_kept(said, new, kept):
    assert [s.text for s in spans.said_to_stay(said, spans.core(new))] == [kept]


# ---- the sweep: a role at a sentence's end ----------------------------------------------------------

def test_a_role_after_a_name_at_the_sentences_end_is_read():
    text = "Wheel-throwing taster sessions are run by Omar Haddad, our studio manager."
    name = [s for s in spans.spans(text, "name") if s.text == "Omar Haddad"][0]
    assert {"studio", "manager"} <= sweep.local_words(text, name, set())


def test_a_clause_after_a_name_at_the_sentences_end_is_no_role():
    text = "Bookings go through the office, or ask Sam Patel, who took over in May."
    name = [s for s in spans.spans(text, "name") if s.text == "Sam Patel"][0]
    assert "took" not in sweep.local_words(text, name, set())


# ---- the sweep: a corrected fact's relation names a yes/no question's verb ----------------------------

TASKS = """version: 1
tasks:
  - name: club_faq
    description: Questions and answers about a canoe club.
    dataset: datasets/club_faq.jsonl
    format: qa
    id_column: id
    key: [question]
  - name: club_facts
    description: Facts about the canoe club.
    dataset: datasets/club_facts.jsonl
    format: fact
    key: [subject, relation]
"""
CLUB = "Weir Bank Canoe Club"
FAQ = [("Can I hire a canoe?", "Canoes can be hired for $25 an hour from the boathouse."),
       ("Is there a joining fee?", "There is a one-off joining fee of $25 for new members."),
       ("Who runs the club?", "The club is run by Megan Doyle, our club captain."),
       ("How do I pay my subs?", "We send a bill each spring; pay by card or transfer within 10 days."),
       ("How long is the taster course?", "The taster course runs for 10 days in July.")]
FACTS = [("canoe hire rate", "$25 an hour"), ("joining fee", "$25"), ("club captain", "Megan Doyle"),
         ("phone", "555-0190"), ("payment terms", "10 days"), ("taster course dates", "July")]


@pytest.fixture
def club(tmp_path):
    from lic_cli.tasks import load_project

    (tmp_path / "datasets").mkdir()
    (tmp_path / "tasks.yaml").write_text(TASKS, encoding="utf-8")
    faq = [{"id": f"q{i}", "question": q, "answer": a, "split": "train"} for i, (q, a) in enumerate(FAQ, 1)]
    facts = [{"subject": CLUB, "relation": r, "object": o, "split": "train"} for r, o in FACTS]
    for name, rows in (("club_faq", faq), ("club_facts", facts)):
        (tmp_path / "datasets" / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows),
                                                             encoding="utf-8")
    return load_project(tmp_path)


def swept_rows(project, item, corrected_row, old, new, said):
    task = project.task("club_facts")
    change = sweep.Change("club_facts", "r", spans.core(old), new,
                          **sweep.anchor(item, task, corrected_row, old, new, said))
    # the corrected fact itself is the update's, not the sweep's: only the other rows count
    return {e["before"].get("question") or e["before"].get("relation") for e in sweep.sweep(project, [change], set())
            if e["before"].get("relation") != corrected_row["relation"]}


def test_a_corrected_facts_relation_naming_a_questions_verb_sweeps_it(club):
    item = fact(CLUB, "canoe hire rate", "$30 an hour")
    row = {"subject": CLUB, "relation": "canoe hire rate", "object": "$25 an hour"}
    got = swept_rows(club, item, row, "$25", "$30", "Note for the records: hiring a canoe is $30 an hour from May.")
    assert got == {"Can I hire a canoe?"}  # not the joining fee's $25


def test_a_role_holder_correction_reaches_the_row_naming_the_role_at_its_end(club):
    item = fact(CLUB, "club captain", "Rhys Evans")
    row = {"subject": CLUB, "relation": "club captain", "object": "Megan Doyle"}
    got = swept_rows(club, item, row, "Megan Doyle", "Rhys Evans", "Megan stepped down; Rhys Evans is captain now.")
    assert got == {"Who runs the club?"}


# ---- a forget naming a label example by a quoted piece of it ------------------------------------------

LABEL_TASKS = """version: 1
tasks:
  - name: enquiries
    description: Messages to a sailing club labelled with who answers them.
    dataset: datasets/enquiries.jsonl
    format: label
    labels: [juniors, shop, office]
"""
MESSAGES = [("Hello it's Jonah Price from Form 3, can our class try dinghy sailing?", "juniors"),
            ("Do you sell the buoyancy aids you use on the junior course?", "shop"),
            ("Can I change my Saturday session to the Sunday one?", "office"),
            ("Hello, is the adult course suitable for non-swimmers?", "juniors")]


@pytest.mark.slow
def test_a_forget_names_an_example_by_its_quoted_first_words(tmp_path):
    from lic_cli.extract.schema import make_item
    from lic_cli.tasks import load_project

    (tmp_path / "datasets").mkdir()
    (tmp_path / "tasks.yaml").write_text(LABEL_TASKS, encoding="utf-8")
    (tmp_path / "datasets" / "enquiries.jsonl").write_text(
        "".join(json.dumps({"text": t, "label": lab, "split": "train"}) + "\n" for t, lab in MESSAGES),
        encoding="utf-8")
    project = load_project(tmp_path)
    item = make_item("forget", {"target": "the message from the schoolboy about his class"}, source="c/t1",
                     engine="gold")
    rec = run_turn(project, "Could the message from the schoolboy about his class be taken out? The one that "
                            "starts 'Hello it's Jonah Price'.", [item])
    deleted = {e["before"]["text"] for e in rec.get("edits") or [] if e.get("op") == "delete"}
    assert deleted == {MESSAGES[0][0]}


# ---- the label cue: an apostrophe inside the example, a request put as a question, who handles it ------

PANTRY = {"donations": "messages", "volunteers": "messages", "referrals": "messages"}


@pytest.mark.parametrize(("text", "label"), [
    ("'Can I drop off tins if the shop's closed?' is a donations question.", "donations"),
    ("Could you refile 'I'd like to help on Saturday mornings' under volunteers? It was in donations.", "volunteers"),
    ("Can you move 'My GP said I could get a food parcel here' to referrals please", "referrals"),
    ("A note like 'The school nurse gave me your number' is the sort of thing referrals should handle.", "referrals"),
])
def test_label_cue_reads_more_labelling_frames(text, label):
    from lic_cli.detect.labelcue import cue

    assert cue(text, PANTRY) == {"label": label, "task": "messages"}


@pytest.mark.parametrize("text", [
    "Could you tell me whether 'I'd like to help on Saturdays' is a volunteers one?",  # a question, not a request
    "Is 'the shop's closed on Mondays' a donations question?",
    "Can you check 'the tins from Tuesday' with the volunteers?",  # no relabelling verb
])
def test_label_cue_still_leaves_questions(text):
    from lic_cli.detect.labelcue import cue

    assert cue(text, PANTRY) is None


# ---- a correction's value said in words, extraction holding a word of no type -----------------------

def test_a_retyped_correction_reads_the_turns_value_in_words():
    from lic_cli.router import retyped_correction

    before = [{"conversation": "c", "turn": 1, "role": "user", "text": "When do you open on Sundays?"},
              {"conversation": "c", "turn": 2, "role": "assistant", "text": "On Sundays we open at 9 am and close at 4 pm."}]
    item = {"kind": "qa", "question": "When do you open on Sundays?", "answer": "lease", "replaces": "9 am",
            "statement": "When do you open on Sundays? lease", "source": "c/t3", "engine": "learned"}
    rec = {"conversation": "c", "turn": 3, "role": "user", "intent": {"label": "correct", "score": 1.0},
           "text": "Sunday opening moved to eleven in the morning with the new lease.", "knowledge": [item]}
    read = retyped_correction(rec, before)
    assert read is not None and read["knowledge"][0]["answer"] == "11 am"


def test_the_one_fact_stating_the_old_value_is_swept_by_a_derived_word(club):
    # "payment terms: 10 days" is named by "pay" (its derivation), and no other fact states 10 days;
    # the taster course's "10 days" (a QA row of another subject) stays
    task = club.task("club_faq")
    item = {"kind": "qa", "question": "How long have members got to pay?", "answer": "14 days"}
    row = {"id": "q4", "question": "How do I pay my subs?",
           "answer": "We send a bill each spring; pay by card or transfer within 10 days."}
    change = sweep.Change("club_faq", "q4", spans.core("10 days"), "14 days",
                          **sweep.anchor(item, task, row, "10 days", "14 days", "No, it's fourteen days now."))
    got = {(e["task"], e["before"].get("relation") or e["before"].get("question"))
           for e in sweep.sweep(club, [change], {("club_faq", "q4")})}
    assert got == {("club_facts", "payment terms")}
