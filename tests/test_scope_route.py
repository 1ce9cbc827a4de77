"""Routes through the scope gate and the row decider (lic_cli/models/scope.py Decider, Gate.route,
Gate.sure_rows; issue 21, session 12): which taught row a question asks for, when the decider is sure,
and how each route answers with it. The rows are of domains no bench domain or tuning run uses (a ski
school, a pottery studio). The judge's probabilities are a table (the learned judge trains for minutes
once per machine); the encoder and the row checks are the real ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_row_answer import TableJudge  # judge probabilities from a table

from lic_cli.errors import ModelLoadError, TaskConfigError
from lic_cli.models import scope
from lic_cli.train.params import SFTParams

SKI = (
    ("How much is a private ski lesson at Snowhollow Ski School?", "A private lesson costs 85 euros an hour."),
    ("What time does the Snowhollow beginners' class start?", "The beginners' class starts at 9:30."),
    ("Who runs the Snowhollow Ski School?", "Annika Lindqvist"),
)
LESSON, CLASS, HEAD = SKI
PARA = "What does Snowhollow charge for one-to-one ski tuition?"  # a paraphrase of LESSON
NEAR = "How much is a group ski lesson at Snowhollow Ski School?"  # a near miss of LESSON


def _gate(route: str | None, table: dict, rows=SKI, answer: float | None = 0.7,
          decider: scope.Decider | None = None) -> scope.Gate:
    questions, answers = zip(*rows, strict=True)
    gate = scope.Gate(scope.Scope(questions=questions, threshold=0.5, fallback="smollm2", answers=answers,
                                  check="judge", answer=answer, route=route))
    gate.check_judge = TableJudge(table)
    if decider is not None:
        gate.decider = decider
    return gate


def test_the_decider_names_one_row_only_when_sure():
    d = scope.Decider(floor=0.5, fits=True, other=0.5)
    lesson, cls = (LESSON[1], 0.8, True, 0.92), (CLASS[1], 0.6, True, 0.2)
    assert d.pick(PARA, [lesson, cls], 0.7) == LESSON[1]
    assert d.pick(PARA, [lesson, cls], 0.95) is None  # under the floor
    assert d.pick(PARA, [lesson, (CLASS[1], 0.6, True, 0.55)], 0.7) is None  # another row is near it
    assert d.pick(PARA, [(LESSON[1], 0.8, False, 0.92)], 0.7) is None  # the row checks say it does not fit
    assert scope.Decider(fits=False).pick(PARA, [(LESSON[1], 0.8, False, 0.92)], 0.7) == LESSON[1]
    assert d.pick(PARA, [(LESSON[1], 0.45, True, 0.99)], 0.7) is None  # too far from every scope question
    # a scope wording itself names its row whatever the judge says
    assert d.pick(LESSON[0], [(LESSON[1], 1.0, True, 0.05), (CLASS[1], 0.6, True, 0.9)], 0.7) == LESSON[1]
    # a wording of two rows (a model-written rewording repeated another row's question): the one that fits
    assert d.pick(LESSON[0], [(CLASS[1], 1.0, False, 0.95), (LESSON[1], 1.0, True, 0.9)], 0.7) == LESSON[1]


def test_rows_only_lets_in_what_the_decider_is_sure_of_and_answers_from_that_row(monkeypatch):
    monkeypatch.setenv("LIC_SCOPE_JUDGE", "1")
    gate = _gate("rows-only", {(PARA, LESSON[0]): 0.93, (NEAR, LESSON[0]): 0.4})
    assert gate.route() == "rows-only"
    assert gate.in_scope([PARA, NEAR, "What is the capital of Peru?"]) == [True, False, False]
    assert gate.sure_rows([PARA, NEAR]) == [LESSON[1], None]
    # the weights' answer stands when it states the row's value; else the row answers in a short sentence
    assert gate.keeps([PARA, PARA], ["It is 85 euros an hour.", "Lessons are free on Mondays."]) == [True, False]
    assert gate.row_answers([PARA, NEAR]) == [LESSON[1], None]
    # a question it is not sure of is never the weights' (rows-only), even one the gate's row checks let in
    assert gate.keeps([NEAR], ["A group lesson costs 85 euros an hour."]) == [False]


def test_rows_first_sends_what_the_decider_is_unsure_of_the_way_of_the_check(monkeypatch):
    monkeypatch.setenv("LIC_SCOPE_JUDGE", "1")
    taught = CLASS[0].replace("What time", "When")  # in scope by the gate's row checks; the judge rates it 0.6
    table = {(PARA, LESSON[0]): 0.93, (taught, CLASS[0]): 0.6}
    first, check = _gate("rows-first", table), _gate(None, table)
    assert first.in_scope([taught]) == check.in_scope([taught]) == [True]
    said = ["The beginners' class starts at 9:30."]
    assert first.keeps([taught], said) == check.keeps([taught], said) == [False]  # the judge check at 0.7
    assert first.keeps([taught], said, floor=0.5) == [True]
    assert first.in_scope([PARA]) == [True] and first.keeps([PARA], ["85 euros an hour."]) == [True]


def test_check_and_rows_also_answers_a_question_the_gate_keeps_out(monkeypatch):
    monkeypatch.setenv("LIC_SCOPE_JUDGE", "1")
    far = "Whose name is on the door of the slope academy?"  # similarity 0.47: under the gate's 0.5
    table = {(far, HEAD[0]): 0.9}
    loose = scope.Decider(floor=0.3)
    plain = _gate(None, table, decider=loose)
    both = _gate("check+rows", table, decider=loose)
    assert plain.route() == "check" and both.route() == "check+rows"
    assert 0.3 <= plain.similarity([far])[0] < 0.5
    assert plain.in_scope([far]) == [False] and both.in_scope([far]) == [True]
    assert both.row_answers([far]) == [scope.row_sentence(*HEAD)]


def test_without_the_judge_or_a_floor_every_route_is_the_check(monkeypatch):
    monkeypatch.setenv("LIC_SCOPE_JUDGE", "1")
    assert _gate("rows-only", {}, answer=None).route() == "check"
    monkeypatch.setenv("LIC_SCOPE_JUDGE", "0")
    gate = _gate("rows-only", {(PARA, LESSON[0]): 0.99})
    assert gate.route() == "check" and gate.sure_rows([PARA]) == [None]
    assert gate.in_scope([LESSON[0]]) == [True]  # the taught question still reaches the weights


def test_a_second_domain(monkeypatch):
    """A pottery studio: the same relation about another object is no row of its own."""
    monkeypatch.setenv("LIC_SCOPE_JUDGE", "1")
    rows = (("How long does a glaze firing take at Kilnhouse Studio?", "A glaze firing takes 9 hours."),
            ("How much is a wheel-throwing course at Kilnhouse Studio?", "The six-week course costs 140 euros."))
    para = "How many hours is a glaze firing at Kilnhouse?"
    other = "How long does a bisque firing take at Kilnhouse Studio?"
    gate = _gate("rows-only", {(para, rows[0][0]): 0.88, (other, rows[0][0]): 0.45}, rows=rows)
    assert gate.sure_rows([para, other]) == [rows[0][1], None]
    assert gate.in_scope([para, other, "How do volcanoes form?"]) == [True, False, False]


def test_the_route_travels_in_the_scope_file_and_the_params_check_it(tmp_path: Path):
    made = scope.for_training(tmp_path / "v1", ["Q?"], 0.5, parent_folder=None, base="smollm2", answers=["A"],
                              check="judge", answer=0.8, route="rows-only")
    scope.write(tmp_path, made)
    assert json.loads((tmp_path / scope.SCOPE_FILE).read_text())["route"] == "rows-only"
    assert scope.read(tmp_path) == made
    plain = scope.for_training(tmp_path / "v1", ["Q?"], 0.5, parent_folder=None, base="smollm2", answers=["A"])
    scope.write(tmp_path, plain)
    assert "route" not in json.loads((tmp_path / scope.SCOPE_FILE).read_text())
    blob = json.loads((tmp_path / scope.SCOPE_FILE).read_text())
    (tmp_path / scope.SCOPE_FILE).write_text(json.dumps({**blob, "route": "sideways"}))
    with pytest.raises(ModelLoadError, match="field 'route': expected one of check, check"):
        scope.read(tmp_path)
    with pytest.raises(TaskConfigError, match="train.params.scope_route"):
        SFTParams.from_dict({"scope_route": "sideways"}, "qa")
    assert SFTParams.from_dict({"scope_route": "rows-first"}, "qa").scope_route == "rows-first"


def test_the_model_card_names_the_route():
    from lic_cli.train import card

    params = {"method": "lora", "scope_threshold": 0.5, "scope_check": "judge", "scope_answer": 0.7,
              "scope_route": "check+rows"}
    entry = {"task": "faq", "path": "models/faq/v1-abc", "base": "smollm2", "dataset_version": 1, "params": params,
             "metrics": {}}
    text = card.render(entry, gated=True, taught=[], fallback="../v0-abc")
    assert "scope_route check+rows" in text and "(route `check+rows`" in text
    plain = card.render({**entry, "params": {**params, "scope_route": "check"}}, gated=True, taught=[], fallback="x")
    assert "(route `" not in plain


def test_a_taught_question_answered_with_a_siblings_value_is_refused_and_its_own_row_answers(monkeypatch):
    """Held-out carhire (session 12): "How much does a small car cost per day?" answered with the week's price
    stood, since the judge rated the week row >= 0.7 for it. A question that is a scope wording keeps only its
    own row's value; refused, the decider names its own row."""
    monkeypatch.setenv("LIC_SCOPE_JUDGE", "1")
    rows = (("How much does a small car cost per day at Wexcombe Hire?", "A small car costs 29 pounds a day."),
            ("How much does a small car cost per week at Wexcombe Hire?", "A small car costs 160 pounds for a week."))
    day, week = rows
    gate = _gate("check+rows", {(day[0], week[0]): 0.95, (day[0], day[0]): 0.9}, rows=rows)
    assert gate.keeps([day[0], day[0]], ["A small car costs 160 pounds for a week.", "It is 29 pounds a day."]) == \
        [False, True]
    assert gate.row_answers([day[0]]) == [day[1]]
    # a question that is no scope wording may still be kept on the judge's word (the check as before)
    asked = "What does Wexcombe Hire charge for a small car for seven days?"
    gate = _gate("check+rows", {(asked, week[0]): 0.9}, rows=rows)
    assert gate.keeps([asked], ["A small car costs 160 pounds for a week."]) == [True]
