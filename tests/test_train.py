"""The train stage: dataset splits, metrics, and (slow) end-to-end classification training."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from lic_cli.commands.train import command as train_command
from lic_cli.errors import InputError
from lic_cli.tasks import load_project
from lic_cli.train import NOTHING_TO_TRAIN, registry
from lic_cli.train.classify import score
from lic_cli.train.data import read_splits

LABELS = ["billing", "shipping", "returns", "account", "technical", "product"]
TEMPLATES = {
    "billing": ["I was charged twice for order {n}", "my invoice {n} shows the wrong amount",
                "why was my card billed again for {n}?"],
    "shipping": ["where is my parcel {n}? it is late", "tracking for order {n} has not moved in days",
                 "please change the delivery address of order {n}"],
    "returns": ["how do I send back item {n}?", "the return label for order {n} does not work",
                "I want to exchange order {n} for another size"],
    "account": ["I cannot log in to my account {n}", "please update the email on my profile {n}",
                "turn off notification emails for user {n}"],
    "technical": ["headphones {n} will not pair over bluetooth", "the app crashes when I open order {n}",
                  "my laptop {n} keeps rebooting"],
    "product": ["does the speaker {n} support wifi?", "is charger {n} compatible with my phone?",
                "which headphones would you recommend under {n} dollars?"],
}


def tiny_project(root: Path, *, epochs: int = 1, context: bool = False) -> Path:
    """A 60-row ticket_topics project (48 train, 12 test), plus a causal-lm task to skip."""
    (root / "datasets").mkdir(parents=True)
    rows = []
    for i in range(60):
        label = LABELS[i % 6]
        row = {"text": TEMPLATES[label][(i // 6) % 3].format(n=100 + i), "label": label,
               "split": "test" if i % 5 == 4 else "train"}
        if context:
            row["context"] = "How can I help you today?" if i % 2 else ""
        rows.append(row)
    (root / "datasets/ticket_topics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "datasets/support_qa.jsonl").write_text('{"question": "q?", "answer": "a."}\n')
    ctx = "\n      context_column: context" if context else ""
    (root / "tasks.yaml").write_text(f"""\
version: 1
tasks:
  - name: ticket_topics
    description: Support tickets labelled with their topic.
    dataset: datasets/ticket_topics.jsonl
    format: label
    labels: [{", ".join(LABELS)}]
    train:
      type: classification
      base: minilm
      eval_split: test{ctx}
      params: {{epochs: {epochs}, max_length: 32, batch_size: 16}}
  - name: support_qa
    description: Questions and answers.
    dataset: datasets/support_qa.jsonl
    format: qa
    train: {{type: causal-lm, base: smollm2}}
""")
    return root


# --- data and metrics (fast) -----------------------------------------------------------------

def test_splits_train_default_and_eval(tmp_path):
    project = load_project(tiny_project(tmp_path, context=True))
    task = project.task("ticket_topics")
    with open(project.dataset_path(task), "a") as fh:  # a row without split counts as train
        fh.write(json.dumps({"text": "refund missing", "label": "billing", "context": "Hi!"}) + "\n")
    splits = read_splits(task, project.dataset_path(task))
    assert (len(splits.train), len(splits.eval), splits.eval_split, splits.notes) == (49, 12, "test", [])
    assert splits.train.texts[-1] == "refund missing" and splits.train.contexts[-1] == "Hi!"
    assert splits.train.labels[-1] == 0 and splits.train.contexts[0] == ""


def test_eval_falls_back_to_dev_and_says_so(tmp_path):
    project = load_project(tiny_project(tmp_path))
    path = project.dataset_path(project.task("ticket_topics"))
    path.write_text(path.read_text().replace('"split": "test"', '"split": "dev"'))
    splits = read_splits(project.task("ticket_topics"), path)
    assert splits.eval_split == "dev" and len(splits.eval) == 12
    assert splits.notes == ["ticket_topics: no rows in eval split 'test'; evaluating on 'dev'"]


def test_unknown_label_names_file_line_and_field(tmp_path):
    project = load_project(tiny_project(tmp_path))
    path = project.dataset_path(project.task("ticket_topics"))
    lines = path.read_text().splitlines()
    lines[2] = json.dumps({"text": "hello", "label": "spam"})
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as exc:
        read_splits(project.task("ticket_topics"), path)
    assert str(exc.value).startswith(f"{path} line 3 field 'label': label 'spam' is not one of")
    result = CliRunner().invoke(train_command, ["ticket_topics", "--project", str(project.root)])
    assert result.exit_code == 1 and "line 3 field 'label'" in result.stderr
    assert "Traceback" not in result.output and not (project.root / "models/registry.jsonl").exists()


def test_score_accuracy_macro_and_per_label_f1():
    m = score([0, 0, 1, 1, 2], [0, 1, 1, 1, 0], ["a", "b", "c", "d"])
    assert m["accuracy"] == 0.6 and m["eval_rows"] == 5
    # a: 2*1/(2+2)=0.5, b: 2*2/(2+3)=0.8, c: 0; d never occurs, so it is left out of the macro
    assert m["f1"] == {"a": 0.5, "b": 0.8, "c": 0.0} and m["macro_f1"] == 0.4333


# --- end to end (slow: fine-tunes MiniLM for one short epoch) -------------------------------

@pytest.mark.slow
def test_train_end_to_end(tmp_path, monkeypatch):
    import lic_cli.train

    # support_qa plays a train type without an implementation (the skip path), untrained here.
    monkeypatch.setattr(lic_cli.train, "IMPLEMENTED", ("classification",))
    root = tiny_project(tmp_path / "proj", context=True)
    runner = CliRunner()
    result = runner.invoke(train_command, ["--project", str(root)])  # not -q: the skip below is a status line
    assert result.exit_code == 0, result.output
    [summary] = [json.loads(line) for line in result.stdout.splitlines()]
    assert summary["task"] == "ticket_topics" and summary["status"] == "trained"
    assert summary["dataset_version"] == 0 and summary["dataset_hash"].startswith("sha256:")
    model = root / summary["model"]
    assert summary["model"] == "models/ticket_topics/v0-" + summary["dataset_hash"][7:15]
    assert (model / "model.safetensors").is_file() and (model / "tokenizer.json").is_file()
    metrics = summary["metrics"]
    assert metrics["eval_rows"] == 12 and metrics["train_rows"] == 48 and metrics["eval_split"] == "test"
    assert 0 <= metrics["accuracy"] <= 1 and set(metrics["f1"]) <= set(LABELS)
    assert "support_qa: skipped: train type 'causal-lm' is not implemented yet" in result.stderr

    project = load_project(root)
    [entry] = registry.entries(project)
    assert entry["path"] == summary["model"] and entry["labels"] == LABELS
    assert entry["params"]["epochs"] == 1 and entry["base"] == "minilm" and entry["metrics"] == metrics
    assert registry.latest(project, "ticket_topics") == entry

    again = runner.invoke(train_command, ["--project", str(root)])
    assert again.exit_code == 0 and again.stdout == "" and NOTHING_TO_TRAIN in again.stderr

    from lic_cli.train.classify import Classifier

    clf = Classifier.load(model)
    assert clf.labels == LABELS and clf.max_length == 32
    texts = ["I was charged twice for order 9", "where is my parcel?", "x"]
    proba = clf.predict_proba(texts, ["", "How can I help you today?", ""])
    assert proba.shape == (3, 6) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    # Batching and length-sorting do not change a row's probabilities.
    one = clf.predict_proba(texts[1:2], ["How can I help you today?"])
    assert np.allclose(one[0], proba[1], atol=1e-5)
    assert clf.predict_proba([]).shape == (0, 6)
