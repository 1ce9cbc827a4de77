"""Crash-safe writes (store/atomic.py) on their fast path: pieces written with writev,
writeback started early, the fsync on a thread, the old version freed on a thread;
and what a killed apply leaves behind is swept."""

from __future__ import annotations

import os
import random

import pytest
from conftest import QA_ROWS, dump_rows, edit, make_project, turn

from lic_cli.errors import InputError
from lic_cli.patches.apply import apply_patch
from lic_cli.patches.build import build
from lic_cli.store import atomic, keyindex, versions
from lic_cli.store.atomic import TMP_SUFFIX, AtomicFile, sweep_temps


def test_pieces_of_every_size_land_exactly(tmp_path, monkeypatch):
    # Small gathers and writeback steps so one file crosses every path: many tiny pieces
    # (more than IOV_MAX per writev), memoryviews, pieces larger than a gather.
    monkeypatch.setattr(atomic, "_GATHER", 4096)
    monkeypatch.setattr(atomic, "WRITEBACK", 1 << 15)
    rng = random.Random(5)
    blob = rng.randbytes(1 << 20)
    pieces = []
    pos = 0
    while pos < len(blob):
        n = rng.choice([1, 3, 100, 5000, 70000])
        pieces.append(memoryview(blob)[pos:pos + n] if n > 1000 else blob[pos:pos + n])
        pos += n
    pieces += [b"x"] * 3000
    target = tmp_path / "d.jsonl"
    with AtomicFile(target) as af:
        for p in pieces:
            af.write(p)
        af.commit()
    assert target.read_bytes() == blob + b"x" * 3000
    assert not list(tmp_path.glob("*" + TMP_SUFFIX))


def test_fsync_on_a_thread_then_commit_or_discard(tmp_path):
    target = tmp_path / "d.jsonl"
    target.write_bytes(b"old\n")
    os.chmod(target, 0o600)
    af = AtomicFile(target)
    af.write(b"new\n")
    af.start_prepare()
    af.commit()
    assert target.read_bytes() == b"new\n" and target.stat().st_mode & 0o777 == 0o600
    af = AtomicFile(target)
    af.write(b"never\n")
    af.start_prepare()
    af.discard()
    assert target.read_bytes() == b"new\n" and not af.tmp.exists()


def test_retired_version_is_freed_and_a_leftover_swept(tmp_path):
    target = tmp_path / "d.jsonl"
    target.write_bytes(b"old\n" * 1000)
    old_inode = target.stat().st_ino
    keep = os.open(target, os.O_RDONLY)  # to see the old inode's link count
    try:
        af = AtomicFile(target)
        af.write(b"new\n")
        af.commit(retire=True)
        af.settle()
        assert os.fstat(keep).st_nlink == 0  # the old version has no name left
        assert os.fstat(keep).st_ino == old_inode
    finally:
        os.close(keep)
    assert target.read_bytes() == b"new\n"
    assert not list(tmp_path.glob("*" + TMP_SUFFIX))
    # A writer killed between taking the second name and freeing it leaves a temp name,
    # which the next writer sweeps.
    aside = atomic._link_aside(target)
    assert aside is not None and aside.name.endswith(TMP_SUFFIX) and aside.read_bytes() == b"new\n"
    assert sweep_temps(target) == [aside] and target.read_bytes() == b"new\n"


def test_apply_leaves_no_temp_files_and_sweeps_index_leftovers(tmp_path):
    project = make_project(tmp_path)
    task = project.task("support_qa")
    data = project.dataset_path(task)
    rows = QA_ROWS + [{"question": f"Question {i}?", "answer": f"A{i}.", "split": "train"} for i in range(3000)]
    data.write_text(dump_rows(rows))
    idx_path = keyindex.index_path(project, task)

    def apply(k):
        (p,) = build([turn("c1", 1, edit("update", rows[10 + k], {"answer": f"changed {k}"}))],
                     project=project, author="a", time="2026-01-02T03:04:05Z").patches
        return apply_patch(project, p, name="p", patch_path=None)

    assert apply(0).version == 1
    # What a kill during a derive or an install leaves: a temp index, a second name of
    # the old index, a build's scratch folder, a stat record's temp file.
    leftovers = [idx_path.parent / f".{idx_path.name}.abc123.tmp",
                 idx_path.parent / f".{idx_path.name}.0a0b0c.old{TMP_SUFFIX}",
                 idx_path.parent / f".{keyindex.stat_path(idx_path).name}.x1.tmp"]
    for p in leftovers:
        p.write_bytes(b"junk")
    (idx_path.parent / f".{idx_path.name}.scratch").mkdir()
    (idx_path.parent / f".{idx_path.name}.scratch" / "lens").write_bytes(b"junk")
    assert apply(1).version == 2
    assert sorted(p.name for p in idx_path.parent.iterdir()) == sorted(
        [idx_path.name, keyindex.stat_path(idx_path).name])
    assert not [p for p in data.parent.iterdir() if p.name.startswith(".")]
    log = versions.read_log(project, task)
    assert [v.version for v in log] == [0, 1, 2]
    # The index derived while the dataset was fsynced is the one in place, and good.
    idx = keyindex.load(idx_path, "question")
    assert idx is not None and idx.hash == log[-1].hash
    assert keyindex.load_stat(idx_path) is not None


@pytest.mark.skipif(not hasattr(os, "link"), reason="no hard links")
def test_retire_without_a_target_is_a_plain_rename(tmp_path):
    target = tmp_path / "new.jsonl"
    af = AtomicFile(target)
    af.write(b"a\n")
    af.commit(retire=True)
    af.settle()
    assert target.read_bytes() == b"a\n" and not list(tmp_path.glob("*" + TMP_SUFFIX))


def test_failed_commit_drops_the_index_derived_for_it(tmp_path):
    # The next index is derived on a thread before the commit; when the commit fails (here
    # the version log is unreadable) neither the dataset nor the index may change.
    project = make_project(tmp_path)
    task = project.task("support_qa")
    data = project.dataset_path(task)
    rows = QA_ROWS + [{"question": f"Question {i}?", "answer": f"A{i}.", "split": "train"} for i in range(3000)]
    data.write_text(dump_rows(rows))

    def patch(k):
        (p,) = build([turn("c1", 1, edit("update", rows[10 + k], {"answer": f"changed {k}"}))],
                     project=project, author="a", time="2026-01-02T03:04:05Z").patches
        return p

    apply_patch(project, patch(0), name="p", patch_path=None)
    second = patch(1)
    idx_path = keyindex.index_path(project, task)
    before = (data.read_bytes(), idx_path.read_bytes())
    log = versions.log_path(project, task)
    log.write_text(log.read_text().replace('"rows": ', '"rows": "x", "r": ', 1))
    with pytest.raises(InputError) as exc:
        apply_patch(project, second, name="p", patch_path=None)
    assert exc.value.source == "versions/support_qa.jsonl"
    assert (data.read_bytes(), idx_path.read_bytes()) == before
    assert sorted(p.name for p in idx_path.parent.iterdir()) == sorted(
        [idx_path.name, keyindex.stat_path(idx_path).name])
    assert not [p for p in data.parent.iterdir() if p.name.startswith(".")]
