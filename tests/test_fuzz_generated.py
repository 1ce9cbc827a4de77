"""Generated inputs (Hypothesis, derandomized so CI runs the same cases every time): JSONL
lines of any shape and bytes through the one reader every stage uses; located records
with edits of any shape through `lic apply --yes`; mutated patch files through
`lic apply`; applied patches reverted. Whatever the input: no traceback, no internal
error; a refused input changes nothing; and every row lic writes fits its task's format.
"""

from __future__ import annotations

import copy
import io
import json
import math
import tempfile
from pathlib import Path

from fuzzkit import QA_ROWS, edit, guarded, invoke, new_project, patch_lines, problems, record, valid_patch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def fuzz(n: int) -> settings:
    return settings(_BASE, max_examples=n)


_BASE = settings(deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])

# Text with everything a JSON string can carry, lone surrogates included.
TEXT = st.text(st.characters(codec=None, categories=None), max_size=12)
KEYS = st.sampled_from(["question", "answer", "split", "text", "label", "subject", "relation", "object",
                        "", "kind", "x"]) | TEXT
SCALARS = (st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.integers(min_value=10**30)
           | st.floats(allow_nan=True, allow_infinity=True) | TEXT
           | st.sampled_from(["How long do refunds take?", "Do you ship abroad?", "New?", "train", "test"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
                      max_leaves=12)


def dumps(obj) -> str:
    """json.dumps that also writes what JSON has not (NaN, lone surrogates): the reader must cope."""
    try:
        return json.dumps(obj, ensure_ascii=True, allow_nan=True)
    except ValueError:  # an integer past Python's digit limit
        return '{"x": ' + "9" * 5000 + "}"


MUTATION = st.sampled_from(["none", "none", "cut", "byte", "nest", "dup"])


def mutate(line: bytes, how: str, at: int, byte: int) -> bytes:
    if how == "cut":
        return line[: at % (len(line) + 1)]
    if how == "byte":
        i = at % (len(line) + 1)
        return line[:i] + bytes([byte]) + line[i:]
    if how == "nest":
        return b"[" * (at % 3000) + line + b"]" * (at % 3000)
    if how == "dup":
        return line + line
    return line


@fuzz(300)
@given(objs=st.lists(st.dictionaries(KEYS, VALUES, max_size=6) | VALUES, min_size=1, max_size=4),
       how=MUTATION, at=st.integers(0, 10**6), byte=st.integers(0, 255))
def test_reader_takes_any_line(objs, how, at, byte):
    """The shared JSONL reader (records of every stage, datasets, logs, registry): it yields
    dicts or raises one InputError naming the input and line, never anything else."""
    from lic_cli.errors import InputError
    from lic_cli.jsonl import Reader

    data = b"\n".join(mutate(dumps(o).encode(), how, at, byte) for o in objs) + b"\n"
    fp = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    ok = True
    try:
        for rec in Reader(fp, "gen.jsonl"):
            assert isinstance(rec, dict)
            json.dumps(rec, ensure_ascii=False).encode("utf-8")  # what lic reads, it can write back
    except InputError as exc:
        ok = str(exc).startswith("gen.jsonl line ")
    except Exception as exc:  # noqa: BLE001 (what the test is for)
        ok = False
        raise AssertionError(f"{type(exc).__name__}: {exc}") from None
    finally:
        record("generated-lines", f"{how}", ok)
    assert ok


def _project():
    tmp = Path(tempfile.mkdtemp(prefix="licfuzz"))
    return new_project(tmp / "p")


# The test's own oracle of a row that may be written (independent of lic's row_problem).
COLUMNS = {"support_qa": ("question", "answer"), "facts": ("subject", "relation", "object"),
           "intent": ("text", "label")}
KEY = {"support_qa": ("question",), "facts": ("subject", "relation"), "intent": ("text",)}


def _finite(v) -> bool:
    if isinstance(v, float):
        return math.isfinite(v)
    if isinstance(v, dict):
        return all(_finite(x) for x in v.values())
    if isinstance(v, list):
        return all(_finite(x) for x in v)
    return True


def row_problem(task, row):
    name = task.name
    if not all(isinstance(k, str) and k.strip() for k in row):
        return "empty column name"
    for col in COLUMNS[name]:
        if not isinstance(row.get(col), str):
            return f"{col} not a string"
    for col in KEY[name]:
        if not row[col].strip():
            return f"{col} empty"
    if name == "intent" and row["label"] not in ("teach", "correct", "forget", "none"):
        return "unknown label"
    if not isinstance(row.get("split", ""), str):
        return "split not a string"
    return None if _finite(row) else "NaN"


def _bad_new_rows(project, before_rows: dict[str, set[str]]) -> list[str]:
    bad = []
    for name, task in project.tasks.items():
        path = project.dataset_path(task)
        for line in path.read_text(encoding="utf-8").split("\n"):
            if not line.strip() or line in before_rows[name]:
                continue
            row = json.loads(line)
            problem = row_problem(task, row)
            if problem is not None:
                bad.append(f"{name}: {problem} in {line[:120]}")
    return bad


def _rows(project) -> dict[str, set[str]]:
    return {n: set(project.dataset_path(t).read_text(encoding="utf-8").split("\n"))
            for n, t in project.tasks.items()}


GOOD_EDITS = [
    edit("add", None, {"question": "New?", "answer": "Yes."}),
    edit("update", QA_ROWS[0], {"question": QA_ROWS[0]["question"], "answer": "30 days."}),
    edit("delete", QA_ROWS[2]),
    edit("add", None, {"subject": "Kestrel", "relation": "fax", "object": "555-0199"}, task="facts"),
    edit("add", None, {"text": "Remember this.", "label": "teach"}, task="intent"),
]
ROW_KEYS = st.sampled_from(["question", "answer", "split", "subject", "object", "text", "label", ""]) | KEYS


@st.composite
def located_edit(draw):
    """A well-formed edit with up to three of its fields (or its rows' fields) replaced by anything."""
    e = copy.deepcopy(draw(st.sampled_from(GOOD_EDITS)))
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.sampled_from(["after", "after", "before", "top"]))
        if where == "top":
            e[draw(st.sampled_from(["op", "task", "row", "item", "score", "before", "after"]) | KEYS)] = draw(VALUES)
        elif isinstance(e.get(where), dict):
            key = draw(ROW_KEYS)
            if draw(st.booleans()):
                e[where][key] = draw(VALUES)
            else:
                e[where].pop(key, None)
    return e


@fuzz(120)
@given(edits=st.lists(located_edit(), min_size=1, max_size=3), extra=st.dictionaries(KEYS, VALUES, max_size=2))
def test_apply_any_located_records(edits, extra):
    project = _project()
    before, rows = guarded(project.root), _rows(project)
    rec = {**extra, "conversation": "c1", "turn": 1, "role": "user", "text": "x", "edits": edits}
    res = invoke(["apply", "--yes", "--project", str(project.root), "--author", "t"], input=dumps(rec) + "\n")
    bad = problems(res)
    if res.exit_code != 0 and guarded(project.root) != before:
        bad.append("refused, yet the state changed")
    bad += _bad_new_rows(project, rows)
    record("generated-records", "apply --yes", not bad)
    assert not bad, (bad, res.stderr[-500:])


PATCH_KEYS = st.sampled_from(["lic_patch", "task", "dataset", "base", "author", "time", "source", "message",
                              "id", "approved_by", "approved_at", "reverts", "approval", "op", "row", "before",
                              "after", "score", "x"])


@fuzz(120)
@given(line=st.integers(0, 3), key=st.sampled_from(["after", "before"]) | PATCH_KEYS, value=VALUES,
       drop=st.booleans(), rehash=st.booleans() | st.just(True),
       sub=st.sampled_from([None, "question", "answer", "answer", "split", "version", "hash", ""]))
def test_apply_any_patch_mutation(line, key, value, drop, rehash, sub):
    from fuzzkit import rehash as fix_id

    project = _project()
    path = valid_patch(project)
    lines = patch_lines(path)
    target = lines[line]
    if sub is not None and isinstance(target.get(key), dict):
        if drop:
            target[key].pop(sub, None)
        else:
            target[key][sub] = value
    elif drop:
        target.pop(key, None)
    else:
        target[key] = value
    if rehash:
        try:
            fix_id(lines)
        except ValueError:
            pass
    path.write_text("\n".join(dumps(x) for x in lines) + "\n", encoding="utf-8")
    before, rows = guarded(project.root), _rows(project)
    res = invoke(["apply", str(path), "--project", str(project.root), "--author", "t"])
    bad = problems(res)
    if res.exit_code != 0 and guarded(project.root) != before:
        bad.append("refused, yet the state changed")
    bad += _bad_new_rows(project, rows)
    record("generated-patches", "apply", not bad)
    assert not bad, (bad, res.stderr[-500:])


@fuzz(40)
@given(answers=st.lists(TEXT.filter(lambda s: s.strip()), min_size=1, max_size=3), delete=st.booleans())
def test_apply_then_revert(answers, delete):
    """Valid generated edits applied and reverted: both clean, and the revert restores every row."""
    from fuzzkit import edit, turn

    from lic_cli.patches import files
    from lic_cli.patches.build import build

    project = _project()
    original = sorted(project.dataset_path(project.task("support_qa")).read_text().splitlines())
    recs = [turn("c1", i + 1, edit("add", None, {"question": f"Q{i}: {a}", "answer": a}))
            for i, a in enumerate(answers)]
    if delete:
        recs.append(turn("c1", 9, edit("delete", QA_ROWS[1])))
    try:
        (patch,) = build(recs, project=project, author="a", time="2026-01-02T03:04:05Z").patches
    except Exception:  # noqa: BLE001 (a lone surrogate in generated text: build refuses it)
        record("generated-revert", "skipped", True)
        return
    path = files.write_new(project, patch, "gen")
    res1 = invoke(["apply", str(path), "--project", str(project.root)])
    res2 = invoke(["revert", str(path), "--project", str(project.root)]) if res1.exit_code == 0 else res1
    bad = problems(res1) + problems(res2)
    if res1.exit_code == 0 and res2.exit_code == 0:
        now = sorted(project.dataset_path(project.task("support_qa")).read_text().splitlines())
        if [json.loads(x) for x in now] != [json.loads(x) for x in original] and \
                sorted(map(lambda x: json.dumps(json.loads(x), sort_keys=True), now)) != \
                sorted(map(lambda x: json.dumps(json.loads(x), sort_keys=True), original)):
            bad.append("revert did not restore the rows")
    record("generated-revert", "apply+revert", not bad)
    assert not bad, (bad, res1.stderr[-300:], res2.stderr[-300:])


def test_nan_guard_helper():
    assert math.isnan(float("nan"))
