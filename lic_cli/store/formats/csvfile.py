"""CSV and TSV files, patched so that a diff shows only the changed rows.

A record is one line, or several when a quoted field holds a newline. Records are
read line by line; a line without a quote is split directly (most lines), others go
through the csv module. Untouched records are written back as their raw text; changed
and added ones are written in the file's own dialect (delimiter, line ending, minimal
quoting). An empty cell is an absent column. A row that brings a new column extends
the header, and every other record gets an empty cell for it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lic_cli.errors import InputError
from lic_cli.store.atomic import AtomicFile
from lic_cli.store.formats import Candidates, Output, skeleton

_CHUNK = 1 << 20


def cell(value: Any) -> str:
    """A row value as a CSV cell: strings as they are, lists and objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


class _Records:
    """(start line, raw text, fields) per record of an open text file (newline='')."""

    def __init__(self, fh: Any, delimiter: str, source: str) -> None:
        self.fh, self.delimiter, self.source = fh, delimiter, source
        self.line = 0

    def __iter__(self) -> Iterator[tuple[int, str, list[str]]]:
        delim = self.delimiter
        pending: list[str] = []
        start = 0
        for line in self.fh:
            self.line += 1
            if pending:
                pending.append(line)
                text = "".join(pending)
                if text.count('"') % 2:
                    continue
                pending = []
            elif '"' in line:
                if line.count('"') % 2:
                    pending, start = [line], self.line
                    continue
                text, start = line, self.line
            else:
                body = line.rstrip("\r\n")
                yield self.line, line, body.split(delim) if body else []
                continue
            try:
                fields = next(csv.reader([text], delimiter=delim, strict=True), [])
            except csv.Error as exc:
                raise InputError(f"malformed CSV record ({exc})", source=self.source, line=start) from None
            yield start, text, fields
        if pending:
            raise InputError("unterminated quoted field", source=self.source, line=start)


def _eol(raw: str) -> str:
    return "\r\n" if raw.endswith("\r\n") else "\n"


class CsvFormat:
    directory = False

    def __init__(self, name: str, suffixes: tuple[str, ...], delimiter: str) -> None:
        self.name, self.suffixes, self.delimiter = name, suffixes, delimiter

    def matches(self, path: Path) -> bool:
        return path.is_file()

    def _open(self, path: Path, source: str) -> Any:
        try:
            return open(path, encoding="utf-8", newline="")
        except OSError as exc:
            raise InputError(f"cannot open ({exc.strerror})", source=source) from None

    def _header(self, records: Iterator[tuple[int, str, list[str]]], source: str) -> tuple[str, list[str]]:
        first = next(records, None)
        if first is None or not first[2]:
            raise InputError("no header row (the first line names the columns)", source=source, line=1)
        _, raw, names = first
        names = [n.lstrip("\ufeff").strip() for n in names]
        for i, n in enumerate(names):
            if not n:
                raise InputError(f"header column {i + 1} has no name", source=source, line=1)
            if names.index(n) != i:
                raise InputError(f"duplicate column '{n}' in the header", source=source, line=1)
        return raw, names

    def _row(self, names: list[str], fields: list[str], source: str, line: int) -> dict[str, Any]:
        if len(fields) > len(names):
            raise InputError(f"{len(fields)} cells but the header names {len(names)} columns",
                             source=source, line=line)
        return {n: v for n, v in zip(names, fields, strict=False) if v != ""}

    def read(self, path: Path, source: str) -> Iterator[tuple[int, dict[str, Any]]]:
        with self._open(path, source) as fh:
            records = iter(_Records(fh, self.delimiter, source))
            _, names = self._header(records, source)
            for line, _, fields in records:
                if fields:
                    yield line, self._row(names, fields, source, line)

    def columns(self, path: Path) -> list[str]:
        with self._open(path, str(path)) as fh:
            return self._header(iter(_Records(fh, self.delimiter, str(path))), str(path))[1]

    def candidates(self, path: Path, source: str, column: str, targets: set[str] | None) -> Candidates:
        rows: list[tuple[int, int, dict[str, Any]]] = []
        raws: list[str] = []
        with self._open(path, source) as fh:
            records = iter(_Records(fh, self.delimiter, source))
            header, names = self._header(records, source)
            k = names.index(column) if column in names else -1
            skels = {skeleton(t) for t in targets} if targets is not None else None
            every = skels is None or k < 0 or "" in skels
            append = raws.append
            for line, raw, fields in records:
                if not fields:  # a blank line: kept as it is, not a row
                    append(raw)
                    continue
                pos = len(raws)
                append(raw)
                if not every:
                    value = fields[k] if k < len(fields) else ""
                    if value.isascii() and "".join(value.lower().split()) not in skels:  # type: ignore[operator]
                        if len(fields) > len(names):
                            self._row(names, fields, source, line)
                        continue
                rows.append((pos, line, self._row(names, fields, source, line)))
        blanks = sum(1 for r in raws if not r.strip())
        return Candidates(rows=rows, total=len(raws) - blanks, columns=names, state=(header, raws),
                          extra={"blanks": blanks})

    def open_output(self, path: Path) -> Output:
        return AtomicFile(path)

    def write(self, cand: Candidates, changes: dict[int, dict[str, Any] | None], adds: list[dict[str, Any]],
              out: Output, source: str) -> None:
        header, raws = cand.state
        names = list(cand.columns)
        new_cols: dict[str, None] = {}
        for row in [*(r for r in changes.values() if r is not None), *adds]:
            new_cols.update((c, None) for c in row if c not in names and c not in new_cols)
        eol = _eol(header)
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=self.delimiter, lineterminator=eol)
        extra = self.delimiter * len(new_cols)
        assert isinstance(out, AtomicFile)
        pieces: list[str] = []
        size = 0

        def put(text: str) -> None:
            nonlocal size
            pieces.append(text)
            size += len(text)
            if size >= _CHUNK:
                flush()

        def flush() -> None:
            nonlocal size
            if pieces:
                out.write("".join(pieces).encode("utf-8"))
                pieces.clear()
                size = 0

        def record(row: dict[str, Any], cols: list[str]) -> str:
            buf.seek(0)
            buf.truncate()
            writer.writerow([cell(row.get(c)) for c in cols])
            return buf.getvalue()

        cols = names + list(new_cols)
        if new_cols:
            bom = "\ufeff" if header.startswith("\ufeff") else ""
            put(bom + record({c: c for c in cols}, cols))
        else:
            put(header)
        last = header
        for pos, raw in enumerate(raws):
            if pos in changes:
                row = changes[pos]
                if row is not None:
                    last = record(row, cols)
                    put(last)
                continue
            if new_cols and raw.strip():
                raw = raw[:-len(_eol(raw))] + extra + _eol(raw) if raw.endswith("\n") else raw + extra
            last = raw
            put(raw)
        if adds and not last.endswith("\n"):
            put(eol)
        for row in adds:
            put(record(row, cols))
        flush()


FORMATS = [CsvFormat("csv", (".csv",), ","), CsvFormat("tsv", (".tsv", ".tab"), "\t")]
