"""detect with the real MiniLM: accuracy targets, calibration, --eval, and teaching the detector."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from lic_cli import detect, extract, locate, router
from lic_cli.cli import cli
from lic_cli.detect import calibration
from lic_cli.detect.evaluate import evaluate_file
from lic_cli.models import load_encoder
from lic_cli.tasks import load_project

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parent.parent
NEW_PHRASING = "Leeds is done, zap it."


def lic(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "LIC_AUTHOR": "tester"}
    done = subprocess.run([sys.executable, "-m", "lic_cli", *args], cwd=cwd, input=stdin, text=True,
                          capture_output=True, env=env)
    assert done.returncode == 0, done.stderr
    return done


def test_head_meets_its_target_on_the_test_split_and_is_calibrated(demo_project):
    project = load_project(demo_project)
    model = detect.load_model(project, choice="head")
    assert model.name.startswith("head:minilm@")
    cal = model.calibration
    assert cal.dev_rows > 100 and 0.2 < cal.temperature < 5 and calibration.FLOOR <= cal.threshold < 1
    metrics = evaluate_file(project, model, None)
    assert metrics["split"] == "test" and metrics["rows"] > 100
    assert metrics["macro_f1"] >= 0.90, metrics
    assert metrics["hard_negatives"]["rows"] > 10
    # Same text and assistant turn, different earlier user turn and label: 0.75 measured.
    pairs = metrics["context_pairs"]
    assert pairs["pairs"] >= 10 and pairs["both_right"] >= 0.6, pairs
    out = list(detect.run([{"role": "user", "text": "hmm, 86 or 87?"}], model=model, threshold=1.0))
    assert out[0]["intent"]["uncertain"] is True


def test_cli_eval_prints_a_report_and_writes_json(demo_project):
    result = CliRunner().invoke(cli, ["detect", "--project", str(demo_project), "--model", "head", "--eval", "-",
                                      "--split", "dev", "--eval-json", str(demo_project / "m.json")])
    assert result.exit_code == 0, result.output
    assert "macro-F1" in result.stdout and "confusion (rows: gold, columns: predicted)" in result.stdout
    metrics = json.loads((demo_project / "m.json").read_text())
    assert metrics["split"] == "dev" and set(metrics["labels"]) == {"teach", "correct", "forget", "none"}
    assert len(metrics["confusion"]["matrix"]) == 4
    piped = CliRunner().invoke(cli, ["detect", "--project", str(demo_project), "--model", "head", "--eval", "-",
                                     "--eval-json", "-"])
    assert piped.exit_code == 0 and "macro-F1" in piped.stderr
    assert json.loads(piped.stdout)["split"] == "test"


def _small_project(root: Path, keep_every: int = 4) -> Path:
    """The demo project with a quarter of the intent dataset (dev kept whole): fast to retrain."""
    rows = (root / "datasets" / "intent.jsonl").read_text(encoding="utf-8").splitlines()
    kept = [r for i, r in enumerate(rows) if i % keep_every == 0 or json.loads(r)["split"] == "dev"]
    (root / "datasets" / "intent.jsonl").write_text("\n".join(kept) + "\n", encoding="utf-8")
    return root


def test_teaching_the_detector_a_new_phrasing_changes_its_answer(demo_project):
    project = load_project(_small_project(demo_project))
    probe = [{"conversation": "p", "turn": 1, "role": "user", "text": NEW_PHRASING}]
    before = list(detect.run(probe, model=detect.load_model(project, choice="head")))[0]["intent"]
    assert before["label"] != "forget"

    # detect -> extract -> route -> locate, then apply: the intent task needs --approve.
    lesson = [{"conversation": "t", "turn": 1, "role": "user", "text": f"'{NEW_PHRASING}' is a forget turn."}]
    encoder = load_encoder("minilm")
    staged = extract.run(detect.run(lesson, model=detect.load_model(project, choice="head")))
    (located,) = locate.run(router.run(staged, project=project, encoder=encoder), project=project, encoder=encoder)
    assert located["intent"]["label"] == "teach"
    (edit,) = [e for e in located["edits"] if e["task"] == "intent"]
    assert edit["op"] == "add" and edit["after"]["label"] == "forget"
    located["edits"] = [edit]
    applied = lic("apply", "--yes", "--approve", cwd=demo_project, stdin=json.dumps(located) + "\n")
    assert [json.loads(line)["applied"] for line in applied.stdout.splitlines()] == [True]

    # train: the head retrains for the new dataset version on first use.
    after_model = detect.load_model(load_project(demo_project), choice="head")
    assert after_model.name != before["model"]
    after = list(detect.run(probe, model=after_model))[0]["intent"]
    assert after["label"] == "forget", after


def test_trained_model_gets_a_calibration_file_beside_it(demo_project):
    _small_project(demo_project, keep_every=8)
    tasks = yaml.safe_load((demo_project / "tasks.yaml").read_text())
    intent = next(t for t in tasks["tasks"] if t["name"] == "intent")
    intent["train"]["params"] = {"epochs": 1, "max_length": 32, "batch_size": 32}
    (demo_project / "tasks.yaml").write_text(yaml.safe_dump(tasks, sort_keys=False))
    lic("train", "intent", cwd=demo_project)
    project = load_project(demo_project)
    model = detect.load_model(project, choice="auto")
    assert model.name.startswith("models/intent/")
    (folder,) = (demo_project / "models" / "intent").iterdir()
    cal = calibration.read(folder / calibration.FILE)
    assert cal == model.calibration and cal.dev_rows > 100
    out = list(detect.run([{"role": "user", "text": "Forget the fax number."}], model=model))
    assert out[0]["intent"]["model"] == model.name
