"""The packaged teaching corpus (lic_cli/data/teaching.jsonl) as intent examples.

Each row holds a user turn, the turns before it, its label and its domain; the split is
decided by the domain (tools/corpus/build.py), so dev and test rows come from domains
the train split never saw. `lic detect --eval` accepts this format too.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

from lic_cli.data import INTENT_LABELS as LABELS
from lic_cli.data import TEACHING as CORPUS
from lic_cli.detect.features import Example
from lic_cli.errors import InputError
from lic_cli.jsonl import read_jsonl_file
from lic_cli.records import join_context, previous_exchange

# Non-teaching forms that are ordinary questions and requests (the figure "teaching false
# positives on ordinary questions" is measured on these).
ORDINARY = ("neg_question", "neg_clinc", "neg_request", "neg_followup_ctx")


@cache
def corpus_hash(path: Path = CORPUS) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_corpus_row(row: dict) -> bool:
    return "label" in row and isinstance(row.get("context"), list) and "form" in row


def example_from_row(row: dict, *, source: str, line: int, labels: tuple[str, ...] = LABELS) -> Example:
    text, label, ctx = row.get("text"), row.get("label"), row.get("context")
    if not isinstance(text, str) or not text.strip():
        raise InputError("expected a non-empty string", source=source, line=line, field="text")
    if label not in labels:
        raise InputError(f"label {label!r} is not one of {', '.join(labels)}", source=source, line=line,
                         field="label")
    if not isinstance(ctx, list) or not all(isinstance(t, dict) and isinstance(t.get("text"), str) for t in ctx):
        raise InputError("expected a list of {role, text} turns", source=source, line=line, field="context")
    form = str(row.get("form") or "")
    return Example(text, join_context(previous_exchange(ctx)), label, str(row.get("split") or "test"),
                   hard=label == "none" and form.startswith("neg_") and form not in ORDINARY + ("neg_chitchat",),
                   domain=str(row.get("domain") or ""), form=form)


def read_corpus(path: str | os.PathLike[str] = CORPUS, *, split: str | None = None,
                source: str | None = None) -> list[Example]:
    source = source or os.fspath(path)
    out = []
    for line, row in read_jsonl_file(path):
        ex = example_from_row(row, source=source, line=line)
        if split is None or ex.split == split:
            out.append(ex)
    return out
