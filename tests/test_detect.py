"""detect without a real model: calibration, scoring, the dataset's shape, `uncertain`, CLI checks."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from lic_cli import detect
from lic_cli.cli import cli
from lic_cli.detect import calibration
from lic_cli.detect.evaluate import report, score
from lic_cli.detect.features import Example, read_labelled
from lic_cli.errors import InputError
from lic_cli.tasks import load_project

REPO = Path(__file__).resolve().parent.parent
LABELS = ("teach", "correct", "forget", "none")


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _overconfident(n: int = 2000, true_t: float = 3.0, seed: int = 0):
    """Logits whose calibrated form is softmax(z / true_t): the fitted T should be close."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 2, size=(n, 4))
    gold = [int(rng.choice(4, p=p)) for p in _softmax(z)]
    return _softmax(z * true_t).astype(np.float32), gold


def test_fit_temperature_recovers_the_overconfidence():
    proba, gold = _overconfident()
    assert 2.5 < calibration.fit_temperature(proba, gold) < 3.6


def test_scale_keeps_the_winner_and_sums_to_one():
    proba, _ = _overconfident(50)
    scaled = calibration.scale(proba, 2.0)
    assert (scaled.argmax(axis=1) == proba.argmax(axis=1)).all()
    assert np.allclose(scaled.sum(axis=1), 1.0, atol=1e-5)
    assert scaled.max(axis=1).mean() < proba.max(axis=1).mean()


def test_threshold_reaches_the_wanted_teaching_precision():
    proba, gold = _overconfident(1000, true_t=1.0)
    t, prec, abstain = calibration.choose_threshold(proba, gold, LABELS, precision=0.9)
    assert prec is not None and prec >= 0.9 and 0 < abstain < 1
    lower = calibration.choose_threshold(proba, gold, LABELS, precision=0.6)
    assert lower[0] <= t


def test_calibration_file_round_trip(tmp_path):
    cal = calibration.Calibration(temperature=1.3, threshold=0.7, dev_rows=10)
    calibration.write(tmp_path / "calibration.json", cal)
    assert calibration.read(tmp_path / "calibration.json") == cal
    (tmp_path / "old.json").write_text(json.dumps({**cal.to_dict(), "version": 0}))
    assert calibration.read(tmp_path / "old.json") is None
    assert calibration.read(tmp_path / "missing.json") is None


def test_score_counts_confusion_per_label_and_hard_negatives():
    examples = [Example("a", "", "teach", "test"), Example("b", "", "none", "test", hard=True),
                Example("c", "", "none", "test", hard=True), Example("d", "x", "correct", "test")]
    proba = np.array([[0.9, 0.05, 0.03, 0.02], [0.6, 0.1, 0.1, 0.2], [0.1, 0.1, 0.1, 0.7],
                      [0.3, 0.35, 0.05, 0.3]], dtype=np.float32)
    m = score(examples, proba, LABELS, threshold=0.5, model="fake")
    assert m["confusion"]["matrix"] == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [1, 0, 0, 1]]
    assert m["labels"]["teach"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 1}
    assert m["macro_f1"] == round((0.6667 + 1.0 + 2 / 3) / 3, 4)  # forget is absent on both sides
    assert m["abstain"] == 0.25  # only the correction scored below 0.5
    assert m["hard_negatives"] == {"rows": 2, "kept_none": 0.5, "misread": {"teach": 1, "correct": 0, "forget": 0},
                                   "misread_answered": 1}
    text = report(m)
    assert "macro-F1: 0.7778" in text and "hard negatives: 2 rows" in text


def test_read_labelled_names_file_line_and_field(tmp_path):
    task = load_project(REPO).task("intent")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "hi", "label": "none"}\n{"text": "x", "label": "teaching"}\n')
    with pytest.raises(InputError) as err:
        read_labelled(bad, task)
    assert str(err.value).endswith("bad.jsonl line 2 field 'label': label 'teaching' is not one of "
                                   "teach, correct, forget, none")
    bad.write_text('{"text": "hi", "label": "none", "hard": "yes"}\n')
    with pytest.raises(InputError, match="line 1 field 'hard'"):
        read_labelled(bad, task)


class _Fake:
    """Plumbing only: scores from a lookup, so run()'s batching and flags are checked exactly."""

    name = "fake"
    labels = LABELS
    threshold = 0.6

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], list[str]]] = []

    def predict_proba(self, texts, contexts):
        self.calls.append((texts, contexts))
        return np.array([[0.9, 0.05, 0.03, 0.02] if t.startswith("FYI") else [0.1, 0.3, 0.1, 0.5]
                         for t in texts], dtype=np.float32)


def test_run_marks_uncertain_below_the_threshold_and_keeps_order():
    recs = [{"conversation": "c", "turn": 1, "role": "user", "text": "FYI the fax is gone"},
            {"conversation": "c", "turn": 2, "role": "assistant", "text": "Thanks!"},
            {"conversation": "c", "turn": 3, "role": "user", "text": "hmm"}]
    fake = _Fake()
    out = list(detect.run(recs, model=fake, batch_size=1))
    assert [r["turn"] for r in out] == [1, 2, 3]
    assert out[0]["intent"] == {"label": "teach", "score": 0.9,
                                "scores": {"teach": 0.9, "correct": 0.05, "forget": 0.03, "none": 0.02},
                                "model": "fake"}
    assert "intent" not in out[1]
    assert out[2]["intent"]["label"] == "none" and out[2]["intent"]["uncertain"] is True
    # Context: the previous assistant turn, after the user turn it answered.
    assert fake.calls == [(["FYI the fax is gone"], [""]), (["hmm"], ["FYI the fax is gone [SEP] Thanks!"])]
    relaxed = list(detect.run(recs, model=_Fake(), threshold=0.4))
    assert "uncertain" not in relaxed[2]["intent"]


def test_intent_dataset_is_large_varied_and_split():
    rows = [json.loads(line) for line in (REPO / "datasets" / "intent.jsonl").open(encoding="utf-8")]
    assert len(rows) >= 1500
    labels = Counter(r["label"] for r in rows)
    assert set(labels) == set(LABELS) and min(labels.values()) >= 150
    none = [r for r in rows if r["label"] == "none"]
    assert sum(1 for r in none if r.get("hard")) * 3 >= len(none)
    assert all(r.get("hard") is None or r["label"] == "none" for r in rows)
    assert {r["split"] for r in rows} == {"train", "dev", "test"}
    assert all(Counter(r["label"] for r in rows if r["split"] == s)[lab] >= 15 for s in ("dev", "test")
               for lab in LABELS)
    texts = [r["text"].casefold() for r in rows]
    keys = [(r["text"].casefold(), r.get("context_user", ""), r.get("context", "")) for r in rows]
    assert len(set(keys)) == len(keys)  # a turn is unique in its context (pairs repeat a text)
    pairs = Counter(r["pair"] for r in rows if "pair" in r)
    assert len(pairs) >= 50 and set(pairs.values()) == {2}
    assert all(len({r["split"] for r in rows if r.get("pair") == p}) == 1 for p in pairs)  # never split apart
    demo = {json.loads(line)["text"].casefold() for line in (REPO / "examples" / "teach.jsonl").open()}
    assert not demo & set(texts)
    assert sum(1 for r in rows if r.get("source") == "clinc150") <= 89 + 250


def test_eval_options_need_eval():
    result = CliRunner().invoke(cli, ["detect", "--split", "dev"])
    assert result.exit_code == 2 and "--split and --eval-json go with --eval" in result.stderr


def test_read_labelled_joins_the_user_turn_before_the_assistant_turn(tmp_path):
    task = load_project(REPO).task("intent")
    assert task.train.context_columns == ("context_user", "context")
    f = tmp_path / "pairs.jsonl"
    f.write_text('{"text": "Everywhere.", "context_user": "Remove the Venmo entry.", '
                 '"context": "At checkout only, or everywhere?", "label": "forget", "pair": "p1"}\n'
                 '{"text": "Everywhere.", "context": "At checkout only, or everywhere?", "label": "none"}\n')
    first, second = read_labelled(f, task)
    assert first.context == "Remove the Venmo entry. [SEP] At checkout only, or everywhere?"
    assert first.pair == "p1" and second.pair is None
    assert second.context == "At checkout only, or everywhere?"
    f.write_text('{"text": "x", "context_user": 3, "context": "y", "label": "none"}\n')
    with pytest.raises(InputError, match="line 1 field 'context_user'"):
        read_labelled(f, task)


def test_context_pairs_count_a_pair_right_only_when_both_rows_are():
    from lic_cli.detect.evaluate import score
    from lic_cli.detect.features import Example

    rows = [Example("Everywhere.", "a", "forget", "test", pair="p1"),
            Example("Everywhere.", "b", "none", "test", pair="p1"),
            Example("Two years.", "c", "correct", "test", pair="p2"),
            Example("Two years.", "d", "none", "test", pair="p2")]
    onehot = {"teach": 0, "correct": 1, "forget": 2, "none": 3}
    pred = ["forget", "none", "correct", "correct"]  # p2's none row misread
    proba = np.eye(4, dtype=np.float32)[[onehot[p] for p in pred]]
    got = score(rows, proba, LABELS, threshold=0.5, model="m")["context_pairs"]
    assert got == {"pairs": 2, "rows": 4, "row_accuracy": 0.75, "both_right": 0.5}


def test_detect_help_names_intent_threshold_and_keeps_threshold_hidden():
    result = CliRunner().invoke(cli, ["detect", "--help"])
    assert "--intent-threshold" in result.output and "--threshold" not in result.output.replace(
        "--intent-threshold", "")
    assert "-q, --quiet" in result.output


def test_corpus_rows_become_examples_with_the_previous_exchange():
    from lic_cli.detect.corpus import example_from_row

    row = {"id": "t1", "domain": "gym", "split": "dev", "form": "correct_ctx", "source": "template",
           "context": [{"role": "user", "text": "Hi"}, {"role": "assistant", "text": "Hello!"},
                       {"role": "user", "text": "When does the pool open?"},
                       {"role": "assistant", "text": "At 7."}],
           "text": "No, at 6.", "label": "correct", "knowledge": []}
    ex = example_from_row(row, source="c.jsonl", line=1)
    assert ex.context == "When does the pool open? [SEP] At 7." and ex.domain == "gym" and ex.split == "dev"
    assert not ex.hard
    hard = example_from_row({**row, "form": "neg_reported_speech", "label": "none"}, source="c.jsonl", line=1)
    assert hard.hard
    with pytest.raises(InputError, match="c.jsonl line 3 field 'context'"):
        example_from_row({**row, "context": "At 7."}, source="c.jsonl", line=3)


def test_score_reports_each_domain_and_ordinary_questions():
    examples = [Example("q1?", "", "none", "test", domain="gym", form="neg_question"),
                Example("q2?", "", "none", "test", domain="gym", form="neg_question"),
                Example("t", "", "teach", "test", domain="gym", form="statement_copula"),
                Example("f", "", "forget", "test", domain="bank", form="forget"),
                Example("q3?", "", "none", "test", domain="bank", form="neg_clinc")]
    onehot = {"teach": 0, "correct": 1, "forget": 2, "none": 3}
    pred = ["teach", "none", "teach", "forget", "none"]
    proba = np.eye(4, dtype=np.float32)[[onehot[p] for p in pred]]
    m = score(examples, proba, LABELS, threshold=0.5, model="m")
    assert m["ordinary_questions"] == {"rows": 3, "teaching": 1, "teaching_rate": 0.3333}
    assert set(m["domains"]) == {"bank", "gym"}
    assert m["domains"]["gym"]["rows"] == 3 and m["domains"]["gym"]["ordinary_teaching_rate"] == 0.5
    assert m["domains"]["bank"]["macro_f1"] == 1.0 and m["domains"]["gym"]["recall"] == {"teach": 1.0, "none": 0.5}
    text = report(m)
    assert "ordinary questions and requests: 3 rows, read as teaching 1 (33.33%)" in text
    assert "\ngym " in text and "\nbank " in text


def test_lic_train_intent_reads_the_packaged_corpus_too(tmp_path):
    import shutil

    import yaml

    from lic_cli.data import intent_examples
    from lic_cli.train.data import read_splits

    shutil.copy(REPO / "tasks.yaml", tmp_path / "tasks.yaml")
    shutil.copytree(REPO / "datasets", tmp_path / "datasets")
    project = load_project(tmp_path)
    task = project.task("intent")
    own = sum(1 for line in (tmp_path / "datasets" / "intent.jsonl").open() if '"split": "train"' in line)
    packaged = sum(1 for _ in intent_examples("train"))
    splits = read_splits(task, project.dataset_path(task))
    assert len(splits.train) == own + packaged and packaged > 4000
    assert any("packaged teaching corpus" in n for n in splits.notes)
    assert len(splits.eval) == sum(1 for line in (tmp_path / "datasets" / "intent.jsonl").open()
                                   if '"split": "test"' in line)  # evaluated on the project's own test split
    tasks = yaml.safe_load((tmp_path / "tasks.yaml").read_text())
    next(t for t in tasks["tasks"] if t["name"] == "intent")["train"]["params"]["corpus"] = False
    (tmp_path / "tasks.yaml").write_text(yaml.safe_dump(tasks, sort_keys=False))
    task = load_project(tmp_path).task("intent")
    assert len(read_splits(task, project.dataset_path(task)).train) == own


def test_detect_runs_outside_any_project_with_the_default_detector(tmp_path, monkeypatch):
    from lic_cli.commands.detect import _project

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LIC_PROJECT", raising=False)
    assert _project(None) is None and detect.intent_task(None) is None
    with pytest.raises(Exception, match="no tasks.yaml"):
        _project(str(tmp_path))


def test_taught_phrasings_are_remembered_verbatim_in_their_context():
    from lic_cli.detect.head import _key, memory_of

    own = [Example("Leeds is done, zap it.", "", "forget", "train"),
           Example("Everywhere.", "a [SEP] b", "forget", "train"),
           Example("Everywhere.", "c", "none", "train"),
           Example("Twice.", "", "teach", "train"), Example("twice", "", "none", "train"),  # a clash: left out
           Example("In dev.", "", "teach", "dev")]  # only train rows: evaluation stays honest
    memory = memory_of(own, LABELS)
    assert memory == {_key("leeds is  done, zap it", ""): 2, _key("Everywhere.", "a [SEP] b"): 2,
                      _key("Everywhere.", "c"): 3}


def test_none_bias_brings_ordinary_question_false_positives_under_the_target():
    # 200 ordinary questions of which 10 % lean to teach, and 200 teaching turns the head
    # reads right: a bias on `none` fixes the questions without losing the teaching turns.
    rng = np.random.default_rng(1)
    q = np.tile([0.1, 0.05, 0.05, 0.8], (200, 1))
    q[:20] = [0.55, 0.05, 0.05, 0.35]
    t = np.tile([0.9, 0.03, 0.03, 0.04], (200, 1)) + rng.uniform(0, 0.01, (200, 4))
    proba = np.vstack([q, t / t.sum(axis=1, keepdims=True)]).astype(np.float32)
    gold = [3] * 200 + [0] * 200
    ordinary = [True] * 200 + [False] * 200
    bias = calibration.choose_none_bias(proba, gold, LABELS, ordinary, target=0.01)
    pred = calibration.shift_none(proba, bias, LABELS).argmax(axis=1)
    assert 0 < bias <= 1.0 and (pred[:200] == 3).all() and (pred[200:] == 0).all()
    assert calibration.choose_none_bias(proba, gold, LABELS, [False] * 400) == 0.0
    shifted = calibration.shift_none(proba, 0.5, LABELS)
    assert np.allclose(shifted.sum(axis=1), 1, atol=1e-5) and (shifted[:, 3] > proba[:, 3]).all()
    # The bias is part of the calibration a head stores and applies.
    cal = calibration.calibrate(proba, gold, LABELS, ordinary=ordinary)
    assert cal.none_bias > 0 and calibration.Calibration.from_dict(cal.to_dict()).none_bias == cal.none_bias
    assert (calibration.apply(proba, cal, LABELS).argmax(axis=1)[:200] == 3).all()


def test_head_embeds_single_turns_never_joined_contexts():
    """Each turn is embedded on its own (a transcript's turns once each: detect does no more
    encoder work than embedding the transcript), and first use embeds only train and dev rows."""
    from lic_cli.detect.head import _split, corpus_texts
    from lic_cli.records import join_context

    ctx = join_context(["When is the pool open?", "From 7 am."])
    assert _split([ctx, "Anything else?", ""]) == (["When is the pool open?", "", ""], ["From 7 am.", "Anything else?", ""])
    examples = [Example("No, it's 6 am now.", ctx, "correct", "train"), Example("Bin that.", ctx, "forget", "dev"),
                Example("Secret test turn.", "Held out?", "none", "test")]
    assert set(corpus_texts(examples)) == {"No, it's 6 am now.", "Bin that.", "When is the pool open?", "From 7 am."}


def test_merged_ensemble_averages_the_members_logits():
    from lic_cli.detect.head import merge
    from lic_cli.models.mlp import MLP

    rng = np.random.default_rng(0)
    nets = [MLP([rng.normal(size=(5, 7)), rng.normal(size=(4, 5))], [rng.normal(size=5), rng.normal(size=4)])
            for _ in range(3)]
    x = rng.normal(size=(6, 7)).astype(np.float32)
    merged = merge(nets)
    assert merged.weights[0].shape == (7, 15)
    assert np.allclose(merged(x), sum(n(x) for n in nets) / 3, atol=1e-5)


def test_head_trains_an_ensemble_with_class_weights_from_remembered_embeddings():
    """train_head on embeddings it is given (no encoder run): a merged MLP that separates the labels."""
    from lic_cli.detect import head as head_mod

    rng = np.random.default_rng(3)
    centres = {lab: rng.normal(size=384) for lab in LABELS}
    examples, table = [], {}
    for i in range(120):
        lab = LABELS[0] if i < 60 else LABELS[1 + i % 3]  # teach is half the rows: the class weights even it out
        text = f"turn {i} {lab}"
        vec = centres[lab] + rng.normal(scale=0.3, size=384)
        unit = (vec / np.linalg.norm(vec)).astype(np.float32)
        table[text] = np.concatenate([unit] * (1 + len(head_mod.MID_LAYERS)))  # [sentence embedding | MID_LAYERS means]
        examples.append(Example(text, "", lab, "train"))
    net = head_mod.train_head(examples, LABELS, encoder=head_mod.Remembered(None, table))
    assert net.weights[0].shape[1] == head_mod.ENSEMBLE * head_mod.HIDDEN
    feats = head_mod._features(head_mod.Remembered(None, table), [e.text for e in examples], ["" for _ in examples])
    pred = net(feats).argmax(axis=1)
    assert (pred == [LABELS.index(e.label) for e in examples]).mean() > 0.95


# The project's label names as a cue (detect/labelcue.py): phrasings not written from the quickstart's.
CUE_LABELS = {"billing": "tickets", "bike": "tickets", "order status": "requests"}


@pytest.mark.parametrize("text, label", [
    ("'The brakes squeal going downhill' is a bike ticket.", "bike"),
    ("Mark 'I was charged twice for May' as billing.", "billing"),
    ("File “the saddle is cracked” under bike.", "bike"),
    ("'Where is my parcel now?' is an order-status request.", "order status"),
])
def test_label_cue_reads_a_labelling_statement_with_the_projects_label(text, label):
    from lic_cli.detect.labelcue import cue

    assert cue(text, CUE_LABELS) == {"label": label, "task": CUE_LABELS[label]}


@pytest.mark.parametrize("text", [
    "Is 'the rear wheel wobbles' a bike ticket?",  # a question about a label
    "Which label fits 'charged twice in May', billing?",
    "My bike is great, 'really smooth ride' indeed.",  # the label named, not as a label
    "'Brakes' is a bike ticket.",  # a one-word quote is a name, not an example
    "The brakes squeal going downhill, it is a bike thing.",  # nothing quoted
])
def test_label_cue_leaves_questions_mentions_and_unquoted_turns(text):
    from lic_cli.detect.labelcue import cue

    assert cue(text, CUE_LABELS) is None


def test_project_labels_come_from_the_projects_label_tasks(tmp_path):
    from lic_cli.detect.labelcue import project_labels
    from lic_cli.tasks import load_project

    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "t.jsonl").write_text('{"text": "a b", "label": "bike_repair"}\n')
    (tmp_path / "tasks.yaml").write_text(
        "version: 1\ntasks:\n  - name: tickets\n    description: ticket topics\n    dataset: datasets/t.jsonl\n"
        "    format: label\n    labels: [bike_repair, billing]\n")
    assert project_labels(load_project(tmp_path)) == {"bike repair": "tickets", "billing": "tickets"}
    assert project_labels(None) == {}
