"""Answers from the row through the gate (lic_cli/models/scope.py Gate.row_answers; issue 21, session 11):
when the check after generation refuses the taught weights' answer, one taught row that clearly answers
the question says its value in a short templated sentence, instead of the fallback. The rows here are of
domains no bench domain or tuning run uses (a ferry line, a bakery).

The selection logic is tested with a table of judge probabilities standing in for the learned judge
(which trains for minutes once per machine); the row checks and the encoder are the real ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lic_cli.errors import TaskConfigError
from lic_cli.models import scope
from lic_cli.train.params import SFTParams

FERRY = (
    ("What time does the first Gullrock ferry leave on weekdays?", "The first weekday ferry leaves at 6:15."),
    ("How many cars fit on the Gullrock ferry?", "42 cars"),
    ("How much is a foot passenger ticket on the Gullrock ferry?", "$4.50"),
    ("Who captains the Gullrock ferry?", "Ines Faraday"),
)
CARS, FARE = FERRY[1], FERRY[2]


class TableJudge:
    """Judge probabilities from a table keyed by (question, taught question); 0.1 for any other pair."""

    def __init__(self, table: dict[tuple[str, str], float]) -> None:
        self.table = table

    def probability(self, questions, rows):
        import numpy as np

        return np.array([self.table.get((q, r.split(" Answer: ")[0]), 0.1) for q, r in zip(questions, rows, strict=True)],
                        dtype=np.float32)


def _gate(answer: float | None = 0.8, rows=FERRY, table=None) -> scope.Gate:
    questions, answers = zip(*rows, strict=True)
    gate = scope.Gate(scope.Scope(questions=questions, threshold=0.5, fallback="smollm2", answers=answers,
                                  check="judge", answer=answer))
    gate.check_judge = TableJudge(table or {})
    return gate


def test_a_row_answers_in_a_short_sentence_naming_what_it_answers():
    assert scope.row_sentence("Who captains the Gullrock ferry?", "Ines Faraday") == \
        "The answer to \u201cWho captains the Gullrock ferry?\u201d is Ines Faraday."
    assert scope.row_sentence("When?", "The first weekday ferry leaves at 6:15") == \
        "The first weekday ferry leaves at 6:15."  # a whole sentence is its own answer
    assert scope.row_sentence("How much?", "$4.50.") == "The answer to \u201cHow much?\u201d is $4.50."


def test_the_one_row_the_judge_and_the_row_checks_agree_on_answers(monkeypatch):
    monkeypatch.setenv("LIC_SCOPE_JUDGE", "1")
    rewording = "How many vehicles can the Gullrock ferry carry?"
    gate = _gate(table={(rewording, CARS[0]): 0.93})
    assert gate.row_answers([rewording]) == [f"The answer to \u201c{CARS[0]}\u201d is 42 cars."]
    # below the floor: the fallback answers (None)
    assert _gate(table={(rewording, CARS[0]): 0.75}).row_answers([rewording]) == [None]
    assert _gate(0.7, table={(rewording, CARS[0]): 0.75}).row_answers([rewording]) == [scope.row_sentence(*CARS)]
    # session 11's decider: another candidate row the judge also rates 0.5 or more is not clear, no row answers
    table = {(rewording, CARS[0]): 0.93, (rewording, FARE[0]): 0.6}
    both = _gate(table=table)
    both.decider = scope.SESSION11
    assert both.row_answers([rewording]) == [None]
    # since session 12 (scope.DECIDER, chosen on the tuning domains) the best fitting row answers
    assert _gate(table=table).row_answers([rewording]) == [scope.row_sentence(*CARS)]


def test_a_row_that_does_not_fit_the_question_never_answers_it(monkeypatch):
    """A near miss the judge rates high still gets no taught value when the row checks say the row does
    not answer it: a time asked of a row that gives a count, another named ferry (anchors)."""
    monkeypatch.setenv("LIC_SCOPE_JUDGE", "1")
    asked = ["What time does the Gullrock ferry carry the most cars?", "How many cars fit on the Brackwater ferry?"]
    gate = _gate(table={(q, CARS[0]): 0.99 for q in asked})
    assert gate.row_answers(asked) == [None, None]


def test_a_second_domain_and_no_row_answers_without_the_judge_or_a_floor(monkeypatch):
    bakery = (("How much is a sourdough loaf at Crumb & Co?", "4.20 euros"),
              ("When does Crumb & Co open on Saturdays?", "at 7:30"))
    asked = "What does Crumb & Co charge for a sourdough loaf?"
    monkeypatch.setenv("LIC_SCOPE_JUDGE", "1")
    gate = _gate(0.8, rows=bakery, table={(asked, bakery[0][0]): 0.9})
    assert gate.row_answers([asked]) == [scope.row_sentence(*bakery[0])]
    assert _gate(None, rows=bakery, table={(asked, bakery[0][0]): 0.9}).row_answers([asked]) == [None]
    assert gate.row_answers([asked], floor=0.95) == [None]
    monkeypatch.setenv("LIC_SCOPE_JUDGE", "0")  # the judge switched off: no row answers, the row check
    assert gate.row_answers([asked]) == [None]
    assert gate.applied_check() == "row"


def test_the_row_answer_floor_travels_in_the_scope_file_and_the_params_check_it(tmp_path: Path):
    made = scope.for_training(tmp_path / "v1", ["Q?"], 0.5, parent_folder=None, base="smollm2", answers=["A"],
                              check="judge", answer=0.8)
    scope.write(tmp_path, made)
    assert json.loads((tmp_path / scope.SCOPE_FILE).read_text())["row_answer"] == 0.8
    assert scope.read(tmp_path) == made
    with pytest.raises(TaskConfigError, match="train.params.scope_answer"):
        SFTParams.from_dict({"scope_answer": 1.5}, "qa")
    assert SFTParams.from_dict({"scope_answer": 0.8}, "qa").scope_answer == 0.8


def test_the_model_card_says_a_row_answers_what_the_check_refuses():
    from lic_cli.train import card

    entry = {"task": "faq", "path": "models/faq/v1-abc", "base": "smollm2", "dataset_version": 1,
             "params": {"method": "lora", "scope_threshold": 0.5, "scope_check": "judge", "scope_answer": 0.8},
             "metrics": {}}
    text = card.render(entry, gated=True, taught=[], fallback="../v0-abc")
    assert "scope_answer 0.8" in text and "gets that row's value instead" in text


@pytest.mark.slow
def test_serve_and_chat_answer_from_the_row_when_the_check_refuses_the_weights(tmp_path: Path, monkeypatch):
    """A gated folder of the base's own weights, taught the CEO: the weights cannot state the taught
    name, so the check refuses their answer; the one row answers in its words (lic serve: scope "row";
    lic chat: last_route "row"). A rewording the judge does not rate clearly goes to the fallback."""
    from test_serve import CEO, _gated_folder

    from lic_cli.chat.backend import LocalLM
    from lic_cli.serve import GatedModel

    monkeypatch.setenv("LIC_SCOPE_JUDGE", "1")
    folder = _gated_folder(tmp_path, check="value", answer=0.8)
    asked, vague = "Who is Kestrel's CEO?", "Who runs Kestrel as CEO?"
    judge = TableJudge({(asked, CEO): 0.95, (vague, CEO): 0.6})
    model = GatedModel(str(folder))
    model.gate.check_judge = judge
    said = model.reply([{"role": "user", "content": asked}], max_tokens=12)
    assert said == {"text": "Marta Okonkwo is the CEO.", "scope": "row", "prompt_tokens": said["prompt_tokens"],
                    "completion_tokens": said["completion_tokens"], "finish_reason": "stop"}
    assert model.reply([{"role": "user", "content": vague}], max_tokens=12)["scope"] == "fallback"
    chat = LocalLM(str(folder), max_new_tokens=8)
    chat._gate.check_judge = judge
    assert chat.reply([{"role": "user", "content": asked}]) == "Marta Okonkwo is the CEO."
    assert chat.last_route == "row" and chat.last_in_scope
    other = chat.reply([{"role": "user", "content": vague}])
    assert chat.last_route == "fallback" and not chat.last_in_scope and "Okonkwo" not in other


def test_an_untrained_judge_is_never_trained_behind_the_users_back(monkeypatch, tmp_path: Path):
    """Until `lic models --scope-judge` has trained it, the judge check is the row check and no row
    answers: a first `lic eval` or `lic serve` on a new machine pays no hidden minutes of training."""
    monkeypatch.setenv("LIC_SCOPE_JUDGE", "1")
    monkeypatch.setenv("LIC_HOME", str(tmp_path / "fresh"))
    monkeypatch.setattr(scope, "_READY", [])
    questions, answers = zip(*FERRY, strict=True)
    gate = scope.Gate(scope.Scope(questions=questions, threshold=0.5, fallback="smollm2", answers=answers,
                                  check="judge", answer=0.7))
    assert not scope.judge_ready() and gate.applied_check() == "row"
    asked = ["How many vehicles can the Gullrock ferry carry?", "What time does the last Gullrock ferry leave on weekdays?"]
    said = ["It carries 42 cars.", "It carries 42 cars."]
    assert gate.keeps(asked, said) == gate.keeps(asked, said, check="row") == [True, False]
    assert gate.row_answers(asked) == [None, None]
    assert not (tmp_path / "fresh").exists() or not any((tmp_path / "fresh").rglob("judge.json"))
