"""The versioned store: applying patches, versions, conflicts, idempotency, revert, recovery."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import INTENT_ROWS, QA_ROWS, dump_rows, edit, make_project, read_rows, turn

from lic_cli.errors import ConflictError, InputError, PatchError
from lic_cli.patches import files
from lic_cli.patches.apply import apply_patch
from lic_cli.patches.build import build
from lic_cli.patches.fileformat import Patch
from lic_cli.patches.revert import inverse
from lic_cli.store import versions
from lic_cli.store.rows import file_hash

T = "2026-01-02T03:04:05Z"
NEW = {"question": "Do you ship to the EU?", "answer": "Yes."}


def make_patch(project, *edits, task="support_qa") -> Patch:
    (patch,) = build([turn("c1", i + 1, e) for i, e in enumerate(edits)], project=project, author="ann",
                     time=T).patches
    assert patch.task == task
    return patch


def apply(project, patch, **kw):
    return apply_patch(project, patch, name="p", patch_path="patches/p.patch.jsonl", now=T, **kw)


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def qa(project):
    return project.dataset_path(project.task("support_qa"))


def test_apply_update_add_delete_and_versions(project):
    task = project.task("support_qa")
    before_hash = file_hash(qa(project))
    patch = make_patch(project, edit("update", QA_ROWS[0], {"answer": "30 days."}), edit("add", None, NEW),
                       edit("delete", QA_ROWS[1]))
    res = apply(project, patch)
    assert res.applied and res.version == 1 and res.ops == {"add": 1, "update": 1, "delete": 1}
    rows = read_rows(qa(project))
    assert rows == [{**QA_ROWS[0], "answer": "30 days."}, QA_ROWS[2], QA_ROWS[3], {**NEW, "split": "train"}]
    log = versions.read_log(project, task)
    assert [v.version for v in log] == [0, 1]
    assert log[0].hash == before_hash and log[0].rows == 4 and log[0].patch is None
    assert log[1].hash == file_hash(qa(project)) and log[1].rows == 4 and log[1].patch_id == patch.id
    assert versions.current_version(project, task) == (1, log[1].hash)
    # Untouched lines keep their exact bytes.
    assert qa(project).read_text().splitlines()[1] == json.dumps(QA_ROWS[2])


def test_second_apply_is_already_applied(project):
    patch = make_patch(project, edit("update", QA_ROWS[0], {"answer": "30 days."}), edit("add", None, NEW),
                       edit("delete", QA_ROWS[1]))
    apply(project, patch)
    digest = file_hash(qa(project))
    res = apply(project, patch)
    assert not res.applied and res.version is None and res.skipped == 3
    assert "already applied" in res.messages[0]
    assert file_hash(qa(project)) == digest
    assert len(versions.read_log(project, project.task("support_qa"))) == 2


def test_nothing_to_do_writes_no_log(project):
    patch = make_patch(project, edit("delete", {"question": "Gone?", "answer": "x", "split": "train"}))
    res = apply(project, patch)
    assert not res.applied
    assert not versions.log_path(project, project.task("support_qa")).exists()


def test_conflict_reports_both_versions_and_writes_nothing(project):
    patch = make_patch(project, edit("update", QA_ROWS[0], {"answer": "30 days."}), edit("add", None, NEW))
    changed = [{**QA_ROWS[0], "answer": "21 days."}] + QA_ROWS[1:]
    qa(project).write_text(dump_rows(changed))
    digest = file_hash(qa(project))
    with pytest.raises(ConflictError) as exc:
        apply(project, patch)
    msg = str(exc.value)
    assert "14 days." in msg and "21 days." in msg and "datasets/support_qa.jsonl line 1" in msg
    assert file_hash(qa(project)) == digest
    assert not versions.log_path(project, project.task("support_qa")).exists()
    assert not list(qa(project).parent.glob(".*lic-tmp"))


def test_update_of_vanished_row_is_a_conflict(project):
    patch = make_patch(project, edit("update", QA_ROWS[0], {"answer": "30 days."}))
    qa(project).write_text(dump_rows(QA_ROWS[1:]))
    with pytest.raises(ConflictError, match="no such row"):
        apply(project, patch)


def test_untouched_rows_may_change_and_external_edit_is_recorded(project):
    task = project.task("support_qa")
    apply(project, make_patch(project, edit("add", None, NEW)))
    text = qa(project).read_text().replace("One year.", "Two years.")  # a hand edit of another row
    qa(project).write_text(text)
    hand = file_hash(qa(project))
    assert versions.current_version(project, task) == (2, hand)  # what the next apply will record
    res = apply(project, make_patch(project, edit("update", QA_ROWS[1], {"answer": "Yes, to the EU."})))
    assert res.applied and res.external == 2 and res.version == 3
    log = versions.read_log(project, task)
    assert [(v.version, v.patch is None) for v in log] == [(0, True), (1, False), (2, True), (3, False)]
    assert log[2].hash == hand and "external edit" in log[2].message
    assert read_rows(qa(project))[2]["answer"] == "Two years."


def test_external_edit_recorded_even_when_already_applied(project):
    patch = make_patch(project, edit("add", None, NEW))
    apply(project, patch)
    with qa(project).open("a") as fh:
        fh.write(json.dumps({"question": "Hand?", "answer": "Made.", "split": "train"}) + "\n")
    res = apply(project, patch)
    assert not res.applied and res.external == 2
    assert versions.current_version(project, project.task("support_qa"))[0] == 2


def test_duplicate_keys_are_addressed_by_suffix(project):
    dup = {**QA_ROWS[1], "answer": "Only to the EU."}
    qa(project).write_text(dump_rows(QA_ROWS + [dup]))
    patch = make_patch(project, edit("update", dup, {"answer": "EU and UK."}, row=None))
    # Located edits of a duplicate carry its suffixed id.
    from lic_cli.patches.apply import expected_id
    rid = expected_id(project.task("support_qa"), dup) + "~2"
    patch = make_patch(project, edit("update", dup, {"answer": "EU and UK."}, row=rid))
    apply(project, patch)
    rows = read_rows(qa(project))
    assert rows[1] == QA_ROWS[1] and rows[4]["answer"] == "EU and UK."


def test_review_required_needs_approval(project):
    new = {"text": "Forget the old number.", "label": "forget"}
    (patch,) = build([turn("c1", 1, edit("add", None, new, task="intent"))], project=project,
                     author="ann", time=T).patches
    with pytest.raises(PatchError, match="requires review"):
        apply(project, patch)
    res = apply(project, patch.approve("rev", T))
    assert res.applied
    assert read_rows(project.dataset_path(project.task("intent")))[-1] == {**new, "split": "train"}
    assert INTENT_ROWS[0] in read_rows(project.dataset_path(project.task("intent")))


def test_check_against_task(project):
    patch = make_patch(project, edit("add", None, NEW))
    bad = Patch(**{**patch.__dict__, "dataset": "../outside.jsonl"})
    with pytest.raises(InputError) as exc:
        apply(project, bad)
    assert exc.value.field == "dataset"
    bad = Patch(**{**patch.__dict__, "dataset": "datasets/facts.jsonl"})
    with pytest.raises(InputError, match="task 'support_qa' uses"):
        apply(project, bad)
    wrong_row = Patch(**{**patch.__dict__, "ops": (patch.ops[0].__class__(
        "add", "kdeadbeef0000", None, {**NEW, "split": "train"}, None, "c1/t1", line=2),)})
    with pytest.raises(InputError) as exc:
        apply(project, wrong_row)
    assert (exc.value.line, exc.value.field) == (2, "row")
    (lab,) = build([turn("c1", 1, edit("add", None, {"text": "x", "label": "angry"}, task="intent"))],
                   project=project, author="a", time=T).patches
    with pytest.raises(InputError) as exc:
        apply(project, lab.approve("r", T))
    assert exc.value.field == "after.label"


def test_revert_restores_content(project):
    task = project.task("support_qa")
    original = file_hash(qa(project))
    patch = make_patch(project, edit("update", QA_ROWS[0], {"answer": "30 days."}), edit("add", None, NEW),
                       edit("delete", QA_ROWS[1]))
    path = files.write_new(project, patch, "x")
    name = versions.rel(project, path)
    apply(project, patch)
    inv = inverse(project, patch, name=name, author="bob", time=T)
    assert inv.reverts == patch.id and inv.base_version == 1
    assert sorted(o.op for o in inv.ops) == ["add", "delete", "update"]
    res = apply(project, inv)
    assert res.version == 2
    rows = read_rows(qa(project))
    assert sorted(map(json.dumps, rows)) == sorted(map(json.dumps, QA_ROWS))  # same rows; re-add at the end
    assert rows[-1] == QA_ROWS[1]
    assert file_hash(qa(project)) != original  # a new version, not history rewritten
    assert [v.version for v in versions.read_log(project, task)] == [0, 1, 2]


def test_revert_of_added_duplicate_deletes_that_copy(project):
    again = {**QA_ROWS[0], "answer": "Depends."}
    patch = make_patch(project, edit("add", None, again))
    apply(project, patch)
    inv = inverse(project, patch, name="p", author="b", time=T)
    assert inv.ops[0].row.endswith("~2")
    apply(project, inv)
    assert read_rows(qa(project)) == QA_ROWS


def test_last_line_without_newline(project):
    qa(project).write_text(dump_rows(QA_ROWS).rstrip("\n"))
    apply(project, make_patch(project, edit("add", None, NEW), edit("update", QA_ROWS[3], {"answer": "No."})))
    rows = read_rows(qa(project))
    assert rows[3]["answer"] == "No." and rows[4]["question"] == NEW["question"]


def test_bad_dataset_line_in_a_targeted_row(project):
    qa(project).write_text(dump_rows(QA_ROWS[:2]) + '{"question": "What is the warranty?", "answer": \n')
    digest = file_hash(qa(project))
    with pytest.raises(InputError) as exc:
        apply(project, make_patch(project, edit("update", QA_ROWS[2], {"answer": "Two."})))
    assert exc.value.source == "datasets/support_qa.jsonl" and exc.value.line == 3
    assert file_hash(qa(project)) == digest


# --- crash recovery ------------------------------------------------------------------

CRASH = """
import sys
from lic_cli.tasks import load_project
from lic_cli.patches import files
from lic_cli.patches.apply import apply_patch
project = load_project(sys.argv[1])
patch, _, name = files.load(project, sys.argv[2])
apply_patch(project, patch, name=name, patch_path=name)
"""


@pytest.mark.parametrize("point, expect", [("renamed", "forward"), ("logged", "forward")])
def test_crash_between_rename_and_log_rolls_forward(project, point, expect):
    task = project.task("support_qa")
    patch = make_patch(project, edit("add", None, NEW))
    path = files.write_new(project, patch, "x")
    env = {**os.environ, "LIC_TEST_CRASH": point, "PYTHONPATH": os.getcwd()}
    proc = subprocess.run([sys.executable, "-c", CRASH, str(project.root), str(path)], env=env)
    assert proc.returncode == 86
    assert versions.journal_path(project, task).exists()
    new_hash = file_hash(qa(project))
    # Readers already see the version the journal promises.
    assert versions.current_version(project, task) == (1, new_hash)
    with versions.task_lock(project, task):
        assert versions.recover(project, task) == expect
    log = versions.read_log(project, task)
    assert [v.version for v in log] == [0, 1] and log[-1].hash == new_hash
    assert not versions.journal_path(project, task).exists()


def test_crash_before_rename_rolls_back(project):
    task = project.task("support_qa")
    digest = file_hash(qa(project))
    # Simulate a writer that died after writing its temp file and journal, before the rename.
    from lic_cli.store.atomic import AtomicFile, write_atomic
    af = AtomicFile(qa(project))
    af.write(b'{"question": "half"}\n')
    af.prepare()
    jp = versions.journal_path(project, task)
    jp.parent.mkdir(parents=True)
    write_atomic(jp, json.dumps({"task": task.name, "old_hash": digest, "new_hash": "sha256:" + "1" * 64,
                                 "entries": [versions.Version(0, digest, 4).to_dict()]}))
    with versions.writing(project, task):
        pass
    assert file_hash(qa(project)) == digest and not af.tmp.exists() and not jp.exists()
    assert not versions.log_path(project, task).exists()


def test_bad_log_line_is_named(project):
    task = project.task("support_qa")
    apply(project, make_patch(project, edit("add", None, NEW)))
    lp = versions.log_path(project, task)
    lp.write_text(lp.read_text().replace('"rows": 5', '"rows": "five"'))
    with pytest.raises(InputError) as exc:
        versions.read_log(project, task)
    assert (exc.value.source, exc.value.line, exc.value.field) == ("versions/support_qa.jsonl", 2, "rows")


def test_cached_file_hash_follows_every_kind_of_write(tmp_path):
    from lic_cli.store.rows import cached_file_hash, file_hash

    path = tmp_path / "rows.jsonl"
    path.write_text('{"q": "a"}\n', encoding="utf-8")
    first = cached_file_hash(path)
    assert first == file_hash(path)
    assert cached_file_hash(path) == first
    # an atomic replace (a new inode, same size) and an in-place append are both seen
    tmp = tmp_path / "rows.tmp"
    tmp.write_text('{"q": "b"}\n', encoding="utf-8")
    os.replace(tmp, path)
    second = cached_file_hash(path)
    assert second == file_hash(path) != first
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"q": "c"}\n')
    assert cached_file_hash(path) == file_hash(path) != second
