"""Extract engines beyond the rules: the prompt format, the extract dataset, evaluation,
the llm engine against a real local HTTP server (repair retry, rejects, timeouts), and
the packaged SmolLM2 through the llm and model engines (slow)."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from lic_cli import extract
from lic_cli.commands.extract import command
from lic_cli.errors import InputError, ModelLoadError
from lic_cli.extract import evaluate, prompt
from lic_cli.extract.endpoint import EndpointGenerator, chat_url
from lic_cli.extract.engine import RulesEngine, Turn
from lic_cli.extract.llm import LLMEngine
from lic_cli.extract.model import ModelEngine
from lic_cli.extract.schema import item_problems, make_item
from lic_cli.router.rules import compatible
from lic_cli.tasks import load_project

REPO = Path(__file__).resolve().parent.parent
DATASET = REPO / "datasets" / "extract.jsonl"
REFUND = [{"role": "user", "text": "How long is the refund window?"}, {"role": "assistant", "text": "14 days."}]
GOOD = '[{"kind":"qa","question":"How long is the refund window?","answer":"30 days","replaces":"14 days."}]'


def rows() -> list[dict]:
    return [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines()]


def turn(n: int, role: str, text: str, label: str | None = None, conv: str = "c1") -> dict:
    rec = {"conversation": conv, "turn": n, "role": role, "text": text}
    if label:
        rec["intent"] = {"label": label, "score": 0.9}
    return rec


# --- prompt --------------------------------------------------------------------------

def test_messages_keep_the_last_exchange_and_the_intent():
    ctx = [{"role": "user", "text": "hi"}, {"role": "assistant", "text": "Hello!"}, *REFUND]
    system, user = prompt.messages("No, it's 30 days.", ctx, "correct")
    assert system == {"role": "system", "content": prompt.SYSTEM}
    assert user["content"] == ("Context:\nuser: How long is the refund window?\nassistant: 14 days.\n"
                               "Intent: correct\nTurn: No, it's 30 days.")
    assert prompt.messages("x", [], None)[1]["content"] == "Turn: x"


def test_target_is_compact_canonical_json_without_statement_or_source():
    item = make_item("qa", {"answer": "30 days", "question": "How long is the refund window?", "replaces": "14 days."},
                     source="c1/t3", engine="rules")
    assert prompt.target([item]) == GOOD
    assert prompt.target([]) == "[]"


def test_parse_round_trips_and_tolerates_fences_and_prose():
    assert prompt.parse(GOOD) == json.loads(GOOD)
    assert prompt.parse(f"Sure! Here it is:\n```json\n{GOOD}\n```") == json.loads(GOOD)
    assert prompt.parse('{"kind":"forget","target":"fax number","statement":"x"}') == [
        {"kind": "forget", "target": "fax number"}]
    assert prompt.parse('[{"kind":"label","text":"a","label":"b","task":null}]') == [
        {"kind": "label", "text": "a", "label": "b"}]


@pytest.mark.parametrize(("answer", "field", "reason"), [
    ("I cannot help with that.", "completion", "no JSON list"),
    ('[{"kind":"qa","question":"Q?","answer":"A"', "completion", "invalid JSON"),
    ('[{"kind":"qa","question":"Q?"}]', "completion[0].answer", "'answer' must be a non-empty string"),
    ('[{"kind":"opinion","text":"x"}]', "completion[0]", "unknown kind 'opinion'"),
    ('[{"kind":"fact","subject":"A","relation":"b","object":"c","confidence":"high"}]', "completion[0]",
     "unexpected key 'confidence'"),
    ('["just a string"]', "completion[0]", "expected an object"),
    ('{"items": 3}', "completion[0]", "unknown kind None"),
])
def test_parse_rejects_malformed_answers_with_a_reason(answer, field, reason):
    with pytest.raises(InputError) as info:
        prompt.parse(answer)
    assert info.value.field == field and reason in info.value.reason


def test_training_pairs_cover_the_dataset_and_parse_back_to_the_gold():
    data = rows()
    pairs = prompt.training_pairs(data)
    assert len(pairs) == len(data)
    for row, (msgs, completion) in zip(data, pairs, strict=True):
        assert msgs == prompt.messages(row["text"], row["context"], row["label"])
        assert prompt.parse(completion) == [prompt.fields_of(i) for i in row["knowledge"]]


def test_training_pairs_name_the_bad_row():
    with pytest.raises(InputError) as info:
        prompt.training_pairs([{"id": "x9", "text": "hi", "knowledge": [{"kind": "qa", "question": "Q"}]}])
    assert info.value.record_id == "x9" and info.value.field == "completion[0].answer"


# --- the extract dataset and task ------------------------------------------------------

def test_extract_dataset_is_big_varied_valid_and_split_by_text():
    data = rows()
    assert len(data) >= 600
    assert len({r["id"] for r in data}) == len(data)
    kinds = {i["kind"] for r in data for i in r["knowledge"]}
    assert kinds == {"qa", "fact", "label", "forget"}
    assert sum(not r["knowledge"] for r in data) >= 60  # look-alikes with nothing to extract
    assert sum(len(r["knowledge"]) > 1 for r in data) >= 40  # multi-item turns
    corrections = [r for r in data if r["label"] == "correct" and r["context"]]
    assert len(corrections) >= 100
    assert sum(any("replaces" in i for i in r["knowledge"]) for r in corrections) >= 80
    assert {i.get("task") for r in data for i in r["knowledge"] if i["kind"] == "label"} >= {"ticket_topics", "intent"}
    for r in data:
        for item in r["knowledge"]:
            full = make_item(item["kind"], item, source=r["id"], engine="gold")
            assert not item_problems(full), (r["id"], item)
        # the split is a function of the turn (text + context): adding rows never moves one
        slot = int(hashlib.sha256(("split" + r["text"] + json.dumps(r["context"])).encode()).hexdigest(), 16) % 20
        assert r["split"] == ("dev" if slot < 3 else "test" if slot < 6 else "train")
    # Rows added after the first split (x0635 on) go to train and dev only (a new row whose hash says
    # test is left out, so the test split never changes); the hash shares are those of the first rows.
    assert not [r["id"] for r in data if r["id"] > "x0634" and r["split"] == "test"]
    first = [r for r in data if r["id"] <= "x0634"]
    share = {s: sum(r["split"] == s for r in first) / len(first) for s in ("dev", "test")}
    assert all(0.12 < v < 0.2 for v in share.values()), share


def test_extract_task_is_registered_and_never_a_route_target(demo_project):
    project = load_project(demo_project)
    task = project.task("extract")
    assert task.format == "extraction" and task.train.type == "extraction" and task.train.base == "smollm2"
    for item in [make_item("forget", {"target": "fax number"}, source="c/t1", engine="rules"),
                 make_item("qa", {"question": "Q?", "answer": "A"}, source="c/t1", engine="rules")]:
        names = [t.name for t, _ in compatible(project, item)]
        assert names and "extract" not in names


# --- evaluation ----------------------------------------------------------------------

def test_score_definitions():
    qa = {"kind": "qa", "question": "How long is the refund window?", "answer": "30 days"}
    gold = [[evaluate._item(qa)], [], [evaluate._item({"kind": "forget", "target": "fax number"})]]
    pred = [[evaluate._item({**qa, "answer": "30 Days."})],  # normalization: case and end punctuation
            [evaluate._item({"kind": "forget", "target": "x"})],  # a false positive on a look-alike
            [evaluate._item({"kind": "forget", "target": "the fax number"})]]  # one field wrong
    m = evaluate.score(gold, pred)
    assert m["exact"] == round(1 / 3, 4)
    assert m["field"] == {"precision": 0.5, "recall": round(2 / 3, 4), "f1": round(4 / 7, 4), "gold": 3,
                          "predicted": 4}
    assert m["per_kind"]["qa"]["field"]["f1"] == 1.0 and m["per_kind"]["forget"]["field"]["precision"] == 0.0
    assert m["empty_rows"] == 1 and m["empty_kept"] == 0.0


def test_eval_cli_reports_per_kind_and_writes_json(demo_project, tmp_path):
    out = tmp_path / "m.json"
    result = CliRunner().invoke(command, ["--project", str(demo_project), "--engine", "rules", "--eval", "-",
                                          "--eval-json", str(out)])
    assert result.exit_code == 0, result.output
    assert "exact match" in result.stdout and "forget" in result.stdout
    m = json.loads(out.read_text())
    assert m["engine"] == "rules" and m["split"] == "test" and m["rows"] == sum(r["split"] == "test" for r in rows())
    assert set(m["per_kind"]) == {"qa", "fact", "label", "forget", "note", "span"}
    assert 0.5 < m["field"]["f1"] <= 1 and m["rejected"] == 0


def test_eval_of_a_bad_file_names_the_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "knowledge": []}\n{"text": "y", "knowledge": [{"kind": "poem"}]}\n')
    result = CliRunner().invoke(command, ["--engine", "rules", "--eval", str(bad)])
    assert result.exit_code == 1
    assert f"{bad} line 2 field 'knowledge[0]'" in result.stderr


# --- the llm engine against a real local server ----------------------------------------

class Chat(BaseHTTPRequestHandler):
    """An OpenAI-compatible server whose answers depend on the turn: REPAIRABLE answers
    malformed JSON first and valid JSON to the repair turn; HOPELESS is malformed twice;
    SLOW sleeps past the client's timeout; anything else gets GOOD."""

    requests: list[list[dict]] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        msgs = body["messages"]
        Chat.requests.append(msgs)
        turn_text = next(m["content"] for m in reversed(msgs) if m["role"] == "user" and "Turn:" in m["content"])
        turn_text = turn_text.rsplit("Turn:", 1)[1]
        repair = "not valid" in msgs[-1]["content"]
        if "SLOW" in turn_text:
            time.sleep(2.5)
        if "HOPELESS" in turn_text:
            content = "Sure, the window is 30 days!" if not repair else '[{"kind":"qa","question":"Q?"}]'
        elif "REPAIRABLE" in turn_text and not repair:
            content = '[{"kind":"qa","question":"How long is the refund window?","answer":"30 days"'
        else:
            content = GOOD
        data = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}],
                           "usage": {"completion_tokens": 9}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def server():
    Chat.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Chat)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def conversation(*texts: str) -> list[dict]:
    recs = [turn(1, "user", "How long is the refund window?", "none"), turn(2, "assistant", "14 days.")]
    return recs + [turn(3 + i, "user", t, "correct") for i, t in enumerate(texts)]


def test_chat_url_forms():
    assert chat_url("http://h:8/v1") == chat_url("http://h:8") == chat_url("http://h:8/v1/chat/completions/") \
        == "http://h:8/v1/chat/completions"


def test_llm_repairs_a_malformed_answer_once(server):
    engine = LLMEngine(EndpointGenerator(server, model="m"))
    stats = extract.Stats()
    out = list(extract.run(conversation("REPAIRABLE: no, it's 30 days."), engine=engine, stats=stats))
    assert [i["answer"] for i in out[2]["knowledge"]] == ["30 days"]
    assert out[2]["knowledge"][0]["engine"] == "llm" and "errors" not in out[2]
    assert (stats.repaired, stats.rejected) == (1, [])
    first, repair = Chat.requests
    assert repair[:-2] == first  # same prompt, then the model's answer and the validation error
    assert repair[-2]["role"] == "assistant" and repair[-2]["content"].endswith('"30 days"')
    assert "invalid JSON" in repair[-1]["content"]
    assert "Context:\nuser: How long is the refund window?\nassistant: 14 days." in first[-1]["content"]


def test_llm_malformed_twice_is_reported_counted_and_kept(server, tmp_path):
    rejects = tmp_path / "rejects.jsonl"
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in conversation("HOPELESS", "fine: 30 days", "HOPELESS 2")))
    result = CliRunner().invoke(command, ["--engine", "llm", "--endpoint", server, "--batch-size", "2",
                                          "-i", str(src), "--rejects", str(rejects)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["turn"] for r in out] == [1, 2, 3, 4, 5]  # nothing lost, order kept across batches
    bad = [r for r in out if r.get("errors")]
    assert [r["turn"] for r in bad] == [3, 5]
    for r in bad:
        assert r["knowledge"] == []
        (err,) = r["errors"]
        assert err["stage"] == "extract" and err["engine"] == "llm"
        assert "also after one repair retry" in err["reason"] and "'answer' must be a non-empty string" in err["reason"]
        assert err["output"] == '[{"kind":"qa","question":"Q?"}]'
    assert out[3]["knowledge"][0]["answer"] == "30 days"
    assert [json.loads(line) for line in rejects.read_text().splitlines()] == bad
    assert "2 rejected: output failed validation (c1/t3, c1/t5)" in result.stderr
    assert len(Chat.requests) == 5  # 3 first answers + 2 repairs


def test_endpoint_timeout_is_one_clear_line(server):
    result = CliRunner().invoke(command, ["--engine", "llm", "--endpoint", server, "--timeout", "1"],
                                input="".join(json.dumps(r) + "\n" for r in conversation("SLOW")))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == \
        f"Error: endpoint {server}/chat/completions: no answer within 1 s (--timeout)"
    assert "Traceback" not in result.output


def test_endpoint_refused_connection():
    gen = EndpointGenerator("http://127.0.0.1:9/v1", timeout=2)
    with pytest.raises(ModelLoadError, match="cannot connect"):
        gen.complete([[{"role": "user", "content": "hi"}]])


def test_model_engine_without_a_trained_model_says_how_to_train(demo_project):
    result = CliRunner().invoke(command, ["--project", str(demo_project), "--engine", "model"], input="")
    assert result.exit_code == 1
    assert "no trained model for task 'extract' yet: run `lic train extract`" in result.stderr


def test_auto_is_the_rules_alone_when_first_use_training_is_off(demo_project, capsys, monkeypatch):
    from lic_cli.extract import learned
    from lic_cli.extract.auto import AutoEngine

    monkeypatch.setattr(learned, "trained_path", lambda: None)  # whatever this machine's $LIC_HOME holds
    monkeypatch.setenv("LIC_EXTRACT_TRAIN", "0")  # no first-use training

    project = load_project(demo_project)
    auto = extract.load_engine("auto", project)
    assert isinstance(auto, AutoEngine) and isinstance(extract.load_engine("auto", None), AutoEngine)
    turns = [Turn(r["text"], r["context"], r["label"]) for r in rows()[:40]]
    assert [o.items for o in auto.extract(turns)] == [o.items for o in RulesEngine().extract(turns)]
    assert auto.policy == "rules"  # the demo's own dataset: the rules read it (auto.rules_suffice)
    outside = extract.load_engine("auto", None)  # no project: the corpus policy, which needs the learned engine
    assert [o.items for o in outside.extract(turns)] == [o.items for o in RulesEngine().extract(turns)]
    assert "the learned engine is not trained on this machine yet" in capsys.readouterr().err


# --- real models (slow) ----------------------------------------------------------------

@pytest.mark.slow
def test_packaged_smollm2_through_the_llm_engine_loses_nothing():
    engine = extract.load_engine("llm", llm="smollm2", batch_size=3)
    stats = extract.Stats()
    recs = [*conversation("No, it's 30 days."), turn(4, "user", "Kestrel's CEO is Dana Whitfield.", "teach"),
            turn(5, "user", "Forget the fax number.", "forget")]
    out = list(extract.run(recs, engine=engine, stats=stats, batch_size=3))
    assert [r["turn"] for r in out] == [1, 2, 3, 4, 5]
    for rec in out[2:]:
        if rec["knowledge"]:
            assert all(not item_problems(i) and i["engine"] == "llm" for i in rec["knowledge"])
        else:
            assert rec["errors"][-1]["stage"] == "extract"  # reported, never silently empty
    assert stats.teaching == 3
    assert len(stats.rejected) + len(stats.empty) + sum(bool(r["knowledge"]) for r in out[2:]) >= 3


@pytest.mark.slow
def test_tiny_trained_model_runs_end_to_end(demo_project, tmp_path):
    from lic_cli import models
    from lic_cli.store.rows import file_hash
    from lic_cli.train import registry
    from lic_cli.train.params import SFTParams
    from lic_cli.train.sft import train_causal_lm

    project = load_project(demo_project)
    task = project.task("extract")
    train = [r for r in rows() if r["split"] == "train"][:8]
    params = SFTParams(max_steps=2, batch_size=4, max_length=160)
    digest = file_hash(project.dataset_path(task))
    folder = registry.model_dir(project, task.name, 1, digest)
    train_causal_lm(prompt.training_pairs(train), None, models.resolve("smollm2"), folder, params, progress=False,
                    note=lambda _: None)
    registry.add(project, {"task": task.name, "status": "trained", "path": str(folder.relative_to(project.root)),
                           "dataset_version": 1, "dataset_hash": digest, "base": "smollm2", "type": "extraction"})
    # auto never uses the SmolLM2 model engine, trained or not (rules + the learned engine)
    assert not isinstance(extract.load_engine("auto", project), ModelEngine)
    rejects = tmp_path / "rejects.jsonl"
    result = CliRunner().invoke(command, ["--project", str(demo_project), "--engine", "model", "--rejects",
                                          str(rejects)],
                                input="".join(json.dumps(r) + "\n" for r in conversation("No, it's 30 days.")))
    assert result.exit_code == 0, result.output
    (rec,) = [json.loads(line) for line in result.stdout.splitlines()][2:]
    if rec["knowledge"]:
        assert all(not item_problems(i) and i["engine"] == "model" for i in rec["knowledge"])
    else:
        assert rec["errors"][-1]["stage"] == "extract"
    assert "extract: 1 teaching turn" in result.stderr
    engine = extract.load_engine("model", project)
    (outcome,) = engine.extract([Turn("Kestrel's CEO is Dana Whitfield.", [], "teach")])
    assert outcome.error is not None or outcome.items is not None
