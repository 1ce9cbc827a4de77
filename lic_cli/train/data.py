"""A label task's dataset as train / eval examples.

Rows are streamed from the JSONL file; only the three fields training needs (text,
optional context: the context columns joined, label index) are kept. Rows without a split value count as the
task's default split (train).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lic_cli.errors import InputError
from lic_cli.records import join_context
from lic_cli.store.formats import read_rows
from lic_cli.tasks import Task

# Tried in order when the configured eval split has no rows.
FALLBACK_EVAL = "dev"


@dataclass
class Examples:
    texts: list[str] = field(default_factory=list)
    contexts: list[str] = field(default_factory=list)  # "" when a row has no context
    labels: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)


@dataclass
class Splits:
    train: Examples
    eval: Examples
    eval_split: str | None  # the split evaluated on, None when there is none
    notes: list[str] = field(default_factory=list)  # things the user should hear about on stderr


def read_splits(task: Task, path: Path) -> Splits:
    """Train on `default_split` rows; evaluate on `train.eval_split`, else dev, else nothing."""
    assert task.train is not None
    text_col = task.column("text")
    label_col = task.column("label")
    ctx_cols = task.train.context_columns
    index = {label: i for i, label in enumerate(task.labels)}
    by_split: dict[str, Examples] = {}
    source = str(path)
    for line, row in read_rows(path):
        text = _text(row, text_col, source, line, required=True)
        label = row.get(label_col)
        if not isinstance(label, str) or label not in index:
            raise InputError(f"label {label!r} is not one of the task's labels ({', '.join(task.labels)})",
                             source=source, line=line, field=label_col)
        split = row.get(task.split_column)
        split = task.default_split if split in (None, "") else str(split)
        ex = by_split.setdefault(split, Examples())
        ex.texts.append(text)
        ex.contexts.append(join_context(_text(row, c, source, line, required=False) for c in ctx_cols))
        ex.labels.append(index[label])

    train = by_split.get(task.default_split, Examples())
    if not train:
        raise InputError(f"no rows in split '{task.default_split}' to train on", source=source,
                         field=task.split_column)
    notes: list[str] = []
    if task.name == "intent" and _with_corpus(task):
        # lic's own detector: the packaged multi-domain corpus extends the project's rows (docs/detect.md).
        from lic_cli.data import intent_examples

        n = 0
        for text, context, label in intent_examples("train"):
            if label in index:
                train.texts.append(text)
                train.contexts.append(context)
                train.labels.append(index[label])
                n += 1
        notes.append(f"{task.name}: + {n:,} train rows of lic's packaged teaching corpus (train.params.corpus)")
    wanted = task.train.eval_split
    eval_split: str | None = wanted
    if not by_split.get(wanted) and wanted != task.default_split:
        if by_split.get(FALLBACK_EVAL):
            notes.append(f"{task.name}: no rows in eval split '{wanted}'; evaluating on '{FALLBACK_EVAL}'")
            eval_split = FALLBACK_EVAL
        else:
            notes.append(f"{task.name}: no rows in eval split '{wanted}' (nor '{FALLBACK_EVAL}'); "
                         "training without evaluation")
            eval_split = None
    elif wanted == task.default_split:
        notes.append(f"{task.name}: eval split '{wanted}' is the train split; metrics are on training data")
    ev = by_split.get(eval_split, Examples()) if eval_split else Examples()
    return Splits(train=train, eval=ev, eval_split=eval_split, notes=notes)


def _with_corpus(task: Task) -> bool:
    from lic_cli.train.params import ClassifyParams

    return ClassifyParams.from_task(task).corpus


def _text(row: dict[str, Any], col: str | None, source: str, line: int, *, required: bool) -> str:
    value = row.get(col) if col else None
    if value is None or value == "":
        if required:
            raise InputError("missing or empty text", source=source, line=line, field=col)
        return ""
    if not isinstance(value, str):
        raise InputError(f"expected a string, got {type(value).__name__}", source=source, line=line, field=col)
    return value
