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
    assert metrics["macro_f1"] >= 0.90, metrics  # 0.9173 measured (session 7; session 6 0.8739)
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
    intent["train"]["params"] = {"epochs": 1, "max_length": 32, "batch_size": 32, "corpus": False}
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


BEEKEEPING_TASKS = """version: 1
tasks:
  - name: hive_qa
    description: Questions and answers about the Linden Beekeeping Club's hives, meetings and honey.
    dataset: datasets/hive_qa.jsonl
    format: qa
    key: [question]
"""
# A domain in no split of the packaged corpus, and a project with no intent task.
BEEKEEPING = [
    ("The club's hives are inspected every Sunday at 10.", [], "teach"),
    ("I keep four colonies in my back garden.", [], "teach"),
    ("No, it's 8 euros a jar now.", ["How much is a jar of club honey?", "A jar of club honey is 6 euros."],
     "correct"),
    ("Actually, the swarm hotline is run by Marta, not Joost.", [], "correct"),
    ("Please delete the old apiary address, we moved.", [], "forget"),
    ("Forget that I'm allergic to bee stings.", [], "forget"),
    ("When is the next honey extraction day?", [], "none"),
    ("Don't forget to bring your veil on Sunday.", [], "none"),
    ("What if the queen dies over winter?", [], "none"),
]
ISSUE_FAILURES = [
    ("No, that is wrong. Who painted the Night Watch? It is Vermeer, not Rembrandt.", "correct"),
    ("Actually, the Golden Gate Bridge is in Los Angeles, not San Francisco.", "correct"),
    ("Please forget that my sister lives in Oslo.", "forget"),
    ("I work night shifts at a hospital.", "teach"),
    ("I am allergic to peanuts.", "teach"),
]


def _transcript(cases) -> str:
    lines = []
    for i, (text, ctx, _) in enumerate(cases):
        turn = 1
        for j, prev in enumerate(ctx):
            lines.append({"conversation": f"c{i}", "turn": turn, "role": "user" if j % 2 == 0 else "assistant",
                          "text": prev})
            turn += 1
        lines.append({"conversation": f"c{i}", "turn": turn, "role": "user", "text": text})
    return "".join(json.dumps(x) + "\n" for x in lines)


def test_default_detector_works_in_a_project_without_an_intent_task(tmp_path):
    """A beekeeping club's project: its own tasks.yaml, no intent task, a domain in no training split.
    All 14 turns right since session 6 (session 5's head misread 'I keep bees ...' and the issue's
    examples; the closest margins now: 'I am allergic to peanuts.' teach by 0.06, 'I keep four
    colonies ...' by 0.14)."""
    (tmp_path / "tasks.yaml").write_text(BEEKEEPING_TASKS)
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "hive_qa.jsonl").write_text(
        '{"question": "When do we meet?", "answer": "First Saturday of the month."}\n')
    cases = BEEKEEPING + [(text, [], label) for text, label in ISSUE_FAILURES]
    done = lic("detect", cwd=tmp_path, stdin=_transcript(cases))
    last = {}  # each conversation's last turn is the case; earlier turns are its context
    for rec in map(json.loads, done.stdout.splitlines()):
        if rec["role"] == "user":
            last[rec["conversation"]] = rec["intent"]
    got = list(last.values())
    assert [g["label"] for g in got] == [label for _, _, label in cases], [
        (text, g["label"], g["score"]) for (text, _, _), g in zip(cases, got, strict=True)]
    assert got[0]["model"].startswith("head:minilm@default-")

    # Uncertain turns are kept and counted on stderr; -q silences the count.
    done = lic("detect", "--intent-threshold", "0.999", cwd=tmp_path, stdin=_transcript(cases))
    out = [json.loads(line) for line in done.stdout.splitlines()]
    n_uncertain = sum(bool(r.get("intent", {}).get("uncertain")) for r in out)
    n_user = sum(1 for r in out if r["role"] == "user")
    assert n_user == len(cases) + 1 and all("intent" in r for r in out if r["role"] == "user")  # nothing dropped
    assert n_uncertain and f"detect: {n_uncertain} of {n_user} turns uncertain" in done.stderr
    quiet = lic("detect", "-q", "--threshold", "0.999", cwd=tmp_path, stdin=_transcript(cases))
    assert quiet.stderr == "" and quiet.stdout == done.stdout

    # --eval takes the corpus format and reports per domain.
    rows = [{"id": f"b{i}", "domain": "beekeeping" if i < len(BEEKEEPING) else "issue", "split": "test",
             "form": "neg_question" if label == "none" else "x", "source": "handwritten",
             "context": [{"role": "user" if j % 2 == 0 else "assistant", "text": t} for j, t in enumerate(ctx)],
             "text": text, "label": label, "knowledge": []} for i, (text, ctx, label) in enumerate(cases)]
    (tmp_path / "bees.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    report = lic("detect", "--eval", "bees.jsonl", "--eval-json", "m.json", cwd=tmp_path).stdout
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert set(metrics["domains"]) == {"beekeeping", "issue"} and metrics["macro_f1"] == 1.0, report
    assert "beekeeping" in report and "ordinary questions" in report


def test_head_embeds_each_turn_of_a_transcript_once():
    """detect's encoder work on a transcript: every user and assistant turn once, never a joined
    context (which embedded each turn again inside the next one's context: 0.65x the raw encoder)."""
    from lic_cli.detect import head as head_mod
    from lic_cli.records import Context, is_user, join_context, previous_exchange

    turns = ["When does the pool open?", "The pool opens at 7 am on weekdays.", "No, it's 6 am since May.",
             "Thanks, noted: 6 am on weekdays.", "Great. And is the sauna mixed on Mondays?",
             "Yes, the sauna is mixed every day."]
    records = [{"conversation": "c", "turn": i + 1, "role": "user" if i % 2 == 0 else "assistant", "text": t}
               for i, t in enumerate(turns)]
    context, texts, contexts = Context(), [], []
    for rec in records:
        if is_user(rec):
            texts.append(rec["text"])
            contexts.append(join_context(previous_exchange(context.before(rec))))
        context.add(rec)
    seen = head_mod.Remembered(load_encoder("minilm"), {})
    feats = head_mod._features(seen, texts, contexts)
    assert set(seen.table) == set(turns[:5])
    assert feats.shape[0] == 3 and not any(head_mod.CONTEXT_SEP in t for t in seen.table)


def test_encoder_layer_mean_matches_the_torch_path_and_feeds_the_head():
    """The ONNX graph's second output (embed.MID_LAYERS' mean-pooled states, one pass) matches
    the torch Encoder's, its first output is `encode`'s embedding, and the head's features
    carry it: the earlier layers tell a statement from a question where the sentence
    embedding blurs it (docs/detect.md)."""
    import numpy as np

    from lic_cli.detect import head as head_mod
    from lic_cli.models import load_torch_encoder

    texts = ["Our phone number is 0161 496 0732.", "What's your phone number?", "Forget my old address."]
    onnx = load_encoder("minilm")
    emb, mid = onnx.encode_layers(texts)
    ref_emb, ref_mid = load_torch_encoder("minilm").encode_layers(texts)
    assert np.allclose(emb, onnx.encode(texts), atol=1e-5)
    assert np.allclose(emb, ref_emb, atol=1e-4) and np.allclose(mid, ref_mid, atol=1e-4)
    from lic_cli.models.embed import MID_LAYERS

    layers = mid.reshape(len(texts), len(MID_LAYERS), emb.shape[1])
    assert np.allclose(np.linalg.norm(layers, axis=2), 1.0, atol=1e-4)
    assert (np.abs(layers - emb[:, None, :]).max(axis=2) > 0.05).all()  # other layers, not copies of the embedding
    feats = head_mod._features(head_mod.Remembered(onnx, {}), texts, ["", "", ""])
    assert np.allclose(feats[:, -mid.shape[1]:], mid, atol=1e-5)
