"""Parquet files, read and rewritten through pyarrow (atomically, with the file's own
compression)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lic_cli.errors import InputError
from lic_cli.store.atomic import AtomicFile
from lic_cli.store.formats import Candidates, Output, arrowtable


def _read_table(path: Path, source: str) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"cannot read as Parquet ({exc})", source=source) from None


def _compression(path: Path) -> str:
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    if meta.num_row_groups and meta.num_columns:
        codec = meta.row_group(0).column(0).compression
        return "none" if codec == "UNCOMPRESSED" else codec.lower()
    return "snappy"


class ParquetFormat:
    name = "parquet"
    suffixes = (".parquet", ".pq")
    directory = False

    def matches(self, path: Path) -> bool:
        return path.is_file()

    def read(self, path: Path, source: str) -> Iterator[tuple[int, dict[str, Any]]]:
        return arrowtable.iter_rows(_read_table(path, source))

    def columns(self, path: Path) -> list[str]:
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)

    def candidates(self, path: Path, source: str, column: str, targets: set[str] | None) -> Candidates:
        cand = arrowtable.candidates(_read_table(path, source), column, targets)
        cand.extra["compression"] = _compression(path)
        return cand

    def open_output(self, path: Path) -> Output:
        return AtomicFile(path)

    def write(self, cand: Candidates, changes: dict[int, dict[str, Any] | None], adds: list[dict[str, Any]],
              out: Output, source: str) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = arrowtable.new_table(cand, changes, adds, source)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression=cand.extra.get("compression", "snappy"))
        assert isinstance(out, AtomicFile)
        out.write(memoryview(sink.getvalue()))


FORMATS = [ParquetFormat()]
