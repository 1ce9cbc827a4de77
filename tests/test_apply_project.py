"""A tiny project for the patch / store / apply tests, and helpers to drive it.

Imported by test_patches.py, test_store*.py, test_cli_apply.py and test_apply_*.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lic_cli.tasks import Project, load_project

TASKS_YAML = """\
version: 1
tasks:
  - name: support_qa
    description: Customer support questions and answers.
    dataset: datasets/support_qa.jsonl
    format: qa
    key: [question]
  - name: facts
    description: Facts as triples.
    dataset: datasets/facts.jsonl
    format: fact
  - name: intent
    description: Teaching intent of a turn.
    dataset: datasets/intent.jsonl
    format: label
    labels: [teach, correct, forget, none]
    review: required
"""

QA_ROWS = [
    {"question": "How long do refunds take?", "answer": "14 days.", "split": "train"},
    {"question": "Do you ship abroad?", "answer": "No.", "split": "train"},
    {"question": "What is the warranty?", "answer": "One year.", "split": "test"},
    {"question": "Can I pay by card?", "answer": "Yes, Visa and Mastercard.", "split": "train"},
]
FACT_ROWS = [
    {"subject": "Kestrel", "relation": "phone", "object": "555-0100", "split": "train"},
    {"subject": "Kestrel", "relation": "opening hours", "object": "9-17", "split": "train"},
]
INTENT_ROWS = [
    {"text": "No, it's 30 days now.", "label": "correct", "split": "train"},
    {"text": "Thanks!", "label": "none", "split": "train"},
]


def dump_rows(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def make_project(root: Path) -> Project:
    (root / "datasets").mkdir(parents=True, exist_ok=True)
    (root / "tasks.yaml").write_text(TASKS_YAML, encoding="utf-8")
    (root / "datasets/support_qa.jsonl").write_text(dump_rows(QA_ROWS), encoding="utf-8")
    (root / "datasets/facts.jsonl").write_text(dump_rows(FACT_ROWS), encoding="utf-8")
    (root / "datasets/intent.jsonl").write_text(dump_rows(INTENT_ROWS), encoding="utf-8")
    return load_project(root)


def edit(op: str, before: dict | None = None, after: dict | None = None, *, task: str = "support_qa",
         item: int = 0, score: float = 0.9, row: str | None = None) -> dict[str, Any]:
    return {"item": item, "task": task, "op": op, "row": row, "score": score, "before": before,
            "after": after, "candidates": []}


def turn(conv: str, n: int, *edits: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"conversation": conv, "turn": n, "role": "user", "text": "...", "edits": list(edits), **extra}


def read_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_fixture_project_loads(tmp_path):
    from lic_cli.store.versions import current_version

    project = make_project(tmp_path)
    assert sorted(project.tasks) == ["facts", "intent", "support_qa"]
    for task in project.tasks.values():
        number, digest = current_version(project, task)
        assert number == 0 and digest.startswith("sha256:")
