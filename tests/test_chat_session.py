"""Chat plumbing without a model: which model answers, how decisions are logged, staging and
undo, transcripts and resuming (a two-line echo backend stands in for the model here; the
real models are driven in test_chat_repl.py and test_chat_endpoint.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lic_cli.chat.backend import chat_model_spec
from lic_cli.chat.session import Session, decide
from lic_cli.chat.staging import Stage
from lic_cli.store.rows import file_hash
from lic_cli.tasks import load_project


class Echo:
    name = "echo"

    def generate(self, messages, emit, *, grounded=False):
        emit("you said: ")
        emit(messages[-1]["content"])


def test_the_newest_trained_causal_lm_answers_when_there_is_one(demo_project):
    project = load_project(demo_project)
    assert chat_model_spec(project) == ("smollm2", "packaged")
    assert chat_model_spec(None) == ("smollm2", "packaged")
    folder = demo_project / "models" / "support_qa" / "v0-abcdef12"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    entry = {"task": "support_qa", "status": "trained", "path": "models/support_qa/v0-abcdef12",
             "dataset_version": 0, "dataset_hash": file_hash(demo_project / "datasets" / "support_qa.jsonl"),
             "type": "causal-lm", "time": "2026-01-01T00:00:00Z"}
    # A classification model (ticket_topics) is never a chat model, however new.
    other = {**entry, "task": "ticket_topics", "path": "models/support_qa/v0-abcdef12", "type": "classification",
             "time": "2026-02-01T00:00:00Z"}
    (demo_project / "models" / "registry.jsonl").write_text(json.dumps(entry) + "\n" + json.dumps(other) + "\n")
    spec, why = chat_model_spec(project)
    assert Path(spec) == folder and why == "trained on support_qa v0"


def test_rejected_edits_are_logged_as_noops_so_apply_skips_them():
    edit = {"task": "facts", "op": "delete", "row": "k1", "before": {"subject": "a"}, "after": None}
    assert decide(edit, "rejected") == {**edit, "op": "noop", "proposed": "delete", "decision": "rejected"}
    assert decide(edit, "accepted") == {**edit, "decision": "accepted"}
    assert decide({**edit, "op": "add"}, "edited", after={"x": 1})["after"] == {"x": 1}


def test_stage_apply_undo_unstages_then_reverts(demo_project):
    project = load_project(demo_project)
    stage = Stage(project, "tester")
    facts = demo_project / "datasets" / "facts.jsonl"
    fax = next(json.loads(line) for line in facts.read_text().splitlines() if '"fax number"' in line)
    assert stage.undo() == "nothing to undo"
    stage.add("c", 1, {"task": "facts", "op": "delete", "row": None, "before": fax, "after": None})
    assert stage.undo().startswith("unstaged delete of facts") and stage.edits == []
    stage.add("c", 1, {"task": "facts", "op": "delete", "row": None, "before": fax, "after": None})
    assert [p.task for p in stage.patches()] == ["facts"]
    (result,) = stage.apply()
    assert result["applied"] and result["version"] == 1 and '"fax number"' not in facts.read_text()
    assert stage.undo().startswith(f"reverted {result['patch']} as facts version 2")
    assert '"fax number"' in facts.read_text()


def test_transcript_is_written_as_it_goes_and_resumed(tmp_path):
    log = tmp_path / "t.jsonl"
    with log.open("a", encoding="utf-8") as fh:
        s = Session(Echo(), conversation="c9")
        s.sinks.append(fh)
        s.record(s.user("hello"))
        assert len(log.read_text().splitlines()) == 1  # flushed before the reply exists
        s.reply()
    again = Session(Echo())
    assert again.resume(log) == 2 and again.conversation == "c9"
    again.record(again.user("more"))
    reply = again.reply()
    assert reply["turn"] == 4 and reply["text"] == "you said: more"
    assert [m["role"] for m in again.messages([])] == ["system", "user", "assistant", "user", "assistant"]


class Stopped:
    """A backend the person interrupts (Ctrl-C) after its second piece."""

    name = "stopped"
    last_tokens = 0

    def generate(self, messages, emit, *, grounded=False):
        for n, piece in enumerate(["The ", "refund ", "window "], 1):
            self.last_tokens = n
            emit(piece)
            if n == 2:
                raise KeyboardInterrupt


def test_an_interrupted_reply_keeps_what_was_said(tmp_path):
    s = Session(Stopped())
    s.record(s.user("How long is the refund window?"))
    shown = []
    with pytest.raises(KeyboardInterrupt):
        s.generate_reply(shown.append)
    assert shown == s.partial == ["The ", "refund "] and s.last_stats.tokens == 2
    rec = s.finish_reply("".join(s.partial), interrupted=True)
    assert (rec["text"], rec["interrupted"], rec["turn"]) == ("The refund", True, 2)


def _row(project_dir: Path, task: str, field: str, value: str) -> dict:
    path = project_dir / "datasets" / f"{task}.jsonl"
    return next(r for r in map(json.loads, path.read_text().splitlines()) if r[field] == value)


def test_resume_stages_again_what_the_transcript_left_staged(demo_project):
    """Applied (in a patch file), unstaged by /undo, rejected: none come back; the rest does,
    and /patch and /apply work on it."""
    project = load_project(demo_project)
    refund = _row(demo_project, "support_qa", "question", "How long is the refund window?")
    fax = _row(demo_project, "facts", "relation", "fax number")
    phone = _row(demo_project, "facts", "subject", "Kestrel Portland")
    update = {"task": "support_qa", "op": "update", "row": None, "before": refund,
              "after": {**refund, "answer": "30 days"}, "candidates": [{"score": 0.9}]}
    delete = {"task": "facts", "op": "delete", "row": None, "before": fax, "after": None}
    new_phone = {"task": "facts", "op": "update", "row": None, "before": phone,
                 "after": {**phone, "object": "+1 503 555 0199"}}
    added = {"task": "facts", "op": "add", "row": None, "before": None,
             "after": {"subject": "Kestrel", "relation": "mascot", "object": "a kestrel"}}
    log = demo_project / "t.jsonl"

    def turn(s, text, edit, decision):
        rec = s.user(text)
        rec["edits"] = [decide(edit, decision)]
        s.stage_edit(rec, rec["edits"][0])
        s.record(rec)
        s.reply()

    with log.open("a", encoding="utf-8") as fh:
        s = Session(Echo(), conversation="c", stage=Stage(project, "tester"))
        s.sinks.append(fh)
        turn(s, "Forget the fax number.", delete, "accepted")
        (applied,) = s.stage.apply()  # /apply: the delete is in a patch file now
        turn(s, "Portland's number is +1 503 555 0199.", new_phone, "accepted")
        assert s.stage.undo().startswith("unstaged update of facts")  # /undo
        turn(s, "The refund window is 30 days.", update, "edited")
        turn(s, "Our mascot is a kestrel.", added, "rejected")
        turn(s, "Our mascot is a kestrel, really.", added, "accepted")
        s.stage.undo()  # the last thing before leaving: only a system turn can carry it
        s.close()
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert records[4]["unstaged"][0]["task"] == "facts" and records[-1]["role"] == "system"

    again = Session(Echo(), stage=Stage(project, "tester"))
    assert again.resume(log) == len(records)
    assert [(e.turn, e.edit["task"], e.edit["op"]) for e in again.stage.edits] == [(5, "support_qa", "update")]
    assert "candidates" not in again.stage.edits[0].edit
    assert {m["role"] for m in again.messages([])[1:]} == {"user", "assistant"}  # the system note is not history
    (patch,) = again.stage.patches()
    assert patch.ops[0].after["answer"] == "30 days" and patch.ops[0].source == "c/t5"
    (result,) = again.stage.apply()
    assert result["applied"] and result["task"] == "support_qa" and applied["patch"] != result["patch"]
    assert _row(demo_project, "support_qa", "question", "How long is the refund window?")["answer"] == "30 days"
    # Resumed once more, nothing is staged: all of it is in patch files now.
    third = Session(Echo(), stage=Stage(project, "tester"))
    third.resume(log)
    assert third.stage.edits == []


def tiny_lm(folder: Path) -> Path:
    """A real, tiny Hugging Face causal LM folder (random weights, SmolLM2's tokenizer and
    chat template): what `--model PATH` and `/model PATH` load, in a second."""
    import shutil

    from transformers import AutoConfig, AutoModelForCausalLM

    from lic_cli.models import resolve

    source = resolve("smollm2")
    config = AutoConfig.from_pretrained(source)
    config.update({"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
                   "num_key_value_heads": 1, "head_dim": 8})
    AutoModelForCausalLM.from_config(config).save_pretrained(folder)
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        if (source / name).exists():
            shutil.copy(source / name, folder / name)
    return folder


@pytest.mark.slow
def test_local_model_streams_in_the_calling_thread_and_sigint_stops_it():
    import os
    import signal
    import threading

    import torch

    from lic_cli.chat.backend import LocalLM

    lm = LocalLM("smollm2", max_new_tokens=24)
    messages = [{"role": "user", "content": "Tell me a long story about a dragon."}]
    enc = lm.encode(messages)
    with torch.inference_mode():
        out = lm.model.generate(**enc, **lm.generate_kwargs(False))
    new = out[0, enc["input_ids"].shape[1]:]
    threads = []
    pieces = []

    def emit(piece):
        threads.append(threading.current_thread())
        pieces.append(piece)

    lm.generate(messages, emit)
    # The same greedy tokens as plain generate, streamed piece by piece from this thread.
    assert "".join(pieces) == lm.tokenizer.decode(new, skip_special_tokens=True) and len(pieces) > 5
    assert lm.last_tokens == len(new) and set(threads) == {threading.main_thread()}

    # Ctrl-C (a real SIGINT) at the third piece stops generate at once; the tokens so far count.
    stopped = []

    def interrupt(piece):
        stopped.append(piece)
        if len(stopped) == 3:
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        lm.generate(messages, interrupt)
    assert len(stopped) == 3 and 3 <= lm.last_tokens < len(new)
    assert lm.reply(messages) == "".join(pieces).strip()  # and the model is fine afterwards


@pytest.mark.slow
def test_open_backend_resolves_aliases_folders_tasks_and_urls(demo_project):
    from lic_cli.chat.start import open_backend
    from lic_cli.errors import ModelLoadError

    project = load_project(demo_project)
    with pytest.raises(ModelLoadError, match="task 'support_qa' has no trained chat model"):
        open_backend("support_qa", project=project, max_new_tokens=8)
    with pytest.raises(ModelLoadError, match="task 'ticket_topics' has no trained chat model"):
        open_backend("ticket_topics", project=project, max_new_tokens=8)  # a classifier, never a chat model
    with pytest.raises(ModelLoadError, match="model 'no-such-model': no such alias or folder"):
        open_backend("no-such-model", project=project, max_new_tokens=8)
    with pytest.raises(ModelLoadError, match=r"endpoint http://127.0.0.1:9/v1/chat/completions"):
        open_backend("http://127.0.0.1:9", project=project, max_new_tokens=8, check=True)

    folder = tiny_lm(demo_project / "models" / "support_qa" / "v0-abcdef12")
    lm, note = open_backend(str(folder), project=project, max_new_tokens=8)
    assert (lm.name, note) == (str(folder), "--model") and lm.model.config.hidden_size == 16
    entry = {"task": "support_qa", "status": "trained", "path": "models/support_qa/v0-abcdef12",
             "dataset_version": 0, "dataset_hash": file_hash(demo_project / "datasets" / "support_qa.jsonl"),
             "type": "causal-lm", "time": "2026-01-01T00:00:00Z"}
    (demo_project / "models" / "registry.jsonl").write_text(json.dumps(entry) + "\n")
    lm, note = open_backend("support_qa", project=project, max_new_tokens=8)
    assert (lm.name, note, lm.max_new_tokens) == (str(folder), "trained on support_qa v0", 8)
    assert isinstance(lm.reply([{"role": "user", "content": "hi"}]), str)
