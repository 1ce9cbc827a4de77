"""lic apply / show / log / revert through click's CliRunner, on a tiny tmp project."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import QA_ROWS, dump_rows, edit, make_project, read_rows, turn

from lic_cli.cli import cli
from lic_cli.store.rows import file_hash

NEW = {"question": "Do you ship to the EU?", "answer": "Yes."}


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.delenv("LIC_PROJECT", raising=False)
    return make_project(tmp_path)


def run(project, *args, input=None):
    who = ["--author", "ann"] if args[0] in ("apply", "revert") else []
    return CliRunner().invoke(cli, [*args, "--project", str(project.root), *who], input=input)


def records(*recs):
    return "".join(json.dumps(r) + "\n" for r in recs)


def out_lines(result):
    return [json.loads(x) for x in result.stdout.splitlines()]


def qa(project):
    return project.root / "datasets/support_qa.jsonl"


LOCATED = records(
    turn("c1", 1, edit("update", QA_ROWS[0], {"answer": "30 days."})),
    {"conversation": "c1", "turn": 2, "role": "assistant", "text": "Noted."},
    turn("c1", 3, edit("add", None, NEW), edit("add", None, {"text": "We ship to the EU.", "label": "teach"},
                                              task="intent")),
    turn("c1", 4, edit("conflict", QA_ROWS[1], None)),
    turn("c1", 5, edit("add", None, {"question": "x", "answer": "y"}), errors=[{"stage": "locate"}]),
)


def test_apply_writes_patches_for_review(project):
    digest = file_hash(qa(project))
    res = run(project, "apply", input=LOCATED)
    assert res.exit_code == 0, res.output
    lines = out_lines(res)
    assert [(x["task"], x["applied"], x["version"]) for x in lines] == [("intent", False, None),
                                                                     ("support_qa", False, None)]
    assert lines[1]["patch"] == "patches/support_qa/0001-how-long-do-refunds-take.patch.jsonl"
    assert lines[1]["ops"] == {"add": 1, "update": 1, "delete": 0}
    assert (project.root / lines[1]["patch"]).is_file()
    assert file_hash(qa(project)) == digest
    assert "c1/t5" in res.stderr and "c1/t4: conflict" in res.stderr


def test_apply_yes_applies_and_log_and_show(project):
    res = run(project, "apply", "--yes", input=LOCATED)
    assert res.exit_code == 0, res.output
    intent, support = out_lines(res)
    assert support["applied"] and support["version"] == 1
    assert not intent["applied"] and "requires review" in res.stderr  # review: required
    assert read_rows(qa(project))[-1] == {**NEW, "split": "train"}
    log = run(project, "log", "support_qa")
    assert [(x["version"], x["patch"]) for x in out_lines(log)] == [(0, None), (1, support["patch"])]
    assert out_lines(log)[1]["time"] == "2026-01-01T00:00:00Z"
    show = run(project, "show", support["patch"])
    assert show.exit_code == 0
    assert '+ answer: "30 days."' in show.stdout and '- answer: "14 days."' in show.stdout
    assert "\x1b[" not in show.stdout  # plain when piped
    colour = run(project, "show", "--color", support["patch"])
    assert "\x1b[" in colour.stdout
    # Approve and apply the intent patch.
    appr = run(project, "apply", "--approve", intent["patch"])
    assert appr.exit_code == 0, appr.output
    assert out_lines(appr)[0]["applied"] and out_lines(appr)[0]["version"] == 1
    header = json.loads((project.root / intent["patch"]).read_text().splitlines()[0])
    assert header["approved_by"] == "ann" and header["approved_at"] == "2026-01-01T00:00:00Z"


def test_apply_patch_twice_says_already_applied(project):
    (first,) = out_lines(run(project, "apply", input=records(turn("c1", 1, edit("add", None, NEW)))))
    assert run(project, "apply", first["patch"]).exit_code == 0
    again = run(project, "apply", first["patch"])
    assert again.exit_code == 0
    assert out_lines(again)[0]["applied"] is False and "already applied" in again.stderr


def test_dry_run_writes_nothing(project):
    before = sorted(p.relative_to(project.root) for p in project.root.rglob("*"))
    digest = file_hash(qa(project))
    res = run(project, "apply", "--dry-run", "--yes", input=LOCATED)
    assert res.exit_code == 0, res.output
    assert all(x["patch"] is None and not x["applied"] for x in out_lines(res))
    assert '+ answer: "30 days."' in res.stderr and "would apply" in res.stderr
    assert file_hash(qa(project)) == digest
    assert sorted(p.relative_to(project.root) for p in project.root.rglob("*")) == before


def test_revert_command(project):
    (first,) = out_lines(run(project, "apply", "--yes", input=records(turn("c1", 1, edit("add", None, NEW)))))
    res = run(project, "revert", first["patch"])
    assert res.exit_code == 0, res.output
    (rev,) = out_lines(res)
    assert rev["applied"] and rev["version"] == 2 and rev["ops"]["delete"] == 1
    assert rev["patch"].startswith("patches/support_qa/0002-revert-")
    assert read_rows(qa(project)) == QA_ROWS
    assert [x["version"] for x in out_lines(run(project, "log", "--json"))] == [0, 1, 2]


def test_conflict_exits_1_with_both_versions(project):
    (first,) = out_lines(run(project, "apply", input=records(
        turn("c1", 1, edit("update", QA_ROWS[0], {"answer": "30 days."})))))
    qa(project).write_text(dump_rows([{**QA_ROWS[0], "answer": "21 days."}] + QA_ROWS[1:]))
    digest = file_hash(qa(project))
    res = run(project, "apply", first["patch"])
    assert res.exit_code == 1
    assert "14 days." in res.stderr and "21 days." in res.stderr and "Traceback" not in res.stderr
    assert file_hash(qa(project)) == digest


@pytest.mark.parametrize("content, needle", [
    ('{"lic_patch": 1}\n', "line 1 field 'task': missing header field"),
    ("not json\n", "line 1: invalid JSON"),
])
def test_bad_patch_is_one_clear_line(project, content, needle):
    bad = project.root / "patches/support_qa/0001-bad.patch.jsonl"
    bad.parent.mkdir(parents=True)
    bad.write_text(content)
    res = run(project, "apply", str(bad))
    assert res.exit_code == 1
    assert needle in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_patch_outside_project_refused(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "x.patch.jsonl"
    outside.write_text("{}\n")
    res = run(project, "apply", str(outside))
    assert res.exit_code == 1 and "inside the project" in res.stderr


def test_bad_record_names_line_and_field(project):
    res = run(project, "apply", input=records(turn("c1", 1, edit("update", None, {"answer": "x"}))))
    assert res.exit_code == 1
    assert "stdin line 1" in res.stderr and "edits[0].before" in res.stderr


def test_patches_and_input_together_is_usage_error(project, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("")
    res = run(project, "apply", "-i", str(src), "x.patch.jsonl")
    assert res.exit_code == 2


def test_commands_do_not_import_heavy_libraries():
    code = ("import sys; from click.testing import CliRunner; from lic_cli.cli import cli\n"
            "for c in ('apply', 'log', 'show', 'revert'):\n"
            "    assert CliRunner().invoke(cli, [c, '--help']).exit_code == 0\n"
            "import lic_cli.patches.run, lic_cli.patches.render\n"
            "bad = [m for m in ('torch', 'transformers', 'datasets', 'sentence_transformers') if m in sys.modules]\n"
            "assert not bad, bad\n")
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
