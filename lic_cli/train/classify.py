"""Classification: fine-tune an encoder (MiniLM) with a classification head, and predict.

Inputs are the row's text, or the pair (context, text) when the task has a context
column and the row's context is not empty. Training and prediction encode inputs
the same way (`encode`), so a model sees at prediction time what it saw in training.

torch and transformers are imported inside functions: importing this module is cheap.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lic_cli.errors import ModelLoadError
from lic_cli.models.classifier import Classifier, encode  # noqa: F401 (re-exported: detect uses them)
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
    clf = Classifier(model, tokenizer, max_length=params.max_length)
    # Where training ended: the loss of the trained model on (up to 2,000 of) its train rows.
    sample = range(0, len(splits.train), max(1, len(splits.train) // FINAL_LOSS_ROWS))
    proba = clf.predict_proba([splits.train.texts[i] for i in sample],
                              [splits.train.contexts[i] for i in sample] or None, params.eval_batch_size)
    metrics["final_train_loss"] = round(_loss(proba, [splits.train.labels[i] for i in sample]), 4)
    metrics["mean_confidence"] = round(float(proba.max(axis=1).mean()), 4) if len(proba) else 0.0
    if splits.eval_split and len(splits.eval):
        predicted = clf.predict(splits.eval.texts, splits.eval.contexts or None, params.eval_batch_size)
        metrics.update(score(splits.eval.labels, [clf.labels.index(label) for label, _ in predicted], labels))
        metrics["eval_split"] = splits.eval_split
        metrics["mean_confidence"] = round(sum(p for _, p in predicted) / len(predicted), 4)  # on eval rows
        majority = max(range(len(labels)), key=splits.train.labels.count)
        metrics["majority_baseline"] = round(splits.eval.labels.count(majority) / len(splits.eval), 4)
    elif note:
        note("no eval rows: the model is saved without metrics")
    metrics["warnings"] = warnings(metrics, labels)
    if note:
        for w in metrics["warnings"]:
            note(f"warning: {w}")

    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    return metrics


FINAL_LOSS_ROWS = 2000


def _loss(proba: Any, gold: Sequence[int]) -> float:
    """Mean cross-entropy of predicted probabilities against the gold label indices."""
    import numpy as np

    if not len(gold):
        return 0.0
    picked = proba[np.arange(len(gold)), np.asarray(gold)]
    return float(-np.log(np.clip(picked, 1e-12, 1.0)).mean())


def warnings(metrics: dict[str, Any], labels: Sequence[str]) -> list[str]:
    """What a person should hear about a trained classifier: it ended above chance-level
    loss (it learned next to nothing), its mean confidence (on the eval rows, else the
    train rows) is less than halfway from chance to certain, or it is beaten on the eval
    split by always answering the most frequent train label."""
    out = []
    chance = math.log(len(labels))
    loss = metrics.get("final_train_loss")
    if loss is not None and loss > chance:
        out.append(f"the classifier ends at loss {loss:.2f} on its train rows, above chance level "
                   f"(ln {len(labels)} = {chance:.2f}): it learned next to nothing; give it more rows, more "
                   "epochs or a higher learning_rate")
    conf = metrics.get("mean_confidence")
    unsure = (1 / len(labels) + 1) / 2  # halfway between chance and certainty
    if conf is not None and conf < unsure:
        out.append(f"the classifier is unsure: its mean confidence is {conf:.2f}, where chance is "
                   f"{1 / len(labels):.2f}; give it more rows, more epochs or a higher learning_rate")
    acc, base = metrics.get("accuracy"), metrics.get("majority_baseline")
    if acc is not None and base is not None and acc < base:
        out.append(f"eval accuracy {acc:.2f} is below the majority-class baseline {base:.2f} (always the most "
                   "frequent train label); give it more rows, more epochs or a higher learning_rate")
    return out


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
