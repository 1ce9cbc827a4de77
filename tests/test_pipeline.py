"""End to end on the real packaged models: the example conversation through every stage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lic_cli import detect, extract, locate, router
from lic_cli.jsonl import Reader
from lic_cli.models import load_encoder
from lic_cli.store.rows import file_hash
from lic_cli.tasks import load_project

REPO = Path(__file__).resolve().parent.parent
TEACH = REPO / "examples" / "teach.jsonl"
pytestmark = pytest.mark.slow


def lic(*args: str, cwd: Path, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "LIC_AUTHOR": "tester"}
    return subprocess.run([sys.executable, "-m", "lic_cli", *args], cwd=cwd, input=stdin, text=True,
                          capture_output=True, env=env, check=check)


def pipeline(records, project):
    encoder = load_encoder("minilm")
    model = detect.load_model(project, choice="head")
    staged = extract.run(detect.run(records, model=model))
    return list(locate.run(router.run(staged, project=project, encoder=encoder), project=project, encoder=encoder))


def by_turn(recs):
    return {f"{r['conversation']}/t{r['turn']}": r for r in recs}


def test_example_conversation_through_every_stage(demo_project):
    project = load_project(demo_project)
    out = by_turn(pipeline(list(Reader(TEACH.open(encoding="utf-8"))), project))
    assert len(out) == sum(1 for _ in TEACH.open())
    assert out["refund/t3"]["intent"]["label"] == "correct"
    assert out["fax/t1"]["intent"]["label"] == "forget"
    assert out["smalltalk/t1"]["intent"]["label"] == "none"
    assert "intent" not in out["refund/t2"]  # assistant turns pass through

    update, *more = out["refund/t3"]["edits"]
    assert (update["task"], update["op"]) == ("support_qa", "update")
    assert update["before"]["answer"] == "You can request a refund within 14 days of delivery."
    # The correction's fragment replaces just the span it corrects (issue 16).
    assert update["after"]["answer"] == "You can request a refund within 30 days of delivery."
    assert update["after"]["question"] == "How long is the refund window?"
    assert update["candidates"][0]["fuzz"] == 1.0
    # The same value in every task that holds it: the facts row (by route's qa->fact conversion or
    # the stale-value sweep), and other rows still stating 14 days about the refund window.
    assert any(e["task"] == "facts" and e["op"] == "update" and e["after"]["object"] == "30 days from delivery"
               for e in more)
    # Each reached as an update: by the sweep, by route's conversion (key) or, since session 7's
    # cross-kind locate, as the row stating the value the correction replaces (replaces).
    assert all(e["op"] == "update" and e["signal"] in ("sweep", "key", "replaces") for e in more), [
        (e["task"], e["op"], e["signal"]) for e in more]

    (delete,) = out["fax/t1"]["edits"]
    assert (delete["task"], delete["op"], delete["before"]["relation"]) == ("facts", "delete", "fax number")
    (label,) = out["ticket/t1"]["edits"]
    assert (label["task"], label["op"], label["after"]["label"]) == ("ticket_topics", "add", "billing")
    (fact,) = out["phone/t1"]["edits"]
    assert (fact["task"], fact["op"], fact["after"]["relation"]) == ("facts", "add", "support phone number")


def test_cli_pipe_writes_patches_and_applies_only_with_yes(demo_project):
    teach = TEACH.read_text(encoding="utf-8")
    located = teach
    for stage in ("detect", "extract", "route", "locate"):
        located = lic(stage, cwd=demo_project, stdin=located).stdout
    qa = demo_project / "datasets" / "support_qa.jsonl"
    before = qa.read_bytes()

    review = lic("apply", cwd=demo_project, stdin=located)
    written = [json.loads(line) for line in review.stdout.splitlines()]
    assert {w["task"] for w in written} >= {"support_qa", "facts", "ticket_topics"}
    assert not any(w["applied"] for w in written)
    assert qa.read_bytes() == before  # without --yes nothing is applied

    applied = [json.loads(line) for line in lic("apply", "--yes", "--sweep", cwd=demo_project, stdin=located).stdout.splitlines()]
    assert all(a["applied"] and a["version"] == 1 for a in applied)
    rows = [json.loads(line) for line in qa.read_text(encoding="utf-8").splitlines()]
    assert {"question": "How long is the refund window?", "answer": "You can request a refund within 30 days of delivery.",
            "split": "train"} in rows
    log = [json.loads(line) for line in (demo_project / "versions" / "support_qa.jsonl").read_text().splitlines()]
    assert log[-1]["version"] == 1 and log[-1]["hash"] == file_hash(qa)

    # Teaching the same things again changes nothing: every edit is a noop.
    again = teach
    for stage in ("detect", "extract", "route", "locate"):
        again = lic(stage, cwd=demo_project, stdin=again).stdout
    ops = [e["op"] for line in again.splitlines() for e in json.loads(line).get("edits", [])]
    assert ops and set(ops) == {"noop"}


def test_detect_stops_quietly_when_downstream_closes(demo_project, tmp_path):
    big = tmp_path / "big.jsonl"
    with big.open("w") as fh:
        for i in range(3000):
            fh.write(json.dumps({"conversation": f"c{i}", "turn": 1, "role": "user", "text": f"hello {i}"}) + "\n")
    proc = subprocess.run(f"{sys.executable} -m lic_cli detect < {big} | head -1", shell=True, cwd=demo_project,
                          capture_output=True, text=True)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["intent"]["label"] in ("teach", "correct", "forget", "none")
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_bad_line_is_one_error_naming_file_and_line(demo_project):
    (demo_project / "bad.jsonl").write_text('{"role": "user", "text": "hi"}\n{"role": "user", "text": \n')
    proc = lic("detect", "-i", "bad.jsonl", cwd=demo_project, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == ["Error: bad.jsonl line 2: invalid JSON (Expecting value at column 26)"]


def test_chat_reads_lines_and_writes_a_transcript_detect_reads(demo_project):
    proc = lic("chat", "--max-new-tokens", "8", cwd=demo_project, stdin="How long is the refund window?\n\n")
    turns = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(t["role"], t["turn"]) for t in turns] == [("user", 1), ("assistant", 2)]
    assert turns[1]["text"].strip() and turns[1]["model"] == "smollm2"
    detected = [json.loads(line) for line in lic("detect", cwd=demo_project, stdin=proc.stdout).stdout.splitlines()]
    assert "intent" in detected[0] and "intent" not in detected[1]
