"""The stale-value sweep reaches a fact that names one word of the corrected subject when its
object is the old value with the very qualifier the corrected clause puts after it ("48 hours
before the performance"), and no fact whose qualifier differs (issue 16, session 9). Domains
in neither the trial rounds nor the sweep eval; no model is loaded (evals/trial/sweep_eval.py's
run_case: locate's own update, then sweep.sweep)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "sweep_eval", Path(__file__).resolve().parents[1] / "evals" / "trial" / "sweep_eval.py")
sweep_eval = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(sweep_eval)


def case(subject, qa, facts, question, new):
    return {"id": "t", "split": "dev", "subject": subject,
            "qa": [{"id": f"q{i}", "question": q, "answer": a} for i, (q, a) in enumerate(qa, 1)],
            "facts": [{"id": f"f{i}", "subject": subject, "relation": r, "object": o} for i, (r, o) in enumerate(facts, 1)],
            "correct": {"task": "qa", "row": "q1", "question": question, "new": new}, "swept": []}


@pytest.mark.parametrize(("subject", "qa", "facts", "question", "new", "swept"), [
    ("Northside Climbing Gym",
     [("Can I cancel my class booking?", "Class bookings can be cancelled up to 12 hours before the class.")],
     [("booking cutoff", "12 hours before the class"), ("guest pass cutoff", "12 hours before arrival")],
     "Can I cancel my class booking?", "6 hours", ["f1"]),
    ("Seaview Guesthouse",
     [("Can I amend my booking?", "Reservations can be changed free of charge until 48 hours before arrival.")],
     [("reservation deadline", "48 hours before arrival"), ("late checkout limit", "48 hours before departure")],
     "Can I amend my booking?", "24 hours", ["f1"]),
    ("Skyway Air",
     [("When does online check-in close?", "Online check-in closes 3 hours before departure.")],
     [("check-in cutoff", "3 hours before departure"), ("boarding pass printing", "3 hours before the flight")],
     "When does online check-in close?", "2 hours", ["f1"]),
])
def test_a_fact_restating_the_value_with_its_qualifier_is_swept(subject, qa, facts, question, new, swept):
    got = sweep_eval.run_case(case(subject, qa, facts, question, new))
    assert got["got"] == swept


def test_one_relation_word_and_a_bare_value_is_not_enough():
    # "personal training price: $45" names "price" and is the old value, but no qualifier says it is the same
    # statement: the rule rejected in session 8 (sweep-eval precision) stays rejected.
    got = sweep_eval.run_case(case(
        "Ironway Gym", [("How much is a membership?", "A monthly membership price is $45.")],
        [("personal training price", "$45"), ("locker hire price", "$45 a month")],
        "How much is a membership?", "$50"))
    assert got["got"] == []


@pytest.mark.parametrize(("subject", "qa", "facts", "question", "new", "swept"), [
    # session 10: a count said with its noun ("fifteen visitors") reaches the fact that names what it
    # counts, and not another fact stating the same number
    ("Harbourside Walking Tours",
     [("How many people can join a tour?", "Tours take up to twelve visitors, for $15 a head.")],
     [("tour visitors", "twelve"), ("minibus seats", "twelve")],
     "How many people can join a tour?", "fifteen visitors", ["f1"]),
    ("Oakfield Kennels",
     [("How many walks do the dogs get?", "Every dog gets two walks a day, and boarding is $30 a night.")],
     [("daily walks", "two walks"), ("vet visits", "two a year")],
     "How many walks do the dogs get?", "three walks", ["f1"]),
])
def test_a_replaced_count_is_swept_to_the_fact_that_counts_the_same_thing(subject, qa, facts, question, new, swept):
    got = sweep_eval.run_case(case(subject, qa, facts, question, new))
    assert got["got"] == swept
