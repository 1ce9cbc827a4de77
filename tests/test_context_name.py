"""The rewording without the shared name (lic_cli/train/context_name.py, session 13) and the plan that teaches it."""

from __future__ import annotations

from lic_cli.train.causal import plan, read_qa
from lic_cli.train.context_name import shared_names, without
from lic_cli.train.params import SFTParams

# An invented bakery, not a bench domain: the rule is checked on phrasings it was not written from.
BAKERY = ["How much is a sourdough loaf at Crumbwell?", "When does Crumbwell open on Sundays?",
          "What is Crumbwell's phone number?", "Does Crumbwell bake gluten-free bread?",
          "Who runs the Crumbwell cake counter?", "How much is the Victoria sponge?"]


def test_the_shared_name_is_the_one_most_questions_name():
    names = shared_names(BAKERY + ["What is the capital of France?", "How many legs does a spider have?"])
    assert names == {"Crumbwell"}  # Victoria, Sundays, France: in one question each
    assert shared_names(BAKERY[:2]) == set()  # fewer than MIN_QUESTIONS questions name it


def test_the_name_goes_where_english_lets_it():
    names = {"Crumbwell"}
    assert without("How much is a sourdough loaf at Crumbwell?", names) == "How much is a sourdough loaf?"
    assert without("What is Crumbwell's phone number?", names) == "What is the phone number?"
    assert without("Who runs the Crumbwell cake counter?", names) == "Who runs the cake counter?"
    assert without("Does Crumbwell bake gluten-free bread?", names) == "Do you bake gluten-free bread?"
    assert without("How do I send a cake to Crumbwell before noon?", names) == "How do I send a cake before noon?"
    # a multi-word name goes whole; a name the sentence needs stays, and then no rewording
    assert without("Who drives the Lantern Larder van on Tuesdays?", {"Lantern", "Larder"}) == \
        "Who drives the van on Tuesdays?"
    assert without("When does Crumbwell open on Sundays?", names) is None
    assert without("How far will the Lantern Larder travel?", {"Lantern", "Larder"}) is None
    assert without("How much is the Victoria sponge?", names) is None  # no shared name in it


def test_the_plan_teaches_the_question_without_the_shared_name(tmp_path):
    from test_train_lm import TASKS, apply_rows, register_v0, write_rows

    from lic_cli.tasks import load_project

    (tmp_path / "datasets").mkdir()
    (tmp_path / "tasks.yaml").write_text(TASKS)
    write_rows(tmp_path / "datasets" / "qa.jsonl",
               [{"question": q, "answer": f"answer {i}", "split": "train"} for i, q in enumerate(BAKERY[1:])] +
               [{"question": "What is 2 plus 2?", "answer": "4", "split": "test"}])
    project = load_project(tmp_path)
    task = project.task("qa")
    taught = {"question": "How much is a sourdough loaf at Crumbwell?", "answer": "A sourdough loaf is 4 pounds."}
    for on in (0, 1):
        params = SFTParams.from_dict({"replay": 0, "augment": 0, "augment_lm": 0, "augment_context": on}, "qa")
        if on == 0:
            register_v0(project, params)
            apply_rows(project, add=[taught])
        got = plan(project, task, params, read_qa(task, project.dataset_path(task)), note=lambda _m: None)
        questions = {p[0][-1]["content"] for p in got.train_pairs}
        want = {taught["question"], "How much is a sourdough loaf?"} if on else {taught["question"]}
        assert questions == want and set(got.scope) == want
