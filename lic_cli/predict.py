"""Predictions of a task's active model: `lic predict`.

Classification tasks: each record's text (the task's text column, else `text`) and,
for tasks trained with context columns, its context go to the classifier the model
registry names active for the task (models/registry.py); the record comes back with
`label` (the most likely label) and `score` (its probability). Records are classified
in batches. The call is `models.classifier.Classifier.predict`, the one training's
evaluation (and so the CI gate's metrics) uses.

Span tasks (train type token-classification): each record's text comes back with
`spans` ([{start, end, label, text}], character offsets, end exclusive) from the task's
active token classifier (`Tagger.tag`, the call its training evaluates).

Text tasks (train type retrieval, a note memory): each record comes back with `notes`
([{text, score, line}], the task's notes closest in meaning, best first; models/memory.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from lic_cli.errors import InputError, ModelLoadError, TaskConfigError
from lic_cli.records import join_context
from lic_cli.tasks import Project, Task

BATCH = 64


def load(project: Project, task: Task) -> tuple[Any, str]:
    """The task's active classifier and its project-relative folder."""
    from lic_cli.models import registry
    from lic_cli.models.classifier import Classifier
    from lic_cli.progress import step

    kind = task.train.type if task.train else None
    if kind not in ("classification", "token-classification", "retrieval"):
        what = f"its train type is '{kind}'" if kind else "it has no train: section"
        raise TaskConfigError(f"task '{task.name}': lic predict runs classification, token-classification "
                              f"and retrieval models; {what}")
    entry = registry.latest(project, task.name)
    if entry is None:
        raise ModelLoadError(f"task '{task.name}' has no trained model yet; run 'lic train {task.name}'")
    with step(f"loading the {task.name} model ({entry['path']})"):
        if kind == "retrieval":
            from lic_cli.models.memory import Memory

            return Memory.load(registry.model_path(project, entry)), entry["path"]
        if kind == "token-classification":
            from lic_cli.models.tagger import Tagger

            return Tagger.load(registry.model_path(project, entry)), entry["path"]
        return Classifier.load(registry.model_path(project, entry)), entry["path"]


def _spans(tagger: Any, texts: list[str], batch_size: int) -> list[list[dict[str, Any]]]:
    from lic_cli.models.tagger import entities
    from lic_cli.spans import tokenize

    tokens = [tokenize(t) for t in texts]
    tags = tagger.tag([[w for w, _, _ in toks] for toks in tokens], batch_size)
    out = []
    for text, toks, tg in zip(texts, tokens, tags, strict=True):
        found = sorted(entities(tg))
        out.append([{"start": toks[a][1], "end": toks[b - 1][2], "label": label,
                     "text": text[toks[a][1]:toks[b - 1][2]]} for a, b, label in found])
    return out


def predict(project: Project, task: Task, records: Iterable[tuple[int, dict[str, Any]]], *,
            source: str = "input", batch_size: int = BATCH) -> Iterator[dict[str, Any]]:
    """Each (line, record) back as its record with `label` and `score`, in order."""
    clf, _ = load(project, task)
    tagging = task.train is not None and task.train.type == "token-classification"
    memory = task.train is not None and task.train.type == "retrieval"
    text_col = task.column("text")
    ctx_cols = task.train.context_columns if task.train else ()
    batch: list[dict[str, Any]] = []
    texts: list[str] = []
    contexts: list[str] = []

    def flush() -> Iterator[dict[str, Any]]:
        if tagging:
            for rec, spans in zip(batch, _spans(clf, texts, batch_size), strict=True):
                yield {**rec, "spans": spans}
        elif memory:
            for rec, notes in zip(batch, clf.lookup(texts, batch_size=batch_size), strict=True):
                yield {**rec, "notes": notes}
        else:
            for rec, (label, score) in zip(batch, clf.predict(texts, contexts or None, batch_size), strict=True):
                yield {**rec, "label": label, "score": round(score, 4)}
        batch.clear()
        texts.clear()
        contexts.clear()

    for line, rec in records:
        col = text_col if text_col in rec else "text"
        text = rec.get(col)
        if not isinstance(text, str) or not text.strip():
            raise InputError("expected a non-empty string", source=source, line=line, field=text_col)
        batch.append(rec)
        texts.append(text)
        if ctx_cols:
            contexts.append(join_context(str(rec.get(c) or "") for c in ctx_cols))
        if len(batch) >= batch_size:
            yield from flush()
    if batch:
        yield from flush()
