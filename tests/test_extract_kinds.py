"""The note and span kinds end to end, labels normalized to the target, several items per
turn, and the learned engine's tagging scheme (gold items <-> spans + templates)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lic_cli import extract, locate, router
from lic_cli.cli import cli
from lic_cli.errors import TaskConfigError
from lic_cli.extract import tagging
from lic_cli.extract.auto import AutoEngine
from lic_cli.extract.engine import Outcome, Turn
from lic_cli.extract.evaluate import _item
from lic_cli.extract.normalize import entity_label, label_for
from lic_cli.extract.rules import extract as rules_extract
from lic_cli.extract.schema import item_problems, make_item
from lic_cli.router.rules import compatible, proposal
from lic_cli.spans import from_conll, inline, merge, to_conll
from lic_cli.tasks import load_project

SENT = "Ajax beat Feyenoord 3-1 in Rotterdam."
TOPICS = ["billing", "shipping", "returns", "account", "technical", "product", "hardware", "network"]


def turn(text: str, label: str = "teach", n: int = 1, conv: str = "c1") -> dict:
    return {"conversation": conv, "turn": n, "role": "user", "text": text, "intent": {"label": label, "score": 0.9}}


def make_project(root: Path, *, conll: bool = False) -> Path:
    (root / "datasets").mkdir(parents=True, exist_ok=True)
    notes = [{"text": "The user eats fish.", "split": "train"}, {"text": "The user lives in Bristol.", "split": "train"},
             {"text": "The user's partner is called Sam.", "split": "train"}]
    (root / "datasets/profile.jsonl").write_text("".join(json.dumps(r) + "\n" for r in notes), encoding="utf-8")
    sentences = [("Ajax beat Feyenoord 3-1 in Rotterdam.", [(0, 4, "ORG"), (27, 36, "LOC")]),
                 ("Maria Lopez joined Siemens in Munich.", [(0, 11, "PER"), (19, 26, "ORG"), (30, 36, "LOC")]),
                 ("PSV signed Luuk de Jong from Sevilla.", [(0, 3, "ORG"), (11, 23, "PER"), (29, 36, "ORG")]),
                 ("Anna moved from Utrecht to Leiden.", [(0, 4, "PER"), (16, 23, "LOC"), (27, 33, "LOC")])]
    rows = []
    for i in range(12):  # enough rows for a short token-classification run
        text, marks = sentences[i % len(sentences)]
        spans = [{"start": a, "end": b, "label": lab} for a, b, lab in marks]
        text = text if i < len(sentences) else f"{text[:-1]} again{'!' * (i // len(sentences))}."
        row = {"text": text, "spans": spans} if not conll else dict(zip(("tokens", "tags"), to_conll(text, spans),
                                                                        strict=True))
        rows.append({**row, "split": "test" if i % 6 == 5 else "train"})
    (root / "datasets/entities.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    cols = "    columns: {tokens: tokens, tags: tags}\n" if conll else ""
    (root / "tasks.yaml").write_text(f"""version: 1
tasks:
  - name: profile
    description: What the assistant knows about the user, as short notes in the third person.
    dataset: datasets/profile.jsonl
    format: text
    train: {{type: retrieval, base: minilm}}
  - name: entities
    description: Sentences with their named entities (people, organisations, places) for an NER model.
    dataset: datasets/entities.jsonl
    format: span
    labels: [PER, ORG, LOC]
{cols}    train:
      type: token-classification
      base: minilm
      eval_split: test
      params: {{epochs: 2, learning_rate: 5.0e-4, batch_size: 8, max_length: 32}}
""", encoding="utf-8")
    return root


# --- schema, spans, tasks ----------------------------------------------------------------

def test_note_and_span_items_have_statements_and_are_checked():
    note = make_item("note", {"text": "The user is vegetarian.", "replaces": "The user eats fish."}, source="c/t1",
                     engine="learned")
    assert note["statement"] == "The user is vegetarian." and not item_problems(note)
    span = make_item("span", {"text": SENT, "spans": [{"start": 10, "end": 19, "label": "ORG"}]}, source="c/t1",
                     engine="rules")
    assert span["statement"] == f"In '{SENT}': Feyenoord = ORG." and not item_problems(span)
    bad = make_item("span", {"text": SENT, "spans": [{"start": 10, "end": 99, "label": "ORG"}]}, source="c/t1",
                    engine="rules")
    assert item_problems(bad)[0] == "'spans[0]' must be {start, end, label} with 0 <= start < end <= len(text)"


def test_spans_convert_between_offsets_and_conll_and_merge():
    spans = [{"start": 0, "end": 4, "label": "ORG"}, {"start": 10, "end": 19, "label": "ORG"}]
    tokens, tags = to_conll(SENT, spans)
    assert tokens[:4] == ["Ajax", "beat", "Feyenoord", "3-1"] and tags[:3] == ["B-ORG", "O", "B-ORG"]
    assert from_conll(tokens, tags) == (SENT, spans)
    assert from_conll(["Luuk", "de", "Jong", "left"], ["B-PER", "I-PER", "I-PER", "O"])[1] == [
        {"start": 0, "end": 12, "label": "PER"}]
    merged = merge(spans, [{"start": 10, "end": 19, "label": "PER"}, {"start": 27, "end": 36, "label": "LOC"}])
    assert [s["label"] for s in merged] == ["ORG", "PER", "LOC"]
    assert inline(SENT, merged) == "[Ajax](ORG) beat [Feyenoord](PER) 3-1 in [Rotterdam](LOC)."


def test_text_and_span_formats_load_and_are_validated(tmp_path):
    project = load_project(make_project(tmp_path))
    assert project.task("profile").format == "text" and project.task("entities").labels == ("PER", "ORG", "LOC")
    conll = load_project(make_project(tmp_path / "conll", conll=True)).task("entities")
    assert conll.span_style == "conll" and conll.key == ("tokens",)
    assert conll.to_row({"text": SENT, "spans": [{"start": 10, "end": 19, "label": "ORG"}]})["tags"][2] == "B-ORG"
    assert project.task("profile").train.type == "retrieval"  # a text task trains as a note memory
    original = (tmp_path / "tasks.yaml").read_text()
    (tmp_path / "tasks.yaml").write_text(original.replace("type: retrieval", "type: token-classification"))
    with pytest.raises(TaskConfigError, match="task 'profile': field 'train.type': token-classification needs a span"):
        load_project(tmp_path)
    (tmp_path / "tasks.yaml").write_text(original.replace("type: token-classification", "type: retrieval"))
    with pytest.raises(TaskConfigError, match="task 'entities': field 'train.type': retrieval .* needs a text task"):
        load_project(tmp_path)


# --- values normalized to the target ------------------------------------------------------

@pytest.mark.parametrize(("said", "label"), [
    ("network-type", "network"), ("a billing ticket", "billing"), ("Returns", "returns"), ("return", "returns"),
    ("hardware-type", "hardware"), ("a shipping question", "shipping"), ("sales", None)])
def test_labels_are_normalized_to_the_task_labels(said, label):
    assert label_for(said, TOPICS) == label


def test_entity_labels_are_normalized():
    assert [entity_label(x, ["PER", "ORG", "LOC"]) for x in ("an organization", "person", "a city", "preson")] == [
        "ORG", "PER", "LOC", "PER"]


def test_run_normalizes_a_label_to_the_project_task_and_keeps_values_whole(demo_project):
    project = load_project(demo_project)
    recs = [turn("'The projector in room 5 keeps flickering' is a technical-type ticket."),
            turn("The Kestrel Aero 2 weighs 1.35 kg and costs $1,299.99.", n=2)]
    out = list(extract.run(recs, engine="rules", project=project))
    assert [(k["kind"], k["label"]) for k in out[0]["knowledge"]] == [("label", "technical")]
    values = json.dumps(out[1]["knowledge"])
    assert "1.35 kg" in values or "$1,299.99" in values  # numbers and units are never cut


# --- the rules' span forms -------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    f"In '{SENT}', Feyenoord is an organization.", f"Tag Feyenoord as an organisation in: {SENT}",
    f"Entities in '{SENT}': Feyenoord (organization).", f"Feyenoord in the sentence '{SENT}' refers to a club."])
def test_rules_read_entity_labels(text):
    assert rules_extract(text, "teach", []) == [("span", {"text": SENT, "spans": [{"start": 10, "end": 19, "label": "ORG"}]})]


def test_rules_leave_entity_questions_and_absent_entities():
    assert rules_extract(f"Is Feyenoord a person or an organization in '{SENT}'?", "teach", []) == []
    assert rules_extract(f"In '{SENT}', PSV is an organization.", "teach", []) == []


# --- the learned engine's tagging scheme ---------------------------------------------------

def test_tagging_round_trips_gold_items_through_spans_and_templates():
    rows = [("The refund window is 30 days.", "", [{"kind": "qa", "question": "What is the refund window?",
                                                    "answer": "30 days"}]),
            ("Remember that I'm vegetarian.", "", [{"kind": "note", "text": "The user is vegetarian."}]),
            ("Actually, I eat fish again.", "According to my notes: The user is vegetarian.",
             [{"kind": "note", "text": "The user eats fish again.", "replaces": "The user is vegetarian."}]),
            ("The lab opens at 8 on weekdays and at 10 on weekends.", "",
             [{"kind": "fact", "subject": "the lab", "relation": "opening time on weekdays", "object": "8"},
              {"kind": "fact", "subject": "the lab", "relation": "opening time on weekends", "object": "10"}])]
    for text, ctx, items in rows:
        enc = tagging.encode_row(text, ctx, items)
        got = tagging.assemble(text, ctx, enc.spans, enc.templates)
        assert sorted(map(_item, got)) == sorted(map(_item, items)), (text, enc)
    assert tagging.encode_row(*rows[0][:2], rows[0][2]).templates == {"qa.question": "What is {0}?"}
    assert tagging.encode_row(*rows[1][:2], rows[1][2]).templates == {"note.text": tagging.THIRD}


def test_rules_read_cued_notes_only():
    assert rules_extract("A bit about me: I always need an aisle seat, so bear that in mind.", "teach", []) == [
        ("note", {"text": "The user needs an aisle seat."})]
    assert rules_extract("Remember that my daughter is nine.", "teach", []) == [
        ("note", {"text": "The user's daughter is nine."})]
    assert rules_extract("Just so you know, I'm really unhappy with this order.", "teach", []) == []
    assert rules_extract("Remember my address is 12 Elm Street when you ship it.", "teach", []) == []


@pytest.mark.parametrize(("said", "told"), [
    ("I eat fish", "The user eats fish"), ("my partner is called Sam", "The user's partner is called Sam"),
    ("I always travel with my dog", "The user always travels with their dog"),
    ("I can't eat gluten", "The user cannot eat gluten"), ("I tore my ACL", "The user tore their ACL"),
    ("I've got asthma", "The user has asthma"), ("Im diabetic", "The user is diabetic")])
def test_first_person_is_told_in_the_third_person(said, told):
    assert tagging.third_person(said) == told


def test_auto_keeps_sure_rule_items_and_sends_the_rest_to_the_learned_engine():
    class Fake:
        name, model = "learned", "fake"

        def extract(self, turns):
            return [Outcome(items=[{"kind": "note", "text": "The user is vegetarian."}]) for _ in turns]

    eng = AutoEngine(learned=Fake)
    span, other = eng.extract([Turn(f"In '{SENT}', Feyenoord is an organization.", [], "teach"),
                               Turn("I'm vegetarian.", [], "teach")])
    assert span.engine == "rules" and span.items[0]["kind"] == "span"
    assert other.engine == "learned" and other.items[0]["kind"] == "note"
    alone = AutoEngine(learned=lambda: None)  # not trained here: the rules alone
    assert alone.extract([Turn("I'm vegetarian.", [], "teach")])[0].items == []


# --- routing -----------------------------------------------------------------------------

def test_notes_route_to_text_tasks_and_spans_to_span_tasks_with_their_labels(tmp_path):
    project = load_project(make_project(tmp_path))
    note = make_item("note", {"text": "The user is vegetarian."}, source="c/t1", engine="x")
    assert [t.name for t, _ in compatible(project, note)] == ["profile"]
    span = make_item("span", {"text": SENT, "spans": [{"start": 10, "end": 19, "label": "ORG"}]}, source="c", engine="x")
    assert [t.name for t, _ in compatible(project, span)] == ["entities"]
    work = {**span, "spans": [{"start": 10, "end": 19, "label": "WORK"}]}
    assert compatible(project, work) == [] and proposal(work)["tasks_yaml"]["format"] == "span"
    assert proposal(note)["tasks_yaml"]["format"] == "text"


# --- end to end (real MiniLM) ----------------------------------------------------------

def _located(project, recs):
    from lic_cli.models import load_encoder

    enc = load_encoder("minilm")
    return list(locate.run(router.run(recs, project=project, encoder=enc), project=project, encoder=enc))


def _apply_and_show(root: Path, located: list[dict]) -> str:
    stdin = "".join(json.dumps(r) + "\n" for r in located)
    res = CliRunner().invoke(cli, ["apply", "--yes", "--project", str(root), "--author", "ann"], input=stdin)
    assert res.exit_code == 0, res.output
    (patch,) = sorted((root / "patches").rglob("*.patch.jsonl"))
    shown = CliRunner().invoke(cli, ["show", str(patch), "--project", str(root), "--no-color"])
    assert shown.exit_code == 0, shown.output
    return shown.stdout


@pytest.mark.slow
def test_a_note_updates_the_note_it_replaces_by_meaning(tmp_path, monkeypatch):
    from lic_cli.extract import learned

    monkeypatch.setattr(learned, "trained_path", lambda: None)  # auto: the rules alone, whatever $LIC_HOME holds
    root = make_project(tmp_path)
    project = load_project(root)
    (said,) = extract.run([turn("Something about me: I'm vegetarian.")], engine="auto", project=project)
    assert [(k["kind"], k["text"], k["engine"]) for k in said["knowledge"]] == [
        ("note", "The user is vegetarian.", "rules")]
    (rec,) = _located(project, [said])
    (edit,) = rec["edits"]
    assert (edit["task"], edit["op"], edit["before"]["text"]) == ("profile", "update", "The user eats fish.")
    assert edit["after"]["text"] == "The user is vegetarian."
    shown = _apply_and_show(root, [rec])
    assert '- text: "The user eats fish."' in shown and '+ text: "The user is vegetarian."' in shown
    rows = [json.loads(x) for x in (root / "datasets/profile.jsonl").read_text().splitlines()]
    assert [r["text"] for r in rows] == ["The user is vegetarian.", "The user lives in Bristol.",
                                         "The user's partner is called Sam."]
    # An unrelated note is added, not an update of the nearest one.
    other = make_item("note", {"text": "The user plays goalkeeper in a Sunday league."}, source="c1/t2", engine="x")
    (rec2,) = _located(load_project(root), [{**turn("x", n=2), "knowledge": [other]}])
    assert rec2["edits"][0]["op"] == "add"
    # lic train: a text task's train type is `retrieval`, a note memory lic predict looks notes up in.
    res = CliRunner().invoke(cli, ["train", "profile", "--project", str(root)])
    assert res.exit_code == 0, res.output
    entry = [json.loads(x) for x in (root / "models" / "registry.jsonl").read_text().splitlines()][-1]
    assert entry["type"] == "retrieval" and entry["metrics"]["rows"] == 3 and entry["metrics"]["distinct"] == 1.0
    asked = CliRunner().invoke(cli, ["predict", "profile", "--project", str(root)],
                               input=json.dumps({"text": "What is my partner's name?"}) + "\n")
    assert asked.exit_code == 0, asked.output
    (found,) = [json.loads(x) for x in asked.stdout.splitlines()]
    assert found["notes"][0]["text"] == "The user's partner is called Sam." and len(found["notes"]) == 3


@pytest.mark.slow
@pytest.mark.parametrize("conll", [False, True])
def test_a_span_taught_in_conversation_is_patched_shown_and_trained(tmp_path, conll):
    root = make_project(tmp_path, conll=conll)
    project = load_project(root)
    said = turn("In 'Ajax beat Feyenoord 3-1 in Rotterdam.', Feyenoord is an organization.")
    (rec,) = list(extract.run([said], engine="auto", project=project))
    assert [s["label"] for s in rec["knowledge"][0]["spans"]] == ["ORG"]
    (located,) = _located(project, [rec])
    (edit,) = located["edits"]
    assert (edit["task"], edit["op"]) == ("entities", "update")  # the same sentence: its spans merged
    shown = _apply_and_show(root, [located])
    assert "entities: [Ajax](ORG) beat [Feyenoord](ORG) 3-1 in [Rotterdam](LOC)." in shown
    row = json.loads((root / "datasets/entities.jsonl").read_text().splitlines()[0])
    tags = row["tags"] if conll else to_conll(row["text"], row["spans"])[1]
    assert tags[:3] == ["B-ORG", "O", "B-ORG"]
    if conll:
        return  # training is the same code for both shapes: run once
    res = CliRunner().invoke(cli, ["train", "entities", "--project", str(root)])
    assert res.exit_code == 0, res.output
    entry = [json.loads(x) for x in (root / "models" / "registry.jsonl").read_text().splitlines()][-1]
    assert entry["type"] == "token-classification" and "entity_f1" in entry["metrics"]
    from lic_cli.models.tagger import Tagger

    tagger = Tagger.load(root / entry["path"])
    assert tagger.tag([["Ajax", "beat", "Feyenoord"]])[0][0].endswith("ORG") or entry["metrics"]["entity_f1"] >= 0


def test_eval_on_the_corpus_reports_held_out_domains(tmp_path):
    from lic_cli.commands.extract import command
    from lic_cli.extract.learned import corpus_rows

    out = tmp_path / "m.json"
    res = CliRunner().invoke(command, ["--engine", "rules", "--eval", "corpus", "--eval-json", str(out)])
    assert res.exit_code == 0, res.output
    assert "domain" in res.stdout and "teaching rows only" in res.stdout
    m = json.loads(out.read_text())
    dev = {r["domain"] for r in corpus_rows() if r["split"] == "dev"}
    train = {r["domain"] for r in corpus_rows() if r["split"] == "train"}
    assert m["split"] == "dev" and set(m["per_domain"]) == dev and not dev & train
    assert m["per_kind"]["span"]["field"]["precision"] == 1.0 and m["empty_kept"] > 0.9


def test_auto_follows_a_project_extraction_dataset_where_it_has_one(demo_project, tmp_path):
    from lic_cli.extract.auto import choose_policy
    from lic_cli.extract.engine import RulesEngine

    class Empty:
        name, model = "learned", "empty-for-test"

        def extract(self, turns):
            return [Outcome() for _ in turns]

    # The demo keeps its own extract dataset: on its dev rows the rules alone score best here.
    assert choose_policy(load_project(demo_project), RulesEngine(), Empty()) == "rules"
    assert choose_policy(load_project(make_project(tmp_path / "p")), RulesEngine(), Empty()) == "corpus"
    assert choose_policy(None, RulesEngine(), Empty()) == "corpus"
