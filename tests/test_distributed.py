"""Distributed training: `torchrun --nproc_per_node 2` (gloo, on the CPU) trains a
classification task; every rank trains, only rank 0 writes the model, the registry and
the summaries."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

LABELS = ["billing", "shipping", "technical"]
TEMPLATES = {
    "billing": ["I was charged twice for order {n}", "my invoice {n} shows the wrong amount"],
    "shipping": ["parcel {n} has not arrived yet", "where is my delivery {n}"],
    "technical": ["the app crashes on screen {n}", "error {n} when I log in"],
}


def tiny_classification_project(root: Path) -> Path:
    (root / "datasets").mkdir(parents=True)
    rows = []
    for i in range(24):
        label = LABELS[i % 3]
        rows.append({"text": TEMPLATES[label][(i // 3) % 2].format(n=100 + i), "label": label,
                     "split": "test" if i % 4 == 3 else "train"})
    (root / "datasets" / "topics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "tasks.yaml").write_text(f"""\
version: 1
tasks:
  - name: topics
    description: Support tickets labelled with their topic.
    dataset: datasets/topics.jsonl
    format: label
    labels: [{", ".join(LABELS)}]
    train:
      type: classification
      base: minilm
      eval_split: test
      params: {{epochs: 1, max_length: 24, batch_size: 8}}
""")
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_torchrun_two_processes_train_and_only_rank0_writes(tmp_path, lic_home):
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent)) or shutil.which("torchrun")
    if torchrun is None:
        pytest.fail("torchrun is missing (it comes with torch)")
    root = tiny_classification_project(tmp_path / "proj")
    env = {**os.environ, "LIC_HOME": str(lic_home), "CUDA_VISIBLE_DEVICES": "", "LIC_THREADS": "1",
           "OMP_NUM_THREADS": "1", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    out = subprocess.run([torchrun, "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
                          "--master_port", str(free_port()), "-m", "lic_cli", "train", "topics",
                          "--project", str(root), "-q"],
                         capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    summaries = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert len(summaries) == 1, out.stdout  # rank 0 alone reports
    [summary] = summaries
    assert summary["task"] == "topics" and summary["status"] == "trained"
    assert summary["metrics"]["train_rows"] == 18 and 0 <= summary["metrics"]["accuracy"] <= 1
    registry = (root / "models" / "registry.jsonl").read_text().splitlines()
    assert len(registry) == 1 and json.loads(registry[0])["path"] == summary["model"]
    # One model folder, complete; no rank left a scratch folder behind.
    folders = [p for p in (root / "models" / "topics").iterdir()]
    assert [p.name for p in folders] == [Path(summary["model"]).name], folders
    assert (root / summary["model"] / "model.safetensors").is_file()
