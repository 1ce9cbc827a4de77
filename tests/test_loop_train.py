"""The loop closes: taught knowledge -> patch -> new dataset version -> `lic train` retrains
only the changed classification task, and detect switches to the newest trained intent model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

TASKS = """\
version: 1
tasks:
  - name: ticket_topics
    description: Support tickets labelled with their topic.
    dataset: datasets/ticket_topics.jsonl
    format: label
    labels: [billing, shipping, returns, account, technical, product]
    train: {type: classification, base: minilm, eval_split: test, params: {epochs: 1, max_length: 32}}
  - name: intent
    description: Conversation turns labelled with the speaker's teaching intent.
    dataset: datasets/intent.jsonl
    format: label
    labels: [teach, correct, forget, none]
    review: required
    train: {type: classification, base: minilm, context_column: context, eval_split: test,
            params: {epochs: 4, learning_rate: 2.0e-4, max_length: 48}}
"""


def lic(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lic_cli", *args], cwd=cwd, input=stdin, text=True,
                          capture_output=True, env={**os.environ, "LIC_AUTHOR": "tester"}, check=True)


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def sample(path: Path, every: int) -> str:
    """Every n-th row of a demo dataset: a small but realistic copy."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(lines[::every])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "datasets").mkdir()
    (tmp_path / "tasks.yaml").write_text(TASKS)
    (tmp_path / "datasets" / "ticket_topics.jsonl").write_text(sample(REPO / "datasets" / "ticket_topics.jsonl", 3))
    (tmp_path / "datasets" / "intent.jsonl").write_text(sample(REPO / "datasets" / "intent.jsonl", 3))
    return tmp_path


def test_train_retrains_what_changed_and_detect_uses_the_trained_model(project):
    first = {s["task"]: s for s in jsonl(lic("train", "-q", cwd=project).stdout)}
    assert {t: s["status"] for t, s in first.items()} == {"ticket_topics": "trained", "intent": "trained"}
    assert first["ticket_topics"]["dataset_version"] == 0

    turn = '{"conversation": "c", "turn": 1, "role": "user", "text": "Please forget our old fax number."}\n'
    detected = jsonl(lic("detect", cwd=project, stdin=turn).stdout)
    assert detected[0]["intent"]["model"] == first["intent"]["model"]  # the trained model, not the head

    teach = '{"conversation": "t", "turn": 1, "role": "user", "text": "\'My invoice shows the wrong VAT number\' is a billing ticket."}\n'
    located = teach
    for stage in ("detect", "extract", "route", "locate"):
        located = lic(stage, cwd=project, stdin=located).stdout
    assert jsonl(located)[0].get("edits", [{}])[0].get("op") == "add", located
    applied = jsonl(lic("apply", "--yes", cwd=project, stdin=located).stdout)
    assert [(a["task"], a["version"]) for a in applied] == [("ticket_topics", 1)]

    second = jsonl(lic("train", "-q", cwd=project).stdout)
    assert [(s["task"], s["status"], s["dataset_version"]) for s in second] == [("ticket_topics", "trained", 1)]
    rows = jsonl((project / "models" / "registry.jsonl").read_text())
    assert rows[-1]["task"] == "ticket_topics" and rows[-1]["dataset_version"] == 1

    idle = lic("train", cwd=project)
    assert idle.stdout == "" and "nothing to train" in idle.stderr
