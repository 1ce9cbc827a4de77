"""Where each row of a dataset lies, by key: a per-version index that spares apply a parse.

Applying a patch should cost about a file copy, but finding the rows it touches by
reading every row's key costs several copies. So each task keeps an index of its
dataset's current version in `.lic/index/<task>.idx`:

- `lens`: one u32 per *slot*, the byte length of one line (its newline included).
  Slots are the file's lines in order; a deleted row leaves a 0-length slot (a
  tombstone) and added rows get new slots at the end, so slot numbers never shift and
  the next version's index is this one with a few entries changed (`derive`): no
  offsets to rewrite, no rows to read.
- `table`: sorted u64 entries `key << 32 | slot`, one per live line. `key` is the
  CRC-32 of the line's first key column in normalize_text form with its spaces removed
  (`key_of`); a blank line has the key of "" (0). Rows with equal keys have equal CRCs,
  so a binary search finds every row a patch may touch, in file order; a CRC collision
  only costs one more parsed row.

The header names the content hash and size of the dataset it describes. An index
never decides alone: apply hashes the dataset as it copies it and drops its work when
that hash is not the header's (an edit made outside lic), so a stale index costs time,
never a wrong result. The body carries CRCs too, checked on every read. Reads, and the
build's sort, go in chunks, so memory stays flat in the dataset size.

Beside it, `<task>.stat` (StatRecord) lets apply skip hashing the dataset when its stat
signature proves it is the bytes lic last wrote or hashed (git's index does the same).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import zlib
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from lic_cli.errors import InputError
from lic_cli.safeload import loads as safe_loads
from lic_cli.store.atomic import Background, replace_retiring
from lic_cli.store.digest import HashWorker
from lic_cli.store.rows import normalize_text
from lic_cli.store.scan import _ASCII_WS, _ESCAPED_ASCII, _LOWER, BLOCK, Readable, _stable
from lic_cli.tasks import Project, Task

FORMAT = 1
_MAGIC = b"LICIDX\n"
_HEADER = 512  # bytes: magic, JSON header, padding
_CHUNK = 1 << 16  # entries per read: 256 KiB of lens, 512 KiB of table
_SMALL = 32  # lines: build judges a stretch this short line by line
_SORT = 1 << 18  # table entries build sorts at a time (2 MiB)
_FANOUT = 8
_SLOT = 0xFFFFFFFF
MAX_DEAD = 0.25  # share of tombstones above which an index is rebuilt, not reused
BLANK = 0  # the key of a blank line (and of a row without the key column): crc32(b"")


def index_path(project: Project, task: Task) -> Path:
    return project.state_dir / "index" / f"{task.name}.idx"


# --- the dataset's stat record: when the old file's hash may be skipped ------------------

RACY_NS = 2_000_000_000  # a file changed this close to when it was hashed is hashed again


@dataclass(frozen=True)
class StatRecord:
    """"The file with this stat signature holds the bytes hashing to `hash`", as git's
    index records it. `settled_ns`: a time such that any later write to the file leaves
    its mtime at or after it; the record is trusted only while the signature matches
    exactly and the recorded mtime is before it (else a write in the same timestamp tick
    as the one recorded could have changed the bytes unseen)."""

    hash: str
    sig: tuple[int, int, int, int, int]  # st_dev, st_ino, st_size, st_mtime_ns, st_ctime_ns
    settled_ns: int


def signature(st: os.stat_result) -> tuple[int, int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def stat_path(index: Path) -> Path:
    return index.with_suffix(".stat")


def trusted(rec: StatRecord | None, idx: KeyIndex, st: os.stat_result) -> bool:
    """Whether the dataset (stat `st`) is, without reading it, the version `idx` describes."""
    return (rec is not None and rec.hash == idx.hash and rec.sig[2] == idx.size
            and signature(st) == rec.sig and st.st_mtime_ns < rec.settled_ns)


def load_stat(index: Path) -> StatRecord | None:
    try:
        obj = json.loads(stat_path(index).read_bytes())
        rec = StatRecord(hash=obj["hash"], sig=tuple(obj["sig"]),  # type: ignore[arg-type]
                         settled_ns=obj["settled_ns"])
    except (OSError, ValueError, KeyError, TypeError, RecursionError):  # a cache: damaged is absent
        return None
    if (not isinstance(rec.hash, str) or len(rec.sig) != 5
            or not all(type(n) is int for n in (*rec.sig, rec.settled_ns))):
        return None
    return rec


def save_stat(index: Path, rec: StatRecord | None) -> None:
    """Write (None: remove) the stat record beside `index`. A cache: no fsync (a torn or
    empty file does not parse, and a record only ever vouches for its own signature)."""
    path = stat_path(index)
    if rec is None:
        path.unlink(missing_ok=True)
        return
    data = json.dumps({"hash": rec.hash, "sig": list(rec.sig), "settled_ns": rec.settled_ns}).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        path.unlink(missing_ok=True)  # no record: the next apply hashes


def verified_record(hash: str, st: os.stat_result, before_ns: int) -> StatRecord | None:
    """The record for a file whose bytes, read after `st` was taken at wall time
    `before_ns` (taken before the stat), hash to `hash`. A later write gets a timestamp
    of that time or after; a file changed within RACY_NS of it gets no record (the
    margin covers coarse file-system timestamps and a clock read ahead of the kernel's)."""
    settled = before_ns - RACY_NS
    if max(st.st_mtime_ns, st.st_ctime_ns) >= settled:
        return None
    return StatRecord(hash, signature(st), settled)


def written_record(hash: str, before: os.stat_result, after: os.stat_result) -> StatRecord | None:
    """The record for a file lic wrote (hashing `hash`): `before` is its stat once its
    last byte was written (flushed and closed, under a private temp name), `after` its
    stat once renamed into place. A write by anyone after the rename gets an mtime at or
    after the rename's ctime; so when the rename's tick (ctime) is strictly later than
    the last write's (mtime) and nothing wrote between the two stats, the bytes are ours
    until the mtime moves. Otherwise (same tick) no record: the next apply hashes."""
    keep = (before.st_dev, before.st_ino, before.st_size, before.st_mtime_ns)
    if keep != (after.st_dev, after.st_ino, after.st_size, after.st_mtime_ns):
        return None
    if after.st_ctime_ns <= after.st_mtime_ns:
        return None
    return StatRecord(hash, signature(after), after.st_ctime_ns)


def key_of(value: Any) -> int:
    """The index key of a key-column value (what build finds for a line holding it)."""
    return zlib.crc32(normalize_text(value).replace(" ", "").encode("utf-8"))


def row_key(row: dict[str, Any], column: str) -> int:
    return key_of(row.get(column, ""))


@dataclass(frozen=True)
class KeyIndex:
    path: Path
    column: str
    hash: str  # content hash of the dataset version described
    size: int  # its size in bytes
    slots: int
    live: int  # table entries (slots that are not tombstones)
    rows: int  # live slots that are not blank lines
    open_end: bool  # the last line has no newline
    crc_lens: int
    crc_table: int

    def header(self) -> bytes:
        meta = {"lic_index": FORMAT, "column": self.column, "hash": self.hash, "size": self.size,
                "slots": self.slots, "live": self.live, "rows": self.rows, "open_end": self.open_end,
                "crc_lens": self.crc_lens, "crc_table": self.crc_table}
        head = _MAGIC + json.dumps(meta).encode() + b"\n"
        if len(head) > _HEADER:
            raise ValueError("index header too long")
        return head.ljust(_HEADER, b" ")

    @property
    def dead(self) -> int:
        return self.slots - self.live


class StaleIndex(Exception):
    """The index does not describe the bytes read (internal: apply rebuilds it)."""


def load(path: Path, column: str) -> KeyIndex | None:
    """The index at `path` if it is for `column`, whole, and worth using; None otherwise.

    Only the header is read here: the body's CRCs are checked as `find` reads it."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEADER)
            end = fh.seek(0, os.SEEK_END)
    except OSError:
        return None
    if not head.startswith(_MAGIC):
        return None
    try:
        meta = json.loads(head[len(_MAGIC):].split(b"\n", 1)[0])
        idx = KeyIndex(path=path, column=meta["column"], hash=meta["hash"], size=meta["size"],
                       slots=meta["slots"], live=meta["live"], rows=meta["rows"], open_end=meta["open_end"],
                       crc_lens=meta["crc_lens"], crc_table=meta["crc_table"])
    except (ValueError, KeyError, TypeError, RecursionError):  # a cache: damaged is absent
        return None
    ints = (idx.size, idx.slots, idx.live, idx.rows, idx.crc_lens, idx.crc_table)
    if (meta.get("lic_index") != FORMAT or idx.column != column or not isinstance(idx.hash, str)
            or not all(type(n) is int and n >= 0 for n in ints) or sys.byteorder != "little"):
        return None  # (the body is read as native u32/u64: little-endian machines only)
    if end != _HEADER + 4 * idx.slots + 8 * idx.live or idx.dead > MAX_DEAD * idx.slots:
        return None
    return idx


def _chunks(fh: IO[bytes], start: int, count: int, width: int) -> Iterable[memoryview]:
    """`count` entries of `width` bytes from offset `start`, in chunks."""
    fh.seek(start)
    left = count
    while left:
        n = min(left, _CHUNK)
        data = fh.read(n * width)
        if len(data) != n * width:
            raise StaleIndex("index file truncated")
        left -= n
        yield memoryview(data).cast("I" if width == 4 else "Q")


def find(idx: KeyIndex, keys: Iterable[int]) -> list[tuple[int, int, int, int]]:
    """(offset, length, slot, key) of every live line whose key is in `keys`, in file order.

    Reads the whole body once, in chunks, checking its CRCs (StaleIndex if they fail)."""
    want = sorted(set(keys))
    hits: list[tuple[int, int]] = []  # (slot, key)
    crc = 0
    with open(idx.path, "rb") as fh:
        for chunk in _chunks(fh, _HEADER + 4 * idx.slots, idx.live, 8):
            crc = zlib.crc32(chunk, crc)
            lo, hi = chunk[0] >> 32, chunk[-1] >> 32
            for k in want[bisect.bisect_left(want, lo):bisect.bisect_right(want, hi)]:
                i = bisect.bisect_left(chunk, k << 32)
                j = bisect.bisect_left(chunk, (k + 1) << 32)
                hits.extend((e & _SLOT, k) for e in chunk[i:j])
        if crc != idx.crc_table:
            raise StaleIndex("index table damaged")
        hits.sort()
        out: list[tuple[int, int, int, int]] = []
        base = 0  # slots before this chunk
        offset = 0  # bytes before this chunk
        h = 0
        crc = 0
        for chunk in _chunks(fh, _HEADER, idx.slots, 4):
            crc = zlib.crc32(chunk, crc)
            end = base + len(chunk)
            prev = 0
            while h < len(hits) and hits[h][0] < end:
                slot, key = hits[h]
                offset += sum(chunk[prev:slot - base])
                prev = slot - base
                out.append((offset, chunk[prev], slot, key))
                h += 1
            offset += sum(chunk[prev:])
            base = end
        if crc != idx.crc_lens or offset != idx.size:
            raise StaleIndex("index lens damaged")
    return out


# --- building ---------------------------------------------------------------------------

class _LineKeys:
    """The index keys of raw lines, for one key column: a few C-speed passes over a
    stretch of whole lines when every line in it is regular, json.loads for the others
    (stretches with an irregular line are cut in eight until they are isolated)."""

    def __init__(self, column: str, source: str) -> None:
        self.source = source
        self.column = column
        self.raw_key = b'"' + column.encode() + b'"'
        # The column's value up to the next quote, then the rest of its line: each match
        # ends a line, so n matches in n lines means one per line.
        self.value = re.compile(re.escape(self.raw_key) + rb'[ \t\r]*:[ \t\r]*("?[^"\n]*)[^\n]*\n')
        self.blank = 0  # blank lines seen (slots that are not rows)

    def block(self, block: bytes, ends: list[int], first_line: int, out: array) -> None:
        """Append to `out` the keys of the lines of `block` (which ends with a newline);
        `ends[i]` is the offset just past line i's newline."""
        self._range(block, ends, 0, len(ends), first_line, out)

    def _range(self, block: bytes, ends: list[int], i: int, j: int, first_line: int, out: array) -> None:
        a, b = ends[i - 1] if i else 0, ends[j - 1]
        fast = self._fast(block, a, b, j - i)
        if fast is not None:
            out.extend(fast)
        elif j - i <= _SMALL:
            for k in range(i, j):
                start, end = ends[k - 1] if k else 0, ends[k]
                one = self._fast(block, start, end, 1) if block[start:end].strip() else None
                out.extend(one if one is not None else (self.parse(block[start:end], first_line + k),))
        else:
            step = -(-(j - i) // _FANOUT)
            for k in range(i, j, step):
                self._range(block, ends, k, min(k + step, j), first_line, out)

    def _fast(self, block: bytes, a: int, b: int, n: int) -> Iterable[int] | None:
        """Keys of the n lines in block[a:b] when each holds the column once, as a plain
        string that normalize_text would only lowercase and collapse spaces in: the CRC
        of its raw skeleton (ASCII-lowercased, ASCII whitespace removed). Else None."""
        if block.count(self.raw_key, a, b) != n:
            return None  # a line without the column (blank, keyless), or with it twice
        if block.find(b"\\", a, b) >= 0 and _ESCAPED_ASCII.search(block, a, b):
            return None  # a column name spelled with \u escapes may hide a second key
        vals = self.value.findall(block, a, b)
        if len(vals) != n:
            return None  # the column used as a value, not a key
        joined = b"".join(vals)
        if b"\\" in joined:
            return None  # an escaped value
        flat = joined.translate(_LOWER, _ASCII_WS)
        skel = flat.split(b'"')
        if len(skel) != n + 1 or not _stable(flat):
            return None  # a value that is not a string, or that NFKC/casefold would change
        # (A line whose column sits only in a nested object gets that value here, not "":
        # apply never asks this index for the key "".)
        return map(zlib.crc32, skel[1:])

    def parse(self, line: bytes, line_no: int) -> int:
        if not line.strip():
            self.blank += 1
            return BLANK
        obj = safe_loads(line, source=self.source, line=line_no)  # lic_cli/safeload.py: the limits of every reader
        if not isinstance(obj, dict):
            raise InputError(f"expected a JSON object, got {type(obj).__name__}", source=self.source,
                             line=line_no)
        return row_key(obj, self.column)


def build(fh: Readable, path: Path, column: str, source: str) -> KeyIndex:
    """Index the dataset read from `fh` (hashed as it is read) into `path`, atomically.

    Raises InputError for a line that must be parsed and cannot be. Memory stays flat:
    lengths and keys go to scratch files as they are found, and the table is sorted in
    buckets (by the keys' top bits) of about _SORT entries each."""
    import numpy as np  # only here: newline search, bucketing and sorting

    finder = _LineKeys(column, source)
    slots = size = 0
    h = hashlib.sha256()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{path.name}.", dir=path.parent) as tmp:
        scratch = Path(tmp)
        hasher = HashWorker()
        rest = b""
        last = b"\n"
        try:
            with open(scratch / "lens", "wb") as lens_f, open(scratch / "keys", "wb") as keys_f:
                while data := fh.read(BLOCK):
                    hasher.update(h, data)
                    size += len(data)
                    last = data[-1:]
                    block = rest + data
                    cut = block.rfind(b"\n") + 1
                    block, rest = block[:cut], block[cut:]
                    if block:
                        ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10) + 1
                        lens_f.write(np.diff(ends, prepend=0).astype("<u4").tobytes())
                        keys = array("I")
                        finder.block(block, ends.tolist(), slots + 1, keys)
                        keys_f.write(keys.tobytes())
                        slots += len(keys)
                if rest:  # a last line without a newline is read in full (it may be cut short)
                    lens_f.write(array("I", [len(rest)]).tobytes())
                    keys_f.write(array("I", [finder.parse(rest, slots + 1)]).tobytes())
                    slots += 1
        finally:
            hasher.close()
        buckets = _bucket(np, scratch, slots)
        crcs = [0, 0]

        def body(out: IO[bytes]) -> None:
            with open(scratch / "lens", "rb") as lens_f:
                while data := lens_f.read(4 * _CHUNK):
                    crcs[0] = zlib.crc32(data, crcs[0])
                    out.write(data)
            for bucket in buckets:
                table = np.fromfile(bucket, dtype="<u8")
                table.sort()
                crcs[1] = zlib.crc32(table, crcs[1])
                out.write(memoryview(table))

        def header() -> KeyIndex:
            return KeyIndex(path=path, column=column, hash="sha256:" + h.hexdigest(), size=size, slots=slots,
                            live=slots, rows=slots - finder.blank, open_end=last != b"\n",
                            crc_lens=crcs[0], crc_table=crcs[1])

        return _write_with(path, body, header)[0]


def _bucket(np: Any, scratch: Path, slots: int) -> list[Path]:
    """Split the table entries (key << 32 | slot) made from scratch/keys into files by
    the keys' top bits, in key order: each can be sorted alone. (CRCs of distinct keys
    spread evenly; only many rows with one key make a bucket large.)"""
    # 2**bits buckets of about _SORT entries (at most 256 files: past 64M rows they grow)
    bits = min(max(0, (slots - 1) // _SORT).bit_length(), 8)
    paths = [scratch / f"bucket{b}" for b in range(1 << bits)]
    files = [open(p, "wb") for p in paths]
    try:
        base = 0
        with open(scratch / "keys", "rb") as keys_f:
            while data := keys_f.read(4 * _CHUNK):
                keys = np.frombuffer(data, dtype="<u4")
                entries = (keys.astype("<u8") << np.uint64(32)) | np.arange(base, base + len(keys), dtype="<u8")
                base += len(keys)
                if not bits:
                    files[0].write(memoryview(entries))
                    continue
                which = keys >> np.uint32(32 - bits)
                order = np.argsort(which, kind="stable")
                bounds = np.searchsorted(which[order], np.arange(1, 1 << bits))
                for b, part in enumerate(np.split(entries[order], bounds)):
                    if len(part):
                        files[b].write(memoryview(part))
    finally:
        for f in files:
            f.close()
    return paths


def _write_with(path: Path, body: Any, header: Any, *, install: bool = True) -> tuple[KeyIndex, Path]:
    """Write `body(out)` after a header slot, then `header()` (known once the body is
    written) into it, and rename over `path` (with `install`; else the temp file is
    returned for `install()`). No fsync: the index is a cache checked against its CRCs
    and the dataset's hash, never trusted blindly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.seek(_HEADER)
            body(out)
            idx: KeyIndex = header()
            out.seek(0)
            out.write(idx.header())
        if install:
            os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return idx, Path(tmp)


def install(tmp: Path, idx: KeyIndex) -> Background | None:
    """Put a derived index in place (the old one's blocks freed on the thread returned)."""
    return replace_retiring(tmp, idx.path)


def sweep(path: Path) -> None:
    """Remove what a killed apply left of its index work (temp files, build scratch
    folders) beside the index at `path`. Call under the task's lock."""
    if path.parent.is_dir():
        for stem in (path.name, stat_path(path).name):
            for p in path.parent.glob(f".{stem}.*"):
                if p.is_dir():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    p.unlink(missing_ok=True)


@dataclass
class Touched:
    """What an apply did to one indexed line."""

    old_key: int
    new_key: int | None  # None: the row was deleted
    length: int  # its new length in bytes (0 when deleted)


def derive(idx: KeyIndex, *, hash: str, size: int, rows: int, touched: dict[int, Touched],
           added: list[tuple[int, int]], close_end: bool) -> tuple[KeyIndex, Path]:
    """Write the index of the next version beside `idx.path`: it and its temp file, to
    `install()` once that version is committed (apply derives it while the new dataset
    is being fsynced).

    `touched`: slot -> what happened to that line; `added`: (key, length) of the lines
    appended; `close_end`: a newline was added after the last line first. Streams the
    old index once: memory is flat in the dataset size."""
    removes = sorted((t.old_key << 32) | s for s, t in touched.items() if t.new_key != t.old_key)
    inserts = sorted([(t.new_key << 32) | s for s, t in touched.items()
                      if t.new_key is not None and t.new_key != t.old_key]
                     + [(k << 32) | (idx.slots + i) for i, (k, _) in enumerate(added)])
    deleted = sum(1 for t in touched.values() if t.new_key is None)
    last = idx.slots - 1
    crcs = [0, 0]

    def put(out: IO[bytes], data: bytes | memoryview, which: int) -> None:
        crcs[which] = zlib.crc32(data, crcs[which])
        out.write(data)

    def body(out: IO[bytes]) -> None:
        with open(idx.path, "rb") as fh:
            base = 0
            crc = 0
            slots = sorted(touched)
            t = 0
            for chunk in _chunks(fh, _HEADER, idx.slots, 4):
                crc = zlib.crc32(chunk, crc)
                end = base + len(chunk)
                if (t < len(slots) and slots[t] < end) or (close_end and end == idx.slots):
                    lens = array("I")
                    lens.frombytes(chunk.cast("B"))
                    while t < len(slots) and slots[t] < end:
                        lens[slots[t] - base] = touched[slots[t]].length
                        t += 1
                    if close_end and end == idx.slots and last not in touched:
                        lens[last - base] += 1
                    put(out, lens.tobytes(), 0)
                else:
                    put(out, chunk, 0)
                base = end
            if crc != idx.crc_lens:
                raise StaleIndex("index lens damaged")
            put(out, array("I", [n for _, n in added]).tobytes(), 0)
            crc = 0
            r = i = 0
            chunks = list(_chunk_bounds(idx.live))
            for c, chunk in enumerate(_chunks(fh, _HEADER + 4 * idx.slots, idx.live, 8)):
                crc = zlib.crc32(chunk, crc)
                final = c == len(chunks) - 1
                top = chunk[-1]
                cuts: list[tuple[int, int, int]] = []  # (position, 0: insert value | 1: drop entry, value)
                while r < len(removes) and removes[r] <= top:
                    p = bisect.bisect_left(chunk, removes[r])
                    if chunk[p] != removes[r]:
                        raise StaleIndex("index table lacks an entry it should have")
                    cuts.append((p, 1, removes[r]))
                    r += 1
                while i < len(inserts) and (final or inserts[i] <= top):
                    cuts.append((bisect.bisect_left(chunk, inserts[i]), 0, inserts[i]))
                    i += 1
                cuts.sort()
                pos = 0
                for p, drop, value in cuts:
                    if p > pos:
                        put(out, chunk[pos:p], 1)
                    if drop:
                        pos = p + 1
                    else:
                        put(out, array("Q", [value]).tobytes(), 1)
                        pos = p
                if pos < len(chunk):
                    put(out, chunk[pos:], 1)
            if crc != idx.crc_table:
                raise StaleIndex("index table damaged")
            if r < len(removes):
                raise StaleIndex("index table lacks an entry it should have")
            if i < len(inserts):  # an empty table
                put(out, array("Q", inserts[i:]).tobytes(), 1)

    def header() -> KeyIndex:
        return replace(idx, hash=hash, size=size, slots=idx.slots + len(added),
                       live=idx.live - deleted + len(added), rows=rows,
                       open_end=idx.open_end and not added and last not in touched,
                       crc_lens=crcs[0], crc_table=crcs[1])

    return _write_with(idx.path, body, header, install=False)


def _chunk_bounds(count: int) -> Iterable[int]:
    return range(0, count, _CHUNK)
