"""Dataset rows: streaming reads and stable row identity.

Datasets are files of flat rows (JSONL, CSV/TSV, Parquet, HF folders: store/formats). A row's identity is its `id_column` value
when the task declares one, otherwise a hash of its key columns (normalized), so
users never have to add ids to their data. Rows sharing a key get `~2`, `~3`...
in file order.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lic_cli.tasks import Task

_WS = re.compile(r"\s+")


def normalize_text(value: Any) -> str:
    """Case-, width- and whitespace-insensitive form used for keys and exact matches."""
    if type(value) is str:
        return _normalize_str(value)
    return _normalize(str(value))


def _normalize(text: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


# Applying a patch normalizes each key several times (checking ids, finding rows in
# the index, numbering duplicates): remembered, for a bounded number of recent keys.
_normalize_str = functools.lru_cache(maxsize=4096)(_normalize)


def key_id(task: Task, row: dict[str, Any]) -> str:
    key = "\x1f".join(normalize_text(row.get(c, "")) for c in task.key)
    return "k" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def row_hash(row: dict[str, Any]) -> str:
    """Content hash of a row (key order does not matter)."""
    blob = json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


class RowIds:
    """Assigns ids to rows read in file order (tracks duplicate keys)."""

    def __init__(self, task: Task, track: set[str] | None = None) -> None:
        self.task = task
        # Occurrence counts for duplicate keys. Streaming appliers pass `track` (the key
        # ids they care about) so memory stays flat in the dataset size; other rows then
        # get their base id.
        self._track = track
        self._seen: dict[str, int] = {}

    def __call__(self, row: dict[str, Any]) -> str:
        col = self.task.id_column
        if col and row.get(col) not in (None, ""):
            return str(row[col])
        base = key_id(self.task, row)
        if self._track is not None and base not in self._track:
            return base
        n = self._seen.get(base, 0) + 1
        self._seen[base] = n
        return base if n == 1 else f"{base}~{n}"


def iter_rows(task: Task, path: Path) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(row id, line number, row) for every row of a dataset (any format), streaming."""
    from lic_cli.store.formats import read_rows

    ids = RowIds(task)
    for line, row in read_rows(path):
        yield ids(row), line, row


def file_hash(path: Path, chunk: int = 1 << 20) -> str:
    """Content hash of a dataset file (or of a dataset folder: store/formats)."""
    if os.path.isdir(path):
        from lic_cli.store.formats import dir_hash

        return dir_hash(Path(path))
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return "sha256:" + h.hexdigest()


_HASHES: dict[tuple[str, int, int, int], str] = {}


def cached_file_hash(path: Path) -> str:
    """file_hash, memoized on (path, inode, size, mtime) for readers that look a file up often.

    Locate and route ask for a dataset's index once per item; re-reading a large file each
    time cost more than the lookup. Writers replace files atomically (a new inode), so a
    changed dataset never matches an old entry. Guards against concurrent edits (apply's
    old-hash check) keep using file_hash itself.
    """
    if os.path.isdir(path):
        return file_hash(path)
    st = os.stat(path)
    key = (os.path.abspath(path), st.st_ino, st.st_size, st.st_mtime_ns)
    digest = _HASHES.get(key)
    if digest is None:
        digest = _HASHES[key] = file_hash(path)
    return digest
