from pathlib import Path

import pytest

from lic_cli.errors import ProjectError, TaskConfigError
from lic_cli.tasks import find_root, load_project

REPO = Path(__file__).resolve().parent.parent

GOOD = """\
version: 1
tasks:
  - name: qa
    description: questions
    dataset: data/qa.jsonl
    format: qa
  - name: topics
    description: tickets
    dataset: data/t.jsonl
    format: label
    labels: [a, b]
    train: {type: classification, base: minilm, params: {epochs: 1}}
"""


def make(tmp_path: Path, text: str) -> Path:
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "qa.jsonl").write_text("")
    (tmp_path / "data" / "t.jsonl").write_text("")
    (tmp_path / "tasks.yaml").write_text(text)
    return tmp_path


def test_repository_tasks_yaml_loads():
    project = load_project(REPO)
    assert set(project.tasks) >= {"support_qa", "facts", "ticket_topics", "intent"}
    intent = project.task("intent")
    assert intent.labels == ("teach", "correct", "forget", "none") and intent.review == "required"
    assert intent.train.context_column == "context"
    assert project.task("facts").key == ("subject", "relation")


def test_defaults_and_row_mapping(tmp_path):
    project = load_project(make(tmp_path, GOOD))
    qa = project.task("qa")
    assert qa.key == ("question",) and qa.review == "none" and qa.train is None
    assert qa.to_row({"kind": "qa", "question": "q", "answer": "a", "statement": "s"}) == {"question": "q", "answer": "a"}
    assert project.task("topics").train.params == {"epochs": 1}


def test_find_root_walks_up(tmp_path):
    make(tmp_path, GOOD)
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert find_root(tmp_path / "a" / "b") == tmp_path.resolve()


def test_no_project_is_a_clear_error(tmp_path):
    with pytest.raises(ProjectError, match="no tasks.yaml found"):
        find_root(tmp_path)


@pytest.mark.parametrize("edit, expected", [
    (("format: qa", "format: essay"), "task 'qa': field 'format': unknown format 'essay'"),
    (("description: questions\n    ", ""), "task 'qa': field 'description': required"),
    (("dataset: data/qa.jsonl", "dataset: data/missing.jsonl"), "task 'qa': field 'dataset': file not found"),
    (("dataset: data/qa.jsonl", "dataset: ../../etc/passwd"), "task 'qa': field 'dataset': '../../etc/passwd' is outside"),
    (("labels: [a, b]", "labels: [a]"), "task 'topics': field 'labels'"),
    (("labels: [a, b]", "labels: [a, a]"), "task 'topics': field 'labels': duplicate label"),
    (("format: qa\n", "format: qa\n    colour: red\n"), "task 'qa': field 'colour': unknown field"),
    (("type: classification", "type: magic"), "task 'topics': field 'train.type'"),
    (("base: minilm, ", "base: minilm, tolerance: -1, "), "task 'topics': field 'train.tolerance'"),
    (("name: topics", "name: qa"), "task 'qa': duplicate task name"),
    (("name: topics", "name: Bad-Name"), "field 'name'"),
    (("version: 1", "version: 7"), "field 'version'"),
    (("tasks:\n", "tasks: []\nx:\n"), "unknown top-level key 'x'"),
    (("    labels: [a, b]\n", "    labels: [a, b\n"), "invalid YAML"),
    (("format: label", "format: qa"), "task 'topics': field 'labels': only label tasks"),
])
def test_every_error_names_task_and_field(tmp_path, edit, expected):
    old, new = edit
    assert old in GOOD
    with pytest.raises(TaskConfigError) as exc:
        load_project(make(tmp_path, GOOD.replace(old, new, 1)))
    assert expected in str(exc.value)
    assert str(tmp_path / "tasks.yaml") in str(exc.value)


def test_project_paths_cannot_escape(tmp_path):
    project = load_project(make(tmp_path, GOOD))
    with pytest.raises(ProjectError):
        project.path("../outside.jsonl")
    assert project.path("data/qa.jsonl") == (tmp_path / "data" / "qa.jsonl").resolve()
