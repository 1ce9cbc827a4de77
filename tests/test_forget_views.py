"""Forgets described in other words (issue 16, session 10), on an observatory project: a domain in
neither the trial rounds, evals/forget_meaning nor the zoo of test_forget_meaning.py.

* meaning deletes only when every view agrees (key and value, key, answer): never a wrong row;
* a fact is not named by a target whose names it does not hold ("the complaint with the Harbour
  Lane address" is no forget of the observatory's address), and the widest relation a target
  names is the one meant ("the Eastside kiosk phone" beside "phone");
  (first run of these phrasings, written before the code ran on them: "the show for little ones"
  was expected to stay a proposal and was deleted, rightly; "the complaint with the Harbour Lane
  address" was expected to delete an example, but two examples hold that name, so none was)
* a labelled example named by the names and numbers it holds, the rest a description;
* a compound is one word ("the drop-off and pick-up times" names neither row);
* a task whose row only resembles the target by meaning, sharing none of its words, is not routed
  to when another task's row is named ("forget the head astronomer": not "Who runs the café?").
"""

from __future__ import annotations

import json

import pytest

from lic_cli import locate, router
from lic_cli.extract.schema import make_item
from lic_cli.models import load_encoder
from lic_cli.tasks import load_project

TASKS = """version: 1
tasks:
  - name: sky_faq
    description: Visitor questions and answers about Kettle Hill Observatory.
    dataset: datasets/sky_faq.jsonl
    format: qa
    key: [question]
  - name: sky_messages
    description: Visitor messages to Kettle Hill Observatory labelled with the team that handles them.
    dataset: datasets/sky_messages.jsonl
    format: label
    labels: [bookings, complaints, questions]
  - name: sky_facts
    description: Facts about Kettle Hill Observatory as subject / relation / object triples.
    dataset: datasets/sky_facts.jsonl
    format: fact
    key: [subject, relation]
"""
FAQ = [("What time is drop-off for school groups?", "School groups are dropped off at 9:30 am at the north gate."),
       ("What time is pick-up for school groups?", "Coaches collect school groups at 2:30 pm."),
       ("Can I book a private telescope session?", "Private telescope sessions are $90 an hour, bookable online."),
       ("Is the planetarium show suitable for toddlers?", "The planetarium show is best for ages five and up."),
       ("Who runs the café?", "The café is run by Nadia Brooks."),
       ("Is there wheelchair access to the dome?", "A lift takes wheelchairs up to the main dome."),
       ("Do you sell star charts?", "Star charts are $6 in the gift shop.")]
FACTS = [("head astronomer", "Dr Wen Li"), ("address", "1 Kettle Hill Road"), ("phone", "555-0440"),
         ("Eastside kiosk phone", "555-0447"), ("dome diameter", "12 metres")]
MESSAGES = [("My son left his red hat in the dome on Friday.", "questions"),
            ("The parking attendant at 14 Harbour Lane was rude to us.", "complaints"),
            ("Can we book the Saturday stargazing night for 12 people?", "bookings"),
            ("Is the Harbour Lane car park open late?", "questions")]


@pytest.fixture(scope="module")
def sky(tmp_path_factory):
    root = tmp_path_factory.mktemp("sky")
    (root / "datasets").mkdir()
    (root / "tasks.yaml").write_text(TASKS, encoding="utf-8")
    rows = {"sky_faq": [{"question": q, "answer": a} for q, a in FAQ],
            "sky_facts": [{"subject": "Kettle Hill Observatory", "relation": r, "object": o} for r, o in FACTS],
            "sky_messages": [{"text": t, "label": lab} for t, lab in MESSAGES]}
    for name, rs in rows.items():
        (root / "datasets" / f"{name}.jsonl").write_text(
            "".join(json.dumps({**r, "split": "train"}) + "\n" for r in rs), encoding="utf-8")
    return load_project(root)


def deleted(project, target: str) -> set[tuple[str, str]]:
    enc = load_encoder("minilm")
    rec = {"conversation": "c", "turn": 1, "role": "user", "text": f"Please forget {target}.",
           "intent": {"label": "forget", "score": 1.0},
           "knowledge": [make_item("forget", {"target": target}, source="c/t1", engine="test")]}
    (out,) = locate.run(router.run([rec], project=project, encoder=enc), project=project, encoder=enc)
    return {(e["task"], e["before"].get("question") or e["before"].get("relation") or e["before"].get("text"))
            for e in out.get("edits") or [] if e.get("op") == "delete"}


@pytest.mark.slow
@pytest.mark.parametrize(("target", "want"), [
    # described in other words: deleted only when every view agrees, and never another row
    ("renting a telescope for a night", {("sky_faq", "Can I book a private telescope session?")}),
    ("the show for little ones", {("sky_faq", "Is the planetarium show suitable for toddlers?")}),
    ("getting a wheelchair up to the dome", {("sky_faq", "Is there wheelchair access to the dome?")}),
    ("buying maps of the night sky", set()),
    ("the gift shop opening hours", set()),  # no such row
    ("the school times", set()),  # drop-off and pick-up: near-duplicates
    # words that name rows
    ("the drop-off and pick-up times", set()),  # a compound is one word: neither question holds both
    ("the complaint with the Harbour Lane address", set()),  # two examples hold "Harbour Lane": no guess
    ("the rude-staff complaint from 14 Harbour Lane", {("sky_messages", MESSAGES[1][0])}),
    ("the Eastside kiosk phone", {("sky_facts", "Eastside kiosk phone")}),
    ("the head astronomer", {("sky_facts", "head astronomer")}),
])
def test_forgets_delete_the_row_named_and_never_another(sky, target, want):
    assert deleted(sky, target) == want


def routed_and_located(project, text: str, target: str, before: list[dict]) -> set[tuple[str, str]]:
    enc = load_encoder("minilm")
    recs = [*before, {"conversation": "c", "turn": len(before) + 1, "role": "user", "text": text,
                      "intent": {"label": "forget", "score": 1.0},
                      "knowledge": [make_item("forget", {"target": target}, source="c/t1", engine="learned")]}]
    out = list(locate.run(router.run(recs, project=project, encoder=enc), project=project, encoder=enc))
    return {(e["task"], e["before"].get("question") or e["before"].get("relation") or e["before"].get("text"))
            for e in out[-1].get("edits") or [] if e.get("op") == "delete"}


@pytest.mark.slow
@pytest.mark.parametrize(("text", "target", "before", "want"), [
    # an engine's target cut to nothing: the rules read the turn ("telescope question")
    ("The telescopes are away for repair all year. Can you delete the telescope question?", "the", [],
     {("sky_faq", "Can I book a private telescope session?")}),
    # "that answer" is the assistant's answer just given
    ("We don't sell them any more. Take that answer out please.", "them",
     [{"conversation": "c", "turn": 1, "role": "user", "text": "Do you sell star charts?"},
      {"conversation": "c", "turn": 2, "role": "assistant", "text": "Star charts are $6 in the gift shop."}],
     {("sky_faq", "Do you sell star charts?")}),
    # a target that routes and the turn's own reading are not mixed: nothing else is deleted
    ("Please forget the head astronomer, she has left.", "the head astronomer", [],
     {("sky_facts", "head astronomer")}),
])
def test_a_forget_that_routes_nowhere_is_reread_from_its_turn(sky, text, target, before, want):
    assert routed_and_located(sky, text, target, before) == want
