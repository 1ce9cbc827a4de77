"""The key index: cached per dataset version, incremental across versions, IVF at scale."""

from __future__ import annotations

import json

import pytest

from lic_cli.locate import index as key_index
from lic_cli.locate.matcher import search
from lic_cli.models import load_encoder
from lic_cli.tasks import load_project


def append(path, row: dict) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row) + "\n")


@pytest.mark.slow
def test_new_version_embeds_only_changed_keys(demo_project):
    project = load_project(demo_project)
    task = project.task("support_qa")
    enc = load_encoder("minilm")
    first = key_index.load(project, task, enc)
    assert first.manifest["rows"] == 333
    append(project.dataset_path(task), {"question": "Do you engrave headphones?", "answer": "No.", "split": "train"})
    second = key_index.load(project, task, enc)
    assert (second.manifest["embedded"], second.manifest["reused"]) == (1, 333)
    assert second.manifest["hash"] != first.manifest["hash"]
    # Reused embeddings are the ones MiniLM would compute.
    assert abs(float(second.emb[5] @ enc.encode([second.keys[5]])[0]) - 1.0) < 1e-4
    (best, *_) = search(second, ("Do you engrave headphones?",), k=3)
    assert second.keys[best.i] == "Do you engrave headphones?" and best.fuzz == 1.0


@pytest.mark.slow
def test_large_index_uses_static_model_and_lists(tmp_path, monkeypatch):
    (tmp_path / "datasets").mkdir()
    (tmp_path / "tasks.yaml").write_text("version: 1\ntasks:\n  - name: qa\n    description: d\n"
                                         "    dataset: datasets/qa.jsonl\n    format: qa\n    key: [question]\n")
    path = tmp_path / "datasets" / "qa.jsonl"
    cities = ["Toronto", "Denver", "Austin", "Chicago", "Seattle"]
    things = ["laptop", "phone", "tablet", "camera", "speaker", "drone", "monitor", "router"]
    with open(path, "w", encoding="utf-8") as fh:
        for n in range(3000):
            q = f"Can I return the {things[n % 8]} model {n} I bought in {cities[n % 5]}?"
            fh.write(json.dumps({"question": q, "answer": str(n), "split": "train"}) + "\n")
    monkeypatch.setattr(key_index, "MINILM_MAX_ROWS", 1000)
    monkeypatch.setattr(key_index, "IVF_MIN_ROWS", 1000)
    project = load_project(tmp_path)
    task = project.task("qa")
    idx = key_index.load(project, task, load_encoder("minilm"))
    assert idx.manifest["model"].startswith("minilm-static") and idx.manifest["lists"] > 1
    hits = sum(search(idx, (f"is it possible to return the {things[n % 8]} model {n} bought in {cities[n % 5]}",),
                      k=1)[0].i == n for n in range(0, 3000, 150))
    assert hits >= 19
    append(path, {"question": "A brand new question?", "answer": "x", "split": "train"})
    again = key_index.load(project, task, load_encoder("minilm"))
    assert (again.manifest["embedded"], again.manifest["reused"]) == (1, 3000)
