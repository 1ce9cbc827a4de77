"""Reading the intent dataset into (text, context, label, split) examples."""

from __future__ import annotations

from dataclasses import dataclass

from lic_cli.errors import InputError
from lic_cli.jsonl import read_jsonl_file
from lic_cli.tasks import Project, Task


@dataclass(frozen=True)
class Example:
    text: str
    context: str
    label: str
    split: str


def read_examples(project: Project, task: Task) -> list[Example]:
    path = project.dataset_path(task)
    text_col, label_col = task.column("text"), task.column("label")
    ctx_col = task.train.context_column if task.train and task.train.context_column else "context"
    out = []
    for line, row in read_jsonl_file(path):
        text, label = row.get(text_col), row.get(label_col)
        if not isinstance(text, str) or not text.strip():
            raise InputError("expected a non-empty string", source=task.dataset, line=line, field=text_col)
        if label not in task.labels:
            raise InputError(f"label {label!r} is not one of {', '.join(task.labels)}",
                             source=task.dataset, line=line, field=label_col)
        ctx = row.get(ctx_col) or ""
        if not isinstance(ctx, str):
            raise InputError("expected a string", source=task.dataset, line=line, field=ctx_col)
        out.append(Example(text, ctx, label, str(row.get(task.split_column) or task.default_split)))
    return out
