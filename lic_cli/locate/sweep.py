"""The stale-value sweep: after an update replaces a value, find every row, in every task that
stores knowledge, that still states the replaced value about the same subject, and propose
its update in the same patch set.

A row is swept when (1) its value states the old value as a span of the same type (the
price "$110", the quantity "21 days", the name "Linda Park"; see spans.py), and (2) it is
about the same subject: its key or value shares a word with the corrected knowledge's key
(the question, or the fact's relation), not counting words that most keys of its task
share (a facts task's subject name) or the values themselves. The rewrite replaces just
that span, so each row keeps its own words.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from lic_cli.locate import spans
from lic_cli.locate.keys import row_key_text, row_value_text
from lic_cli.store.rows import iter_rows
from lic_cli.tasks import Project, Task

SWEPT = ("qa", "fact")  # label tasks hold examples, not statements of knowledge
COMMON_KEY_WORD = 0.5  # a word in at least this share of a task's keys says nothing about the subject


@dataclass(frozen=True)
class Change:
    """A value replaced by an update: what the sweep looks for, and the words it is about."""

    task: str
    row: str
    old: spans.Span
    new: str  # the replacement text of the typed core
    about: frozenset[str]  # content words of the corrected knowledge's key

    @property
    def needle(self) -> str:
        """A substring every value stating the old value contains (its digits, or its text)."""
        digits = re.findall(r"\d+", self.old.text.replace(",", ""))
        return max(digits, key=len) if digits else self.old.text.lower()


def anchor_words(item: dict[str, Any], task: Task, row: dict[str, Any], old: str = "") -> frozenset[str]:
    """What the corrected knowledge is about: the item's question or relation, the corrected
    row's own key (a fact row: its relation only; its subject is shared by every row) and the
    clause of its value around the replaced span ("Our head mechanic is Ana Silva.")."""
    words = set()
    value = row_value_text(task, row)
    at = value.find(old) if old else -1
    if at >= 0:
        words |= spans.content_words(spans.clause(value, spans.Span("", at, at + len(old), old)))
    if item.get("kind") == "fact":
        words |= spans.content_words(str(item.get("relation", "")))
    else:
        words |= spans.content_words(str(item.get("question", "")))
    if task.format == "fact":
        words |= spans.content_words(str(row.get(task.column("relation"), "")))
    else:
        words |= spans.content_words(row_key_text(task, row))
    return frozenset(words)


def sweep(project: Project, changes: list[Change], done: set[tuple[str, str]]) -> list[dict[str, Any]]:
    """Edits (op update, signal "sweep") for rows still stating a replaced value.

    `done`: (task, row) pairs already edited by this record; they are not touched again."""
    if not changes:
        return []
    out = []
    for task in project.tasks.values():
        if task.format not in SWEPT:
            continue
        hits, df, n = [], Counter(), 0
        for rid, _, row in iter_rows(task, project.dataset_path(task)):
            n += 1
            key = row_key_text(task, row)
            df.update(spans.content_words(key))
            if (task.name, rid) in done:
                continue
            value = row_value_text(task, row)
            plain = value.lower().replace(",", "")
            for ch in changes:
                if ch.needle in plain and spans.contains(value, ch.old):  # a substring test first: cheap
                    hits.append((rid, row, key, value, ch))
                    break
        common = {w for w, c in df.items() if n >= 4 and c / n >= COMMON_KEY_WORD}
        for rid, row, key, value, ch in hits:
            values = spans.content_words(ch.old.text) | spans.content_words(ch.new)
            shared = (spans.content_words(key) | spans.content_words(value)) & (ch.about - common - values)
            if not shared:
                continue
            hint = " ".join(sorted(ch.about))
            rw = spans.rewrite(value, ch.new, old=ch.old.text, hint=hint)
            if rw is None or rw.text == value:
                continue
            col = task.column(task.value_fields[0])
            after = {**row, col: rw.text}
            done.add((task.name, rid))
            out.append({"task": task.name, "op": "update", "row": rid, "score": 1.0, "before": row, "after": after,
                        "signal": "sweep",
                        "sweep": {"from": {"task": ch.task, "row": ch.row}, "old": rw.old, "new": rw.new,
                                  "about": sorted(shared)},
                        "reason": f"still states {rw.old!r}, replaced by {rw.new!r} in {ch.task} row {ch.row} "
                                  f"(same subject: {', '.join(sorted(shared))})"})
    return out
