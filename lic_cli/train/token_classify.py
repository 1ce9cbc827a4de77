"""Token classification: fine-tune an encoder (MiniLM) to tag entity spans (train type
`token-classification`, for tasks of format `span`).

Rows come in either shape of a span task (text + character spans, or CoNLL tokens +
tags: lic_cli/spans.py); both become words + BIO tags over the task's labels. Each word's
first word piece carries its tag, the other pieces are ignored by the loss (-100).
Evaluated with entity-level precision / recall / F1 (a predicted entity counts when its
words and label equal a gold entity's).

torch and transformers are imported inside functions: importing this module is cheap.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lic_cli.errors import InputError, ModelLoadError
from lic_cli.models.tagger import Tagger, entities  # noqa: F401 - inference lives in models; re-exported
from lic_cli.spans import from_conll, to_conll
from lic_cli.tasks import Task
from lic_cli.train.params import ClassifyParams
from lic_cli.train.runtime import (
    ListDataset,
    cpu_threads,
    progress_bars,
    quiet_transformers,
    torch_env,
    trainer_args,
)


@dataclass
class Split:
    words: list[list[str]] = field(default_factory=list)
    tags: list[list[str]] = field(default_factory=list)


def bio_labels(labels: tuple[str, ...]) -> list[str]:
    return ["O"] + [f"{p}-{lab}" for lab in labels for p in "BI"]


def read_splits(task: Task, source: str, rows: list[tuple[int, dict[str, Any]]]) -> dict[str, Split]:
    """Words and BIO tags per split; a tag outside the task's labels names the row's line."""
    known = set(bio_labels(task.labels))
    out: dict[str, Split] = {}
    for line, row in rows:
        if task.span_style == "conll":
            words, tags = row.get(task.column("tokens")), row.get(task.column("tags"))
            if not isinstance(words, list) or not isinstance(tags, list) or len(words) != len(tags):
                raise InputError("expected lists 'tokens' and 'tags' of the same length", source=source, line=line,
                                 field=task.column("tokens"))
            text, spans = from_conll([str(w) for w in words], [str(t) for t in tags])
        else:
            text, spans = row.get(task.column("text")), row.get(task.column("spans"))
            if not isinstance(text, str) or not isinstance(spans, list):
                raise InputError("expected a string 'text' and a list 'spans'", source=source, line=line,
                                 field=task.column("spans"))
        try:
            words, tags = to_conll(text, spans)
        except (KeyError, TypeError):
            raise InputError("expected spans of {start, end, label}", source=source, line=line,
                             field=task.column("spans")) from None
        bad = next((t for t in tags if t not in known), None)
        if bad is not None:
            raise InputError(f"label {bad.split('-', 1)[-1]!r} is not one of the task's labels "
                             f"({', '.join(task.labels)})", source=source, line=line, field=task.column("spans"))
        split = row.get(task.split_column)
        s = out.setdefault(task.default_split if split in (None, "") else str(split), Split())
        s.words.append(words)
        s.tags.append(tags)
    return out


def _encode(tokenizer: Any, words: list[list[str]], tags: list[list[str]] | None, label_ids: dict[str, int],
            max_length: int) -> list[dict[str, Any]]:
    enc = tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_length)
    out = []
    for i in range(len(words)):
        feat = {k: enc[k][i] for k in enc.keys()}
        if tags is not None:
            prev, ids = None, []
            for w in enc.word_ids(i):
                ids.append(-100 if w is None or w == prev else label_ids[tags[i][w]])
                prev = w
            feat["labels"] = ids
        out.append(feat)
    return out


def score(gold: list[list[str]], pred: list[list[str]]) -> dict[str, Any]:
    tp = n_gold = n_pred = 0
    for g, p in zip(gold, pred, strict=True):
        eg, ep = entities(g), entities(p)
        tp, n_gold, n_pred = tp + len(eg & ep), n_gold + len(eg), n_pred + len(ep)
    prec, rec = (tp / n_pred if n_pred else 0.0), (tp / n_gold if n_gold else 0.0)
    f1 = 2 * tp / (n_gold + n_pred) if n_gold + n_pred else 0.0
    return {"eval_rows": len(gold), "entity_precision": round(prec, 4), "entity_recall": round(rec, 4),
            "entity_f1": round(f1, 4)}


def train(task: Task, splits: dict[str, Split], base: Path, out_dir: Path, params: ClassifyParams, *,
          progress: bool = True, note: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Fine-tune `base` on the default split, save to out_dir, return eval metrics."""
    from lic_cli import models

    models.offline()
    torch_env()
    import torch
    from transformers import (
        AutoModelForTokenClassification,
        AutoTokenizer,
        DataCollatorForTokenClassification,
        Trainer,
        set_seed,
    )
    from transformers.utils import logging as hf_logging

    torch.set_num_threads(cpu_threads())
    assert task.train is not None
    train_split = splits.get(task.default_split)
    if not train_split or not train_split.words:
        raise InputError(f"no rows in split '{task.default_split}' to train on", source=task.dataset,
                         field=task.split_column)
    wanted = task.train.eval_split
    eval_split = splits.get(wanted) or (splits.get("dev") if wanted != task.default_split else None)
    labels = bio_labels(task.labels)
    label_ids = {t: i for i, t in enumerate(labels)}
    set_seed(params.seed)
    with progress_bars(hf_logging, progress), quiet_transformers(hf_logging):
        try:
            tokenizer = AutoTokenizer.from_pretrained(base)
            model = AutoModelForTokenClassification.from_pretrained(
                base, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id=label_ids)
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"{base}: cannot load as a base for token classification ({exc})") from None
    model.config.lic_max_length = params.max_length
    if params.freeze_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)
    features = _encode(tokenizer, train_split.words, train_split.tags, label_ids, params.max_length)
    if note:
        note(f"{task.name}: token classification on {len(features)} sentences, labels {', '.join(task.labels)}")
    with tempfile.TemporaryDirectory(prefix="lic-train-") as scratch:
        args = trainer_args(scratch, params, progress=progress)
        trainer = Trainer(model=model, args=args, train_dataset=ListDataset(features),
                          data_collator=DataCollatorForTokenClassification(tokenizer))
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(sys.stderr if progress else devnull):
            result = trainer.train()
    model = trainer.model
    model.eval()
    metrics: dict[str, Any] = {"train_rows": len(features), "train_loss": round(float(result.training_loss), 4)}
    if eval_split and eval_split.words:
        pred = Tagger(model, tokenizer, params.max_length).tag(eval_split.words, params.eval_batch_size)
        metrics.update(score(eval_split.tags, pred))
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    return metrics
