"""Dataset file formats: one module per format, behind one small registry.

A task's `dataset:` may be a JSONL file, a CSV or TSV file, a Parquet file or a
Hugging Face `save_to_disk` folder; lic reads and patches each in place and keeps its
format. Every format hands over rows as flat dicts (an empty CSV cell or a null is an
absent column, so adding a column to a file never changes its other rows' identity or
content hash), and rewrites a file atomically (store/atomic.py).

JSONL has its own streaming applier (patches/apply.py, store/scan.py, store/keyindex.py).
The other formats apply through `Table`: `candidates` hands over, in file order, every
row whose first key column might hold one of the targeted keys (a conservative filter,
never wrong), and `write` writes the new version with some of those rows changed or
deleted and rows added at the end; untouched rows are carried over as they are (raw
lines for CSV, Arrow slices for Parquet and HF folders).

Formats are registered here, in one place (`register`, `get`, `for_path`), so a
plug-in mechanism can later add its own.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from lic_cli.errors import InputError


@dataclass
class Candidates:
    """The rows of a dataset an applier must look at, and what writing needs."""

    rows: list[tuple[int, int, dict[str, Any]]]  # (position, line or row number, row), file order
    total: int  # rows in the dataset
    columns: list[str]
    state: Any = None  # the format's own (raw records, an Arrow table)
    extra: dict[str, Any] = field(default_factory=dict)


class Output(Protocol):
    """Where a new version is written (store.atomic.AtomicFile, formats.hf.AtomicDir)."""

    tmp: Path
    done: bool

    def prepare(self) -> Path: ...
    def commit(self, *, retire: bool = False) -> None: ...
    def discard(self) -> None: ...
    def settle(self) -> None: ...


class DatasetFormat(Protocol):
    name: str
    suffixes: tuple[str, ...]  # file name endings, lowercase ("" for a folder format)
    directory: bool  # the dataset is a folder

    def matches(self, path: Path) -> bool:
        """Is this existing path a dataset of this format (folder formats look inside)?"""
        ...

    def read(self, path: Path, source: str) -> Iterator[tuple[int, dict[str, Any]]]:
        """(line or row number, row) for every row, in file order."""
        ...

    def columns(self, path: Path) -> list[str]: ...


class Table(DatasetFormat, Protocol):
    """A format patched by rewriting (every format but JSONL)."""

    def candidates(self, path: Path, source: str, column: str, targets: set[str] | None) -> Candidates:
        """The rows whose `column` might normalize to one of `targets` (None: every row)."""
        ...

    def open_output(self, path: Path) -> Output: ...

    def write(self, cand: Candidates, changes: dict[int, dict[str, Any] | None], adds: list[dict[str, Any]],
              out: Output, source: str) -> None:
        """Write the new version to `out`: rows at `changes` positions replaced (None:
        deleted), `adds` appended, every other row as it was."""
        ...


_FORMATS: dict[str, DatasetFormat] = {}


def register(fmt: DatasetFormat) -> DatasetFormat:
    """Add a format (a later one with the same name replaces it)."""
    _FORMATS[fmt.name] = fmt
    return fmt


def names() -> list[str]:
    return list(_FORMATS)


def get(name: str) -> DatasetFormat:
    try:
        return _FORMATS[name]
    except KeyError:
        raise InputError(f"unknown dataset format '{name}' (known: {', '.join(_FORMATS)})") from None


def for_path(path: str | os.PathLike[str]) -> DatasetFormat:
    """The format of a dataset path: a folder by what is inside it, a file by its suffix
    (anything unknown is read as JSONL, as before formats existed)."""
    p = Path(path)
    if p.is_dir():
        for fmt in _FORMATS.values():
            if fmt.directory and fmt.matches(p):
                return fmt
        raise InputError("a folder that is not a dataset (known folder formats: "
                         + ", ".join(f.name for f in _FORMATS.values() if f.directory) + ")", source=str(p))
    low = p.name.lower()
    for fmt in _FORMATS.values():
        if not fmt.directory and any(low.endswith(s) for s in fmt.suffixes):
            return fmt
    return _FORMATS["jsonl"]


def known_suffix(path: Path) -> bool:
    low = path.name.lower()
    return any(low.endswith(s) for f in _FORMATS.values() if not f.directory for s in f.suffixes)


def is_jsonl(path: str | os.PathLike[str]) -> bool:
    return for_path(path).name == "jsonl"


def read_rows(path: str | os.PathLike[str], source: str | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line or row number, row) for every row of a dataset, whatever its format."""
    p = Path(path)
    return for_path(p).read(p, source or os.fspath(path))


def columns(path: str | os.PathLike[str]) -> list[str]:
    p = Path(path)
    return for_path(p).columns(p)


def table(path: str | os.PathLike[str]) -> Table | None:
    """The rewriting format of a dataset, or None for JSONL (streamed)."""
    fmt = for_path(path)
    return None if fmt.name == "jsonl" else fmt  # type: ignore[return-value]


_ROWS_CACHE: dict[str, tuple[tuple[int, int], list[dict[str, Any]]]] = {}


def row_at(path: str | os.PathLike[str], position: int) -> dict[str, Any]:
    """The row at 0-based `position` (rows kept in memory per file version: for the
    few look-ups of a search, not for streaming)."""
    p = Path(path)
    st = os.stat(p)
    sig = (st.st_mtime_ns, st.st_size)
    hit = _ROWS_CACHE.get(str(p))
    if hit is None or hit[0] != sig:
        hit = (sig, [row for _, row in read_rows(p)])
        _ROWS_CACHE.clear()
        _ROWS_CACHE[str(p)] = hit
    return hit[1][position]


# --- helpers the formats share ------------------------------------------------------------

_ASCII_WS = " \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f"


def skeleton(text: str) -> str:
    """A normalized key without its whitespace: equal for every ASCII value whose
    normalize_text form equals the key (rows.normalize_text)."""
    return "".join(text.lower().split())


def dir_hash(path: Path) -> str:
    """Content hash of a folder: every file's relative name and bytes, in name order."""
    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file())
    for f in files:
        rel = f.relative_to(path).as_posix().encode("utf-8")
        h.update(len(rel).to_bytes(8, "big") + rel + f.stat().st_size.to_bytes(8, "big"))
        with open(f, "rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
    return "sha256:" + h.hexdigest()


def plain(row: dict[str, Any]) -> dict[str, Any]:
    """A row without its absent (None) values."""
    return {k: v for k, v in row.items() if v is not None}


def _register_builtin() -> None:
    """The built-ins, then the formats plugins add (entry point group lic.dataset_formats,
    lic_cli/plugins.py; an object may be one format or a list of them)."""
    from lic_cli import plugins

    for obj in plugins.load_all("dataset-format"):
        for fmt in obj if isinstance(obj, list | tuple) else [obj]:
            register(fmt() if isinstance(fmt, type) else fmt)


_register_builtin()
