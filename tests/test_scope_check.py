"""The check after generation (lic_cli/models/scope.py, Gate.keeps; issue 21): an answer of the
taught weights to an in-scope question stands only when it states a taught row's value (`value`),
the question fits that row (`row`), and (`judge`) the scope judge agrees. The rows and wordings
here are of domains no bench domain or tuning run uses (a ferry line, a bakery)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lic_cli.errors import ModelLoadError, TaskConfigError
from lic_cli.models import scope
from lic_cli.train.params import SFTParams

FERRY = (
    ("What time does the first Gullrock ferry leave on weekdays?", "The first weekday ferry leaves at 6:15."),
    ("How many cars fit on the Gullrock ferry?", "The Gullrock ferry carries 42 cars."),
    ("How much is a foot passenger ticket on the Gullrock ferry?", "A foot passenger ticket costs $4.50."),
    ("Who captains the Gullrock ferry?", "The Gullrock ferry is captained by Ines Faraday."),
)


def _gate(check: str | None) -> scope.Gate:
    questions, answers = zip(*FERRY, strict=True)
    return scope.Gate(scope.Scope(questions=questions, threshold=0.5, fallback="smollm2", answers=answers,
                                  check=check))


def test_value_check_keeps_answers_that_state_a_taught_value_and_no_others():
    gate = _gate("value")
    asked = ["When does the earliest Gullrock boat depart Monday to Friday?",  # a rewording, answered right
             "When does the earliest Gullrock boat depart Monday to Friday?",  # the same, answered wrong
             "How many bikes fit on the Gullrock ferry?"]  # a near miss answered with a made-up count
    said = ["The first ferry on weekdays leaves at 6:15.", "It leaves at 7:30.", "The ferry carries 12 bikes."]
    assert gate.keeps(asked, said) == [True, False, False]
    assert _gate(None).keeps(asked, said) == [True, True, True]  # no check: every answer stands
    assert _gate("value").keeps(asked, said, check="off") == [True, True, True]


def test_row_check_refuses_a_taught_value_given_to_a_question_its_row_does_not_answer():
    gate = _gate("row")
    asked = ["What time does the last Gullrock ferry leave on weekdays?",  # asks a time: the car count is no answer
             "How much is a car ticket on the Gullrock ferry?",  # a price row answers a price question
             "What does a walk-on ticket for the Gullrock ferry cost?",  # a rewording of the fare question
             "Who is in command of the Gullrock ferry?",  # a rewording of the captain question
             "How many cars fit on the Gullrock ferry?"]  # the taught question itself
    said = ["The Gullrock ferry carries 42 cars.", "A foot passenger ticket costs $4.50.", "It costs $4.50.",
            "It is captained by Ines Faraday.", "The Gullrock ferry carries 42 cars."]
    assert gate.keeps(asked, said) == [False, True, True, True, True]
    # what only the value check would keep: the taught weights' answer names no taught value
    assert gate.keeps(["Who is in command of the Gullrock ferry?"], ["The captain is Tom."]) == [False]
    # a question that fits the row whose value it gets (same relation, other object) is beyond the row
    # check: the "bicycles" near miss answered with the car count stands under `row`
    assert gate.keeps(["How many bicycles fit on the Gullrock ferry?"], ["The Gullrock ferry carries 42 cars."]) == [True]


def test_row_check_on_a_second_domain():
    questions = ("How much is a sourdough loaf at Crumb & Co?", "When does Crumb & Co open on Saturdays?")
    answers = ("A sourdough loaf is $6.", "On Saturdays Crumb & Co opens at 7:00.")
    gate = scope.Gate(scope.Scope(questions=questions, threshold=0.5, fallback="smollm2", answers=answers,
                                  check="row"))
    asked = ["What does Crumb & Co charge for sourdough?",  # rewording, right value
             "What time can I get into Crumb & Co on a Saturday?",  # rewording, right value
             "When does Crumb & Co open on Saturdays?",  # taught, but answered with the price row's value
             "How much is a sourdough loaf at Crumb & Co?"]  # taught, answered with no taught value
    said = ["Sourdough costs $6 a loaf.", "It opens at 7:00.", "A sourdough loaf is $6.", "About four dollars."]
    assert gate.keeps(asked, said) == [True, True, False, False]


def test_the_check_travels_in_the_scope_file_and_is_checked(tmp_path: Path):
    made = scope.for_training(tmp_path / "v1", ["Q?"], 0.5, parent_folder=None, base="smollm2", answers=["A"],
                              check="row")
    scope.write(tmp_path, made)
    assert json.loads((tmp_path / scope.SCOPE_FILE).read_text())["check"] == "row"
    assert scope.read(tmp_path) == made
    blob = json.loads((tmp_path / scope.SCOPE_FILE).read_text())
    (tmp_path / scope.SCOPE_FILE).write_text(json.dumps({**blob, "check": "vibes"}))
    with pytest.raises(ModelLoadError, match="field 'check'"):
        scope.read(tmp_path)
    with pytest.raises(TaskConfigError, match="train.params.scope_check"):
        SFTParams.from_dict({"scope_check": "vibes"}, "qa")
    assert SFTParams.from_dict({"scope_check": "value"}, "qa").scope_check == "value"
    assert scope.CHECKS == ("off", "value", "row", "judge")
    # A bare `scope_check: off` in tasks.yaml is YAML 1.1's false: read as "off", not a type error.
    import yaml

    assert SFTParams.from_dict(yaml.safe_load("scope_check: off"), "qa").scope_check == "off"
    with pytest.raises(TaskConfigError, match=r"scope_check': expected a word \(quote it\), got True"):
        SFTParams.from_dict(yaml.safe_load("scope_check: on"), "qa")


def test_the_judge_check_is_the_row_check_while_the_judge_is_switched_off(monkeypatch):
    """The judge trains once per machine on first use (about 3 minutes); tests and machines that set
    LIC_SCOPE_JUDGE=0 get the row check instead, never an untrained judge or a hidden training."""
    monkeypatch.setenv("LIC_SCOPE_JUDGE", "0")
    asked = ["What time does the last Gullrock ferry leave on weekdays?", "Who is in command of the Gullrock ferry?"]
    said = ["The Gullrock ferry carries 42 cars.", "It is captained by Ines Faraday."]
    assert _gate("judge").keeps(asked, said) == _gate("row").keeps(asked, said) == [False, True]
    assert scope.JUDGE_CHECK == 0.7


def test_the_model_card_says_which_answers_the_check_sends_to_the_fallback():
    from lic_cli.train import card

    entry = {"task": "faq", "path": "models/faq/v1-abc", "base": "smollm2", "dataset_version": 1,
             "params": {"method": "lora", "scope_threshold": 0.5, "scope_check": "judge"}, "metrics": {}}
    text = card.render(entry, gated=True, taught=[], fallback="../v0-abc")
    assert "scope_check judge" in text and "the check after generation, `judge`" in text
    plain = card.render({**entry, "params": {"method": "lora", "scope_threshold": 0.5}}, gated=True, taught=[],
                        fallback="../v0-abc")
    assert "check after generation" not in plain
