"""`lic train --ci`: a deliberately bad patch (wrong labels) fails the gate; a good one passes.

Slow: fine-tunes MiniLM three times on a small copy of ticket_topics (one short epoch each).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lic_cli.commands.train import command as train_command
from lic_cli.tasks import load_project

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
    train: {type: classification, base: minilm, eval_split: test, tolerance: 0.1,
            params: {epochs: 3, learning_rate: 3.0e-4, max_length: 32}}
"""


@pytest.fixture
def project(tmp_path: Path):
    (tmp_path / "datasets").mkdir()
    (tmp_path / "tasks.yaml").write_text(TASKS)
    lines = (REPO / "datasets/ticket_topics.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "datasets/ticket_topics.jsonl").write_text("".join(lines[::3]), encoding="utf-8")
    return load_project(tmp_path)


def write_patch(project, ops_for, message: str) -> str:
    """One patch with the ops `ops_for(task, rows)` returns, applied; its project path."""
    from lic_cli.patches import files
    from lic_cli.patches.fileformat import Patch, utc_now
    from lic_cli.patches.run import apply_files
    from lic_cli.store.rows import iter_rows
    from lic_cli.store.versions import current_version

    task = project.task("ticket_topics")
    version, h = current_version(project, task)
    ops = ops_for(task, list(iter_rows(task, project.dataset_path(task))))
    patch = Patch(task=task.name, dataset=task.dataset, base_version=version, base_hash=h, author="t",
                  time=utc_now(), source=(), message=message, ops=tuple(ops))
    path = files.write_new(project, patch, message)
    [result] = apply_files([str(path)], project=project, author="t", approve=False, dry_run=False,
                           notify=lambda _m: None)
    assert result.get("version") is not None, result
    return path.relative_to(project.root).as_posix()


def scramble(task, rows):
    """Most train tickets get the next topic's label."""
    from lic_cli.patches.fileformat import Op

    labels = task.labels
    return [Op("update", rid, row, {**row, "label": labels[(labels.index(row["label"]) + 1) % len(labels)]})
            for rid, _line, row in rows if row.get("split", "train") == "train" and len(row["text"]) % 5]


def add_ticket(task, rows):
    from lic_cli.patches.apply import expected_id
    from lic_cli.patches.fileformat import Op

    row = {"text": "I was charged twice for the same order, please refund one payment", "label": "billing"}
    return [Op("add", expected_id(task, row), None, row)]


def train_ci(project) -> tuple[int, dict, str]:
    result = CliRunner().invoke(train_command, ["-q", "--ci", "--project", str(project.root)])
    [summary] = [json.loads(line) for line in result.stdout.splitlines()]
    return result.exit_code, summary, result.stderr


def test_ci_gate_fails_a_bad_patch_and_passes_a_good_one(project):
    from lic_cli.patches.run import revert_files

    code, first, _ = train_ci(project)
    assert code == 0 and first["gate"] == {"passed": True, "against": None, "tolerance": 0.1, "drops": []}
    assert first["metrics"]["accuracy"] >= 0.5  # a model worth protecting

    bad_patch = write_patch(project, scramble, "scramble-labels")
    code, bad, err = train_ci(project)
    assert code == 1 and bad["status"] == "trained" and not bad["gate"]["passed"]
    assert bad["gate"]["against"] == first["model"]
    assert "accuracy" in {d["metric"] for d in bad["gate"]["drops"]}
    assert "ticket_topics: accuracy dropped" in err and "CI gate failed: ticket_topics" in err

    # Reverting the bad patch brings the first model back at once (no training, no gate).
    list(revert_files([bad_patch], project=project, author="t", message=None, approve=False, dry_run=False,
                      notify=lambda _m: None))
    code, back, _ = train_ci(project)
    assert code == 0 and back["status"] == "reused" and back["model"] == first["model"] and "gate" not in back

    # Good: one more correctly labelled ticket, compared with the first model.
    write_patch(project, add_ticket, "one-more-ticket")
    code, good, err = train_ci(project)
    assert good["status"] == "trained" and good["gate"]["against"] == first["model"]
    assert code == 0 and good["gate"]["passed"], err
