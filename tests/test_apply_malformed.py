"""A generated corpus of malformed patches and datasets: each gives one clear error line,
exit code 1, no traceback, and not one changed byte in any dataset."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner
from conftest import QA_ROWS, dump_rows, edit, make_project, turn

from lic_cli.cli import cli
from lic_cli.patches import files
from lic_cli.patches.build import build
from lic_cli.patches.fileformat import dumps

T = "2026-01-02T03:04:05Z"


def base_lines(project) -> list[dict]:
    recs = [turn("c1", 1, edit("update", QA_ROWS[0], {"answer": "30 days."})),
            turn("c1", 2, edit("add", None, {"question": "New?", "answer": "Yes."})),
            turn("c1", 3, edit("delete", QA_ROWS[2]))]
    (patch,) = build(recs, project=project, author="ann", time=T).patches
    return [json.loads(x) for x in dumps(patch).splitlines()]


def rehash(lines: list) -> None:
    """Give a mutated patch a matching id, so validation goes past the id check."""
    head = lines[0]
    if isinstance(head, dict) and isinstance(head.get("task"), str):
        blob = json.dumps({"task": head["task"], "ops": lines[1:]}, ensure_ascii=False, sort_keys=True,
                          separators=(",", ":"))
        head["id"] = hashlib.sha256(blob.encode()).hexdigest()[:16]


WRONG = [None, 7, 1.5, True, "x", [], {}]


def corpus() -> list[tuple[str, object]]:
    """(case name, mutation): a mutation maps the valid patch's lines to file bytes."""
    cases: list[tuple[str, object]] = []

    def as_bytes(lines, fix=True):
        if fix:
            rehash(lines)
        return ("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n").encode()

    for key in ("lic_patch", "task", "dataset", "base", "author", "time", "source", "message", "id"):
        cases.append((f"missing-{key}", lambda ls, k=key: as_bytes([{a: b for a, b in ls[0].items() if a != k},
                                                                   *ls[1:]], fix=False)))
        for i, bad in enumerate(WRONG):
            if key in ("id", "author", "message") and isinstance(bad, str) or key == "source" and bad == []:
                continue  # still a valid header
            cases.append((f"header-{key}-{i}", lambda ls, k=key, b=bad: as_bytes(
                [{**ls[0], k: b}, *ls[1:]], fix=k != "id")))
    for key in ("op", "row", "before", "after", "score", "source"):
        for i, bad in enumerate(WRONG):
            if key == "score" and isinstance(bad, (int, float)) and not isinstance(bad, bool):
                continue
            if key in ("before", "after", "source", "score") and bad is None or key == "source" and bad == "x":
                continue  # still a valid op
            cases.append((f"op-{key}-{i}", lambda ls, k=key, b=bad: as_bytes([ls[0], {**ls[1], k: b}, *ls[2:]])))
        cases.append((f"op-missing-{key}", lambda ls, k=key: as_bytes(
            [ls[0], {a: b for a, b in ls[1].items() if a != k}, *ls[2:]])))
    for op in ("upsert", "ADD", "", "noop", "conflict"):
        cases.append((f"unknown-op-{op}", lambda ls, o=op: as_bytes([ls[0], {**ls[1], "op": o}, *ls[2:]])))
    for path in ("../outside.jsonl", "/etc/passwd", "datasets/../../x.jsonl", "datasets/facts.jsonl", ""):
        cases.append((f"dataset-{path}", lambda ls, p=path: as_bytes([{**ls[0], "dataset": p}, *ls[1:]])))
    for task in ("../../etc", "nope", "Support_QA", "a/b"):
        cases.append((f"task-{task}", lambda ls, t=task: as_bytes([{**ls[0], "task": t}, *ls[1:]])))
    cases.append(("row-id-mismatch", lambda ls: as_bytes([ls[0], {**ls[1], "row": "k000000000000"}, *ls[2:]])))
    cases.append(("duplicate-row", lambda ls: as_bytes([ls[0], ls[1], {**ls[1], "source": "c1/t9"}, *ls[2:]])))
    cases.append(("key-not-string", lambda ls: as_bytes([ls[0], {**ls[1], "after": {"question": 3, "answer": "x"}},
                                                         *ls[2:]])))
    cases.append(("edited-no-rehash", lambda ls: as_bytes([ls[0], {**ls[1], "score": 0.1}, *ls[2:]], fix=False)))
    cases.append(("header-not-first", lambda ls: as_bytes([ls[1], ls[0], *ls[2:]], fix=False)))
    cases.append(("header-only", lambda ls: as_bytes(ls[:1])))
    cases.append(("empty", lambda ls: b""))
    cases.append(("array-line", lambda ls: as_bytes([ls[0], [1, 2], *ls[2:]], fix=False)))
    cases.append(("bad-utf8-header", lambda ls: b"\xff" + as_bytes(ls)))
    cases.append(("bad-utf8-op", lambda ls: as_bytes(ls).replace(b"30 days", b"30 d\xe4ys")))
    cases.append(("nul-bytes", lambda ls: b"\x00" * 10))
    cases.append(("deep-nesting", lambda ls: as_bytes(ls[:1]) + b"[" * 100000 + b"\n"))
    # issue 19: what the stdlib parser takes but lic must not
    cases.append(("deep-but-parseable", lambda ls: as_bytes(ls[:1]) + b'{"op": ' + b"[" * 500 + b"]" * 500 + b"}\n"))
    cases.append(("lone-surrogate", lambda ls: as_bytes(ls).replace(b"30 days.", b"30 days\\ud800")))
    cases.append(("huge-integer-header", lambda ls: as_bytes(ls).replace(b'"version": 0', b'"version": ' + b"9" * 5000)))
    cases.append(("nan-score", lambda ls: as_bytes(ls).replace(b'"score": 0.9', b'"score": NaN', 1)))
    for cut in (1, 10, 40, 100, 150, 200, 260, 300, 350, 420, 480, 520):
        cases.append((f"truncated-{cut}", lambda ls, c=cut: as_bytes(ls)[:c]))
    return cases


CASES = corpus()


def test_corpus_is_large_enough():
    assert len(CASES) >= 100


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return make_project(tmp_path_factory.mktemp("malformed"))


def snapshot(project) -> dict[str, bytes]:
    return {str(p.relative_to(project.root)): p.read_bytes()
            for p in project.root.rglob("*") if p.is_file() and not {"patches", ".lic"} & set(p.parts)}


def assert_one_clear_error(res) -> None:
    assert res.exit_code == 1, (res.exit_code, res.output)
    err = res.stderr.strip()
    assert err.startswith("Error: ") and "Traceback" not in err
    assert len(err.splitlines()) == 1, err


@pytest.mark.parametrize("name, mutate", CASES, ids=[c[0] for c in CASES])
def test_malformed_patch(project, name, mutate):
    before = snapshot(project)
    path = project.root / "patches/support_qa" / f"9999-{len(name)}.patch.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(mutate(base_lines(project)))
    res = CliRunner().invoke(cli, ["apply", str(path), "--project", str(project.root), "--author", "t"])
    assert_one_clear_error(res)
    assert snapshot(project) == before


@pytest.mark.parametrize("arg", ["../outside.patch.jsonl", "/etc/hostname", "patches/../../x.patch.jsonl"])
def test_patch_paths_outside_project(project, arg):
    before = snapshot(project)
    res = CliRunner().invoke(cli, ["apply", arg, "--project", str(project.root), "--author", "t"])
    assert_one_clear_error(res)
    assert snapshot(project) == before


DATASETS = {
    "truncated-target": dump_rows(QA_ROWS[:2]) + '{"question": "What is the warranty?", "ans',
    "target-not-object": dump_rows(QA_ROWS[:2]) + '["What is the warranty?"]\n',
    "bad-utf8-key": dump_rows(QA_ROWS[:1]).encode() + b'{"question": "Caf\xe9", "answer": "x"}\n',
    "nonascii-truncated": dump_rows(QA_ROWS) + '{"question": "Rückgabe',
    "escaped-key-broken": dump_rows(QA_ROWS) + '{"question": "a\\qb"}\n',
    "null-line": dump_rows(QA_ROWS[:3]) + "null\n",
}


@pytest.mark.parametrize("case", sorted(DATASETS))
def test_malformed_dataset(tmp_path, case):
    project = make_project(tmp_path)
    data = DATASETS[case]
    target = project.root / "datasets/support_qa.jsonl"
    target.write_bytes(data if isinstance(data, bytes) else data.encode())
    (patch,) = build([turn("c1", 1, edit("update", QA_ROWS[2], {"answer": "Two years."}))],
                     project=project, author="a", time=T).patches
    path = files.write_new(project, patch, "x")
    before = snapshot(project)
    res = CliRunner().invoke(cli, ["apply", str(path), "--project", str(project.root), "--author", "t"])
    assert_one_clear_error(res)
    assert "datasets/support_qa.jsonl line" in res.stderr
    assert snapshot(project) == before
