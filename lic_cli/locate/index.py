"""A per-dataset-version index of key texts and their embeddings.

Built by streaming the dataset once: row ids, key and value texts, byte offsets (so a
matched row is read back with one seek instead of keeping whole rows in memory) and
MiniLM embeddings of the keys, cached under $LIC_HOME/cache/index/ keyed by the dataset's
content hash, so later runs on the same version load it instead of embedding again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lic_cli.errors import InputError
from lic_cli.locate.keys import row_key_fields, row_value_text
from lic_cli.models import cache_dir
from lic_cli.store.rows import RowIds, file_hash
from lic_cli.tasks import Project, Task

if TYPE_CHECKING:
    import numpy as np

FORMAT = 2


@dataclass
class KeyIndex:
    task: Task
    path: Path
    digest: str
    ids: list[str]
    fields: list[list[str]]  # key columns per row
    keys: list[str]  # the key columns joined: what is embedded and fuzzy-matched
    values: list[str]
    offsets: list[int]
    emb: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def row(self, i: int) -> dict[str, Any]:
        with open(self.path, "rb") as fh:
            fh.seek(self.offsets[i])
            return json.loads(fh.readline())


def _scan(task: Task, path: Path) -> tuple[list[str], list[list[str]], list[str], list[int]]:
    ids, fields, values, offsets = [], [], [], []
    assign = RowIds(task)
    offset = 0
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            here, offset = offset, offset + len(raw)
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise InputError("invalid JSON row", source=task.dataset, line=n) from None
            if not isinstance(row, dict):
                raise InputError("expected a JSON object", source=task.dataset, line=n)
            ids.append(assign(row))
            fields.append(list(row_key_fields(task, row)))
            values.append(row_value_text(task, row))
            offsets.append(here)
    return ids, fields, values, offsets


def _join(fields: list[list[str]]) -> list[str]:
    return [" ".join(f).strip() for f in fields]


def build(project: Project, task: Task, encoder, digest: str) -> KeyIndex:
    import numpy as np

    path = project.dataset_path(task)
    tag = hashlib.sha256(f"{FORMAT}|{digest}|{encoder.name}|{task.format}|{sorted(task.columns.items())}|{task.key}|{task.id_column}".encode()).hexdigest()[:16]
    cache = cache_dir("index") / f"{task.name}-{tag}"
    if (cache / "meta.json").is_file():
        meta = json.loads((cache / "meta.json").read_text(encoding="utf-8"))
        emb = np.load(cache / "emb.npy", mmap_mode="r")
        return KeyIndex(task, path, digest, meta["ids"], meta["fields"], _join(meta["fields"]), meta["values"],
                        meta["offsets"], emb)
    ids, fields, values, offsets = _scan(task, path)
    keys = _join(fields)
    emb = encoder.encode(keys)
    tmp = cache.with_name(f"{cache.name}.tmp{os.getpid()}")
    tmp.mkdir(parents=True, exist_ok=True)
    np.save(tmp / "emb.npy", emb)
    (tmp / "meta.json").write_text(json.dumps({"dataset": task.dataset, "hash": digest, "ids": ids,
                                               "fields": fields, "values": values, "offsets": offsets}),
                                   encoding="utf-8")
    try:
        os.replace(tmp, cache)
    except OSError:  # another process won the race; its copy is identical
        shutil.rmtree(tmp, ignore_errors=True)
    return KeyIndex(task, path, digest, ids, fields, keys, values, offsets, emb)


_MEMO: dict[tuple[str, str, str, str], KeyIndex] = {}


def load(project: Project, task: Task, encoder) -> KeyIndex:
    """The index of a task's current dataset version (memoized per process)."""
    digest = file_hash(project.dataset_path(task))
    key = (str(project.root), task.name, digest, encoder.name)
    if key not in _MEMO:
        _MEMO[key] = build(project, task, encoder, digest)
    return _MEMO[key]
