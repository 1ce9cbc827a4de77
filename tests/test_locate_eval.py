"""`lic locate --eval` and `lic route --eval`: metrics over the project's eval sets."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from lic_cli.cli import cli as main
from lic_cli.errors import InputError
from lic_cli.locate.evaluate import read_cases, summarize

REPO = Path(__file__).resolve().parent.parent


def test_eval_sets_have_fixed_splits_and_enough_cases():
    for name, least in (("locate", 150), ("route", 150)):
        cases = read_cases(REPO / "evals" / f"{name}.jsonl", ("task",) if name == "locate" else ())
        assert len(cases) >= least
        assert {c["split"] for c in cases} == {"dev", "test"}
        assert len({c["id"] for c in cases}) == len(cases)


def test_summary_counts_confusion_and_precision():
    s = summarize([
        {"id": "a", "split": "dev", "expected": "noop", "predicted": "noop", "correct": True, "p1": True},
        {"id": "b", "split": "dev", "expected": "update", "predicted": "add", "correct": False, "p1": False},
        {"id": "c", "split": "test", "expected": "add", "predicted": "add", "correct": True, "p1": None},
    ])
    assert s["dev"]["accuracy"] == 0.5 and s["dev"]["precision_at_1"] == 0.5
    assert s["dev"]["confusion"] == {"noop": {"noop": 1}, "update": {"add": 1}} and s["dev"]["errors"] == ["b"]
    assert s["all"]["cases"] == 3 and s["test"]["precision_at_1"] is None


def test_bad_case_names_line_and_field(tmp_path):
    bad = tmp_path / "e.jsonl"
    bad.write_text('{"id": "x", "split": "dev", "task": "t", "item": {"kind": "qa", "question": "q"}, "expect": {}}\n')
    with pytest.raises(InputError) as exc:
        read_cases(bad, ("task",))
    assert exc.value.line == 1 and exc.value.field == "item.answer"


@pytest.mark.slow
def test_eval_commands_print_metrics_and_write_json(demo_project, tmp_path):
    loc, rte = demo_project / "loc.jsonl", demo_project / "route.jsonl"
    loc.write_text("".join(line + "\n" for line in (REPO / "evals" / "locate.jsonl").read_text().splitlines()[::20]))
    shutil.copy(REPO / "evals" / "route.jsonl", rte)
    rte.write_text("".join(line + "\n" for line in rte.read_text().splitlines()[::20]))
    runner = CliRunner()
    for cmd, f in (("locate", loc), ("route", rte)):
        out = tmp_path / f"{cmd}.json"
        res = runner.invoke(main, [cmd, "--project", str(demo_project), "--eval", str(f), "--eval-json", str(out)])
        assert res.exit_code == 0, res.output
        assert "precision@1" in res.stderr and res.stdout == ""
        summary = json.loads(out.read_text())
        assert {"dev", "test", "all"} <= set(summary) and summary["all"]["confusion"]
