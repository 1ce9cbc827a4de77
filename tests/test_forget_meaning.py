"""Forgets described in other words (issue 16): the row a forget target means, by MiniLM
similarity to each row's key and value with a margin over the runner-up, is proposed for a
person (a conflict); it is deleted only when every view of meaning (key and value, key, answer)
agrees on the row (session 10). A zoo project: a domain in neither the trial rounds nor evals/forget_meaning."""

from __future__ import annotations

import json

import pytest

from lic_cli import locate, router
from lic_cli.extract.schema import make_item
from lic_cli.locate import forgets
from lic_cli.models import load_encoder
from lic_cli.tasks import load_project

TASKS = """version: 1
tasks:
  - name: zoo_faq
    description: Visitor questions and answers about Brookfield Zoo.
    dataset: datasets/zoo_faq.jsonl
    format: qa
    key: [question]
  - name: zoo_messages
    description: Visitor messages to Brookfield Zoo labelled with the desk that handles them.
    dataset: datasets/zoo_messages.jsonl
    format: label
    labels: [bookings, lost_property, questions]
  - name: zoo_facts
    description: Facts about Brookfield Zoo as subject / relation / object triples.
    dataset: datasets/zoo_facts.jsonl
    format: fact
    key: [subject, relation]
"""
FAQ = [("What time does the zoo open in summer?", "The zoo opens at 9 am from April to September."),
       ("What time does the zoo open in winter?", "In winter the zoo opens at 10 am."),
       ("Can we feed the goats?", "Goat food is sold at the petting farm for $2."),
       ("Is there a picnic area?", "There is a covered picnic area by the lake."),
       ("Who looks after the penguins?", "Our penguin keeper is Maya Flores."),
       ("Are dogs allowed?", "Only assistance dogs are allowed in the zoo.")]
FACTS = [("head vet", "Dr Olu Bello"), ("number of species", "140"), ("penguin keeper", "Maya Flores")]
MESSAGES = [("Can you hold two tickets for the Penguin Parade on 14 June for Mrs Okafor?", "bookings"),
            ("My son left his blue scarf near the Reptile House yesterday.", "lost_property"),
            ("Is the Reptile House open on Mondays?", "questions"),
            ("Please invoice Brightwater School for 32 pupils on 3 May.", "bookings"),
            ("Does the Penguin Parade run when it rains?", "questions")]


@pytest.fixture(scope="module")
def zoo(tmp_path_factory):
    root = tmp_path_factory.mktemp("zoo")
    (root / "datasets").mkdir()
    (root / "tasks.yaml").write_text(TASKS, encoding="utf-8")
    (root / "datasets" / "zoo_faq.jsonl").write_text(
        "".join(json.dumps({"question": q, "answer": a, "split": "train"}) + "\n" for q, a in FAQ), encoding="utf-8")
    (root / "datasets" / "zoo_facts.jsonl").write_text(
        "".join(json.dumps({"subject": "Brookfield Zoo", "relation": r, "object": o, "split": "train"}) + "\n"
                for r, o in FACTS), encoding="utf-8")
    (root / "datasets" / "zoo_messages.jsonl").write_text(
        "".join(json.dumps({"text": t, "label": lab, "split": "train"}) + "\n" for t, lab in MESSAGES), encoding="utf-8")
    return load_project(root)


def forget(project, target: str) -> list[dict]:
    enc = load_encoder("minilm")
    rec = {"conversation": "c", "turn": 1, "role": "user", "text": f"Please forget {target}.",
           "intent": {"label": "forget", "score": 1.0},
           "knowledge": [make_item("forget", {"target": target}, source="c/t1", engine="test")]}
    (out,) = locate.run(router.run([rec], project=project, encoder=enc), project=project, encoder=enc)
    return out.get("edits") or []


def deleted(edits: list[dict]) -> set[tuple[str, str]]:
    return {(e["task"], e["before"].get("question") or e["before"].get("relation") or e["before"].get("text"))
            for e in edits if e.get("op") == "delete"}


def located(project, task: str, target: str, turn: str = "") -> dict:
    """locate's edit for a forget routed to `task` (route never routes by meaning alone)."""
    item = make_item("forget", {"target": target}, source="c/t1", engine="test")
    item = forgets.with_turn(item, turn) if turn else item
    return locate.locate_item(project, project.tasks[task], item, 0, load_encoder("minilm"), locate.TOP_K)


@pytest.mark.slow
@pytest.mark.parametrize("target", [
    "who's in charge of the animals' health",
    "the opening time",  # summer and winter: two near-duplicates
    "the lion feeding question", "the gift shop",  # nothing here
])
def test_meaning_the_views_disagree_on_never_deletes(zoo, target):
    # Measured here (session 9), the key-and-value view alone picked the wrong row for "who's in
    # charge of the animals' health" and "the lion feeding question"; the key view and the answer
    # view put those elsewhere, so the row is only proposed (a conflict), never deleted.
    assert deleted(forget(zoo, target)) == set()
    for task in ("zoo_faq", "zoo_facts"):
        assert located(zoo, task, target)["op"] != "delete"


@pytest.mark.slow
def test_meaning_every_view_agrees_on_deletes(zoo):
    # session 10: the key and answer together, the question alone and the answer alone all put
    # "Is there a picnic area?" first, each well above its runner-up: a delete (forgets.agreed_row)
    edit = located(zoo, "zoo_faq", "where we can eat a packed lunch")
    assert (edit["op"], edit["signal"], edit["before"]["question"]) == ("delete", "meaning_agreed",
                                                                        "Is there a picnic area?")
    assert deleted(forget(zoo, "where we can eat a packed lunch")) == {("zoo_faq", "Is there a picnic area?")}


@pytest.mark.slow
def test_a_word_only_one_row_holds_names_it_when_meaning_agrees(zoo):
    # session 12 (forgets.distinct_row): "dog" is in one row only, and meaning over key and value
    # ranks that row first too: a delete (signal meaning_word). Sessions 9-11 only proposed it.
    edit = located(zoo, "zoo_faq", "bringing a dog")
    assert (edit["op"], edit["signal"], edit["before"]["question"]) == ("delete", "meaning_word", "Are dogs allowed?")


@pytest.mark.slow
@pytest.mark.parametrize(("target", "question"), [
    ("bringing a dog", "Are dogs allowed?"),
])
def test_meaning_proposes_the_row_for_a_person(zoo, target, question, monkeypatch):
    # Without the one-row word (LIC_DISTINCT_ROW=0) the views disagree: the row is proposed, not deleted.
    monkeypatch.setattr(forgets, "DISTINCT", False)
    edit = located(zoo, "zoo_faq", target)
    assert (edit["op"], edit["signal"], edit["before"]["question"]) == ("conflict", "meaning", question)
    assert "lic resolve" in edit["reason"]


@pytest.mark.slow
@pytest.mark.parametrize(("target", "want"), [
    ("the one about Mrs Okafor and the Penguin Parade", MESSAGES[0][0]),
    ("the email mentioning Brightwater School's 32 pupils", MESSAGES[3][0]),
    ("the message about the scarf at the Reptile House", MESSAGES[1][0]),
    ("the one about the Reptile House", None),  # two examples mention it
    ("the Penguin Parade question", None),
])
def test_a_labelled_example_named_by_what_it_mentions(zoo, target, want):
    got = {t for task, t in deleted(forget(zoo, target)) if task == "zoo_messages"}
    assert got == ({want} if want else set())


@pytest.mark.slow
@pytest.mark.parametrize(("target", "text", "want"), [
    ("that question", "The petting farm has closed, so nobody can feed the goats now. Please delete that question.",
     "Can we feed the goats?"),
    ("the", "Dogs are banned completely from next month, even assistance dogs, so remove the answer on it.",
     "Are dogs allowed?"),
    ("it", "Please delete it.", None),  # the turn means no row either
])
def test_a_target_that_names_nothing_is_read_from_its_turn(zoo, target, text, want):
    assert forgets.names_nothing(target)
    edit = located(zoo, "zoo_faq", target, text)
    if want is None:
        assert edit["op"] == "noop"
    else:
        assert (edit["op"], edit["before"]["question"]) == ("conflict", want)
