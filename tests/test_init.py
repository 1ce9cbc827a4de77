"""lic init: a commented tasks.yaml guessed from a folder's datasets (never overwritten)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from test_store_formats import write_dataset

from lic_cli.cli import cli
from lic_cli.tasks import load_project


def init(root, *args):
    return CliRunner().invoke(cli, ["init", str(root), *args])


def test_guesses_formats_keys_labels_splits_from_columns_and_values(tmp_path):
    # Unusual column names: the label column found by its values, qa by questions ending in '?'.
    write_dataset(tmp_path / "helpdesk_faq.csv", "csv", [
        {"Asked": f"How do I reset password {i}?", "Said": f"Use the reset link {i}."} for i in range(6)])
    write_dataset(tmp_path / "tickets.parquet", "parquet", [
        {"body": f"ticket number {i} about things", "queue": ["it", "hr", "finance"][i % 3],
         "fold": "test" if i % 5 == 0 else "train"} for i in range(30)])
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb/triples.jsonl").write_text("".join(json.dumps(
        {"entity": f"Room {i}", "attribute": "floor", "value": str(i)}) + "\n" for i in range(4)))
    write_dataset(tmp_path / "notes_hf", "hf", [{"x": 1}, {"x": 2}])
    (tmp_path / "chat.jsonl").write_text(json.dumps({"conversation": "c", "turn": 1, "role": "user",
                                                     "text": "hi"}) + "\n")
    res = init(tmp_path, "--dry-run")
    assert res.exit_code == 0, res.output
    assert not (tmp_path / "tasks.yaml").exists()
    text = res.stdout
    assert "format: qa" in text and 'columns: {question: "Asked", answer: "Said"}' in text
    assert "format: fact" in text and 'key: ["entity", "attribute"]' in text
    assert 'labels: ["it", "hr", "finance"]' in text and 'split_column: "fold"' in text
    assert "type: classification" in text and 'eval_split: "test"' in text
    assert "a conversation transcript" in text and "(no task proposed for notes_hf)" in text
    assert "# train:" in text  # qa: the chat model proposed, commented out (minutes on a CPU)
    # Every guess has its reason in a comment above the task.
    assert "most values of 'Asked' end in '?'" in text and "split column 'fold': train 24, test 6" in text

    res = init(tmp_path)
    assert res.exit_code == 0, res.output
    project = load_project(tmp_path)
    assert sorted(project.tasks) == ["helpdesk_faq", "tickets", "triples"]
    t = project.task("tickets")
    assert t.format == "label" and t.columns == {"text": "body", "label": "queue"} and t.split_column == "fold"
    assert project.task("helpdesk_faq").split_column == ""  # no split column: adds get none
    # Never overwritten.
    before = (tmp_path / "tasks.yaml").read_bytes()
    again = init(tmp_path)
    assert again.exit_code == 1 and "already exists" in again.stderr and "Traceback" not in again.output
    assert (tmp_path / "tasks.yaml").read_bytes() == before


def test_no_dataset_is_one_line_error(tmp_path):
    (tmp_path / "readme.txt").write_text("hello")
    res = init(tmp_path)
    assert res.exit_code == 1 and "no dataset lic can use" in res.stderr
    assert not (tmp_path / "tasks.yaml").exists()


@pytest.mark.parametrize("kind", ["csv", "tsv", "parquet", "hf"])
def test_every_format_becomes_a_loadable_task(tmp_path, kind):
    name = {"csv": "t.csv", "tsv": "t.tsv", "parquet": "t.parquet", "hf": "t_hf"}[kind]
    write_dataset(tmp_path / name, kind, [{"question": "Why?", "answer": "Because.", "split": "train"},
                                          {"question": "When?", "answer": "Now.", "split": "test"}])
    assert init(tmp_path).exit_code == 0
    (task,) = load_project(tmp_path).tasks.values()
    assert task.format == "qa" and task.dataset == name and task.split_column == "split"
