"""Chat plumbing without a model: which model answers, how decisions are logged, staging and
undo, transcripts and resuming (a two-line echo backend stands in for the model here; the
real models are driven in test_chat_repl.py and test_chat_endpoint.py)."""

from __future__ import annotations

import json
from pathlib import Path

from lic_cli.chat.backend import chat_model_spec
from lic_cli.chat.session import Session, decide
from lic_cli.chat.staging import Stage
from lic_cli.store.rows import file_hash
from lic_cli.tasks import load_project


class Echo:
    name = "echo"

    def stream(self, messages, *, stop=None, grounded=False):
        yield "you said: "
        yield messages[-1]["content"]


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
