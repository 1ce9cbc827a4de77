"""Train type `retrieval`, for `text` tasks (notes such as "The user is vegetarian."): a note
memory, the way mem0-style assistants keep what users tell about themselves.

A note is not a question with an answer nor a label, so there is nothing to fine-tune a
model towards; what a notes task needs is to be found by meaning. `lic train notes`
embeds every row's text (all splits: a memory keeps every note) with the task's
`train.base` sentence encoder (MiniLM by default) into the model folder:

- `embeddings.npy`: one L2-normalized float32 row per note;
- `notes.jsonl`: per note its dataset line, text and split, in the same order;
- `config.json`: `model_type: lic-note-memory`, the encoder, its dimension, the row count.

`lic predict notes` then returns, for each input text, the notes closest in meaning
(`models/memory.py`). Metrics: `rows`, and `distinct`: the share of notes whose nearest
other note is below the near-duplicate cosine (`NEAR_DUPLICATE`); a memory that says the
same thing twice answers with both, so a drop is worth a look (not gated).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lic_cli.errors import InputError, TaskConfigError
from lic_cli.tasks import Task

NEAR_DUPLICATE = 0.95


@dataclass(frozen=True)
class RetrievalParams:
    """No hyper-parameters: the encoder is `train.base`."""

    @classmethod
    def from_task(cls, task: Task) -> RetrievalParams:
        assert task.train is not None
        for key in task.train.params:
            raise TaskConfigError(f"task '{task.name}': field 'train.params.{key}': unknown hyper-parameter "
                                  "(retrieval takes none)")
        return cls()

    def to_dict(self) -> dict[str, Any]:
        return {}


def read(task: Task, source: str, rows: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """The notes of a text task: [{"line", "text", "split"}]; a row without text names its line."""
    col = task.column("text")
    out = []
    for line, row in rows:
        text = row.get(col)
        if not isinstance(text, str) or not text.strip():
            raise InputError("expected a non-empty string", source=source, line=line, field=col)
        split = row.get(task.split_column)
        out.append({"line": line, "text": " ".join(text.split()),
                    "split": task.default_split if split in (None, "") else str(split)})
    if not out:
        raise InputError("no notes to index", source=source)
    return out


def train(task: Task, notes: list[dict[str, Any]], out_dir: Path, *, note) -> dict[str, Any]:
    import numpy as np

    from lic_cli import models

    assert task.train is not None
    start = time.perf_counter()
    encoder = models.load_encoder(task.train.base)
    note(f"{task.name}: indexing {len(notes)} notes with {encoder.name} (train type retrieval: a note memory)")
    emb = encoder.encode([n["text"] for n in notes]).astype(np.float32, copy=False)
    out_dir.mkdir(parents=True, exist_ok=True)
    np.save(out_dir / "embeddings.npy", emb)
    with open(out_dir / "notes.jsonl", "w", encoding="utf-8") as fh:
        for n in notes:
            fh.write(json.dumps(n, ensure_ascii=False) + "\n")
    config = {"model_type": "lic-note-memory", "encoder": encoder.name, "base": task.train.base,
              "dim": int(emb.shape[1]), "rows": len(notes)}
    (out_dir / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    sims = emb @ emb.T
    np.fill_diagonal(sims, -1.0)
    nearest = sims.max(axis=1) if len(notes) > 1 else np.zeros(len(notes))
    return {"rows": len(notes), "distinct": round(float((nearest < NEAR_DUPLICATE).mean()), 4),
            "near_duplicates": int((nearest >= NEAR_DUPLICATE).sum()),
            "seconds": round(time.perf_counter() - start, 2)}
