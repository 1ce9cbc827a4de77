"""Causal-LM training: params, content judging, paraphrases, what changed since a model,
and (slow) SFT plus incremental `lic train` / `lic eval` on a tiny qa project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lic_cli.errors import InputError, TaskConfigError
from lic_cli.tasks import load_project
from lic_cli.train import gate, lm_paraphrase, paraphrase
from lic_cli.train.causal import plan, read_qa
from lic_cli.train.changes import changes_since
from lic_cli.train.judge import content_score, is_correct
from lic_cli.train.params import SFTParams

TASKS = """\
version: 1
tasks:
  - name: qa
    description: Questions and answers.
    dataset: datasets/qa.jsonl
    format: qa
    key: [question]
    train:
      type: causal-lm
      base: smollm2
      eval_split: test
      params: {max_steps: 2, batch_size: 4, max_length: 64, replay: 1, augment: 1, lora_r: 4, lora_alpha: 8,
               augment_lm: 0, kl_weight: 0, scope_threshold: 0}
"""

ROWS = [
    {"question": "How long is the refund window?", "answer": "You can get a refund within 14 days.", "split": "train"},
    {"question": "Do you ship to Ireland?", "answer": "Yes, we ship to Ireland in 3 days.", "split": "train"},
    {"question": "How do I reset my password?", "answer": "Click 'Forgot password' on the sign-in page.", "split": "train"},
    {"question": "What are your opening hours?", "answer": "We are open from 9:00 to 17:00.", "split": "test"},
]


def write_rows(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path):
    (tmp_path / "datasets").mkdir()
    (tmp_path / "tasks.yaml").write_text(TASKS)
    write_rows(tmp_path / "datasets/qa.jsonl", ROWS)
    return load_project(tmp_path)


def apply_rows(project, add: list[dict] = (), update: dict[str, dict] | None = None, message: str = "teach") -> str:
    """Write one patch (adds, and updates keyed by question) and apply it; its project path."""
    from lic_cli.patches import files
    from lic_cli.patches.apply import expected_id
    from lic_cli.patches.fileformat import Op, Patch, utc_now
    from lic_cli.patches.run import apply_files
    from lic_cli.store.rows import iter_rows
    from lic_cli.store.versions import current_version

    task = project.task("qa")
    version, h = current_version(project, task)
    ops = [Op("add", expected_id(task, row), None, row) for row in add]
    for rid, _line, row in iter_rows(task, project.dataset_path(task)):
        if update and row["question"] in update:
            ops.append(Op("update", rid, row, {**row, **update[row["question"]]}))
    patch = Patch(task="qa", dataset=task.dataset, base_version=version, base_hash=h, author="t", time=utc_now(),
                  source=(), message=message, ops=tuple(ops))
    path = files.write_new(project, patch, message)
    [result] = apply_files([str(path)], project=project, author="t", approve=False, dry_run=False,
                           notify=lambda _m: None)
    assert result.get("version") is not None, result
    return path.relative_to(project.root).as_posix()


# --- params ------------------------------------------------------------------------------

def test_sft_params_defaults_and_errors(project):
    p = SFTParams.from_dict({"method": "full", "epochs": 2, "learning_rate": "5e-5"}, "qa")
    assert p.method == "full" and p.epochs == 2.0 and p.learning_rate == 5e-5
    assert SFTParams().to_dict()["method"] == "lora"
    # A causal-lm task gets the tuned defaults under its own params; its own keys win.
    task = project.task("qa")
    tuned = SFTParams.from_dict({}, "qa")
    assert tuned.scope_threshold == 0 and SFTParams.defaults_for(task, {})["scope_threshold"] == 0.5
    mine = SFTParams.from_task(task)
    assert mine.lora_layers == 15 and mine.learning_rate == 1e-3 and mine.kl_weight == 0 and mine.lora_r == 4
    assert "kl_weight" not in SFTParams.defaults_for(task, {"method": "full"})  # needs adapters
    with pytest.raises(TaskConfigError, match="train.params.kl_weight"):
        SFTParams.from_dict({"method": "full", "kl_weight": 1}, "qa")
    for raw, field in (({"method": "qlora"}, "method"), ({"lora_targets": "mlp"}, "lora_targets"),
                       ({"lora_r": 0}, "lora_r"), ({"replay": -1}, "replay"), ({"bf16": "yes"}, "bf16"),
                       ({"augment_lm": -1}, "augment_lm"), ({"neftune": -5}, "neftune"),
                       ({"epoch": 3}, "epoch"), ({"method": 3}, "method")):
        with pytest.raises(TaskConfigError, match=f"task 'qa': field 'train.params.{field}'"):
            SFTParams.from_dict(raw, "qa")


# --- judging by content ----------------------------------------------------------------------

def test_judge_accepts_a_reworded_answer_with_the_facts():
    ref = "You can request a refund within 14 days of delivery."
    assert is_correct(ref, "Refunds can be requested up to 14 days after delivery.")
    assert not is_correct(ref, "You can request a refund within 30 days of delivery.")  # key fact differs
    assert not is_correct(ref, "Please contact our support team.")  # no content
    assert not is_correct(ref, "")
    assert is_correct("Press enquiries go to press@kestrel-shop.eu.", "Write to press@kestrel-shop.eu, please.")
    assert not is_correct("Yes, we ship to Ireland.", "No, we do not ship to Ireland.")  # polarity
    assert content_score(ref, ref) == 1.0 and content_score(ref, "nothing") == 0.0


def test_judge_with_the_question_looks_for_what_the_answer_adds():
    q, ref = "On which day does Kestrel restock graphics cards?", "Graphics cards are restocked every Thursday."
    assert is_correct(ref, "New GPUs arrive every Thursday.", q)  # the day is the answer
    assert not is_correct(ref, "New GPUs arrive every Thursday.")  # without it: 1 of 4 content words
    assert not is_correct(ref, "Graphics cards are restocked every Monday.", q)  # restating is not answering
    assert is_correct(ref, "Graphics cards are restocked every Monday.")  # the old rule's blind spot
    q, ref = "Which warehouse ships Kestrel's laptops?", "Laptops ship from the Kestrel warehouse in Rotterdam."
    assert not is_correct(ref, "Laptops ship from Amsterdam.", q) and is_correct(ref, "From Rotterdam.", q)
    assert is_correct("On Sundays the live chat closes at 16:00.", "Live chat is open 8:00-16:00 on Sunday.",
                      "When does live chat close on Sundays?")  # a key inside a range
    assert content_score(ref, "From Rotterdam.", q) == 1.0
    q, ref = "What is Kestrel's phone number for business customers?", "Business customers can call 0800 555 0199."
    assert is_correct(ref, "Business clients should ring 0800 555 0199.", q)  # the number is the answer
    assert not is_correct(ref, "Business clients should ring 0800 555 0198.", q)


def test_template_paraphrases_keep_train_and_eval_apart():
    q = "How long is the refund window?"
    train, held = paraphrase.for_training(q, 20), paraphrase.for_eval(q, 20)
    assert len(train) == len(paraphrase.TRAIN_TEMPLATES) and len(held) == len(paraphrase.EVAL_TEMPLATES)
    assert not set(train) & set(held) and q not in train + held
    assert all("refund window" in t for t in train + held)
    assert paraphrase.for_training(q, 2) == paraphrase.for_training(q, 2)  # deterministic
    assert paraphrase.for_training(q, 0) == []


def test_model_rewordings_are_kept_only_when_they_are_one_question_on_the_same_subject():
    q = "Who is the CEO of Kestrel?"
    assert lm_paraphrase.anchors(q) == {"kestr"}  # names after the first word; not the acronym
    assert lm_paraphrase.anchors("Is the 14-day window open in Norway?") == {"14", "norwa"}
    assert lm_paraphrase.accept(q, '"Who is Kestrel\'s chief executive?" I hope this helps.\nMore') == \
        "Who is Kestrel's chief executive?"
    assert lm_paraphrase.accept(q, "Question: Who leads Kestrel?") == "Who leads Kestrel?"
    assert lm_paraphrase.accept(q, "Who is the boss?") is None  # lost the subject
    assert lm_paraphrase.accept(q, "Who sells Kestrel concert tickets?") is None  # copied from the examples
    assert lm_paraphrase.accept(q, "WHO is the ceo of Kestrel ?") is None  # the same question
    assert lm_paraphrase.accept(q, "Kestrel is run by a CEO.") is None  # not a question
    assert lm_paraphrase.accept(q, "Who leads Kestrel?", kept=["who leads kestrel?"]) is None  # already kept
    assert lm_paraphrase.accept("Is the 14-day window open?", "Can I return within 14 days?") is not None
    assert lm_paraphrase.accept("Is the 14-day window open?", "Can I return within 30 days?") is None
    assert lm_paraphrase.accept("How do I reset my password?", "What is the weather like?") is None
    assert lm_paraphrase.generate(Path("nowhere"), [q], 0, seed=1) == {q: []}  # off: no model loaded


# --- data, changes, plan ---------------------------------------------------------------------

def test_read_qa_checks_rows(project, tmp_path):
    rows = read_qa(project.task("qa"), project.dataset_path(project.task("qa")))
    assert [len(rows.split(s)) for s in ("train", "test")] == [3, 1]
    bad = tmp_path / "datasets/qa.jsonl"
    write_rows(bad, ROWS[:1] + [{"question": "q?", "answer": "a.", "paraphrases": "not a list"}])
    with pytest.raises(InputError) as err:
        read_qa(project.task("qa"), bad)
    assert (err.value.line, err.value.field) == (2, "paraphrases")


def test_changes_since_follow_the_patches(project):
    from lic_cli.store.rows import file_hash

    task = project.task("qa")
    v0 = file_hash(project.dataset_path(task))
    new = {"question": "Is there a student discount?", "answer": "Students get 12% off with WINGS12.",
           "paraphrases": ["Do students pay less?"]}
    first = apply_rows(project, add=[new], message="student")
    second = apply_rows(project, update={"Do you ship to Ireland?": {"answer": "Yes, in 2 days."}}, message="ship")
    rows = read_qa(task, project.dataset_path(task)).all()
    found = changes_since(project, task, v0, rows)
    assert [(c.op, c.version, c.patch, c.row["question"]) for c in found.changes] == [
        ("add", 1, first, "Is there a student discount?"), ("update", 2, second, "Do you ship to Ireland?")]
    v1 = changes_since(project, task, v0, rows, until_hash=None)
    assert v1 is not None and found.deleted == 0
    assert changes_since(project, task, "sha256:" + "0" * 64, rows) is None  # unknown version


def register_v0(project, params: SFTParams) -> Path:
    """Register a (stand-in) model of the current dataset version, so plans continue from it."""
    from lic_cli.store.rows import file_hash
    from lic_cli.train import registry

    h = file_hash(project.dataset_path(project.task("qa")))
    folder = registry.model_dir(project, "qa", 0, h)
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    registry.add(project, {"task": "qa", "status": "trained", "path": folder.relative_to(project.root).as_posix(),
                           "dataset_version": 0, "dataset_hash": h, "base": "smollm2", "type": "causal-lm",
                           "params": params.to_dict(), "metrics": {}})
    return folder


def test_plan_first_time_everything_then_changed_rows_with_replay(project):
    task = project.task("qa")
    params = SFTParams.from_task(task)
    notes: list[str] = []
    first = plan(project, task, params, read_qa(task, project.dataset_path(task)), note=notes.append)
    assert first.parent is None and first.start == "smollm2" and len(first.train_pairs) == 3
    assert [m["role"] for m in first.train_pairs[0][0]] == ["system", "user"]
    assert first.eval_split == "test" and len(first.eval_pairs) == 1

    # A registered previous model of v0: the next plan continues from it.
    folder = register_v0(project, params)
    apply_rows(project, add=[{"question": "Who is the CEO?", "answer": "Marta Okonkwo is the CEO."}])
    nxt = plan(project, task, params, read_qa(task, project.dataset_path(task)), note=notes.append)
    assert nxt.parent is not None and nxt.start == folder.relative_to(project.root).as_posix()
    assert [c.row["question"] for c in nxt.taught] == ["Who is the CEO?"]
    assert nxt.replayed == 1  # replay: 1 old row per taught row
    questions = [p[0][-1]["content"] for p in nxt.train_pairs]
    assert "Who is the CEO?" in questions and len(questions) == 1 + 1 + 1  # taught + 1 augment + 1 replay
    assert all(p[1] != "Marta Okonkwo is the CEO." or "CEO" in p[0][-1]["content"] for p in nxt.train_pairs)


@pytest.mark.slow
def test_the_base_model_writes_rewordings_that_the_plan_teaches(project):
    from lic_cli import models

    questions = ["How long is the refund window?", "Who is the CEO of Kestrel?"]
    written = lm_paraphrase.generate(models.resolve("smollm2"), questions, 3, seed=42)
    assert written == lm_paraphrase.generate(models.resolve("smollm2"), questions, 3, seed=42)  # seeded
    assert set(written) == set(questions) and sum(map(len, written.values())) >= 2
    for q, rewordings in written.items():
        assert len(rewordings) <= 3 and all(lm_paraphrase.accept(q, r) == r for r in rewordings)

    task = project.task("qa")
    params = SFTParams.from_dict({"replay": 0, "augment": 0, "augment_lm": 3, "seed": 42}, "qa")
    register_v0(project, params)
    answer = "Marta Okonkwo is the CEO."
    apply_rows(project, add=[{"question": "Who is the CEO of Kestrel?", "answer": answer}])
    notes: list[str] = []
    nxt = plan(project, task, params, read_qa(task, project.dataset_path(task)), note=notes.append)
    taught = [p[0][-1]["content"] for p in nxt.train_pairs if p[1] == answer]
    alone = lm_paraphrase.generate(models.resolve("smollm2"), ["Who is the CEO of Kestrel?"], 3, seed=42)
    assert set(taught) == {"Who is the CEO of Kestrel?", *alone["Who is the CEO of Kestrel?"]}
    assert any("smollm2 wrote" in n for n in notes)


# --- the CI gate -----------------------------------------------------------------------------

def test_gate_reports_drops_beyond_the_tolerance():
    prev = {"metrics": {"accuracy": 0.9, "macro_f1": 0.8, "locality": None, "eval_loss": 1.0}}
    cur = {"metrics": {"accuracy": 0.89, "macro_f1": 0.7, "locality": 0.5, "eval_loss": 3.0}}
    found = gate.drops(prev, cur, 0.02)
    assert [(d["metric"], d["drop"]) for d in found] == [("macro_f1", 0.1)]
    assert gate.drops(None, cur, 0.02) == []
    [line] = gate.describe("topics", "models/topics/v0-aa", found, 0.02)
    assert "macro_f1 dropped 0.1000 (0.8000 -> 0.7000)" in line and "tolerance 0.02" in line


def test_gate_fails_weights_alone_locality_below_the_tolerance():
    # weights_locality is measured against the previous model's answers: 0.9 is a drop of 0.1.
    cur = {"metrics": {"locality": 1.0, "weights_locality": 0.9}}
    assert [(d["metric"], d["drop"]) for d in gate.drops(None, cur, 0.05)] == [("weights_locality", 0.1)]
    assert gate.drops(None, cur, 0.1) == []
    prev = {"metrics": {"locality": 1.0, "weights_locality": 1.0}}
    assert [d["metric"] for d in gate.drops(prev, cur, 0.02)] == ["weights_locality"]


# --- end to end (slow: SmolLM2 trains for 2 steps a time) ---------------------------------------

@pytest.mark.slow
def test_sft_saves_a_plain_causal_lm(tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from lic_cli import models
    from lic_cli.train.causal import qa_pair
    from lic_cli.train.sft import encode_pair, train_causal_lm

    base = models.resolve("smollm2")
    tok = AutoTokenizer.from_pretrained(base)
    pair = qa_pair("How long is the refund window?", "14 days.")
    feat = encode_pair(tok, *pair, max_length=64)
    learned = [t for t, lab in zip(feat["input_ids"], feat["labels"], strict=True) if lab != -100]
    assert tok.decode(learned).startswith("14 days.<|im_end|>")  # loss on the answer and its end only
    assert encode_pair(tok, *pair, max_length=8) is None  # prompt alone too long

    pairs = [qa_pair(r["question"], r["answer"]) for r in ROWS]
    params = SFTParams(max_steps=2, batch_size=2, max_length=64, lora_r=4, lora_alpha=8, kl_weight=1.0)
    # With the KL term against the weights before training, on prompts with their base answers.
    kl = [qa_pair("What is the capital of Japan?", "The capital of Japan is Tokyo.")]
    metrics = train_causal_lm(pairs[:3], pairs[3:], base, tmp_path / "m", params, progress=False, note=print,
                              kl_pairs=kl)
    assert metrics["steps"] == 2 and metrics["train_rows"] == 3 and metrics["eval_rows"] == 1
    assert metrics["eval_loss"] > 0 and metrics["method"] == "lora"
    model = AutoModelForCausalLM.from_pretrained(tmp_path / "m")  # merged: no peft needed
    assert not any("lora" in name for name, _ in model.named_parameters())
    assert (tmp_path / "m" / "model.safetensors").is_file() and (tmp_path / "m" / "tokenizer.json").is_file()


@pytest.mark.slow
def test_top_layer_adapters_and_answer_only_logits_keep_the_loss():
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, DataCollatorForSeq2Seq

    from lic_cli import models
    from lic_cli.train.causal import qa_pair
    from lic_cli.train.sft import _with_lora, answer_logits_only, encode_pairs

    base = models.resolve("smollm2")
    tokenizer, model = AutoTokenizer.from_pretrained(base), AutoModelForCausalLM.from_pretrained(base)
    lora = _with_lora(model, SFTParams(lora_r=4, lora_alpha=8, lora_layers=2))
    adapted = {n.split(".layers.")[1].split(".")[0] for n, _ in lora.named_parameters() if "lora_" in n}
    assert adapted == {"28", "29"}  # SmolLM2-135M has 30 decoder layers: the top two
    feats, _ = encode_pairs(tokenizer, [qa_pair(r["question"], r["answer"]) for r in ROWS], 64)
    batch = DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=-100)(feats)
    cut = answer_logits_only(batch)
    assert 0 < cut["logits_to_keep"] < batch["input_ids"].shape[1]
    with torch.no_grad():
        full_loss, cut_loss = lora(**batch).loss.item(), lora(**cut).loss.item()
    assert cut_loss == pytest.approx(full_loss, rel=1e-5)
    no_answer = {**batch, "labels": torch.full_like(batch["labels"], -100)}
    assert answer_logits_only(no_answer) is no_answer


@pytest.mark.slow
def test_train_incrementally_then_nothing_then_eval(project):
    from click.testing import CliRunner

    from lic_cli.commands.eval import command as eval_command
    from lic_cli.commands.train import command as train_command
    from lic_cli.train import NOTHING_TO_TRAIN, registry

    root = str(project.root)
    first = CliRunner().invoke(train_command, ["-q", "--project", root])
    assert first.exit_code == 0, first.stderr
    [s1] = [json.loads(line) for line in first.stdout.splitlines()]
    assert s1["status"] == "trained" and s1["metrics"]["start"] == "smollm2"
    assert s1["metrics"]["answer_accuracy"] is not None and s1["metrics"]["reliability"] is None

    apply_rows(project, add=[{"question": "Who is the CEO of Kestrel?", "answer": "Marta Okonkwo is the CEO.",
                              "paraphrases": ["Who runs Kestrel?"], "near_miss": ["Who is the CFO of Kestrel?"]}],
               message="ceo")
    second = CliRunner().invoke(train_command, ["-q", "--ci", "--project", root])
    assert second.exit_code in (0, 1), second.stderr
    [s2] = [json.loads(line) for line in second.stdout.splitlines()]
    assert s2["status"] == "trained" and s2["metrics"]["start"] == s1["model"]  # continued, not from the base
    assert s2["metrics"]["taught"] == 1 and s2["metrics"]["replayed"] == 1
    assert s2["gate"]["against"] == s1["model"] and (second.exit_code == 1) == (not s2["gate"]["passed"])
    m = s2["metrics"]
    assert m["reliability"] in (0.0, 1.0) and m["paraphrases"] == 3  # written + 2 templates
    assert m["patches"][0]["patch"].startswith("patches/qa/") and m["patches"][0]["rows"] == 1
    assert registry.latest(project, "qa")["previous"]["path"] == s1["model"]
    # Weights alone beside the gated figures (no gate here: the same), near misses counted apart.
    assert m["weights_locality"] == m["locality"] and m["near_miss_probes"] == 1
    assert m["near_miss_locality"] == m["weights_near_miss_locality"] in (0.0, 1.0)
    card = (project.root / s2["model"] / "README.md").read_text()
    assert "v1" in card and "weights alone" in card and m["patches"][0]["patch"] in card

    again = CliRunner().invoke(train_command, ["--project", root])
    assert again.exit_code == 0 and again.stdout == "" and NOTHING_TO_TRAIN in again.stderr
    quiet = CliRunner().invoke(train_command, ["-q", "--project", root])  # -q: a status line is not an error
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""

    ev = CliRunner().invoke(eval_command, ["qa", "--json", "--details", "--project", root])
    assert ev.exit_code == 0, ev.stderr
    [res] = [json.loads(line) for line in ev.stdout.splitlines()]
    assert res["model"] == s2["model"] and res["previous"] == s1["model"]
    assert res["reliability"] == m["reliability"] and res["generalization"] == m["generalization"]
    [item] = res["items"]
    assert item["question"] == "Who is the CEO of Kestrel?" and item["paraphrases"][0] == "Who runs Kestrel?"
    probes = res["locality_items"]  # the probes the previous model answered right, and their verdicts now
    assert len(probes) == m["locality_probes"] and all(p["held_out"] == (p["question"] == ROWS[3]["question"])
                                                        for p in probes)
    assert sum(p["correct"] for p in probes) == round((m["locality"] or 0) * len(probes))
    [near] = res["near_miss_items"]
    assert near["question"] == "Who is the CFO of Kestrel?" and near["kept"] == bool(m["near_miss_locality"])
    short = CliRunner().invoke(eval_command, ["qa", "--json", "--project", root])
    assert "locality_items" not in json.loads(short.stdout) and "items" not in json.loads(short.stdout)
    assert "near_miss_items" not in json.loads(short.stdout)


def test_extraction_type_is_wired_and_bad_rows_name_the_line(tmp_path):
    from lic_cli.train import run, unavailable

    (tmp_path / "datasets").mkdir()
    (tmp_path / "tasks.yaml").write_text("""\
version: 1
tasks:
  - name: extract
    description: Teaching turns and the knowledge they carry.
    dataset: datasets/extract.jsonl
    format: qa
    train: {type: extraction, base: smollm2, params: {max_steps: 1}}
""")
    good = {"id": "e1", "text": "Our refund window is 14 days now.", "context": [], "label": "teach",
            "knowledge": [{"kind": "qa", "question": "How long is the refund window?", "answer": "14 days."}]}
    write_rows(tmp_path / "datasets/extract.jsonl", [good, {**good, "id": "e2", "knowledge": "oops"}])
    project = load_project(tmp_path)
    assert unavailable(project.task("extract")) is None
    with pytest.raises(InputError) as err:
        list(run(project, ["extract"], progress=False, note=lambda _m: None))
    assert (err.value.source, err.value.line, err.value.field) == (str(project.dataset_path(project.task("extract"))), 2, "knowledge")


def test_eval_table_has_a_line_per_patch_and_overall():
    from rich.console import Console

    from lic_cli.train.report import table

    result = {"task": "qa", "dataset_version": 2, "taught": 3, "reliability": 1.0, "generalization": 0.5,
              "locality": 0.9, "locality_probes": 10, "answer_accuracy": 0.75, "held_out": 4,
              "patches": [{"patch": "patches/qa/0001-a.patch.jsonl", "version": 1, "rows": 2, "reliability": 1.0,
                           "generalization": 0.25},
                          {"patch": "patches/qa/0002-b.patch.jsonl", "version": 2, "rows": 1, "reliability": 1.0,
                           "generalization": None}]}
    console = Console(record=True, width=200)
    console.print(table([result]))
    text = console.export_text()
    assert "0001-a.patch.jsonl" in text and "25.0 %" in text and "overall" in text
    assert "90.0 % of 10" in text and "75.0 % of 4" in text
    result.update(weights_locality=0.6, near_miss_locality=1.0, weights_near_miss_locality=0.5, near_miss_probes=2)
    console = Console(record=True, width=250)
    console.print(table([result]))
    text = console.export_text()
    assert "60.0 % of 10" in text and "50.0 % alone of 2" in text
