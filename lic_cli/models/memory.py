"""A trained note memory (train type `retrieval`, train/retrieval.py): the notes of a `text`
task and their embeddings; `lookup` returns the notes closest in meaning to each text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lic_cli.errors import ModelLoadError

TOP = 3


class Memory:
    def __init__(self, folder: Path) -> None:
        import numpy as np

        try:
            info = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            self.embeddings = np.load(folder / "embeddings.npy")
            with open(folder / "notes.jsonl", encoding="utf-8") as fh:
                self.notes = [json.loads(line) for line in fh if line.strip()]
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"{folder}: not a note memory ({exc})") from None
        if len(self.notes) != len(self.embeddings):
            raise ModelLoadError(f"{folder}: {len(self.notes)} notes but {len(self.embeddings)} embeddings")
        self.encoder_name = info.get("base") or "minilm"
        self._encoder = None

    @classmethod
    def load(cls, folder: Path) -> Memory:
        return cls(folder)

    def lookup(self, texts: list[str], top: int = TOP, batch_size: int = 64) -> list[list[dict[str, Any]]]:
        """Per text, up to `top` notes: [{"text", "score" (cosine), "line"}], best first."""
        from lic_cli import models

        if self._encoder is None:
            self._encoder = models.load_encoder(self.encoder_name)
        if not texts or not self.notes:
            return [[] for _ in texts]
        sims = self._encoder.encode(texts, batch_size) @ self.embeddings.T
        out = []
        for row in sims:
            best = row.argsort()[::-1][:top]
            out.append([{"text": self.notes[i]["text"], "score": round(float(row[i]), 4),
                         "line": self.notes[i]["line"]} for i in best])
        return out
