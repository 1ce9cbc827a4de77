"""Text classifiers trained by `lic train` (classification tasks): load and predict.

Inputs are the row's text, or the pair (context, text) when the task has a context
column and the row's context is not empty. Training (train/classify.py) and prediction
encode inputs the same way (`encode`), so a model sees at prediction time what it saw
in training. `lic predict`, training's evaluation and the CI gate's metrics all go
through `Classifier.predict`.

torch and transformers are imported inside functions: importing this module is cheap.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lic_cli.errors import ModelLoadError

if TYPE_CHECKING:
    import numpy as np


def encode(tokenizer: Any, texts: Sequence[str], contexts: Sequence[str] | None,
           max_length: int) -> list[dict[str, list[int]]]:
    """Token ids per example, unpadded. Rows with a context become a (context, text) pair."""
    out: list[dict[str, list[int]] | None] = [None] * len(texts)
    ctx = list(contexts) if contexts is not None else [""] * len(texts)
    if len(ctx) != len(texts):
        raise ValueError("contexts and texts differ in length")
    singles = [i for i, c in enumerate(ctx) if not c]
    pairs = [i for i, c in enumerate(ctx) if c]
    # Tokenize each group in one batched call (fast tokenizers run it in Rust).
    for group, args in ((singles, lambda idx: ([texts[i] for i in idx],)),
                        (pairs, lambda idx: ([ctx[i] for i in idx], [texts[i] for i in idx]))):
        if not group:
            continue
        enc = tokenizer(*args(group), truncation=True, max_length=max_length)
        keys = list(enc.keys())
        for j, i in enumerate(group):
            out[i] = {k: enc[k][j] for k in keys}
    return out  # type: ignore[return-value]


class Classifier:
    """A trained text classifier: `Classifier.load(path).predict_proba(texts, contexts)`."""

    def __init__(self, model: Any, tokenizer: Any, max_length: int = 128) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.max_length = max_length
        id2label = model.config.id2label
        self.labels: list[str] = [id2label[i] for i in range(len(id2label))]

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Classifier:
        """Load a model folder written by `lic train` (or any sequence-classification folder)."""
        from lic_cli import models
        from lic_cli.models import runtime

        models.offline()
        runtime.torch_env()  # before torch loads
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        torch.set_num_threads(runtime.cpu_threads())
        models.quiet_loading()
        folder = Path(path)
        if not (folder / "config.json").is_file():
            raise ModelLoadError(f"{folder}: not a model folder (no config.json); run 'lic train' first")
        try:
            tokenizer = AutoTokenizer.from_pretrained(folder)
            model = AutoModelForSequenceClassification.from_pretrained(folder)
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"{folder}: cannot load as a classifier ({exc})") from None
        model.eval()
        # Truncate as in training: the length is saved with the model by `lic train`.
        max_length = int(getattr(model.config, "lic_max_length", 0) or tokenizer.model_max_length or 128)
        return cls(model, tokenizer, max_length=min(max_length, 512))

    def predict_proba(self, texts: list[str], contexts: list[str] | None = None,
                      batch_size: int = 64) -> np.ndarray:
        """Probabilities, one row per text summing to 1, columns in `self.labels` order."""
        import numpy as np
        import torch

        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        if not texts:
            return out
        encoded = encode(self.tokenizer, texts, contexts, self.max_length)
        # Sorting by length keeps padding (wasted compute) per batch small.
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]["input_ids"]))
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.inference_mode():
                for start in range(0, len(order), batch_size):
                    idx = order[start:start + batch_size]
                    batch = self.tokenizer.pad([encoded[i] for i in idx], return_tensors="pt")
                    batch = {k: v.to(self.model.device) for k, v in batch.items()}
                    logits = self.model(**batch).logits.float()
                    out[idx] = torch.softmax(logits, dim=-1).cpu().numpy()
        finally:
            self.model.train(was_training)
        return out

    def predict(self, texts: list[str], contexts: list[str] | None = None,
                batch_size: int = 64) -> list[tuple[str, float]]:
        """(label, probability) of the most likely label per text: what `lic predict`
        prints and what training's evaluation scores."""
        proba = self.predict_proba(texts, contexts, batch_size)
        return [(self.labels[int(p.argmax())], float(p.max())) for p in proba]
