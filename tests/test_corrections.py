"""Issue 16: corrections land on the row the answer came from, in the dataset's own words,
in every task that holds the knowledge; label semantics; resolve; idempotent apply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lic_cli import locate, router
from lic_cli.cli import cli
from lic_cli.extract.schema import make_item
from lic_cli.locate import spans
from lic_cli.patches.run import apply_records
from lic_cli.tasks import load_project

TASKS = """version: 1
tasks:
  - name: faq
    description: Questions and answers about Alder Bikes, a bicycle rental shop.
    dataset: faq.jsonl
    format: qa
    id_column: id
  - name: shop_facts
    description: Facts about Alder Bikes as subject, relation, object.
    dataset: facts.jsonl
    format: fact
  - name: tickets
    description: Customer tickets labelled by team.
    dataset: tickets.jsonl
    format: label
    labels: [rentals, repairs, billing]
"""
FAQ = [
    {"id": "a1", "question": "How much is a city bike?", "answer": "A city bike costs $15 a day and an e-bike costs $40 a day."},
    {"id": "a2", "question": "Who runs the repair shop?", "answer": "Our head mechanic is Ana Silva."},
    {"id": "a3", "question": "Who fixes flat tyres?", "answer": "Ana Silva, our head mechanic, fixes flat tyres while you wait."},
    {"id": "a4", "question": "How long can I rent a bike?", "answer": "You can rent a bike for up to 14 days in a row."},
    {"id": "a5", "question": "Do you rent helmets?", "answer": "Helmets are free with every rental."},
    {"id": "a6", "question": "What does an e-bike tour cost?", "answer": "Our guided e-bike tour is $40 a day per person, snacks included."},
]
FACTS = [
    {"subject": "Alder Bikes", "relation": "e-bike price", "object": "$40 a day"},
    {"subject": "Alder Bikes", "relation": "head mechanic", "object": "Ana Silva"},
    {"subject": "Alder Bikes", "relation": "phone number", "object": "555-0123"},
    {"subject": "Alder Bikes", "relation": "city bike price", "object": "$15 a day"},
]
TICKETS = [
    {"text": "My chain keeps slipping.", "label": "repairs"},
    {"text": "I was charged twice for my rental.", "label": "billing"},
    {"text": "Can I keep the bike one more day?", "label": "rentals"},
    {"text": "test please ignore", "label": "rentals"},
]


def write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def read(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


@pytest.fixture
def shop(tmp_path) -> Path:
    (tmp_path / "tasks.yaml").write_text(TASKS, encoding="utf-8")
    write(tmp_path / "faq.jsonl", FAQ)
    write(tmp_path / "facts.jsonl", FACTS)
    write(tmp_path / "tickets.jsonl", TICKETS)
    return tmp_path


@pytest.fixture(scope="module")
def enc():
    from lic_cli.models import load_encoder

    return load_encoder("minilm")


def turns(asked: str, reply: str, text: str, *, answered: str | None = None, intent: str = "correct",
          **fields: str) -> list[dict]:
    """A user question, the assistant's answer (with the row chat answered from), the teaching turn."""
    a = {"conversation": "c", "turn": 2, "role": "assistant", "text": reply}
    if answered:
        a["answered_from"] = [{"task": "faq", "row": answered, "version": 0}]
    kind = fields.pop("kind", "qa")
    t = {"conversation": "c", "turn": 3, "role": "user", "text": text, "intent": {"label": intent, "score": 1.0},
         "knowledge": [make_item(kind, fields, source="c/t3", engine="rules")]}
    return [{"conversation": "c", "turn": 1, "role": "user", "text": asked}, a, t]


def located(project, recs, enc) -> dict:
    return list(locate.run(router.run(recs, project=project, encoder=enc), project=project, encoder=enc))[-1]


def changes(rec: dict) -> dict[tuple[str, str], str]:
    out = {}
    for e in rec["edits"]:
        if e["op"] == "update" and e.get("review") in (None, "sweep"):  # swept proposals: held for review
            task_value = "answer" if e["task"] == "faq" else "object" if e["task"] == "shop_facts" else "label"
            out[(e["task"], e["row"])] = e["after"][task_value]
    return out


def test_span_rewrite_keeps_the_sentence_and_the_other_value():
    assert spans.rewrite("You can request a refund within 14 days of delivery.", "30 days").text == \
        "You can request a refund within 30 days of delivery."
    both = "A check-up costs $85 and a cleaning costs $110."
    assert spans.rewrite(both, "$120", hint="How much is a cleaning? No, a cleaning is $120 now.").text == \
        "A check-up costs $85 and a cleaning costs $120."
    # Which of two values is not said: no guess, and never the fragment for the sentence.
    assert spans.rewrite(both, "$120", hint="no that's wrong") is None
    assert spans.rewrite("Helmets are free with every rental.", "paid") is None
    assert spans.rewrite("Our head mechanic is Ana Silva.", "Ben Okafor since May").text == \
        "Our head mechanic is Ben Okafor."


@pytest.mark.slow
def test_refund_example_on_the_demo_keeps_the_sentence(demo_project, enc):
    project = load_project(demo_project)
    recs = [{"conversation": "r", "turn": 1, "role": "user", "text": "How long is the refund window?"},
            {"conversation": "r", "turn": 2, "role": "assistant",
             "text": "You can request a refund within 14 days of delivery."},
            {"conversation": "r", "turn": 3, "role": "user", "text": "No, it's 30 days now.",
             "intent": {"label": "correct", "score": 1.0},
             "knowledge": [make_item("qa", {"question": "How long is the refund window?", "answer": "30 days",
                                            "replaces": "You can request a refund within 14 days of delivery."},
                                     source="r/t3", engine="rules")]}]
    rec = located(project, recs, enc)
    first = rec["edits"][0]
    assert first["op"] == "update" and first["signal"] == "replaces"
    assert first["after"]["answer"] == "You can request a refund within 30 days of delivery."
    assert not any(e["after"] and e["after"].get("answer") == "30 days" for e in rec["edits"])


@pytest.mark.slow
def test_stale_value_sweep_reaches_qa_fact_and_a_second_qa(shop, enc):
    project = load_project(shop)
    rec = located(project, turns("How much is an e-bike?", FAQ[0]["answer"], "No, an e-bike is $45 a day now.",
                                 answered="a1", question="How much is an e-bike?", answer="$45 a day",
                                 replaces=FAQ[0]["answer"]), enc)
    got = changes(rec)
    facts = {e["row"]: e for e in rec["edits"] if e["task"] == "shop_facts"}
    (fact_row,) = facts
    assert got == {("faq", "a1"): "A city bike costs $15 a day and an e-bike costs $45 a day.",
                   ("faq", "a6"): "Our guided e-bike tour is $45 a day per person, snacks included.",
                   ("shop_facts", fact_row): "$45 a day"}
    assert rec["edits"][0]["signal"] == "answered_from"
    # The second QA row is reached only by the sweep; the fact by the sweep or by route's qa->fact conversion.
    assert next(e for e in rec["edits"] if e["row"] == "a6")["signal"] == "sweep"
    assert facts[fact_row]["signal"] in ("sweep", "key")
    assert facts[fact_row]["before"]["relation"] == "e-bike price"


@pytest.mark.slow
def test_role_holder_correction_reaches_qa_and_facts_without_recorded_rows(shop, enc):
    project = load_project(shop)
    rec = located(project, turns("Who runs the repair shop?", "Our head mechanic is Ana Silva.",
                                 "That's outdated, Ben Okafor is our head mechanic now.",
                                 question="Who runs the repair shop?", answer="Ben Okafor",
                                 replaces="Our head mechanic is Ana Silva."), enc)
    got = changes(rec)
    assert got[("faq", "a2")] == "Our head mechanic is Ben Okafor."
    assert got[("faq", "a3")] == "Ben Okafor, our head mechanic, fixes flat tyres while you wait."
    assert "Ben Okafor" in got.values() and len(got) == 3  # the facts row too
    assert rec["edits"][0]["signal"] == "replaces"


@pytest.mark.slow
def test_label_semantics(shop, enc):
    project = load_project(shop)
    rec = {"conversation": "l", "turn": 1, "role": "user", "text": "x", "intent": {"label": "teach", "score": 1.0},
           "knowledge": [make_item("label", {"text": "My chain keeps slipping off.", "label": "repairs"}, source="l/t1", engine="rules"),
                         make_item("label", {"text": "Can I keep the bike one more day?", "label": "billing"}, source="l/t1", engine="rules"),
                         make_item("label", {"text": "My chain keeps slipping.", "label": "repairs"}, source="l/t1", engine="rules"),
                         make_item("forget", {"target": "the ticket 'test please ignore' from the examples"}, source="l/t1", engine="rules")]}
    out = located(project, [rec], enc)
    assert [(e["item"], e["op"]) for e in out["edits"]] == [(0, "add"), (1, "update"), (2, "noop"), (3, "delete")]
    assert out["edits"][1]["after"]["label"] == "billing"
    assert out["edits"][3]["before"]["text"] == "test please ignore"


@pytest.mark.slow
def test_resolve_non_interactive_and_idempotent_apply(shop, enc, monkeypatch):
    project = load_project(shop)
    # "paid" has no span in "Helmets are free with every rental.": a rewrite for review, held out of patches.
    rec = located(project, turns("Do you rent helmets?", "Helmets are free with every rental.", "No, helmets are paid now.",
                                 answered="a5", question="Do you rent helmets?", answer="paid",
                                 replaces="Helmets are free with every rental."), enc)
    (edit,) = rec["edits"]
    assert edit["review"] == "rewrite" and edit["row"] == "a5"
    src = shop / "located.jsonl"
    write(src, [rec])
    monkeypatch.chdir(shop)
    runner = CliRunner()
    res = runner.invoke(cli, ["apply", "-i", str(src)])
    assert res.exit_code == 0 and "needs a person" in res.stderr and not (shop / "patches").exists()
    res = runner.invoke(cli, ["resolve", "-i", str(src), "--choose", "c/t3#0=edit:Helmets cost $2 per rental."])
    assert res.exit_code == 0, res.output
    (resolved,) = [json.loads(x) for x in res.stdout.splitlines()]
    assert resolved["edits"][0]["op"] == "update" and resolved["edits"][0]["resolved"]["choice"] == "edit"
    write(src, [resolved])
    for _ in range(2):  # the same located records twice: one patch file, one new version
        res = runner.invoke(cli, ["apply", "-i", str(src), "--yes"])
        assert res.exit_code == 0, res.output
    assert len(list((shop / "patches" / "faq").glob("*.patch.jsonl"))) == 1
    assert "not written again" in res.stderr
    assert read(shop / "faq.jsonl")[4]["answer"] == "Helmets cost $2 per rental."
    log = runner.invoke(cli, ["log", "faq"])
    assert log.exit_code == 0 and len(log.stdout.splitlines()) == 2  # the base version and one patch
    # --all skip turns what is left into noops.
    res = runner.invoke(cli, ["resolve", "-i", str(src), "--all", "skip"])
    assert res.exit_code == 0


@pytest.mark.slow
def test_reteaching_after_apply_is_all_noop(shop, enc):
    project = load_project(shop)
    recs = turns("How much is an e-bike?", FAQ[0]["answer"], "No, an e-bike is $45 a day now.",
                 answered="a1", question="How much is an e-bike?", answer="$45 a day", replaces=FAQ[0]["answer"])
    rec = located(project, recs, enc)
    list(apply_records([rec], project=project, author="t", message=None, apply=True, dry_run=False, approve=False,
                       notify=lambda _m: None, sweep=True))
    again = located(project, recs, enc)
    assert {e["op"] for e in again["edits"]} == {"noop"}


def test_sweep_keeps_to_the_subject_on_the_demo_refund(demo_project):
    """The refund window (14 -> 30 days) is swept into the rows about returns; the price-match
    window, which shares "14 days", "refund" and "window" but not the subject, is not. No model:
    the corrected row's update and the sweep are locate's own code."""
    from lic_cli.locate import sweep
    from lic_cli.store.rows import iter_rows

    project = load_project(demo_project)
    qa = project.task("support_qa")
    rid, row = next((r, x) for r, _, x in iter_rows(qa, project.dataset_path(qa))
                    if x["question"] == "How long is the refund window?")
    item = make_item("qa", {"question": "How long is the refund window?", "answer": "30 days",
                            "replaces": row["answer"]}, source="r/t3", engine="rules")
    corr = locate.Correction(is_correction=True, new="30 days", core=spans.core("30 days"),
                             old=spans.core("14 days"), hint=item["question"])
    edit = {"item": 0, "task": "support_qa"}
    locate._update_value(edit, qa, item, corr, rid, row, 1.0, "answered_from")
    assert edit["after"]["answer"] == "You can request a refund within 30 days of delivery."
    swept = sweep.sweep(project, locate.sweep_changes(project, [edit], [item]), {("support_qa", rid)})
    said = {(e["task"], (e["before"].get("question") or e["before"]["relation"])): e for e in swept}
    assert ("facts", "refund window") in said and ("facts", "price match window") not in said
    assert ("support_qa", "How many days do I have to return something?") in said
    assert said[("support_qa", "How many days do I have to return something?")]["after"]["answer"] == \
        "You have 30 days from the delivery date to start a return."
    assert not any("price" in e["before"].get("answer", "").lower() for e in swept)  # price match / adjustment
    assert all(e["signal"] == "sweep" and e["review"] == "sweep" and e["sweep"]["about"] for e in swept)
    assert len(swept) == 16  # measured: every one about the 14-day return window (docs/locate.md)


def test_swept_proposals_are_held_unless_the_user_opts_in(shop, monkeypatch):
    """`lic apply --yes` applies the correction and holds the sweep's proposals; `--sweep` or
    `lic resolve` takes them."""
    project = load_project(shop)
    qa = project.task("faq")
    before = {r["id"]: r for r in FAQ}
    rec = {"conversation": "c", "turn": 3, "role": "user", "text": "No, an e-bike is $45 a day now.",
           "edits": [{"item": 0, "task": "faq", "op": "update", "row": "a1", "score": 1.0, "before": before["a1"],
                      "after": {**before["a1"], "answer": FAQ[0]["answer"].replace("$40", "$45")},
                      "signal": "answered_from"},
                     {"item": 0, "task": "faq", "op": "update", "row": "a6", "score": 1.0, "before": before["a6"],
                      "after": {**before["a6"], "answer": FAQ[5]["answer"].replace("$40", "$45")},
                      "signal": "sweep", "review": "sweep"}]}
    assert qa.name == "faq"
    src = shop / "located.jsonl"
    write(src, [rec])
    monkeypatch.chdir(shop)
    runner = CliRunner()
    res = runner.invoke(cli, ["apply", "-i", str(src), "--yes"])
    assert res.exit_code == 0, res.output
    assert "held 1 swept proposal(s) on faq" in res.stderr and "lic apply --sweep" in res.stderr
    rows = {r["id"]: r["answer"] for r in read(shop / "faq.jsonl")}
    assert "$45 a day" in rows["a1"] and "$40 a day" in rows["a6"]
    # The person accepts it: resolve by row id, then apply (or, in one step, apply --sweep).
    res = runner.invoke(cli, ["resolve", "-i", str(src), "--choose", "a6=update"])
    assert res.exit_code == 0, res.output
    (resolved,) = [json.loads(x) for x in res.stdout.splitlines()]
    assert resolved["edits"][1]["resolved"]["review"] == "sweep" and "review" not in resolved["edits"][1]
    res = runner.invoke(cli, ["apply", "--sweep", "--yes", "-i", str(src)])
    assert res.exit_code == 0, res.output
    rows = {r["id"]: r["answer"] for r in read(shop / "faq.jsonl")}
    assert rows["a6"] == "Our guided e-bike tour is $45 a day per person, snacks included."


@pytest.mark.slow
def test_a_correction_in_chat_updates_the_row_the_answer_came_from(shop, enc, tmp_path):
    """lic chat records the rows each answer stated (`answered_from`); a correction of that
    answer, in a resumed session, updates those rows, whatever the wording found by key."""
    from lic_cli.chat.learn import Learned, Learner
    from lic_cli.chat.session import Session

    project = load_project(shop)
    log = tmp_path / "chat.jsonl"
    write(log, [{"conversation": "chat", "turn": 1, "role": "user", "text": "How long can I keep a bike?"},
                {"conversation": "chat", "turn": 2, "role": "assistant", "model": "m",
                 "text": "You can rent a bike for up to 14 days in a row.",
                 "answered_from": [{"task": "faq", "row": "a4", "version": 0}]}])
    # detect is not run: the turn is confirmed as a correction, as a person does in the console.
    s = Session(None, learner=Learner(project, encoder=enc, intent_model=object()))
    assert s.resume(log) == 2
    rec = s.user("No, it's 21 days now.")
    learned = s.locate(Learned({**rec, "intent": {"label": "correct", "score": 1.0}}))
    first = learned.edits[0]
    assert (first["task"], first["row"], first["op"], first["signal"]) == ("faq", "a4", "update", "answered_from")
    assert first["after"]["answer"] == "You can rent a bike for up to 21 days in a row."
    assert not any(e.get("review") == "sweep" for e in learned.edits)  # chat's person decides each edit


@pytest.mark.parametrize("row, question, new, swept", [
    # A price in a two-value answer: the second QA answer and the fact, not the city bike's fact.
    ("a1", "How much is an e-bike?", "$45 a day", {("faq", "a6"), ("shop_facts", "e-bike price")}),
    # A role holder: the QA row naming them in apposition and the facts row.
    ("a2", "Who runs the repair shop?", "Ben Okafor", {("faq", "a3"), ("shop_facts", "head mechanic")}),
])
def test_sweep_reaches_every_row_about_the_subject_and_no_other(shop, row, question, new, swept):
    from lic_cli.locate import sweep

    project = load_project(shop)
    faq = project.task("faq")
    stored = next(r for r in FAQ if r["id"] == row)
    item = make_item("qa", {"question": question, "answer": new, "replaces": stored["answer"]}, source="c/t3",
                     engine="rules")
    core = spans.core(new)
    corr = locate.Correction(is_correction=True, new=new, core=core, hint=question,
                             old=spans.old_value(stored["answer"], core, question))
    edit = {"item": 0, "task": "faq"}
    locate._update_value(edit, faq, item, corr, row, stored, 1.0, "answered_from")
    out = sweep.sweep(project, locate.sweep_changes(project, [edit], [item]), {("faq", row)})
    assert {(e["task"], e["row"] if e["task"] == "faq" else e["before"]["relation"]) for e in out} == swept
    assert all(new.split()[0] in json.dumps(e["after"]) and e["review"] == "sweep" for e in out)


# --- Session 7: an extractor's wording (the learned engine's `replaces` and values are not always
# the dataset's own words) and knowledge across kinds. Phrasings are not the trials'.

def test_old_value_from_a_fragment_that_is_the_wrong_one_of_two_or_of_another_type():
    both = "A city bike costs $15 a day and an e-bike costs $40 a day."
    new = spans.core("$45")
    hint = "How much is an e-bike No, an e-bike is $45 a day now."
    # The fragment copied from the answer names the city bike's price; the user's words point to the e-bike's.
    assert locate.old_value("$15", both, new, hint, "No, an e-bike is $45 a day now.").text == "$40"
    # ...unless the user named that value themselves.
    assert locate.old_value("$15", both, new, hint, "No, $15 is wrong, it's $45.").text == "$15"
    # A fragment of another type ("up to 14 days" for a price) says nothing: the previous answer decides.
    renting = "Renting for up to 14 days costs a $30 deposit."
    assert locate.old_value("up to 14 days", renting, new, "deposit", "The deposit is $45 now.").text == "$30"
    rw = spans.rewrite(renting, "$45", old="14 days")
    assert rw is not None and rw.text == "Renting for up to 14 days costs a $45 deposit."


def test_a_piece_of_a_value_is_widened_and_an_untyped_fragment_is_aligned():
    assert spans.widen_value("Ben", "That's old news, Ben Okafor runs the workshop now.") == "Ben Okafor"
    assert spans.widen_value("$45", "It's $45 a day now.") == "$45"  # typed values stay as given
    # A partial old name is the whole stored name, never a piece of it.
    assert spans.rewrite("Our head mechanic is Ana Silva.", "Ben Okafor", old="Ana").text == \
        "Our head mechanic is Ben Okafor."
    # Untyped values: the span the replaced words align to (typos forgiven), whole words only.
    pick_up = "Bikes are picked up at the back entrance on Mill Street."
    assert spans.rewrite(pick_up, "front desk", replaces="back entrance").text == \
        "Bikes are picked up at the front desk on Mill Street."
    assert spans.rewrite(pick_up, "front desk", replaces="bak entrance").text == \
        "Bikes are picked up at the front desk on Mill Street."
    assert spans.rewrite(pick_up, "front desk", replaces="side gate") is None  # no such span: for review
    # A typed new value never replaces untyped words ("2" for "guests" in "up to 2 guests").
    assert spans.rewrite("Members can bring up to 2 guests per day.", "2", replaces="guests") is None


def test_an_email_is_not_a_street_address():
    assert locate.typed_apart("8 Harbour Road", "hello@alder.example")
    assert locate.typed_apart("8 Harbour Road", "https://alder.example")
    assert not locate.typed_apart("555-0123", "555-0188")  # a phone for a phone: the same fact
    assert not locate.typed_apart("not yet", "hello@alder.example")  # nothing typed stored: an update


def test_cross_kind_agreement_by_words():
    from lic_cli.locate.cross import agree

    shared = spans.content_words("Alder Bikes")  # what common_words finds in a facts task about Alder Bikes
    assert agree("What is the membership fee?", "Alder Bikes", "membership fee", shared, 0.5, asks=True)
    # A question about something else that mentions the fact's words is not the fact.
    assert not agree("Can I pause my membership fee over the winter months?", "Alder Bikes", "membership fee",
                     shared, 0.5, asks=True)
    # Numbers in the subject must agree: the Trail 9 is not the Trail 7.
    assert not agree("How heavy is the Trail 7?", "Alder Trail 9 bike", "weight", shared, 0.9, asks=False)
    # fact -> qa: the relation in part, with close meaning.
    assert agree("Do you charge for shipping to Mexico?", "Alder Bikes", "mexico shipping fee", shared, 0.75,
                 asks=False)
    assert not agree("Do you charge for shipping to Mexico?", "Alder Bikes", "mexico shipping fee", shared, 0.5,
                     asks=False)


@pytest.mark.slow
def test_learned_wording_lands_on_the_right_span(shop, enc):
    """An extractor's items without the dataset's words: no question mark, the wrong one of two
    prices as `replaces`, a first name for the new holder. Each ends in the dataset's own words."""
    project = load_project(shop)
    rec = located(project, turns("How much is an e-bike?", FAQ[0]["answer"], "Nope, e-bikes are $45 a day these days.",
                                 answered="a1", question="How much is an e-bike", answer="$45", replaces="$15"), enc)
    got = changes(rec)
    assert got[("faq", "a1")] == "A city bike costs $15 a day and an e-bike costs $45 a day."
    assert "$15 a day" not in got.values()  # the city bike's fact is untouched
    rec = located(project, turns("Who runs the repair shop?", "Our head mechanic is Ana Silva.",
                                 "Ana left, Ben Okafor took over the workshop.",
                                 question="Who runs the repair shop", answer="Ben", replaces="Ana"), enc)
    got = changes(rec)
    assert got[("faq", "a2")] == "Our head mechanic is Ben Okafor."
    assert got[("faq", "a3")] == "Ben Okafor, our head mechanic, fixes flat tyres while you wait."


@pytest.mark.slow
def test_a_fact_correction_reaches_the_qa_task(shop, enc):
    """A role holder stated as a fact, with no answer before it: the QA rows naming the old
    holder change in their own words (by a fact→qa route when a question names the relation,
    else by the stale-value sweep), and the facts row too."""
    project = load_project(shop)
    rec = {"conversation": "f", "turn": 1, "role": "user", "text": "Ben Okafor has replaced Ana Silva as head mechanic.",
           "intent": {"label": "correct", "score": 1.0},
           "knowledge": [make_item("fact", {"subject": "Alder Bikes", "relation": "head mechanic", "object": "Ben Okafor",
                                            "replaces": "Ana Silva"}, source="f/t1", engine="rules")]}
    out = located(project, [rec], enc)
    got = changes(out)
    assert got[("faq", "a2")] == "Our head mechanic is Ben Okafor."
    assert got[("faq", "a3")] == "Ben Okafor, our head mechanic, fixes flat tyres while you wait."
    assert "Ben Okafor" in [v for (t, _), v in got.items() if t == "shop_facts"]


@pytest.mark.slow
def test_an_email_fact_named_address_is_added_not_written_over_the_street(shop, enc):
    facts = read(shop / "facts.jsonl") + [{"subject": "Alder Bikes", "relation": "address", "object": "8 Harbour Road"}]
    write(shop / "facts.jsonl", facts)
    project = load_project(shop)
    rec = {"conversation": "e", "turn": 1, "role": "user", "text": "Alder's address for e-mail is hello@alder.example.",
           "intent": {"label": "teach", "score": 1.0},
           "knowledge": [make_item("fact", {"subject": "Alder Bikes", "relation": "address",
                                            "object": "hello@alder.example"}, source="e/t1", engine="learned")]}
    out = located(project, [rec], enc)
    (edit,) = [e for e in out["edits"] if e["task"] == "shop_facts"]
    assert edit["op"] == "add" and "type" in edit["reason"]


def test_values_stating_different_numbers_are_never_the_same_value():
    from lic_cli.locate.matcher import same_value

    assert not same_value("50 cents per page", "40 cents per page")
    assert not same_value("Open until 9 pm on Fridays.", "Open until 8 pm on Fridays.")
    assert same_value("Open until 9 pm on Fridays.", "Open until 9 pm on Fridays!")


def test_a_range_end_follows_closing_words_and_value_words_do_not_count():
    pool = "The pool is open 7 am to 9 pm on weekdays."
    assert spans.rewrite(pool, "10 pm", hint="It shuts at 10 pm these days.").text == \
        "The pool is open 7 am to 10 pm on weekdays."
    assert spans.rewrite(pool, "6 am", hint="The pool opens at 6 am now.").text == \
        "The pool is open 6 am to 9 pm on weekdays."
    assert spans.rewrite(pool, "10 pm", hint="no, 10 pm") is None  # nothing says which end: no guess
    # "pm" of the other value is no evidence that "7 am" is the one meant.
    assert spans.pick(pool, spans.spans(pool, "time"), "it's 8 pm") is None


def test_the_old_value_the_user_names_is_the_one_replaced():
    pool = "The pool is open every day from 7 am to 9 pm."
    said = "That changed, it's 10 pm now, not 9 pm."
    old = locate.old_value(pool, pool, spans.core("10 pm"), "When does the pool close " + said, said)
    assert old is not None and old.text == "9 pm"


@pytest.mark.slow
def test_a_forget_target_in_words_deletes_the_fact_it_names(shop, enc):
    """"Drop Alder's number, that line is gone": no key matches the words closely, but one fact's
    relation and subject are named (the city bike's price and e-bike's are not)."""
    project = load_project(shop)
    for target, relation in (("the phone number we have for Alder", "phone number"),
                             ("what you know about Alder's head mechanic", "head mechanic")):
        rec = {"conversation": "g", "turn": 1, "role": "user", "text": f"Forget {target}.",
               "intent": {"label": "forget", "score": 1.0},
               "knowledge": [make_item("forget", {"target": target}, source="g/t1", engine="rules")]}
        out = located(project, [rec], enc)
        deleted = [e for e in out["edits"] if e["task"] == "shop_facts" and e["op"] == "delete"]
        assert [e["before"]["relation"] for e in deleted] == [relation]


@pytest.mark.slow
def test_a_qa_correction_is_routed_to_the_fact_it_asks_for(shop, enc):
    project = load_project(shop)
    rec = located(project, turns("Who is the head mechanic?", "Our head mechanic is Ana Silva.",
                                 "Not any more, it's Ben Okafor.", question="Who is the head mechanic?",
                                 answer="Ben Okafor", replaces="Our head mechanic is Ana Silva."), enc)
    (route,) = [r for r in rec["routes"] if r["task"] == "shop_facts"]
    assert "qa→fact" in route["reason"] and "head mechanic" in route["reason"]
    (edit,) = [e for e in rec["edits"] if e["task"] == "shop_facts"]
    assert edit["op"] == "update" and edit["after"]["object"] == "Ben Okafor" and "review" not in edit


# --- Session 8: forgets of a row not named by its key, the sweep reaching a role holder's
# other rows, word forms. Phrasings written for these tests, in other domains than the trials'.

@pytest.mark.parametrize("text, prev, target", [
    # a quoted example, whatever the noun or the verb
    ("Could you scrap the 'lorem ipsum dolor' request? I was only trying the form.", "", "the example 'lorem ipsum dolor'"),
    ("Please bin that 'ignore me 42' enquiry.", "", "the example 'ignore me 42'"),
    ("Delete the message that reads 'asdfgh jkl' - it's junk.", "", "the example 'asdfgh jkl'"),
    ("Remove the entry with my phone number in it (07700 900123), please.", "", "the example '07700 900123'"),
    # a row described by its topic after a clause that only says why
    ("Our shuttle bus has been retired, so please forget the answer about the shuttle bus.", "", "shuttle bus"),
    ("We closed the sauna last month, so drop the sauna question.", "", "sauna"),
    ("Nobody uses it now, so the pager number can go.", "", "pager number"),
    # the answer just given, pointed at
    ("Not true any more. Take that answer out, please.", "Parking is free after 6 pm.", "Parking is free after 6 pm"),
])
def test_forget_targets_in_other_words(text, prev, target):
    from lic_cli.extract.rules import extract as rules_extract

    context = [{"role": "user", "text": "Quick question."}, {"role": "assistant", "text": prev}] if prev else []
    assert rules_extract(text, "forget", context) == [("forget", {"target": target})]


@pytest.mark.parametrize("text", ["Forget the last question.", "Please delete my previous message.",
                                  "Scrap that whole conversation."])
def test_forgetting_the_conversation_itself_is_no_target(text):
    from lic_cli.extract.rules import extract as rules_extract

    assert rules_extract(text, "forget", []) == []


def test_word_forms_share_one_stem():
    for a, b in (("siblings", "sibling"), ("minutes", "minute"), ("walks", "walked"), ("prices", "price"),
                 ("parties", "party"), ("coaches", "coach")):
        assert spans.stem(a) == spans.stem(b), (a, b)
    assert spans.stem("class") == "class" and spans.stem("bus") == "bus"


HOTEL_TASKS = """version: 1
tasks:
  - name: faq
    description: Questions and answers about the Quayside Hotel.
    dataset: faq.jsonl
    format: qa
    id_column: id
  - name: hotel_facts
    description: Facts about the Quayside Hotel.
    dataset: facts.jsonl
    format: fact
"""
HOTEL_FAQ = [
    {"id": "h1", "question": "Who is the duty manager?", "answer": "The duty manager is Omar Haddad."},
    {"id": "h2", "question": "Who do I call about a lost key card?", "answer": "Call Omar Haddad, the duty manager, on 555-0101."},
    {"id": "h3", "question": "Who plans weddings?", "answer": "Ask Omar Haddad, our events lead, about weddings."},
    {"id": "h4", "question": "How much is a sea-view room?", "answer": "Sea-view rooms cost $140 a night."},
    {"id": "h5", "question": "Is there a discount for groups?", "answer": "Groups of ten or more get 10% off."},
    {"id": "h6", "question": "How do I make a complaint?", "answer": "Write to Omar Haddad, duty manager, at the front desk."},
]
HOTEL_FACTS = [
    {"subject": "Quayside Hotel", "relation": "duty manager", "object": "Omar Haddad"},
    {"subject": "Quayside Hotel", "relation": "events lead", "object": "Omar Haddad"},
    {"subject": "Quayside Hotel", "relation": "group discount", "object": "10%"},
    {"subject": "Quayside Hotel", "relation": "sea-view room rate", "object": "$140 per night"},
]


@pytest.fixture
def hotel(tmp_path) -> Path:
    (tmp_path / "tasks.yaml").write_text(HOTEL_TASKS, encoding="utf-8")
    write(tmp_path / "faq.jsonl", HOTEL_FAQ)
    write(tmp_path / "facts.jsonl", HOTEL_FACTS)
    return tmp_path


@pytest.mark.parametrize("row, question, new, said, swept", [
    # The role holder named beside their role ("Call Omar Haddad, the duty manager, ...", or with
    # no determiner after the name: "Omar Haddad, duty manager, at ...") is swept; the same
    # person in another role (events lead) is not.
    ("h1", "Who is the duty manager?", "Lena Fischer", "Lena Fischer took over as duty manager.",
     {("faq", "h2"), ("faq", "h6"), ("hotel_facts", "duty manager")}),
    # The fact's relation named by the turn's own words ("group", "discount"), word forms aside.
    ("h5", "do groups get money off?", "15%", "we raised the group discount to 15%", {("hotel_facts", "group discount")}),
    # "rate" said only in the turn
    ("h4", "How much is a sea-view room?", "$150", "the sea-view rate went up to $150/night",
     {("hotel_facts", "sea-view room rate")}),
])
def test_sweep_reads_appositions_and_the_turns_own_words(hotel, row, question, new, said, swept):
    from lic_cli.locate import sweep

    project = load_project(hotel)
    faq = project.task("faq")
    stored = next(r for r in HOTEL_FAQ if r["id"] == row)
    item = make_item("qa", {"question": question, "answer": new, "replaces": stored["answer"]}, source="c/t3",
                     engine="rules")
    core = spans.core(new)
    corr = locate.Correction(is_correction=True, new=new, core=core, hint=f"{question} {said}",
                             old=spans.old_value(stored["answer"], core, question))
    edit = {"item": 0, "task": "faq"}
    locate._update_value(edit, faq, item, corr, row, stored, 1.0, "answered_from")
    out = sweep.sweep(project, locate.sweep_changes(project, [edit], [item], said), {("faq", row)})
    assert {(e["task"], e["row"] if e["task"] == "faq" else e["before"]["relation"]) for e in out} == swept


@pytest.mark.slow
def test_forgets_of_rows_not_named_by_their_key(shop, enc):
    """A QA row by the words of its question, a labelled example holding the quoted text, and
    the answer just given ("Take that answer out") with no recorded rows."""
    project = load_project(shop)

    def forget(target: str, before: list[dict] | None = None) -> list[tuple[str, str]]:
        rec = {"conversation": "g", "turn": 3, "role": "user", "text": "(forget)",
               "intent": {"label": "forget", "score": 1.0},
               "knowledge": [make_item("forget", {"target": target}, source="g/t3", engine="rules")]}
        out = located(project, [*(before or []), rec], enc)
        return [(e["task"], e["before"].get("id") or e["before"].get("text")) for e in out.get("edits", [])
                if e["op"] == "delete"]

    assert forget("helmets") == [("faq", "a5")]
    assert forget("the example 'charged twice'") == [("tickets", "I was charged twice for my rental.")]
    said = [{"conversation": "g", "turn": 1, "role": "user", "text": "can I rent a helmet"},
            {"conversation": "g", "turn": 2, "role": "assistant", "text": "Helmets are free with every rental."}]
    assert forget("Helmets are free with every rental", said) == [("faq", "a5")]
    assert forget("unicorns") == []


@pytest.mark.parametrize("text, label, example", [
    ("Shift 'My order arrived with a broken lid.' from shipping to damages, please.", "damages",
     "My order arrived with a broken lid."),
    ("Wrong queue for 'Can I pay with a gift card here?' - it belongs with payments.", "payments",
     "Can I pay with a gift card here?"),
    ("That parking message, 'Where do visitors leave their cars?', should go to access.", "access",
     "Where do visitors leave their cars?"),
    ("'The waiter ignored us for twenty minutes.' isn't a booking request, it's a complaint.", "complaint",
     "The waiter ignored us for twenty minutes."),
    ("The 'Can you print this on card stock?' one is really a materials job.", "materials",
     "Can you print this on card stock?"),
    ("one more refunds example: \"I want my money back for the cancelled class.\"", "refunds",
     "I want my money back for the cancelled class."),
])
def test_a_relabel_in_a_free_frame_names_the_quoted_example_and_the_last_label(text, label, example):
    from lic_cli.extract.rules import extract as rules_extract

    assert rules_extract(text, "correct", []) == [("label", {"text": example, "label": label})]


def test_a_quote_that_is_no_example_is_not_relabelled():
    from lic_cli.extract.rules import extract as rules_extract

    # a product name (under three words), and a question with no labelling cue
    for text in ("The 'Premium' plan is really a yearly one.", "If someone asks 'Do you deliver on Sundays?', say yes."):
        assert not any(kind == "label" for kind, _ in rules_extract(text, "correct", []))


def test_a_label_in_another_form_is_the_projects_label(shop):
    project = load_project(shop)
    item = make_item("label", {"text": "x y z", "label": "Repair"}, source="c/t1", engine="rules")
    assert router.project_label(project, item)["label"] == "repairs"
    assert router.project_label(project, {**item, "label": "refunds"})["label"] == "refunds"  # no such label: kept


@pytest.mark.parametrize("stored, new, hint, want", [
    # numbers in words stay in words
    ("A deep clean takes about two hours and costs $90.", "three hours", "How long is a deep clean?",
     "A deep clean takes about three hours and costs $90."),
    ("Delivery takes five working days.", "7 working days", "", "Delivery takes seven working days."),
    # a duration said as a fraction of an hour picks the clause with that quantity
    ("A 60-minute massage is $70 and a 30-minute massage is $40.", "$45", "half an hour massages are $45 now",
     "A 60-minute massage is $70 and a 30-minute massage is $45."),
    # a time written as the row writes times
    ("Doors open at 9 am and close at 5 pm.", "6pm", "we close later now", "Doors open at 9 am and close at 6 pm."),
    ("Last orders 10 P.M.", "11pm", "", "Last orders 11 P.M."),
    # a fact's object that is the value alone: an extractor's dangling word is not written
    ("$12", "$14 a", "", "$14"), ("$12", "$14 each", "", "$14 each"),
])
def test_values_are_written_in_the_rows_own_form(stored, new, hint, want):
    rw = spans.rewrite(stored, new, hint=hint)
    assert rw is not None and rw.text == want


def test_a_bare_number_the_user_calls_old_is_the_value_with_that_number():
    answer = "Weekdays 7:30 am to 4 pm, Sundays 11 am to 3 pm."
    said = "On Sundays we close at 2 pm now, not 3."
    assert locate.old_value("7:30 am", answer, spans.core("2 pm"), "when do you close on sundays", said).text == "3 pm"
    # two values with that number: not guessed
    assert locate.old_value("", "Open 3 pm to 9 pm, kitchen from 3 pm.", spans.core("4 pm"), "", "4 pm, not 3") is None


def test_snap_swaps_a_value_the_turn_calls_old():
    from lic_cli.extract.snap import snap_items

    ctx = [{"role": "user", "text": "How much is a car seat?"},
           {"role": "assistant", "text": "A child car seat costs $8 a day."}]
    text = "No, that's the old $8 price. Car seats are $10 a day now."
    out = snap_items([{"kind": "qa", "question": "How much is a car seat?", "answer": "$8", "replaces": "$10"}], text, ctx)
    assert (out[0]["answer"], out[0]["replaces"]) == ("$10", "$8")


@pytest.mark.parametrize("context, text, want", [
    # the old holder by first name, named in the answer before; the question asked then
    ([{"role": "user", "text": "Who leads the choir?"},
      {"role": "assistant", "text": "Our choir is led by Ingrid Holm on Thursday evenings."}],
     "Ingrid retired in June, Tomas Berg leads the choir now.",
     ("Who leads the choir?", "Tomas Berg", "Our choir is led by Ingrid Holm on Thursday evenings.")),
    ([{"role": "user", "text": "who's the head chef"}, {"role": "assistant", "text": "Our head chef is Marco Ricci."}],
     "Not since spring. Marco handed over to Aiko Tanaka, so she runs the kitchen now",
     ("who's the head chef", "Aiko Tanaka", "Our head chef is Marco Ricci.")),
    # no answer before: the old holder after "from" / "replaced", the role after "as"
    ([], "FYI, Nadia Karim has taken over from Paul Dunne as practice manager.",
     ("Who is the practice manager?", "Nadia Karim", "Paul Dunne")),
    ([], "Lucia Ferrante replaced Owen Hughes as head groundskeeper in March.",
     ("Who is the head groundskeeper?", "Lucia Ferrante", "Owen Hughes")),
])
def test_a_handover_in_any_word_order(context, text, want):
    from lic_cli.extract.rules import extract as rules_extract

    question, answer, replaces = want
    assert rules_extract(text, "correct", context) == [("qa", {"question": question, "answer": answer,
                                                               "replaces": replaces})]


@pytest.mark.parametrize("text", ["Paula Grey runs the Saturday market stall now.",  # no old holder
                                  "Ask Jon Bell or Mia Lund, they both know the rota now."])  # two new names
def test_no_handover_without_one_new_and_one_old_holder(text):
    from lic_cli.extract.rules.corrections import handover

    assert handover(text, []) == []


@pytest.mark.slow
def test_a_qa_pair_reaches_the_fact_whose_value_its_answer_states(hotel, enc):
    """qa→fact by value (locate/cross.by_value): the fact whose object the answer states; an
    answer stating another value reaches no fact this way."""
    from lic_cli.locate import cross
    from lic_cli.locate import index as key_index

    project = load_project(hotel)
    task = project.task("hotel_facts")
    index = key_index.load(project, task, enc)
    common = cross.common_words(project, {task.name: index})
    for answer, relation in (("Rooms facing the harbour are $140 a night.", "sea-view room rate"),
                             ("Rooms facing the harbour are $155 a night.", None)):
        item = make_item("qa", {"question": "What is the rate for a sea-view room?", "answer": answer},
                         source="v/t1", engine="rules")
        found = cross.by_value(index, task, item, common)
        assert (index.row(found[0].i)["relation"] if found else None) == relation


@pytest.mark.parametrize("said,value,want", [
    ("fifteen dollars", "fifteen dollars", "$15"),
    ("seven dollars a day", "seven dollars a day", "$7 a day"),
    ("a dollar a ticket", "a dollar a ticket", "$1 a ticket"),
    ("twelve euros per person", "twelve euros per person", "€12 per person"),
    ("eight in the morning", "eight in the morning", "8 am"),
    ("three o'clock in the afternoon", "three o'clock in the afternoon", "3 pm"),
    ("one of them", "one of them", "one of them"),  # no value in words: kept as said
    ("an hour", "an hour", "an hour"),  # quantities in words are matched as they are (_replacement)
])
def test_values_said_in_words_are_written_with_digits(said, value, want):
    assert spans.in_digits(value) == want


@pytest.mark.parametrize("said,value,want", [
    ("Adults pay $9 now. Kids' tickets are the same as before.", "$9", "Adults pay $9 now."),
    ("Since June the gym shuts at 10 pm; weekend hours stay as they were.", "10 pm",
     "Since June the gym shuts at 10 pm;"),
    ("No change for members! Guests are charged £5 from today.", "£5", "Guests are charged £5 from today."),
    ("It's 20 minutes now", "20 minutes", "It's 20 minutes now"),
    ("The price went up.", "$30", "The price went up."),  # no sentence states it: the whole turn
])
def test_the_words_about_a_value_are_the_sentences_that_state_it(said, value, want):
    assert spans.stating(said, value) == want


@pytest.mark.slow
@pytest.mark.parametrize("text,answer,want", [
    # The turn also names the value that stays: the sentence stating the new value decides.
    ("City bikes are $18 a day this summer. The e-bike price hasn't moved.", "$18 a day",
     "A city bike costs $18 a day and an e-bike costs $40 a day."),
    ("A city bike is twenty dollars a day now; e-bikes are unchanged.", "twenty dollars a day",
     "A city bike costs $20 a day and an e-bike costs $40 a day."),
])
def test_one_of_two_values_corrected_when_the_turn_names_the_other_too(shop, enc, text, answer, want):
    project = load_project(shop)
    rec = located(project, turns("How much is a city bike?", FAQ[0]["answer"], text, answered="a1",
                                 question="How much is a city bike?", answer=answer, replaces=FAQ[0]["answer"]), enc)
    assert changes(rec)[("faq", "a1")] == want


@pytest.mark.parametrize("stored,new,hint,want", [
    ("A family pass (two adults, up to three kids) is $60, and a single pass is $25.", "$28",
     "How much is a single pass? Single passes cost $28 now.",
     "A family pass (two adults, up to three kids) is $60, and a single pass is $28."),
    ("Lunch (soup, bread and a drink) is $12 and dinner is $20.", "$14", "How much is lunch? Lunch is $14 now.",
     "Lunch (soup, bread and a drink) is $14 and dinner is $20."),
])
def test_a_comma_or_and_inside_brackets_does_not_end_the_clause(stored, new, hint, want):
    assert spans.rewrite(stored, new, hint=hint).text == want


@pytest.mark.parametrize("said,names", [
    ("It's been Declan Byrne's job since August.", ["Declan Byrne"]),
    ("Tom Ortiz’s team runs the workshop now.", ["Tom Ortiz"]),
    ("Ask Mary O'Brien at the desk.", ["Mary O'Brien"]),
    ("Sean D'Arcy took over from Ana Silva.", ["Sean D'Arcy", "Ana Silva"]),
])
def test_a_name_keeps_its_apostrophe_but_not_a_possessive(said, names):
    assert [s.text for s in spans.spans(said, "name")] == names
    assert spans.widen_value(names[0].split()[0], said) == names[0]


@pytest.mark.parametrize("a,b", [("hardness", "hard"), ("storage", "stored"), ("darkness", "dark"),
                                 ("postage", "posts"), ("percentage", "percent")])
def test_a_noun_made_from_a_word_shares_its_stem(a, b):
    assert spans.stem(a) == spans.stem(b)
    # too short a stem is left alone ("page" is no "p", "stage" no "st")
    assert spans.stem("page") != spans.stem("p") and spans.stem("stage") != spans.stem("st")
