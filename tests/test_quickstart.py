"""docs/quickstart.md, followed verbatim: the commands of its test block run in a copy of
examples/quickstart (a bike-share helpdesk: FAQ pairs in CSV, labelled tickets in
Parquet, facts in JSONL), and each one is checked for what the doc says it does. No file
is edited between the commands, and the datasets stay CSV / Parquet / JSONL."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lic_cli.store import formats

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs/quickstart.md"
MARKER = "<!-- The test tests/test_quickstart.py runs the block below verbatim"


def doc_commands() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    after = text[text.index(MARKER):]
    block = re.search(r"```sh\n(.*?)```", after, re.S)
    assert block, "the quickstart's test block is missing"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_doc_block_is_at_most_five_lic_commands():
    cmds = doc_commands()
    assert len(cmds) <= 5 and all(c.startswith("lic ") for c in cmds)
    assert cmds[0] == "lic init" and cmds[-1].startswith("lic predict ")
    assert "lic detect" in cmds[1] and cmds[1].endswith("lic apply --yes")


def sh(cmd: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "LIC_AUTHOR": "tester"}
    env.pop("LIC_PROJECT", None)
    return subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=600)


@pytest.mark.slow
def test_quickstart_verbatim(tmp_path):
    proj = tmp_path / "my-bikes"
    shutil.copytree(REPO / "examples/quickstart", proj)
    init, pipe, train, predict = doc_commands()

    res = sh(init, proj)
    assert res.returncode == 0, res.stderr
    tasks = (proj / "tasks.yaml").read_text(encoding="utf-8")
    assert "format: qa" in tasks and "format: fact" in tasks and "format: label" in tasks
    assert 'labels: ["billing", "bike", "app", "membership"]' in tasks and "type: classification" in tasks
    assert "teach.jsonl" in res.stderr and "not a dataset" in res.stderr
    assert sh(init, proj).returncode == 1  # never over an existing tasks.yaml

    res = sh(pipe, proj)
    if res.returncode and "unknown task 'intent'" in res.stderr:
        pytest.xfail("BLOCKED: `lic detect` needs an intent task; the detect helper's packaged default "
                     "detector (issue 17, part 4) is not in yet: " + res.stderr.strip().splitlines()[-1])
    assert res.returncode == 0, res.stderr
    applied = {r["task"]: r for r in map(json.loads, res.stdout.splitlines())}
    assert all(r["applied"] for r in applied.values()), res.stdout
    faq = [r for _, r in formats.read_rows(proj / "faq.csv")]
    assert {"question": "How much does a day pass cost?", "answer": "A day pass costs 12 euros."} in faq
    csv_lines = (proj / "faq.csv").read_text(encoding="utf-8").splitlines()
    original = (REPO / "examples/quickstart/faq.csv").read_text(encoding="utf-8").splitlines()
    assert sum(a != b for a, b in zip(csv_lines, original, strict=True)) == 1  # one line of the CSV changed
    facts = [r for _, r in formats.read_rows(proj / "facts.jsonl")]
    assert any(r["object"] == "+31 20 555 0199" for r in facts)
    tickets = [r for _, r in formats.read_rows(proj / "tickets.parquet")]
    assert tickets[-1]["category"] == "bike" and "wobbles" in tickets[-1]["text"] and len(tickets) == 25
    assert [formats.for_path(proj / f).name for f in ("faq.csv", "tickets.parquet", "facts.jsonl")] == \
        ["csv", "parquet", "jsonl"]

    res = sh(train, proj)
    assert res.returncode == 0, res.stderr
    (summary,) = map(json.loads, res.stdout.splitlines())
    assert summary["task"] == "tickets" and summary["status"] == "trained"
    assert summary["metrics"]["eval_split"] == "test" and "warnings" in summary["metrics"]

    res = sh(predict, proj)
    assert res.returncode == 0, res.stderr
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert len(out) == 3
    assert all(r["label"] in ("billing", "bike", "app", "membership") and 0 < r["score"] <= 1 for r in out)
