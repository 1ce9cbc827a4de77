"""The model-loading stages (detect, extract, route, locate) on bad records (issue 19): the
lone surrogate that gave detect's tokenizer a TypeError, 5,000-deep nesting, a knowledge
`kind` that is a list (route and locate: `unhashable type`), 10,000 items on one record
(route hung), a 1 MB turn. One clear line each, exit 1, in bounded time. Slow: each
command loads its model (the real packaged ones)."""

from __future__ import annotations

import json
import time

import pytest
from fuzzkit import invoke, new_project, record, refused

KNOW = {"kind": "qa", "question": "How long do refunds take?", "answer": "30 days.", "statement": "x"}
BASE = {"conversation": "c", "turn": 1, "role": "user", "text": "Refunds take 30 days now.",
        "intent": {"label": "teach", "score": 0.9}}
CASES = {
    "lone-surrogate": '{"conversation": "c", "turn": 1, "role": "user", "text": "caf\\ud800"}',
    "deep-nesting": '{"conversation": "c", "turn": 1, "role": "user", "text": "x", "y": '
                    + "[" * 5000 + "]" * 5000 + "}",
    "kind-list": json.dumps({**BASE, "knowledge": [{**KNOW, "kind": ["qa"]}]}),
    "10k-items": json.dumps({**BASE, "knowledge": [{**KNOW, "question": f"q{i}"} for i in range(10000)]}),
    "1mb-text": json.dumps({**BASE, "text": "refund " * 150000}),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return new_project(tmp_path_factory.mktemp("stages") / "p")


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("command", ["detect", "extract", "route", "locate"])
def test_stage_refuses_bad_records(project, command, case):
    t0 = time.monotonic()
    res = invoke([command, "--project", str(project.root)], input=CASES[case] + "\n")
    bad = refused(res, "stdin line 1")
    if time.monotonic() - t0 > 60:
        bad.append("slow")
    record("wrong-shapes", f"{command}/{case}", not bad)
    assert not bad, bad
