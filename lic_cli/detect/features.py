"""Reading labelled intent rows into (text, context, label, split, hard) examples.

The same reader serves training (the `intent` task dataset) and `lic detect --eval`
(any JSONL file with the dataset's columns), so both check rows the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from lic_cli.errors import InputError
from lic_cli.records import join_context
from lic_cli.store.formats import read_rows
from lic_cli.tasks import Project, Task


@dataclass(frozen=True)
class Example:
    text: str
    context: str
    label: str
    split: str
    hard: bool = False  # a hard negative: a `none` turn that looks like teaching
    pair: str | None = None  # rows sharing a pair id differ only in context and label
    domain: str = ""  # the corpus domain (per-domain figures in --eval)
    form: str = ""  # the corpus form (statement_copula, neg_question, ...)


def read_examples(project: Project, task: Task) -> list[Example]:
    return read_labelled(project.dataset_path(task), task, source=task.dataset)


def read_labelled(path: str | os.PathLike[str], task: Task, *, source: str | None = None,
                  split: str | None = None) -> list[Example]:
    """Every row of a labelled JSONL file (only `split`'s rows when given)."""
    source = source or os.fspath(path)
    text_col, label_col = task.column("text"), task.column("label")
    ctx_cols = task.train.context_columns if task.train and task.train.context_columns else ("context",)
    out = []
    for line, row in read_rows(path):
        text, label = row.get(text_col), row.get(label_col)
        if not isinstance(text, str) or not text.strip():
            raise InputError("expected a non-empty string", source=source, line=line, field=text_col)
        if label not in task.labels:
            raise InputError(f"label {label!r} is not one of {', '.join(task.labels)}",
                             source=source, line=line, field=label_col)
        turns = []
        for col in ctx_cols:
            turn = row.get(col) or ""
            if not isinstance(turn, str):
                raise InputError("expected a string", source=source, line=line, field=col)
            turns.append(turn)
        hard = row.get("hard", False)
        if not isinstance(hard, bool):
            raise InputError("expected true or false", source=source, line=line, field="hard")
        pair = row.get("pair")
        if pair is not None and not isinstance(pair, str):
            raise InputError("expected a string", source=source, line=line, field="pair")
        row_split = str(row.get(task.split_column) or task.default_split)
        if split is None or row_split == split:
            out.append(Example(text, join_context(turns), label, row_split, hard, pair))
    return out
