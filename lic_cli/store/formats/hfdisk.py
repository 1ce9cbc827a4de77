"""Hugging Face `save_to_disk` folders (one Dataset: state.json, dataset_info.json and
Arrow stream files), read with pyarrow and rewritten as a new folder that is swapped
in atomically (renameat2 RENAME_EXCHANGE on Linux; elsewhere two renames, and a crash
between them is repaired like any interrupted apply: see store/versions.py).

The new folder holds one Arrow file; dataset_info.json and the schema's features are
kept, and regenerated (with the `datasets` library) only when a patch adds a column.
A DatasetDict folder (dataset_dict.json) holds one folder per split: point the task at
one of them.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lic_cli.errors import InputError
from lic_cli.store.atomic import TMP_SUFFIX, Background, fsync_dir, tmp_prefix
from lic_cli.store.formats import Candidates, Output, arrowtable

DATA_FILE = "data-00000-of-00001.arrow"


def _state(path: Path, source: str) -> dict[str, Any]:
    try:
        return json.loads((path / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read state.json of a save_to_disk folder ({exc})", source=source) from None


def _read_table(path: Path, source: str) -> Any:
    import pyarrow as pa

    if (path / "dataset_dict.json").is_file():
        raise InputError("a DatasetDict folder: point the task's dataset at one split's folder", source=source)
    files = [f["filename"] for f in _state(path, source).get("_data_files", [])]
    tables = []
    for name in files:
        try:
            with pa.memory_map(str(path / name)) as src:
                tables.append(pa.ipc.open_stream(src).read_all())
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"cannot read {name} ({exc})", source=source) from None
    if not tables:
        raise InputError("state.json lists no data files", source=source)
    return pa.concat_tables(tables) if len(tables) > 1 else tables[0]


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where that is not available."""
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: not on this file system
        return False
    raise OSError(err, os.strerror(err), str(a))


class AtomicDir:
    """A new version of a dataset folder, written beside it and swapped in by commit()."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.tmp = Path(tempfile.mkdtemp(prefix=tmp_prefix(target), suffix=TMP_SUFFIX, dir=target.parent))
        self.done = False
        self._reaper: Background | None = None

    def write_file(self, name: str, data: bytes | memoryview) -> None:
        with open(self.tmp / name, "wb") as fh:
            fh.write(data)

    def prepare(self) -> Path:
        for f in self.tmp.iterdir():
            fd = os.open(f, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(self.tmp)
        return self.tmp

    def commit(self, *, retire: bool = False) -> None:
        self.prepare()
        if self.target.exists() and exchange(self.tmp, self.target):
            old = self.tmp  # the old version now has the temp name
        else:
            old = self.target.with_name(f"{tmp_prefix(self.target)}{os.urandom(6).hex()}.old{TMP_SUFFIX}")
            if self.target.exists():
                os.replace(self.target, old)
            os.replace(self.tmp, self.target)
        self.done = True
        fsync_dir(self.target.parent)
        if retire:
            self._reaper = Background(lambda: shutil.rmtree(old, ignore_errors=True))
        else:
            shutil.rmtree(old, ignore_errors=True)

    def settle(self) -> None:
        if self._reaper is not None:
            reaper, self._reaper = self._reaper, None
            reaper.wait()

    def discard(self) -> None:
        if not self.done:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.done = True
        self.settle()


class HfDiskFormat:
    name = "hf"
    suffixes = ("",)
    directory = True

    def matches(self, path: Path) -> bool:
        return (path / "state.json").is_file() or (path / "dataset_dict.json").is_file()

    def read(self, path: Path, source: str) -> Iterator[tuple[int, dict[str, Any]]]:
        return arrowtable.iter_rows(_read_table(path, source))

    def columns(self, path: Path) -> list[str]:
        return list(_read_table(path, str(path)).column_names)

    def candidates(self, path: Path, source: str, column: str, targets: set[str] | None) -> Candidates:
        cand = arrowtable.candidates(_read_table(path, source), column, targets)
        cand.extra["path"] = path
        return cand

    def open_output(self, path: Path) -> Output:
        return AtomicDir(path)

    def write(self, cand: Candidates, changes: dict[int, dict[str, Any] | None], adds: list[dict[str, Any]],
              out: Output, source: str) -> None:
        import pyarrow as pa

        assert isinstance(out, AtomicDir)
        path: Path = cand.extra["path"]
        old_state = _state(path, source)
        info_path = path / "dataset_info.json"
        info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.is_file() else {}
        table = arrowtable.new_table(cand, changes, adds, source)
        if table.schema.metadata is None:  # a column was added: describe the columns again
            from datasets import Features

            features = Features.from_arrow_schema(table.schema)
            info["features"] = features.to_dict()
            table = table.replace_schema_metadata(
                {"huggingface": json.dumps({"info": {"features": features.to_dict()}})})
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        out.write_file(DATA_FILE, memoryview(sink.getvalue()))
        state = {**old_state, "_data_files": [{"filename": DATA_FILE}]}
        out.write_file("state.json", json.dumps(state, indent=2, sort_keys=True).encode("utf-8"))
        out.write_file("dataset_info.json", json.dumps(info, indent=2, sort_keys=True).encode("utf-8"))


FORMATS = [HfDiskFormat()]
