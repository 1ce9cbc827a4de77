"""A trained entity tagger (train type `token-classification`): load a model folder written
by `lic train` and tag words with BIO tags. Inference only; training is
lic_cli/train/token_classify.py.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from lic_cli.errors import ModelLoadError


class Tagger:
    """A trained entity tagger: `Tagger.load(path).tag([["Ajax", "beat", ...]])` -> BIO tags per word."""

    def __init__(self, model: Any, tokenizer: Any, max_length: int = 128) -> None:
        self.model, self.tokenizer, self.max_length = model, tokenizer, max_length
        self.labels = [model.config.id2label[i] for i in range(len(model.config.id2label))]

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Tagger:
        from lic_cli import models

        models.offline()
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        models.quiet_loading()
        folder = Path(path)
        if not (folder / "config.json").is_file():
            raise ModelLoadError(f"{folder}: not a model folder (no config.json); run 'lic train' first")
        try:
            model = AutoModelForTokenClassification.from_pretrained(folder)
            tokenizer = AutoTokenizer.from_pretrained(folder)
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"{folder}: cannot load as a token classifier ({exc})") from None
        model.eval()
        return cls(model, tokenizer, int(getattr(model.config, "lic_max_length", 128) or 128))

    def tag(self, words: list[list[str]], batch_size: int = 32) -> list[list[str]]:
        import torch

        out: list[list[str]] = []
        with torch.inference_mode():
            for start in range(0, len(words), batch_size):
                chunk = words[start:start + batch_size]
                enc = self.tokenizer(chunk, is_split_into_words=True, truncation=True, max_length=self.max_length,
                                     padding=True, return_tensors="pt")
                pred = self.model(**enc).logits.argmax(-1).tolist()
                for i, ws in enumerate(chunk):
                    tags = ["O"] * len(ws)
                    seen = set()
                    for k, w in enumerate(enc.word_ids(i)):
                        if w is not None and w not in seen:
                            seen.add(w)
                            tags[w] = self.labels[pred[i][k]]
                    out.append(tags)
        return out


def entities(tags: list[str]) -> set[tuple[int, int, str]]:
    out, start, label = set(), None, None
    for i, t in enumerate([*tags, "O"]):
        if start is not None and not (t.startswith("I-") and t[2:] == label):
            out.add((start, i, label))
            start = None
        if t.startswith("B-") or (t.startswith("I-") and start is None):
            start, label = i, t[2:]
    return out
