"""The patch file format and building patches from located edits."""

from __future__ import annotations

import json

import pytest
from conftest import QA_ROWS, edit, make_project, turn

from lic_cli.errors import InputError, RecordError
from lic_cli.patches import files, render
from lic_cli.patches.build import build, undo_note
from lic_cli.patches.fileformat import Op, Patch, dumps, loads, read_patch, source_key

T = "2026-01-02T03:04:05Z"
HASH = "sha256:" + "0" * 64


def sample() -> Patch:
    ops = (Op("update", "k1", {"question": "q", "answer": "a"}, {"question": "q", "answer": "b"}, 0.9, "c1/t2"),
           Op("add", "k2", None, {"question": "r", "answer": "ü"}, None, "c1/t10"))
    return Patch(task="support_qa", dataset="datasets/support_qa.jsonl", base_version=3, base_hash=HASH,
                 author="ann", time=T, source=("c1/t2", "c1/t10"), message="fix refunds", ops=ops)


def test_round_trip_is_exact():
    p = sample()
    text = dumps(p)
    back = loads(text.encode(), "p.jsonl")
    assert back == p
    assert dumps(back) == text
    assert "ü" in text  # ensure_ascii=False
    header = json.loads(text.splitlines()[0])
    assert list(header) == ["lic_patch", "task", "dataset", "base", "author", "time", "source", "message", "id"]
    assert header["id"] == p.id


def test_id_is_content_only_and_approval_round_trips():
    p = sample()
    other = Patch(**{**p.__dict__, "author": "bob", "time": "2030-01-01T00:00:00Z"})
    assert other.id == p.id
    approved = p.approve("rev", T)
    back = loads(dumps(approved).encode(), "p")
    assert back.approved_by == "rev" and back.approved_at == T and back.id == p.id


def test_edited_op_no_longer_matches_id():
    lines = dumps(sample()).splitlines()
    lines[1] = lines[1].replace('"b"', '"c"')
    with pytest.raises(InputError) as exc:
        loads("\n".join(lines).encode(), "p.jsonl")
    assert exc.value.line == 1 and exc.value.field == "id"
    assert loads("\n".join(lines).encode(), "p.jsonl", check_id=False).ops[0].after["answer"] == "c"


@pytest.mark.parametrize("mutate, line, field", [
    (lambda h, o: h.pop("task"), 1, "task"),
    (lambda h, o: h.update(lic_patch=2), 1, "lic_patch"),
    (lambda h, o: h.update(extra=1), 1, "extra"),
    (lambda h, o: h.update(base={"version": -1, "hash": HASH}), 1, "base.version"),
    (lambda h, o: h.update(base={"version": 1, "hash": "md5:x"}), 1, "base.hash"),
    (lambda h, o: h.update(time="yesterday"), 1, "time"),
    (lambda h, o: h.update(source="c1/t1"), 1, "source"),
    (lambda h, o: h.update(approved_by="x"), 1, "approved_at"),
    (lambda h, o: h.update(task="../etc"), 1, "task"),
    (lambda h, o: o[0].update(op="upsert"), 2, "op"),
    (lambda h, o: o[0].pop("before"), 2, "before"),
    (lambda h, o: o[1].update(before={"question": "x"}), 3, "before"),
    (lambda h, o: o[0].update(after=None), 2, "after"),
    (lambda h, o: o[0].update(score="high"), 2, "score"),
    (lambda h, o: o[0].update(row=7), 2, "row"),
    (lambda h, o: o[1].update(row="k1"), 3, "row"),
    (lambda h, o: o[1].update(source=3), 3, "source"),
])
def test_validation_names_line_and_field(mutate, line, field):
    head, *ops = (json.loads(x) for x in dumps(sample()).splitlines())
    mutate(head, ops)
    data = "\n".join(json.dumps(x) for x in [head, *ops]).encode()
    with pytest.raises(InputError) as exc:
        loads(data, "p.jsonl", check_id=False)
    assert (exc.value.line, exc.value.field) == (line, field)
    assert str(exc.value).startswith(f"p.jsonl line {line}")


@pytest.mark.parametrize("data, line", [
    (b"", 1), (b"\n\n", 1), (b"[1, 2]\n", 1), (b'{"lic_patch": 1', 1), (b"\xff\xfe\n", 1),
])
def test_broken_files(data, line):
    with pytest.raises(InputError) as exc:
        loads(data, "p.jsonl")
    assert exc.value.line == line


def test_header_only_has_no_ops():
    head = dumps(sample()).splitlines()[0]
    with pytest.raises(InputError, match="no operations"):
        loads(head.encode(), "p")


def test_source_sort_is_natural():
    assert sorted(["c1/t10", "c1/t2", "c0/t9"], key=source_key) == ["c0/t9", "c1/t2", "c1/t10"]


def test_build_orders_ops_and_folds_repeated_edits(tmp_path):
    project = make_project(tmp_path)
    q0, q1 = QA_ROWS[0], QA_ROWS[1]
    recs = [
        turn("c1", 10, edit("update", q0, {"answer": "45 days."})),
        turn("c1", 2, edit("delete", q1), edit("add", None, {"question": "New?", "answer": "Yes."}, item=1)),
        turn("c1", 3, edit("update", q0, {"answer": "30 days."})),
        turn("c1", 4, edit("noop", q0, q0), edit("conflict", q0, None)),
        turn("c1", 5, edit("add", None, {"question": "x", "answer": "y"}), errors=[{"stage": "locate"}]),
        {"conversation": "c1", "turn": 6, "role": "assistant", "text": "ok"},
    ]
    built = build(recs, project=project, author="ann", time=T)
    assert built.left_out == ["c1/t5"] and len(built.conflicts) == 1 and built.folded == 1
    (patch,) = built.patches
    assert [(o.op, o.source) for o in patch.ops] == [("delete", "c1/t2"), ("add", "c1/t2"), ("update", "c1/t10")]
    upd = patch.ops[2]
    assert upd.before == q0 and upd.after == {**q0, "answer": "45 days."}  # first before, last after
    assert patch.ops[1].after["split"] == "train"  # split filled for adds
    assert patch.source == ("c1/t2", "c1/t10") and patch.base_version == 0
    # Deterministic: the same edits give the same bytes.
    again = build(recs, project=project, author="ann", time=T).patches[0]
    assert dumps(again) == dumps(patch)


def test_build_leaves_out_what_undo_took_back(tmp_path):
    """A chat transcript: turn 2's add was unstaged by /undo (noted on turn 3), turn 3's
    update was unstaged on a last system turn; only turn 1's update and turn 4's add stay."""
    project = make_project(tmp_path)
    q0, q1 = QA_ROWS[0], QA_ROWS[1]
    taught = edit("add", None, {"question": "New?", "answer": "Yes."})
    fixed = edit("update", q1, {"answer": "Yes, to the EU."})
    recs = [
        turn("c1", 1, edit("update", q0, {"answer": "45 days."})),
        turn("c1", 2, taught),
        turn("c1", 3, fixed, unstaged=[undo_note(2, taught)]),
        turn("c2", 3, fixed),  # the same edit in another conversation is not taken back
        turn("c1", 4, edit("add", None, {"question": "Other?", "answer": "Maybe."})),
        {"conversation": "c1", "turn": 5, "role": "system", "text": "unstaged 1 change(s)",
         "unstaged": [undo_note(3, fixed)]},
    ]
    (patch,) = build(recs, project=project, author="ann", time=T).patches
    assert sorted(o.source for o in patch.ops) == ["c1/t1", "c1/t4", "c2/t3"]
    with pytest.raises(RecordError) as exc:
        build([turn("c1", 1, unstaged={"turn": 1})], project=project, author="a", time=T)
    assert exc.value.field == "unstaged"


def test_build_rejects_bad_edits(tmp_path):
    project = make_project(tmp_path)
    with pytest.raises(RecordError) as exc:
        build([turn("c1", 1, edit("update", None, {"answer": "x"}))], project=project, author="a", time=T)
    assert exc.value.field == "edits[0].before"
    with pytest.raises(RecordError) as exc:
        build([turn("c1", 1, edit("add", None, {"question": "x"}, task="nope"))], project=project, author="a", time=T)
    assert exc.value.field == "edits[0].task"


def test_files_are_numbered_and_never_overwritten(tmp_path):
    project = make_project(tmp_path)
    p = sample()
    a = files.write_new(project, p, "fix-refunds")
    b = files.write_new(project, p, "fix-refunds")
    assert a.name == "0001-fix-refunds.patch.jsonl" and b.name == "0002-fix-refunds.patch.jsonl"
    assert read_patch(b) == p
    assert files.slugify("Wie lange dauert die Rückerstattung?") == "wie-lange-dauert-die-ruckerstattung"
    assert files.slugify("???") == "patch"


def test_render_plain_shows_changes():
    out = []

    class W:
        def write(self, s):
            out.append(s)

    render.write_plain(sample(), W(), "p.jsonl")
    text = "".join(out)
    assert '- answer: "a"' in text and '+ answer: "b"' in text and '  question: "q"' in text
    assert "@@ add k2 (c1/t10) @@" in text
