"""Shared fixtures and helpers. Nothing here touches the network: models come from installed packages.

The small patch / store / apply project (`make_project`, its rows, and `edit` / `turn` to
build located records) lives here; test modules import the helpers with
`from conftest import make_project, ...` or take the `small_project` fixture.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from lic_cli.tasks import Project, load_project

REPO = Path(__file__).resolve().parent.parent

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
# extract's `auto` trains its learned engine on first use (about a minute): tests get the
# rules alone unless they ask for it (tests/test_extract_firstuse.py does).
os.environ.setdefault("LIC_EXTRACT_TRAIN", "0")
# chat's learned retriever trains on first use (2-3 minutes): tests search with the base
# model, trained ranker in the cache or not, unless they ask for it (tests/test_chat_ranker.py).
os.environ.setdefault("LIC_RANKER", "0")
# likewise chat's cross-encoder re-ranker, trained in $LIC_HOME or not (tests/test_chat_cross.py).
os.environ.setdefault("LIC_CROSS", "0")
# likewise the scope judge that the gate's check after generation asks (scope_check: judge): tests
# get the row check unless they ask for the judge (tests/test_scope_judge.py trains its own).
os.environ.setdefault("LIC_SCOPE_JUDGE", "0")


@pytest.fixture(scope="session", autouse=True)
def lic_home(tmp_path_factory):
    """Converted models are cached machine-wide; keep tests away from the user's cache
    unless LIC_HOME is set (CI and the Makefile point it at .lic/home to reuse conversions)."""
    if not os.environ.get("LIC_HOME"):
        os.environ["LIC_HOME"] = str(tmp_path_factory.mktemp("lic_home"))
    return Path(os.environ["LIC_HOME"])


@pytest.fixture
def demo_project(tmp_path) -> Path:
    """A private copy of the repository's demo project (tasks.yaml + datasets/)."""
    shutil.copy(REPO / "tasks.yaml", tmp_path / "tasks.yaml")
    shutil.copytree(REPO / "datasets", tmp_path / "datasets")
    return tmp_path


@pytest.fixture
def demo_pipe_project(demo_project) -> Path:
    """The demo project with examples/teach.jsonl beside it as teach.jsonl."""
    shutil.copy(REPO / "examples" / "teach.jsonl", demo_project / "teach.jsonl")
    return demo_project


# --- the small patch / store / apply project -----------------------------------------------

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


@pytest.fixture
def small_project(tmp_path) -> Project:
    """make_project in a fresh folder: support_qa, facts and intent with a few rows each."""
    return make_project(tmp_path)
