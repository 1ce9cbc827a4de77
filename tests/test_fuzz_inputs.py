"""Hand-written bad inputs, each in every file lic reads (issue 19): JSON a plain parser cannot
take (deep nesting, lone surrogates, 5,000-digit integers, NaN, endless lines), tasks.yaml
traps (an alias bomb, duplicate keys, `version: true`), wrong shapes deep in a record, and
rows that must never be written (NaN, null, lists, empty keys, a dropped column).

Each must end with exit 1 and one line naming the file (and line and field where there is
one), no traceback, and no change to any dataset, version log or registry."""

from __future__ import annotations

import json
import time

import pytest
from fuzzkit import (
    QA_ROWS,
    edit,
    guarded,
    invoke,
    new_project,
    patch_lines,
    problems,
    record,
    refused,
    turn,
    valid_patch,
    version_line,
    write_lines,
)

LINE_LIMIT = 65536  # LIC_MAX_LINE_BYTES for these cases: a "long line" need not take 16 MiB

# JSON values no record, patch, log, journal, registry or dataset may hold, as raw text.
VALUES = {
    "deep-nesting": "[" * 5000 + "]" * 5000,
    "deep-over-limit": "[" * 100 + "]" * 100,
    "lone-surrogate": '"\\ud800"',
    "lone-low-surrogate": '"x\\udfff"',
    "huge-integer": "9" * 5000,
    "nan": "NaN",
    "infinity": "-Infinity",
    "long-line": '"' + "a" * (LINE_LIMIT + 10) + '"',
}
BYTES = {"bad-utf8": b'"caf\xe9"'}
ENV = {"LIC_MAX_LINE_BYTES": str(LINE_LIMIT)}


def payload(name: str, obj_text: str) -> bytes:
    """A JSON line: `obj_text` is a JSON object text with the marker VALUE for the bad value."""
    raw = BYTES.get(name) or VALUES[name].encode()
    return obj_text.encode().replace(b"VALUE", raw)


CASES = sorted([*VALUES, *BYTES])
WARRANTY = '{"question": "What is the warranty?", "answer": "One year.", "split": "test", "x": VALUE}'


@pytest.fixture
def project(tmp_path):
    return new_project(tmp_path / "p")


def check(cls, case, res, before, root, *names):
    bad = refused(res, *names)
    if guarded(root) != before:
        bad.append("a dataset, version log or the registry changed")
    record(cls, case, not bad)
    assert not bad, bad


@pytest.mark.parametrize("case", CASES)
def test_records_on_stdin(project, case):
    before = guarded(project.root)
    data = payload(case, '{"conversation": "c", "turn": 1, "role": "user", "text": "hi", "edits": [VALUE]}')
    res = invoke(["apply", "--yes", "--project", str(project.root), "--author", "t"], input=data, env=ENV)
    check("json-limits", f"records/{case}", res, before, project.root, "stdin line 1")


@pytest.mark.parametrize("command", ["apply", "revert", "show"])
@pytest.mark.parametrize("case", CASES)
def test_patch_files(project, case, command):
    path = valid_patch(project)
    lines = path.read_bytes().splitlines()
    bad = payload(case, '{"op": "update", "row": "k1", "before": VALUE, "after": {"a": "b"}, "score": 1, '
                        '"source": null}')
    path.write_bytes(b"\n".join([lines[0], bad, *lines[2:]]) + b"\n")
    before = guarded(project.root)
    res = invoke([command, str(path), "--project", str(project.root)], env=ENV)
    check("json-limits", f"patch/{command}/{case}", res, before, project.root, "patch.jsonl line 2")


@pytest.mark.parametrize("command", ["log", "apply"])
@pytest.mark.parametrize("case", CASES)
def test_version_log(project, case, command):
    from lic_cli.store.rows import file_hash

    task = project.task("support_qa")
    digest = file_hash(project.dataset_path(task))
    args = ["log", "support_qa"] if command == "log" else ["apply", str(valid_patch(project))]
    log = project.root / "versions/support_qa.jsonl"
    log.parent.mkdir()
    first = json.dumps(version_line(0, digest)).encode()
    log.write_bytes(first + b"\n" + payload(case, '{"version": 1, "hash": VALUE}') + b"\n")
    before = guarded(project.root)
    res = invoke([*args, "--project", str(project.root)], env=ENV)
    check("json-limits", f"versions/{command}/{case}", res, before, project.root, "versions/support_qa.jsonl line 2")


@pytest.mark.parametrize("command", ["log", "apply"])
@pytest.mark.parametrize("case", CASES)
def test_journal(project, case, command):
    args = ["log", "support_qa"] if command == "log" else ["apply", str(valid_patch(project))]
    journal = project.root / ".lic/journal/support_qa.json"
    journal.parent.mkdir(parents=True)
    journal.write_bytes(payload(case, '{"task": "support_qa", "old_hash": VALUE, "new_hash": "x", "entries": []}'))
    before = guarded(project.root)
    res = invoke([*args, "--project", str(project.root)], env=ENV)
    check("json-limits", f"journal/{command}/{case}", res, before, project.root, "journal/support_qa.json")
    assert journal.exists()  # never followed, never dropped: a person decides


@pytest.mark.parametrize("case", CASES)
def test_registry(project, case):
    reg = project.root / "models/registry.jsonl"
    reg.parent.mkdir()
    reg.write_bytes(payload(case, '{"task": "support_qa", "path": "models/x", "dataset_hash": VALUE}') + b"\n")
    before = guarded(project.root)
    res = invoke(["models", "--json", "--project", str(project.root)], env=ENV)
    check("json-limits", f"registry/{case}", res, before, project.root, "registry.jsonl line 1")


@pytest.mark.parametrize("case", CASES)
def test_dataset_row(project, case):
    data = project.root / "datasets/support_qa.jsonl"
    lines = data.read_bytes().splitlines()
    data.write_bytes(b"\n".join([*lines[:2], payload(case, WARRANTY), lines[3]]) + b"\n")
    recs = [turn("c1", 1, edit("update", QA_ROWS[2], {"answer": "Two years."}))]
    from lic_cli.patches import files
    from lic_cli.patches.build import build

    (patch,) = build(recs, project=project, author="a", time="2026-01-02T03:04:05Z").patches
    path = files.write_new(project, patch, "x")
    before = guarded(project.root)
    res = invoke(["apply", str(path), "--project", str(project.root)], env=ENV)
    check("json-limits", f"dataset/{case}", res, before, project.root, "datasets/support_qa.jsonl line 3")


# --- tasks.yaml -------------------------------------------------------------------------

BOMB = "\n".join(["a: &a [x, x, x, x, x, x, x, x, x]"]
                 + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)])
TASK = ("  - name: support_qa\n    description: d\n    dataset: datasets/support_qa.jsonl\n    format: qa\n")
YAMLS = {
    "alias-bomb": BOMB + "\nversion: 1\ntasks:\n" + TASK,
    "duplicate-top-key": "version: 1\nversion: 1\ntasks:\n" + TASK,
    "duplicate-task-key": "version: 1\ntasks:\n" + TASK + "    format: fact\n",
    "duplicate-train-key": "version: 1\ntasks:\n" + TASK + "    train: {type: causal-lm, base: x, base: y}\n",
    "version-true": "version: true\ntasks:\n" + TASK,
    "version-string": "version: '1'\ntasks:\n" + TASK,
    "version-float": "version: 1.0\ntasks:\n" + TASK,
    "version-list": "version: [1]\ntasks:\n" + TASK,
    "tasks-mapping": "version: 1\ntasks: {a: 1}\n",
    "task-list": "version: 1\ntasks:\n  - [1, 2]\n",
    "name-int": "version: 1\ntasks:\n" + TASK.replace("support_qa", "5"),
    "name-list": "version: 1\ntasks:\n" + TASK.replace("support_qa", "[a]"),
    "description-list": "version: 1\ntasks:\n" + TASK.replace("description: d", "description: [d]"),
    "dataset-bool": "version: 1\ntasks:\n" + TASK.replace("datasets/support_qa.jsonl", "true"),
    "dataset-outside": "version: 1\ntasks:\n" + TASK.replace("datasets/support_qa.jsonl", "/etc/hostname"),
    "format-list": "version: 1\ntasks:\n" + TASK.replace("format: qa", "format: [qa]"),
    "key-mapping": "version: 1\ntasks:\n" + TASK + "    key: {a: b}\n",
    "columns-list": "version: 1\ntasks:\n" + TASK + "    columns: [a]\n",
    "review-list": "version: 1\ntasks:\n" + TASK + "    review: [required]\n",
    "review-bool": "version: 1\ntasks:\n" + TASK + "    review: true\n",
    "train-list": "version: 1\ntasks:\n" + TASK + "    train: [1]\n",
    "params-list": "version: 1\ntasks:\n" + TASK + "    train: {type: causal-lm, base: x, params: [1]}\n",
    "tolerance-bool": "version: 1\ntasks:\n" + TASK + "    train: {type: causal-lm, base: x, tolerance: true}\n",
    "unhashable-key": "version: 1\ntasks:\n" + TASK + "    ? [a, b]\n    : 1\n",
    "python-tag": "version: !!python/object/apply:os.system ['true']\ntasks:\n" + TASK,
    "deep-flow": "version: 1\nx: " + "[" * 3000 + "]" * 3000 + "\ntasks:\n" + TASK,
    "not-utf8": "version: 1\ntasks:\n" + TASK.replace("description: d", "description: caf\udce9"),
    "empty": "",
    "scalar": "42\n",
}


@pytest.mark.parametrize("case", sorted(YAMLS))
def test_tasks_yaml(project, case):
    text = YAMLS[case]
    (project.root / "tasks.yaml").write_bytes(text.encode("utf-8", "surrogateescape"))
    before = guarded(project.root)
    t0 = time.monotonic()
    res = invoke(["log", "--project", str(project.root)])
    took = time.monotonic() - t0
    bad = refused(res, "tasks.yaml")
    if took > 5:
        bad.append(f"took {took:.1f} s")
    if guarded(project.root) != before:
        bad.append("state changed")
    record("tasks-yaml", case, not bad)
    assert not bad, bad


# --- wrong shapes deep in a record, and bounded work per record --------------------------

SHAPES = {
    "kind-list": {"knowledge": [{"kind": ["qa"], "question": "q", "answer": "a"}]},
    "kind-object": {"knowledge": [{"kind": {"qa": 1}, "question": "q", "answer": "a"}]},
    "knowledge-string": {"knowledge": "qa"},
    "knowledge-item-int": {"knowledge": [5]},
    "question-list": {"knowledge": [{"kind": "qa", "question": ["q"], "answer": "a"}]},
    "10k-items": {"knowledge": [{"kind": "qa", "question": f"q{i}", "answer": "a"} for i in range(10000)]},
    "10k-edits": {"edits": [edit("add", None, {"question": f"q{i}", "answer": "a"}) for i in range(10000)]},
    "edits-object": {"edits": {"op": "add"}},
    "edit-before-string": {"edits": [{**edit("update", QA_ROWS[0], {"question": "x", "answer": "y"}),
                                      "before": "row"}]},
    "edit-op-list": {"edits": [{**edit("add", None, {"question": "x", "answer": "y"}), "op": ["add"]}]},
    "edit-task-int": {"edits": [{**edit("add", None, {"question": "x", "answer": "y"}), "task": 7}]},
    "routes-string": {"routes": "support_qa"},
    "route-item-string": {"routes": [{"item": "0", "task": "support_qa"}]},
    "intent-list": {"intent": ["teach"]},
    "text-1mb": {"text": "a" * 1_000_000},
    "turn-float": {"turn": 1.5},
    "role-list": {"role": ["user"]},
    "messages-string": {"messages": "hi", "role": None},
}


@pytest.mark.parametrize("case", sorted(SHAPES))
def test_record_shapes(project, case):
    rec = {"conversation": "c", "turn": 1, "role": "user", "text": "hi", **SHAPES[case]}
    rec = {k: v for k, v in rec.items() if v is not None}
    before = guarded(project.root)
    t0 = time.monotonic()
    res = invoke(["apply", "--yes", "--project", str(project.root), "--author", "t"],
                 input=json.dumps(rec) + "\n")
    bad = refused(res, "stdin line 1")
    if time.monotonic() - t0 > 10:
        bad.append("too slow")
    if guarded(project.root) != before:
        bad.append("state changed")
    record("wrong-shapes", case, not bad)
    assert not bad, bad


# --- rows that must never be written ------------------------------------------------------

AFTERS = {
    "answer-nan": ("update", {"question": "How long do refunds take?", "answer": "NaN"}, "after.answer"),
    "answer-infinity": ("update", {"question": "How long do refunds take?", "answer": "Infinity"}, "after.answer"),
    "answer-1e999": ("update", {"question": "How long do refunds take?", "answer": "1e999"}, "after.answer"),
    "answer-null": ("update", {"question": "How long do refunds take?", "answer": "null"}, "after.answer"),
    "answer-list": ("update", {"question": "How long do refunds take?", "answer": '["a"]'}, "after.answer"),
    "answer-object": ("update", {"question": "How long do refunds take?", "answer": '{"a": 1}'}, "after.answer"),
    "answer-number": ("add", {"question": "New?", "answer": "5"}, "after.answer"),
    "answer-bool": ("add", {"question": "New?", "answer": "true"}, "after.answer"),
    "empty-key": ("add", {"question": '""', "answer": '"x"'}, "after.question"),
    "blank-key": ("add", {"question": '"   "', "answer": '"x"'}, "after.question"),
    "empty-column-name": ("add", {"question": '"New?"', "answer": '"x"', "": '"y"'}, "after"),
    "missing-answer": ("update", {"question": "How long do refunds take?"}, "after.answer"),
    "split-list": ("add", {"question": '"New?"', "answer": '"x"', "split": '["train"]'}, "after.split"),
    "extra-nan": ("add", {"question": '"New?"', "answer": '"x"', "note": "NaN"}, "after"),
}


def _after_text(after: dict[str, str], op: str) -> str:
    if op == "update":  # raw JSON values for the answer, the question as a string
        parts = [f'"question": {json.dumps(after["question"])}']
        if "answer" in after:
            parts.append(f'"answer": {after["answer"]}')
        return "{" + ", ".join(parts) + "}"
    return "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in after.items()) + "}"


@pytest.mark.parametrize("case", sorted(AFTERS))
def test_poisoned_rows_in_patch_files(project, case):
    op, after, field = AFTERS[case]
    path = valid_patch(project)
    lines = patch_lines(path)
    upd = next(x for x in lines[1:] if x["op"] == op)
    marker = "AFTER_MARKER"
    upd["after"] = marker
    if op == "add":
        upd["row"] = "k000000000000"
    write_lines(path, lines)
    text = path.read_text().replace(json.dumps(marker), _after_text(after, op))
    if op == "add":  # give the add its true row id, so only the value is wrong
        from lic_cli.store.rows import key_id

        try:
            q = json.loads(_after_text(after, op)).get("question")
        except ValueError:
            q = None
        if isinstance(q, str):
            text = text.replace("k000000000000", key_id(project.task("support_qa"), {"question": q}))
    ls = text.splitlines()
    head = json.loads(ls[0])
    import hashlib

    try:
        ops = [json.loads(x) for x in ls[1:]]
        blob = json.dumps({"task": head["task"], "ops": ops}, ensure_ascii=False, sort_keys=True,
                          separators=(",", ":"))
        head["id"] = hashlib.sha256(blob.encode()).hexdigest()[:16]
    except ValueError:
        pass
    path.write_text("\n".join([json.dumps(head), *ls[1:]]) + "\n")
    before = guarded(project.root)
    res = invoke(["apply", str(path), "--project", str(project.root)])
    check("poisoned-rows", f"patch/{case}", res, before, project.root, "patch.jsonl line")


@pytest.mark.parametrize("case", sorted(AFTERS))
def test_poisoned_rows_from_records(project, case):
    op, after, field = AFTERS[case]
    target = QA_ROWS[0] if op == "update" else None
    text = _after_text(after, op)
    line = (json.dumps(turn("c1", 1, edit(op, target, {"question": "MARK"})))
            .replace('{"question": "MARK"}', text))
    before = guarded(project.root)
    res = invoke(["apply", "--yes", "--project", str(project.root), "--author", "t"], input=line + "\n")
    # Refused at reading (NaN is not JSON) or at checking the row, or folded away by build (an
    # update without its value): either way nothing is written, and no traceback.
    bad = problems(res) + ([] if res.exit_code in (0, 1) else [f"exit {res.exit_code}"])
    if guarded(project.root) != before:
        bad.append("a poisoned row was written")
    record("poisoned-rows", f"records/{case}", not bad)
    assert not bad, bad


def test_revert_never_writes_a_poisoned_row(project):
    """A hand edit put a null answer in the dataset; deleting that row is fine, but its revert
    would add the null back: refused, naming the patch line and field."""
    data = project.root / "datasets/support_qa.jsonl"
    rows = [json.loads(x) for x in data.read_text().splitlines()]
    rows[1]["answer"] = None
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    from lic_cli.patches import files
    from lic_cli.patches.build import build

    (patch,) = build([turn("c1", 1, edit("delete", rows[1]))], project=project, author="a",
                     time="2026-01-02T03:04:05Z").patches
    path = files.write_new(project, patch, "del")
    assert invoke(["apply", str(path), "--project", str(project.root)]).exit_code == 0
    before = guarded(project.root)
    res = invoke(["revert", str(path), "--project", str(project.root)])
    check("poisoned-rows", "revert/null-answer", res, before, project.root, "after.answer")
