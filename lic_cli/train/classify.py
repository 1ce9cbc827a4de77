"""Classification: fine-tune an encoder (MiniLM) with a classification head, and predict.

Inputs are the row's text, or the pair (context, text) when the task has a context
column and the row's context is not empty. Training and prediction encode inputs
the same way (`encode`), so a model sees at prediction time what it saw in training.

torch and transformers are imported inside functions: importing this module is cheap.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lic_cli.errors import ModelLoadError
from lic_cli.train.data import Splits
from lic_cli.train.params import ClassifyParams
from lic_cli.train.runtime import (
    ListDataset,
    cpu_threads,
    progress_bars,
    quiet_transformers,
    torch_env,
    trainer_args,
)

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

        models.offline()
        torch_env()
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        torch.set_num_threads(cpu_threads())
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

    def predict(self, texts: list[str], contexts: list[str] | None = None) -> list[tuple[str, float]]:
        """(label, probability) of the most likely label per text."""
        proba = self.predict_proba(texts, contexts)
        return [(self.labels[int(p.argmax())], float(p.max())) for p in proba]


def train(splits: Splits, labels: Sequence[str], base: Path, out_dir: Path, params: ClassifyParams, *,
          progress: bool = True, note: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Fine-tune `base` on splits.train, save the model to out_dir, return eval metrics."""
    from lic_cli import models

    models.offline()
    torch_env()
    import torch
    from transformers.utils import logging as hf_logging

    torch.set_num_threads(cpu_threads())
    with progress_bars(hf_logging, progress):
        return _train(splits, labels, base, out_dir, params, progress=progress, note=note)


def _train(splits: Splits, labels: Sequence[str], base: Path, out_dir: Path, params: ClassifyParams, *,
           progress: bool, note: Callable[[str], None] | None) -> dict[str, Any]:
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        Trainer,
        set_seed,
    )
    from transformers.utils import logging as hf_logging

    set_seed(params.seed)  # before the new head is initialised
    id2label = dict(enumerate(labels))
    with quiet_transformers(hf_logging):  # the "classifier weights newly initialised" report is expected
        try:
            tokenizer = AutoTokenizer.from_pretrained(base)
            model = AutoModelForSequenceClassification.from_pretrained(
                base, num_labels=len(labels), id2label=id2label, label2id={v: k for k, v in id2label.items()})
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"{base}: cannot load as a base for classification ({exc})") from None
    model.config.lic_max_length = params.max_length
    if params.freeze_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)

    features = encode(tokenizer, splits.train.texts, splits.train.contexts, params.max_length)
    for feat, label in zip(features, splits.train.labels, strict=True):
        feat["labels"] = label  # type: ignore[assignment]

    with tempfile.TemporaryDirectory(prefix="lic-train-") as scratch:
        # Batches of similar length: less padding, so faster steps on CPU.
        args = trainer_args(scratch, params, progress=progress, train_sampling_strategy="group_by_length")
        trainer = Trainer(model=model, args=args, train_dataset=ListDataset(features),
                          data_collator=DataCollatorWithPadding(tokenizer))
        # Trainer writes its summaries with print()/tqdm.write(): keep stdout for records.
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(sys.stderr if progress else devnull):
            result = trainer.train()
    model = trainer.model
    model.eval()

    metrics: dict[str, Any] = {"train_rows": len(splits.train), "train_loss": round(float(result.training_loss), 4)}
    if splits.eval_split and len(splits.eval):
        clf = Classifier(model, tokenizer, max_length=params.max_length)
        proba = clf.predict_proba(splits.eval.texts, splits.eval.contexts or None, params.eval_batch_size)
        metrics.update(score(splits.eval.labels, [int(i) for i in proba.argmax(axis=1)], labels))
        metrics["eval_split"] = splits.eval_split
    elif note:
        note("no eval rows: the model is saved without metrics")

    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    return metrics


def score(gold: Sequence[int], pred: Sequence[int], labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 and per-label F1 (rounded to 4 decimals).

    Macro-F1 averages over the labels that occur in the gold or predicted labels (as
    scikit-learn does), so a label absent from a small eval split does not count as 0.
    """
    n = len(gold)
    correct = sum(g == p for g, p in zip(gold, pred, strict=True))
    per_label: dict[str, float] = {}
    for k, name in enumerate(labels):
        tp = sum(g == k and p == k for g, p in zip(gold, pred, strict=True))
        n_gold = sum(g == k for g in gold)
        n_pred = sum(p == k for p in pred)
        if n_gold == 0 and n_pred == 0:
            continue
        per_label[name] = round(2 * tp / (n_gold + n_pred), 4)
    macro = sum(per_label.values()) / len(per_label) if per_label else 0.0
    return {"eval_rows": n, "accuracy": round(correct / n, 4) if n else 0.0,
            "macro_f1": round(macro, 4), "f1": per_label}
