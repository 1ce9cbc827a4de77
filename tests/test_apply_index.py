"""The key index apply reads rows through: built once, derived per version, never trusted
blindly (an outside edit or a damaged index file is detected and the index rebuilt), and
memory flat in the dataset size."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import struct
import time
import tracemalloc
import zlib
from dataclasses import replace
from types import SimpleNamespace

import pytest
from conftest import QA_ROWS, dump_rows, edit, make_project, read_rows, turn
from test_store_scan import random_line

from lic_cli.errors import ConflictError
from lic_cli.patches import apply as apply_mod
from lic_cli.patches.apply import apply_patch
from lic_cli.patches.build import build
from lic_cli.store import digest, keyindex, scan, versions
from lic_cli.store.rows import file_hash

T = "2026-01-02T03:04:05Z"


def make_patch(project, *edits):
    (patch,) = build([turn("c1", i + 1, e) for i, e in enumerate(edits)], project=project, author="ann",
                     time=T).patches
    return patch


def apply(project, patch, **kw):
    return apply_patch(project, patch, name="p", patch_path="patches/p.patch.jsonl", now=T, **kw)


def qa(project):
    return project.dataset_path(project.task("support_qa"))


def idx_path(project):
    return keyindex.index_path(project, project.task("support_qa"))


def indexed_lines(path) -> list[tuple[int, int, int]]:
    """(offset, length, key) of every live line the index at `path` describes, in file order."""
    idx = keyindex.load(path, "question")
    assert idx is not None
    raw = path.read_bytes()[512:]
    lens = struct.unpack(f"<{idx.slots}I", raw[:4 * idx.slots])
    table = struct.unpack(f"<{idx.live}Q", raw[4 * idx.slots:])
    assert list(table) == sorted(table)
    assert zlib.crc32(raw[:4 * idx.slots]) == idx.crc_lens and zlib.crc32(raw[4 * idx.slots:]) == idx.crc_table
    key_at = {e & 0xFFFFFFFF: e >> 32 for e in table}
    out, pos = [], 0
    for slot, n in enumerate(lens):
        if slot in key_at:
            out.append((pos, n, key_at[slot]))
        else:
            assert n == 0  # a tombstone
        pos += n
    assert pos == idx.size
    return out


def actual_lines(data: bytes) -> list[tuple[int, int, int]]:
    """The same, computed from the dataset itself."""
    out, pos = [], 0
    for line in data.splitlines(keepends=True):
        key = keyindex.BLANK if not line.strip() else keyindex.row_key(json.loads(line), "question")
        out.append((pos, len(line), key))
        pos += len(line)
    return out


def check_index(project) -> None:
    idx = keyindex.load(idx_path(project), "question")
    assert idx is not None and idx.hash == file_hash(qa(project))
    assert indexed_lines(idx_path(project)) == actual_lines(qa(project).read_bytes())
    assert idx.rows == len(read_rows(qa(project)))


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


@pytest.mark.parametrize("seed", range(12))
def test_build_files_every_line_under_its_key(tmp_path, monkeypatch, seed):
    # The scanner's corpus: blank, keyless, nested, compact, ASCII-escaped and \u-spelled
    # lines, keys NFKC or casefold would change. Small blocks and stretches: many cuts.
    monkeypatch.setattr(keyindex, "BLOCK", 997)
    monkeypatch.setattr(keyindex, "_SMALL", 3)
    monkeypatch.setattr(keyindex, "_SORT", 16 if seed % 3 else 1 << 18)  # sorted in 32 buckets, or 1
    rng = random.Random(seed)
    data = ("\n".join(random_line(rng) for _ in range(400)) + ("\n" if seed % 2 else "")).encode()
    idx = keyindex.build(io.BytesIO(data), tmp_path / "x.idx", "question", "x.jsonl")
    assert idx.hash == "sha256:" + hashlib.sha256(data).hexdigest() and idx.open_end == (not data.endswith(b"\n"))
    lines = actual_lines(data)
    assert indexed_lines(tmp_path / "x.idx") == lines
    wanted = {k for _, _, k in lines[::7]}
    spans = keyindex.find(idx, wanted)
    assert [(o, n) for o, n, _, _ in spans] == [(o, n) for o, n, k in lines if k in wanted]


def test_first_apply_builds_the_index_and_each_apply_derives_the_next(project):
    assert not idx_path(project).exists()
    res = apply(project, make_patch(project, edit("update", QA_ROWS[0], {"answer": "30 days."})))
    assert res.version == 1
    check_index(project)
    # A key change, a delete and an add: the derived index points at the right bytes.
    new = {"question": "Do you ship to the EU?", "answer": "Yes."}
    res = apply(project, make_patch(project, edit("update", QA_ROWS[1], {"question": "Do you ship to Mars?"}),
                                    edit("delete", QA_ROWS[2]), edit("add", None, new)))
    assert res.version == 2 and res.rows == 4
    check_index(project)
    assert keyindex.load(idx_path(project), "question").dead == 1
    # Applying again changes nothing (and says so); the index still fits.
    again = apply(project, make_patch(project, edit("update", QA_ROWS[3], {"answer": "Cash only."})))
    assert again.applied
    check_index(project)
    assert not apply(project, make_patch(project, edit("update", QA_ROWS[3], {"answer": "Cash only."}))).applied
    check_index(project)


def test_stale_index_after_an_outside_edit_is_detected_and_rebuilt(project):
    rows = [{"question": f"Question {i}?", "answer": f"Answer {i}.", "split": "train"} for i in range(6)]
    qa(project).write_text(dump_rows(rows))
    apply(project, make_patch(project, edit("update", rows[0], {"answer": "Changed."})))
    size = qa(project).stat().st_size
    # Swap two lines of equal length outside lic: same size, so only the hash tells the
    # index no longer fits. Trusting it would read "Question 3?" where it expects 2.
    lines = qa(project).read_text().splitlines(keepends=True)
    lines[2], lines[3] = lines[3], lines[2]
    qa(project).write_text("".join(lines))
    assert qa(project).stat().st_size == size
    res = apply(project, make_patch(project, edit("update", rows[2], {"answer": "Two."}),
                                    edit("delete", rows[4])))
    assert res.applied and res.external == 2 and res.version == 3
    got = read_rows(qa(project))
    assert [r["question"] for r in got] == ["Question 0?", "Question 1?", "Question 3?", "Question 2?",
                                           "Question 5?"]
    assert got[3]["answer"] == "Two." and got[2]["answer"] == "Answer 3."
    check_index(project)


def test_stale_index_never_reports_a_false_conflict(project):
    rows = [{"question": f"Question {i}?", "answer": f"Answer {i}.", "split": "train"} for i in range(4)]
    qa(project).write_text(dump_rows(rows))
    apply(project, make_patch(project, edit("update", rows[0], {"answer": "Changed."})))
    lines = qa(project).read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace("Answer 1.", "Answer x.")  # same size, not the row the patch edits
    qa(project).write_text("".join(lines))
    assert apply(project, make_patch(project, edit("update", rows[2], {"answer": "Two."}))).applied
    # A real conflict is still one, with the right line number.
    lines = qa(project).read_text().splitlines(keepends=True)
    lines[3] = lines[3].replace("Answer 3.", "Answer y.")
    qa(project).write_text("".join(lines))
    with pytest.raises(ConflictError, match="support_qa.jsonl line 4 has"):
        apply(project, make_patch(project, edit("update", rows[3], {"answer": "Three."})))


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage"])
def test_damaged_index_file_is_rebuilt(project, damage):
    apply(project, make_patch(project, edit("update", QA_ROWS[0], {"answer": "30 days."})))
    raw = bytearray(idx_path(project).read_bytes())
    if damage == "flip":
        raw[512 + 4] ^= 0x01  # slot 1's length: the CRC no longer fits
    elif damage == "truncate":
        del raw[-3:]
    else:
        raw[:20] = b"x" * 20
    idx_path(project).write_bytes(bytes(raw))
    res = apply(project, make_patch(project, edit("delete", QA_ROWS[1])))
    assert res.applied and [r["question"] for r in read_rows(qa(project))] == [
        QA_ROWS[0]["question"], QA_ROWS[2]["question"], QA_ROWS[3]["question"]]
    check_index(project)


def test_dry_run_uses_but_never_writes_the_index(project):
    patch = make_patch(project, edit("update", QA_ROWS[0], {"answer": "30 days."}))
    assert apply(project, patch, dry_run=True).applied
    assert not idx_path(project).exists()
    apply(project, make_patch(project, edit("delete", QA_ROWS[3])))
    before = idx_path(project).read_bytes()
    assert apply(project, patch, dry_run=True).applied
    assert idx_path(project).read_bytes() == before


def test_open_last_line_blank_lines_and_odd_keys(project):
    rows = [{"question": q, "answer": "a", "split": "train"}
            for q in ["Café?", "CAFÉ  au lait?", "ﬁne", "a\"b", "tab\there", "日本"]]
    text = dump_rows(rows[:3]) + "\n  \n" + dump_rows(rows[3:]).rstrip("\n")
    qa(project).write_text(text)
    res = apply(project, make_patch(project, edit("update", rows[1], {"answer": "b"}),
                                    edit("add", None, {"question": "New?", "answer": "n"})))
    assert res.applied and res.rows == 7
    check_index(project)
    res = apply(project, make_patch(project, edit("delete", rows[5]), edit("update", rows[3], {"answer": "c"})))
    assert res.applied and res.rows == 6
    check_index(project)
    assert [r["answer"] for r in read_rows(qa(project))] == ["a", "b", "a", "c", "a", "n"]


def test_random_applies_keep_the_index_exact(project):
    rng = random.Random(7)
    words = ["refund", "Refund", "café", "Straße", "ship", "EU", "ﬁ", "日本", "x\"y", "tab\tbed"]

    def question() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(1, 3))) + f" {rng.randint(0, 40)}?"

    rows = [{"question": question(), "answer": str(i), "split": "train"} for i in range(150)]
    qa(project).write_text(dump_rows(rows))
    for step in range(8):
        current = read_rows(qa(project))
        seen, edits = set(), []
        for row in rng.sample(current, 6):
            if row["question"].casefold() in seen:
                continue  # one op per key keeps the patch simple
            seen.add(row["question"].casefold())
            kind = rng.choice(["update", "update", "rekey", "delete"])
            if kind == "delete":
                edits.append(edit("delete", row))
            elif kind == "rekey":
                edits.append(edit("update", row, {"question": question() + f" v{step}"}))
            else:
                edits.append(edit("update", row, {"answer": f"s{step}"}))
        edits.append(edit("add", None, {"question": question() + f" new{step}", "answer": "n"}))
        res = apply(project, make_patch(project, *edits))
        assert res.applied and res.rows == len(read_rows(qa(project)))
        check_index(project)
    assert versions.head(project, project.task("support_qa")).hash == file_hash(qa(project))


def _heap_peaks(project, n: int) -> tuple[int, int]:
    """tracemalloc peaks (bytes) of two applies on an n-row dataset: the first (which
    builds the index), then a 40-op patch through it."""
    rows = [{"question": f"How long does return number {i} take?", "answer": f"It takes {i % 30} days.",
             "split": "train"} for i in range(n)]
    qa(project).write_text(dump_rows(rows))
    picks = rows[2::n // 30][:30]
    first = make_patch(project, edit("update", rows[1], {"answer": "x"}))
    patch = make_patch(project, *[edit("update", r, {"answer": "Changed."}) for r in picks[:25]],
                       *[edit("delete", r) for r in picks[25:]],
                       *[edit("add", None, {"question": f"New {i}?", "answer": "n"}) for i in range(10)])
    peaks = []
    for p in (first, patch):
        tracemalloc.start()
        try:
            assert apply(project, p).applied
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    return peaks[0], peaks[1]


def test_memory_is_flat_in_the_dataset_size(tmp_path, monkeypatch):
    # Small buffers (read blocks, index chunks and sort buckets, hash batches in flight),
    # so that the small dataset fills them too and what is left to compare is growth.
    monkeypatch.setattr(scan, "BLOCK", 1 << 16)
    monkeypatch.setattr(keyindex, "BLOCK", 1 << 16)
    monkeypatch.setattr(keyindex, "_CHUNK", 1 << 12)
    monkeypatch.setattr(keyindex, "_SORT", 1 << 12)
    monkeypatch.setattr(digest, "_DEPTH", 1)
    import numpy  # noqa: F401  (imported by the build: not part of what is measured)

    small = _heap_peaks(make_project(tmp_path / "small"), 20_000)
    large = _heap_peaks(make_project(tmp_path / "large"), 200_000)
    # 10x the rows (28 MiB of data, 2.4 MiB of index): not even 1.5 bytes more per row,
    # whether the index is built (first apply) or used.
    assert large[0] - small[0] < 1 << 18, (small, large)
    assert large[1] - small[1] < 1 << 18, (small, large)


# --- the stat record: skipping the old file's hash ---------------------------------------

@pytest.fixture
def old_hashes(monkeypatch):
    """How many applies hashed the old dataset (each builds one _HashingReader for it)."""
    calls = []
    real = apply_mod._HashingReader

    def spy(*args):
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(apply_mod, "_HashingReader", spy)
    return calls


def six_rows(project) -> list[dict]:
    rows = [{"question": f"Question {i}?", "answer": f"Answer {i}.", "split": "train"} for i in range(6)]
    qa(project).write_text(dump_rows(rows))
    return rows


def test_a_version_lic_wrote_is_not_hashed_again(project, old_hashes):
    rows = six_rows(project)
    apply(project, make_patch(project, edit("update", rows[0], {"answer": "Zero."})))
    assert len(old_hashes) == 1  # the hand-written dataset: hashed (and indexed)
    rec = keyindex.load_stat(idx_path(project))
    assert rec is not None and rec.hash == file_hash(qa(project))
    for i in (1, 2, 3):
        res = apply(project, make_patch(project, edit("update", rows[i], {"answer": f"New {i}."})))
        assert res.applied and res.external is None and res.version == i + 1
    assert len(old_hashes) == 1  # each version lic wrote was taken on its stat record
    check_index(project)
    assert versions.head(project, project.task("support_qa")).hash == file_hash(qa(project))
    assert [r["answer"] for r in read_rows(qa(project))][:4] == ["Zero.", "New 1.", "New 2.", "New 3."]


@pytest.mark.parametrize("how", ["in_place", "mtime_put_back", "replaced"])
def test_an_outside_edit_that_keeps_the_size_is_detected(project, old_hashes, how):
    rows = six_rows(project)
    apply(project, make_patch(project, edit("update", rows[0], {"answer": "Zero."})))
    path = qa(project)
    st = path.stat()
    data = path.read_bytes().replace(b"Answer 4.", b"Answer X.")  # same size, another row
    if how == "replaced":  # a new file renamed over it, even with the old mtime: a new inode
        tmp = path.with_name("swap.tmp")
        tmp.write_bytes(data)
        os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
        os.replace(tmp, path)
    else:
        with open(path, "r+b") as fh:  # same inode
            fh.write(data)
        if how == "mtime_put_back":  # only the ctime tells
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = path.stat()
    assert after.st_size == st.st_size and keyindex.signature(after) != keyindex.signature(st)
    res = apply(project, make_patch(project, edit("update", rows[1], {"answer": "One."})))
    # The record no longer matched: hashed, found not to be the indexed version, indexed
    # again and applied again (hashed again), as with no record at all.
    assert len(old_hashes) == 3
    assert res.applied and res.external == 2 and res.version == 3
    assert [r["answer"] for r in read_rows(path)] == ["Zero.", "One.", "Answer 2.", "Answer 3.", "Answer X.",
                                                       "Answer 5."]
    check_index(project)


def test_a_racy_record_is_not_trusted(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(b'{"question": "q"}\n')
    st = path.stat()
    idx = keyindex.build(io.BytesIO(path.read_bytes()), tmp_path / "d.idx", "question", "d.jsonl")
    # Hashed within the margin of its last write: a write in the same tick could follow unseen.
    assert keyindex.verified_record(idx.hash, st, time.time_ns()) is None
    # Recorded with the mtime in the tick the record is good from: not trusted either.
    racy = keyindex.StatRecord(idx.hash, keyindex.signature(st), st.st_mtime_ns)
    assert not keyindex.trusted(racy, idx, st)
    # Hashed well after the last write: trusted, and only while the signature is the same.
    rec = keyindex.verified_record(idx.hash, st, st.st_mtime_ns + keyindex.RACY_NS + 10**9)
    assert rec is not None and keyindex.trusted(rec, idx, st)
    assert not keyindex.trusted(replace(rec, hash="sha256:" + "0" * 64), idx, st)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # a ctime change alone
    assert not keyindex.trusted(rec, idx, path.stat())
    # A file lic wrote and renamed in the same tick as its last write: no record.
    same_tick = SimpleNamespace(st_dev=1, st_ino=2, st_size=3, st_mtime_ns=5, st_ctime_ns=5)
    assert keyindex.written_record(idx.hash, same_tick, same_tick) is None
    later = SimpleNamespace(st_dev=1, st_ino=2, st_size=3, st_mtime_ns=5, st_ctime_ns=6)
    assert keyindex.written_record(idx.hash, same_tick, later) is not None
    moved = SimpleNamespace(st_dev=1, st_ino=2, st_size=3, st_mtime_ns=6, st_ctime_ns=7)  # written after
    assert keyindex.written_record(idx.hash, same_tick, moved) is None


def test_a_hashed_dataset_is_recorded_once_it_is_old_enough(project, old_hashes, monkeypatch):
    rows = six_rows(project)
    patch = make_patch(project, edit("update", rows[0], {"answer": "Zero."}))
    apply(project, patch)
    keyindex.save_stat(idx_path(project), None)  # as after a crash between rename and record
    # Already applied, nothing written: the old file is hashed, but it was just written,
    # so no record is made and the next apply hashes it again.
    assert not apply(project, patch).applied
    assert keyindex.load_stat(idx_path(project)) is None and len(old_hashes) == 2
    # With no margin (as if the file were older than it): hashed once more, then recorded.
    monkeypatch.setattr(keyindex, "RACY_NS", 0)
    assert not apply(project, patch).applied
    assert keyindex.load_stat(idx_path(project)) is not None and len(old_hashes) == 3
    assert apply(project, make_patch(project, edit("delete", rows[5]))).applied
    assert len(old_hashes) == 3
    check_index(project)


def test_a_stale_record_falls_back_to_hashing(project, old_hashes):
    rows = six_rows(project)
    apply(project, make_patch(project, edit("update", rows[0], {"answer": "Zero."})))
    # A record that lies about the hash (as a damaged one might) is not for this index.
    rec = keyindex.load_stat(idx_path(project))
    keyindex.save_stat(idx_path(project), replace(rec, hash="sha256:" + "0" * 64))
    assert apply(project, make_patch(project, edit("delete", rows[5]))).applied
    assert len(old_hashes) == 2
    idx_path(project).with_suffix(".stat").write_bytes(b"{not json")
    assert apply(project, make_patch(project, edit("update", rows[4], {"answer": "Four."}))).applied
    assert len(old_hashes) == 3
    check_index(project)
