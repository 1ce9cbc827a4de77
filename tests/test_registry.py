"""The model registry, hyper-parameter validation, and train's reuse logic (no training here)."""

from __future__ import annotations

import json
import multiprocessing
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from lic_cli.commands.models import command as models_command
from lic_cli.commands.train import command as train_command
from lic_cli.errors import TaskConfigError
from lic_cli.store.rows import file_hash
from lic_cli.tasks import load_project
from lic_cli.train import NOTHING_TO_TRAIN, registry, run
from lic_cli.train.params import ClassifyParams

TASKS = """\
version: 1
tasks:
  - name: topics
    description: Support tickets labelled with their topic.
    dataset: datasets/topics.jsonl
    format: label
    labels: [billing, shipping]
    train: {type: classification, base: minilm, params: {epochs: 1, max_length: 32}}
  - name: qa
    description: Questions and answers.
    dataset: datasets/qa.jsonl
    format: qa
    train: {type: causal-lm, base: smollm2}
"""


@pytest.fixture
def project(tmp_path: Path):
    (tmp_path / "datasets").mkdir()
    (tmp_path / "tasks.yaml").write_text(TASKS)
    rows = [{"text": f"charged twice {i}", "label": "billing"} for i in range(3)]
    rows += [{"text": f"parcel late {i}", "label": "shipping", "split": "test"} for i in range(2)]
    (tmp_path / "datasets/topics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "datasets/qa.jsonl").write_text('{"question": "q?", "answer": "a."}\n')
    return load_project(tmp_path)


@pytest.fixture
def qa_unimplemented(monkeypatch):
    """The skip path of a train type without an implementation: the qa task (causal-lm) plays it,
    so these tests exercise reuse logic without training a chat model."""
    import lic_cli.train

    monkeypatch.setattr(lic_cli.train, "IMPLEMENTED", ("classification",))


def fake_model(project, task: str, dataset_hash: str, version: int = 0, **extra) -> dict:
    """A registered model folder (registry logic only looks for config.json)."""
    path = registry.model_dir(project, task, version, dataset_hash)
    path.mkdir(parents=True)
    (path / "config.json").write_text("{}")
    entry = {"task": task, "status": "trained", "path": path.relative_to(project.root).as_posix(),
             "dataset_version": version, "dataset_hash": dataset_hash, "base": "minilm",
             "type": "classification", "params": ClassifyParams(epochs=1, max_length=32).to_dict(),
             "metrics": {"accuracy": 1.0}, "time": "2025-01-01T00:00:00+00:00", "seconds": 1.0, **extra}
    return registry.add(project, entry)


# --- params ------------------------------------------------------------------------------

def test_params_defaults_and_coercion():
    p = ClassifyParams.from_dict({"epochs": 3, "learning_rate": "3e-5", "batch_size": 8.0})
    assert (p.epochs, p.learning_rate, p.batch_size, p.max_length) == (3.0, 3e-5, 8, 64)
    assert p.to_dict()["seed"] == 42


@pytest.mark.parametrize("raw, field, words", [
    ({"epoch": 3}, "train.params.epoch", "unknown hyper-parameter"),
    ({"batch_size": 1.5}, "train.params.batch_size", "expected an integer"),
    ({"learning_rate": "fast"}, "train.params.learning_rate", "expected a number"),
    ({"max_length": 4}, "train.params.max_length", "between 8 and 512"),
    ({"epochs": 0}, "train.params.epochs", "must be > 0"),
    ({"freeze_embeddings": "yes"}, "train.params.freeze_embeddings", "true or false"),
    ({"seed": True}, "train.params.seed", "expected an integer"),
])
def test_params_errors_name_task_and_field(raw, field, words):
    with pytest.raises(TaskConfigError) as exc:
        ClassifyParams.from_dict(raw, "intent")
    msg = str(exc.value)
    assert "task 'intent'" in msg and f"field '{field}'" in msg and words in msg


def test_bad_params_fail_before_training(project):
    text = (project.root / "tasks.yaml").read_text().replace("epochs: 1", "epoch: 1")
    (project.root / "tasks.yaml").write_text(text)
    result = CliRunner().invoke(train_command, ["--project", str(project.root)])
    assert result.exit_code == 1
    assert "task 'topics': field 'train.params.epoch': unknown hyper-parameter" in result.stderr
    assert "Traceback" not in result.output


# --- registry ----------------------------------------------------------------------------

def test_entries_latest_for_hash(project):
    assert registry.entries(project) == [] and registry.latest(project, "topics") is None
    a = fake_model(project, "topics", "sha256:" + "a" * 64)
    b = fake_model(project, "topics", "sha256:" + "b" * 64, version=1)
    assert [e["path"] for e in registry.entries(project, "topics")] == [a["path"], b["path"]]
    assert registry.entries(project, "qa") == []
    assert registry.latest(project, "topics")["path"] == "models/topics/v1-bbbbbbbb"
    assert registry.for_hash(project, "topics", a["dataset_hash"])["path"] == "models/topics/v0-aaaaaaaa"
    assert registry.for_hash(project, "topics", "sha256:" + "c" * 64) is None
    # A deleted model folder is not usable: latest falls back to the previous one.
    shutil.rmtree(project.root / b["path"])
    assert registry.latest(project, "topics")["path"] == a["path"]
    assert registry.for_hash(project, "topics", b["dataset_hash"]) is None


def test_latest_prefers_versions_the_log_knows(project):
    from lic_cli.store.versions import VERSIONS_DIR

    known = "sha256:" + "a" * 64
    fake_model(project, "topics", known)
    fake_model(project, "topics", "sha256:" + "e" * 64, version=1)  # trained on unrecorded hand edits
    log = project.root / VERSIONS_DIR / "topics.jsonl"
    log.parent.mkdir()
    log.write_text(json.dumps({"version": 0, "hash": known, "rows": 5, "patch": None, "patch_id": None,
                               "author": "", "time": "", "ops": {}, "message": ""}) + "\n")
    assert registry.latest(project, "topics")["dataset_hash"] == known


def _append_many(root: str, worker: int) -> None:
    proj = load_project(root)
    for i in range(50):
        registry.add(proj, {"task": "topics", "path": f"models/topics/w{worker}-{i}",
                            "dataset_hash": f"sha256:{worker}-{i}", "pad": "x" * 2000})


def test_concurrent_appends_never_interleave(project):
    procs = [multiprocessing.get_context("fork").Process(target=_append_many, args=(str(project.root), w))
             for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        assert p.exitcode == 0
    got = registry.entries(project)  # every line parses
    assert len(got) == 200 and len({e["path"] for e in got}) == 200


def test_torn_last_line_does_not_swallow_the_next_entry(project):
    reg = registry.registry_path(project)
    reg.parent.mkdir(parents=True)
    reg.write_text('{"task": "topics", "pa')  # a crash mid-write
    fake_model(project, "topics", "sha256:" + "a" * 64)
    assert reg.read_text().splitlines()[1].startswith('{"task": "topics", "status"')


def test_models_command_lists_jsonl_when_piped(project):
    fake_model(project, "topics", "sha256:" + "a" * 64)
    result = CliRunner().invoke(models_command, ["--project", str(project.root)])
    assert result.exit_code == 0, result.output
    [entry] = [json.loads(line) for line in result.stdout.splitlines()]
    assert entry["path"] == "models/topics/v0-aaaaaaaa" and entry["metrics"] == {"accuracy": 1.0}
    bad = CliRunner().invoke(models_command, ["nope", "--project", str(project.root)])
    assert bad.exit_code == 1 and "unknown task 'nope'" in bad.stderr


# --- train: only what changed --------------------------------------------------------------

def test_up_to_date_task_is_nothing_to_train(project, qa_unimplemented):
    fake_model(project, "topics", file_hash(project.dataset_path(project.task("topics"))))
    notes: list[str] = []
    assert list(run(project, note=notes.append)) == []
    assert notes[-1] == NOTHING_TO_TRAIN
    assert "qa: skipped: train type 'causal-lm' is not implemented yet" in notes

    result = CliRunner().invoke(train_command, ["--project", str(project.root)])
    assert result.exit_code == 0 and result.stdout == ""
    assert NOTHING_TO_TRAIN in result.stderr


def test_named_task_reports_reuse_and_unimplemented_is_exit_1(project, qa_unimplemented):
    current = file_hash(project.dataset_path(project.task("topics")))
    fake_model(project, "topics", current)
    result = CliRunner().invoke(train_command, ["topics", "qa", "--project", str(project.root)])
    assert result.exit_code == 1
    topics, qa = (json.loads(line) for line in result.stdout.splitlines())
    assert topics["status"] == "reused" and topics["model"] == "models/topics/v0-" + current[7:15]
    assert topics["dataset_hash"] == current and topics["metrics"] == {"accuracy": 1.0}
    assert qa["status"] == "skipped" and "not implemented yet" in qa["reason"]
    assert "qa: skipped: train type 'causal-lm' is not implemented yet" in result.stderr
    assert len(registry.entries(project)) == 1  # already active: no new line

    no_train = CliRunner().invoke(train_command, ["nope", "--project", str(project.root)])
    assert no_train.exit_code == 1 and "unknown task 'nope'" in no_train.stderr
    both = CliRunner().invoke(train_command, ["topics", "--all", "--project", str(project.root)])
    assert both.exit_code == 2


def test_reverted_dataset_reactivates_its_earlier_model(project, qa_unimplemented):
    path = project.dataset_path(project.task("topics"))
    original = path.read_text()
    first = fake_model(project, "topics", file_hash(path))
    path.write_text(original + '{"text": "refund missing", "label": "billing"}\n')
    fake_model(project, "topics", file_hash(path), version=1)
    assert registry.latest(project, "topics")["dataset_version"] == 1
    path.write_text(original)  # the revert: content as it was
    notes: list[str] = []
    [summary] = run(project, note=notes.append)
    assert summary["status"] == "reused" and summary["model"] == first["path"]
    assert registry.latest(project, "topics")["path"] == first["path"]
    assert registry.entries(project)[-1]["status"] == "reused"
    assert any("reusing models/topics/v0-" in n for n in notes)
    notes.clear()
    assert list(run(project, note=notes.append)) == [] and notes[-1] == NOTHING_TO_TRAIN


def test_model_of_unrecorded_edits_is_not_reused_over_and_over(project, qa_unimplemented):
    """A hash the version log does not know yet: latest() skips it, but train is still up to date."""
    from lic_cli.store.versions import VERSIONS_DIR

    log = project.root / VERSIONS_DIR / "topics.jsonl"
    log.parent.mkdir()
    log.write_text(json.dumps({"version": 0, "hash": "sha256:" + "a" * 64, "rows": 5, "patch": None,
                               "patch_id": None, "author": "", "time": "", "ops": {}, "message": ""}) + "\n")
    fake_model(project, "topics", file_hash(project.dataset_path(project.task("topics"))), version=1)
    notes: list[str] = []
    assert list(run(project, note=notes.append)) == [] and notes[-1] == NOTHING_TO_TRAIN
    assert len(registry.entries(project)) == 1
