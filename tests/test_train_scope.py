"""The scope gate of a trained chat model (lic_cli/train/scope.py): which questions the
taught weights answer, which go to the model from before the teaching; and (slow) the
gate written by `lic train`, used by `lic eval` and by the chat backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_train_lm import apply_rows, project  # noqa: F401  (the tiny qa project fixture)

from lic_cli.errors import ModelLoadError, TaskConfigError
from lic_cli.train import scope
from lic_cli.train.params import SFTParams


def test_the_fallback_is_the_model_from_before_any_gated_teaching(tmp_path: Path):
    models_dir = tmp_path / "models" / "qa"
    v0, v1, v2 = (models_dir / name for name in ("v0-aaaa", ".v1-bbbb.tmp", ".v2-cccc.tmp"))
    for folder in (v0, v1, v2):
        folder.mkdir(parents=True)
    # From the base: the base answers the rest.
    first = scope.for_training(v1, ["Q1?"], 0.5, parent_folder=None, base="smollm2")
    assert first.fallback == "smollm2" and first.questions == ("Q1?",)
    # From an ungated parent: that parent is the model before this teaching.
    s1 = scope.for_training(v1, ["Who is the CEO?", "Who runs it?"], 0.5, parent_folder=v0, base="smollm2")
    assert s1.fallback == "../v0-aaaa" and Path(s1.fallback_spec(v1)) == v0.resolve()
    scope.write(v1, s1)
    # From a gated parent: its questions and its fallback carry over, so chains never nest.
    s2 = scope.for_training(v2, ["Who is the CEO?", "Where is the office?"], 0.6, parent_folder=v1, base="smollm2")
    assert s2.questions == ("Who is the CEO?", "Who runs it?", "Where is the office?")
    assert s2.fallback == "../v0-aaaa" and s2.threshold == 0.6
    assert scope.read(v1) == s1 and scope.read(v0) is None


def test_a_damaged_scope_file_is_one_clear_error(tmp_path: Path):
    (tmp_path / scope.SCOPE_FILE).write_text('{"questions": ["a"]}')
    with pytest.raises(ModelLoadError, match=r"lic_scope.json: not a valid scope file"):
        scope.read(tmp_path)
    (tmp_path / scope.SCOPE_FILE).write_text('{"questions": [1], "threshold": 0.5, "fallback": "smollm2"}')
    with pytest.raises(ModelLoadError, match="field 'questions'"):
        scope.read(tmp_path)


def test_the_threshold_is_checked():
    assert SFTParams().scope_threshold == 0.0  # off unless a task asks for it
    with pytest.raises(TaskConfigError, match="train.params.scope_threshold"):
        SFTParams.from_dict({"scope_threshold": 1.5}, "qa")


def test_the_gate_lets_in_rewordings_and_keeps_out_unrelated_questions():
    gate = scope.Gate(scope.Scope(questions=("Who is the CEO of Kestrel?", "What year was Kestrel founded?"),
                                  threshold=0.5, fallback="smollm2"))
    inside = gate.in_scope(["Who is the CEO of Kestrel?", "Who runs Kestrel as its chief executive?",
                            "When was Kestrel started?", "What is the capital of Japan?", "Who wrote Hamlet?"])
    assert inside == [True, True, True, False, False]
    assert scope.Gate(scope.Scope((), 0.5, "smollm2")).in_scope(["anything?"]) == [False]
    assert scope.last_user_text([{"role": "system", "content": "s"}, {"role": "user", "content": "a"},
                                 {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}]) == "c"


def test_a_row_fits_a_question_that_asks_what_it_answers():
    row = scope.Row.of(["How long is the loan period for books at Elmbrook Library?"], "Books can be kept for 21 days.")
    assert scope.fits("For how many days can I keep a borrowed Elmbrook book?", row)  # a rewording
    assert not scope.fits("How long is the loan period for books at Ridgeway Library?", row)  # another subject
    assert not scope.fits("How long is the loan period for books at Elmbrook Library on Sundays?", row)  # a day
    sunday = scope.Row.of(["What time does Elmbrook Library open on Sundays?"], "On Sundays it opens at 11:00.")
    assert scope.fits("How early can I get into Elmbrook Library on Sunday?", sunday)
    assert not scope.fits("What time does Elmbrook Library close on Sundays?", sunday)  # a contrast
    assert not scope.fits("What time does Elmbrook Library open on Saturdays?", sunday)
    hours = scope.Row.of(["How long can I book a study room at Elmbrook?"], "Study rooms can be booked for 3 hours.")
    assert not scope.fits("How many people fit in a study room at Elmbrook?", hours)  # a count, not a duration
    assert scope.asks("Which pharmacist is in charge at Bellmoor?") is None  # "in charge" is no price
    assert scope.asks("What do they call the owl?") is None and scope.asks("What is the phone number?") == "phone"
    assert {"money"} <= scope.answer_types("A flu jab costs 16 pounds.")
    assert {"time"} <= scope.answer_types("Check-in starts at 15:00.")
    assert "person" in scope.answer_types("The head librarian is Priya Valdane.")
    assert scope.anchors("Who is the CEO of Kestrel's shop in Norway?") == {"ceo", "kestr", "norwa"}


def test_a_gate_with_answers_keeps_near_misses_out_and_lets_rewordings_in(tmp_path: Path):
    questions = ("Who is the head librarian at Elmbrook Library?", "What time does Elmbrook Library open on Sundays?")
    answers = ("The head librarian is Priya Valdane.", "On Sundays the library opens at 11:00.")
    s = scope.Scope(questions=questions, threshold=0.5, fallback="smollm2", answers=answers)
    gate = scope.Gate(s)
    assert gate.in_scope([*questions, "When do the Elmbrook doors open on a Sunday morning?",
                          "Who is the head librarian at Ridgeway Library?",
                          "What time does Elmbrook Library close on Sundays?",
                          "What is the capital of Japan?"]) == [True, True, True, False, False, False]
    scope.write(tmp_path, s)
    assert scope.read(tmp_path) == s
    # Taught again with a new answer: the question keeps only the newest one.
    again = scope.for_training(tmp_path / "next", [questions[0]], 0.5, parent_folder=tmp_path, base="smollm2",
                               answers=["The head librarian is Tomasz Greenhalgh."])
    assert again.answers == ("The head librarian is Tomasz Greenhalgh.", answers[1])
    (tmp_path / scope.SCOPE_FILE).write_text(json.dumps({"questions": ["a"], "answers": [], "threshold": 0.5,
                                                         "fallback": "smollm2"}))
    with pytest.raises(ModelLoadError, match="field 'answers'"):
        scope.read(tmp_path)


@pytest.mark.slow
def test_train_writes_a_gate_that_eval_and_chat_route_through(project):  # noqa: F811
    from click.testing import CliRunner

    from lic_cli import models
    from lic_cli.chat.backend import LocalLM
    from lic_cli.chat.session import Session
    from lic_cli.commands.eval import command as eval_command
    from lic_cli.commands.train import command as train_command
    from lic_cli.train import evaluate, registry

    tasks = project.root / "tasks.yaml"
    # The gate's routing alone: the check after generation (on by default since session 10, and in
    # chat since session 11) would refuse this few-step model's answers; tests/test_row_answer.py and
    # tests/test_scope_check.py cover it.
    tasks.write_text(tasks.read_text().replace("scope_threshold: 0}", "scope_threshold: 0.5, scope_check: off}"))
    root = str(project.root)
    first = CliRunner().invoke(train_command, ["-q", "--project", root])
    assert first.exit_code == 0, first.stderr
    [s1] = [json.loads(line) for line in first.stdout.splitlines()]
    v1 = project.root / s1["model"]
    g1 = scope.read(v1)
    assert g1 is not None and g1.fallback == "smollm2" and len(g1.questions) == 3  # every train row

    apply_rows(project, add=[{"question": "Who is the CEO of Kestrel?", "answer": "Marta Okonkwo is the CEO.",
                              "paraphrases": ["Who runs Kestrel?"]}], message="ceo")
    second = CliRunner().invoke(train_command, ["-q", "--project", root])
    assert second.exit_code == 0, second.stderr
    [s2] = [json.loads(line) for line in second.stdout.splitlines()]
    v2 = project.root / s2["model"]
    g2 = scope.read(v2)
    assert g2 is not None and g2.fallback == "smollm2" and "Who is the CEO of Kestrel?" in g2.questions
    assert set(g1.questions) < set(g2.questions) and s2["metrics"]["scope_questions"] == len(g2.questions)

    ev = CliRunner().invoke(eval_command, ["qa", "--json", "--details", "--project", root])
    assert ev.exit_code == 0, ev.stderr
    [res] = [json.loads(line) for line in ev.stdout.splitlines()]
    assert res["items"][0]["in_scope"] is True and res["scope"]["fallback"] == "smollm2"
    # An unrelated question goes to the base: its answer is the base model's, word for word.
    base = evaluate.Answerer(models.resolve("smollm2"), cache=False)
    gated = evaluate.Answerer(registry.model_path(project, registry.latest(project, "qa")), cache=False)
    unrelated = "What is the capital of Japan?"
    assert gated.in_scope([unrelated]) == [False] and gated([unrelated]) == base([unrelated])

    chat = LocalLM(str(v2), max_new_tokens=8)
    msgs = [{"role": "system", "content": "You are helpful."}, {"role": "user", "content": unrelated}]
    assert chat.reply(msgs) == LocalLM("smollm2", max_new_tokens=8).reply(msgs) and chat.last_in_scope is False
    chat.reply([msgs[0], {"role": "user", "content": "Who is the CEO of Kestrel?"}])
    assert chat.last_in_scope is True
    # The transcript says when the fallback answered.
    session = Session(chat)
    session.record(session.user(unrelated))
    assert session.reply()["scope"] == "fallback"
    session.record(session.user("Who is the CEO of Kestrel?"))
    assert "scope" not in session.reply()

    # A gate whose fallback is gone fails when the model is chosen, with one clear line.
    (v2 / scope.SCOPE_FILE).write_text(json.dumps({**json.loads((v2 / scope.SCOPE_FILE).read_text()),
                                                   "fallback": "../gone"}))
    with pytest.raises(ModelLoadError, match="no such alias or folder"):
        LocalLM(str(v2))
