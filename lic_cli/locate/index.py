"""A per-dataset-version index of key texts and their embeddings.

Built by streaming the dataset once: row ids, key texts and byte offsets (a matched row
is read back with one seek; whole rows are never held in memory). Cached under
$LIC_HOME/cache/index/<task>-<tag>/, keyed by the dataset's content hash:

    manifest.json  small: dataset, hash, model, rows, dims, how many keys were embedded/reused
    meta.json      ids and key texts, in file order
    offsets.npy    byte offset of each row
    emb.npy        key embeddings (float32, memory-mapped), in *list order* (see below)
    rows.npy       the row of each emb position; keyhash.npy the key-text hash of each
    ivf.npz        large datasets only: centroids and list boundaries

A new dataset version embeds only keys whose text hash is not in the previous cached
version of the same task (an append of one row embeds one key). Small datasets
(<= MINILM_MAX_ROWS) embed keys with MiniLM; larger ones with a static model distilled
from it (locate/static.py), because MiniLM at ~470 keys/s would take over 30 min for 1M
rows. Above IVF_MIN_ROWS, a coarse quantizer (k-means lists) makes the first stage
touch a few percent of the rows; emb.npy is stored sorted by list so a probe reads
contiguous slices. See docs/locate.md for the measurements behind these choices.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lic_cli import progress
from lic_cli.errors import InputError
from lic_cli.locate.keys import row_key_fields, row_value_text
from lic_cli.models import cache_dir
from lic_cli.store import formats
from lic_cli.store.rows import RowIds, cached_file_hash
from lic_cli.tasks import Project, Task

if TYPE_CHECKING:
    import numpy as np

FORMAT = 3
MINILM_MAX_ROWS = 20_000  # ~45 s of MiniLM on 2 cores, once per dataset; above: static model
IVF_MIN_ROWS = 50_000  # below, one matrix-vector product over all keys costs < 5 ms
EMBED_CHUNK = 65_536


@dataclass
class KeyIndex:
    task: Task
    path: Path
    digest: str
    ids: list[str]
    keys: list[str]  # the key columns joined: what is embedded and fuzzy-matched
    offsets: np.ndarray
    emb: np.ndarray  # (rows, dim), list order
    rows: np.ndarray  # emb position -> row number
    encoder: Any
    ivf: dict[str, np.ndarray] | None = None
    manifest: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def row(self, i: int) -> dict[str, Any]:
        if not formats.is_jsonl(self.path):  # CSV, Parquet, a folder: offsets are row positions
            return formats.row_at(self.path, int(self.offsets[i]))
        with open(self.path, "rb") as fh:
            fh.seek(int(self.offsets[i]))
            return json.loads(fh.readline())

    def fields(self, i: int) -> list[str]:
        """Key columns of row i (one-column keys need no read)."""
        if len(self.task.key_fields) == 1:
            return [self.keys[i]]
        return list(row_key_fields(self.task, self.row(i)))

    def value(self, i: int) -> str:
        return row_value_text(self.task, self.row(i))


def _scan(task: Task, path: Path) -> tuple[list[str], list[str], list[int]]:
    ids, keys, offsets = [], [], []
    assign = RowIds(task)
    offset = 0
    if not formats.is_jsonl(path):  # CSV, Parquet, a folder: the offset is the row's position
        for pos, (_, row) in enumerate(formats.read_rows(path, task.dataset)):
            ids.append(assign(row))
            keys.append(" ".join(row_key_fields(task, row)).strip())
            offsets.append(pos)
        return ids, keys, offsets
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
            keys.append(" ".join(row_key_fields(task, row)).strip())
            offsets.append(here)
    return ids, keys, offsets


def key_hashes(keys: list[str]) -> np.ndarray:
    import numpy as np

    return np.fromiter((int.from_bytes(hashlib.blake2b(k.encode("utf-8"), digest_size=8).digest(), "little")
                        for k in keys), dtype=np.uint64, count=len(keys))


def choose_encoder(rows: int, encoder):
    if rows <= MINILM_MAX_ROWS:
        return encoder
    from lic_cli.locate.static import load_static

    return load_static()


def _config(task: Task, model: str) -> str:
    return f"{FORMAT}|{model}|{task.format}|{sorted(task.columns.items())}|{task.key}|{task.id_column}"


def previous_build(task: Task, config: str, skip: Path, kind: str = "index") -> Path | None:
    """The newest cached build of this task under cache_dir(kind) with the same model and config
    (locate's key index, chat's row index): its embeddings are reused for unchanged texts."""
    best = None
    for manifest in cache_dir(kind).glob(f"{task.name}-*/manifest.json"):
        if manifest.parent == skip:
            continue
        try:
            meta = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if meta.get("config") == config and (best is None or manifest.stat().st_mtime > best[0]):
            best = (manifest.stat().st_mtime, manifest.parent)
    return best[1] if best else None


def _embed(keys: list[str], hashes: np.ndarray, enc, prev: Path | None, out: np.ndarray) -> tuple[int, int]:
    """Fill out[i] for every key; reuse rows of the previous version with the same key hash."""
    import numpy as np

    todo = np.arange(len(keys))
    if prev is not None:
        old_h = np.load(prev / "keyhash.npy")
        old_emb = np.load(prev / "emb.npy", mmap_mode="r")
        if old_emb.shape[1] == out.shape[1]:
            order = np.argsort(old_h, kind="stable")
            pos = np.searchsorted(old_h[order], hashes)
            pos = np.minimum(pos, len(order) - 1) if len(order) else pos
            hit = (old_h[order][pos] == hashes) if len(order) else np.zeros(len(keys), dtype=bool)
            src, dst = order[pos[hit]], np.flatnonzero(hit)
            for c in range(0, len(dst), EMBED_CHUNK):  # chunked: keep memory flat
                out[dst[c:c + EMBED_CHUNK]] = old_emb[src[c:c + EMBED_CHUNK]]
            todo = np.flatnonzero(~hit)
    for s in range(0, len(todo), EMBED_CHUNK):
        part = todo[s:s + EMBED_CHUNK]
        out[part] = enc.encode([keys[i] for i in part])
    return len(todo), len(keys) - len(todo)


def _kmeans(emb: np.ndarray, lists: int, iters: int = 8, sample: int = 60_000) -> np.ndarray:
    """Spherical k-means on a fixed sample (deterministic seed): the coarse quantizer."""
    import numpy as np

    rng = np.random.default_rng(0)
    pick = np.sort(rng.choice(len(emb), size=min(sample, len(emb)), replace=False))
    x = np.asarray(emb[pick], dtype=np.float32)
    cent = x[rng.choice(len(x), size=lists, replace=False)].copy()
    for _ in range(iters):
        assign = np.argmax(x @ cent.T, axis=1)
        sums = np.zeros_like(cent)
        np.add.at(sums, assign, x)
        empty = np.linalg.norm(sums, axis=1) == 0
        sums[empty] = cent[empty]
        cent = sums / np.linalg.norm(sums, axis=1, keepdims=True)
    return cent


def _assign(emb: np.ndarray, cent: np.ndarray) -> np.ndarray:
    import numpy as np

    out = np.empty(len(emb), dtype=np.int32)
    for s in range(0, len(emb), EMBED_CHUNK):
        out[s:s + EMBED_CHUNK] = np.argmax(np.asarray(emb[s:s + EMBED_CHUNK]) @ cent.T, axis=1)
    return out


def build(project: Project, task: Task, encoder, digest: str) -> KeyIndex:
    import numpy as np

    path = project.dataset_path(task)
    tag = hashlib.sha256(f"{_config(task, encoder.name)}|{digest}".encode()).hexdigest()[:16]
    cache = cache_dir("index") / f"{task.name}-{tag}"
    if (cache / "manifest.json").is_file():
        return _open(task, path, digest, cache, encoder)
    ids, keys, offsets = _scan(task, path)
    enc = choose_encoder(len(keys), encoder)
    config = _config(task, enc.name)
    tmp = cache.with_name(f"{cache.name}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    hashes = key_hashes(keys)
    emb = np.lib.format.open_memmap(tmp / "emb.raw.npy", mode="w+", dtype=np.float32, shape=(len(keys), enc.dim))
    embedded, reused = _embed(keys, hashes, enc, previous_build(task, config, cache), emb)
    lists = None
    if len(keys) > IVF_MIN_ROWS:
        cent = _kmeans(emb, lists=max(64, int(len(keys) ** 0.5)))
        assign = _assign(emb, cent)
        order = np.argsort(assign, kind="stable")
        bounds = np.searchsorted(assign[order], np.arange(len(cent) + 1))
        np.savez(tmp / "ivf.npz", centroids=cent, bounds=bounds)
        lists = len(cent)
    else:
        order = np.arange(len(keys))
    final = np.lib.format.open_memmap(tmp / "emb.npy", mode="w+", dtype=np.float32, shape=emb.shape)
    for s in range(0, len(order), EMBED_CHUNK):
        final[s:s + EMBED_CHUNK] = emb[order[s:s + EMBED_CHUNK]]
    final.flush()
    del emb, final
    os.remove(tmp / "emb.raw.npy")
    np.save(tmp / "rows.npy", order.astype(np.int64))
    np.save(tmp / "keyhash.npy", hashes[order])
    np.save(tmp / "offsets.npy", np.asarray(offsets, dtype=np.int64))
    (tmp / "meta.json").write_text(json.dumps({"ids": ids, "keys": keys}, ensure_ascii=False), encoding="utf-8")
    manifest = {"format": FORMAT, "dataset": task.dataset, "hash": digest, "config": config, "model": enc.name,
                "rows": len(keys), "dims": enc.dim, "embedded": embedded, "reused": reused, "lists": lists}
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")  # written last
    try:
        os.replace(tmp, cache)
    except OSError:  # another process won the race; its copy is identical
        shutil.rmtree(tmp, ignore_errors=True)
    return _open(task, path, digest, cache, enc)


def _open(task: Task, path: Path, digest: str, cache: Path, encoder) -> KeyIndex:
    import numpy as np

    manifest = json.loads((cache / "manifest.json").read_text(encoding="utf-8"))
    enc = choose_encoder(manifest["rows"], encoder)
    meta = json.loads((cache / "meta.json").read_text(encoding="utf-8"))
    ivf = dict(np.load(cache / "ivf.npz")) if (cache / "ivf.npz").is_file() else None
    return KeyIndex(task, path, digest, meta["ids"], meta["keys"], np.load(cache / "offsets.npy"),
                    np.load(cache / "emb.npy", mmap_mode="r"), np.load(cache / "rows.npy"), enc, ivf, manifest)


_MEMO: dict[tuple[str, str, str, str], KeyIndex] = {}


def load(project: Project, task: Task, encoder) -> KeyIndex:
    """The index of a task's current dataset version (memoized per process)."""
    digest = cached_file_hash(project.dataset_path(task))
    key = (str(project.root), task.name, digest, encoder.name)
    if key not in _MEMO:
        # Quick when cached; a first build of a large dataset takes a while: say so on stderr.
        with progress.Progress(f"indexing {task.name} for locate"):
            _MEMO[key] = build(project, task, encoder, digest)
    return _MEMO[key]
