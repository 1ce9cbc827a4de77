"""Where a note or an entity-span item goes in a `text` or `span` task.

**Notes** are located by meaning. A note states something about someone, so a new note
close in meaning to a stored one is usually the newer version of it: "The user eats fish."
updates "The user is vegetarian." The decision, on the cosine of the two texts (MiniLM)
and rapidfuzz (the same blend as locate/matcher.py):

- the very same text (or a near-copy, blend >= SAME_KEY with the same words) -> `noop`;
- the item's `replaces` names a stored note (blend >= REPLACES) -> `update` that row;
- a stored note on the same topic (cosine >= UPDATE) -> `update`;
- cosine in [CONFLICT, UPDATE) -> `conflict` (a person decides);
- otherwise -> `add`.

**Spans** are keyed by their sentence: the same sentence (normalized) -> `update`, with the
new spans laid over the stored ones (lic_cli/spans.py `merge`), or `noop` when nothing
changes; otherwise `add`, in the task's own shape (text + spans or tokens + tags).
"""

from __future__ import annotations

from typing import Any

from lic_cli.locate import index as key_index
from lic_cli.locate.matcher import search
from lic_cli.spans import from_conll, merge
from lic_cli.store.rows import normalize_text
from lic_cli.tasks import Project, Task

SAME_KEY = 0.95  # blend: a near-copy of the note is already known
REPLACES = 0.86  # blend of `replaces` against a stored note: that note is the one replaced
UPDATE = 0.55  # cosine: the same topic, a newer statement of it
CONFLICT = 0.45  # cosine: maybe the same topic; for a person to decide


def locate(project: Project, task: Task, item: dict, item_no: int, encoder, top_k: int) -> dict:
    index = key_index.load(project, task, encoder)
    if task.format == "span":
        return _span(index, task, item, item_no, encoder, top_k)
    text = str(item.get("text", ""))
    cands = search(index, (text,), k=top_k)
    edit: dict[str, Any] = {"item": item_no, "task": task.name}
    after = {task.column("text"): text}
    best = cands[0] if cands else None
    replaced = None
    if item.get("replaces"):
        found = search(index, (str(item["replaces"]),), k=1)
        if found and found[0].score >= REPLACES:
            replaced = found[0]
    if best is not None and (best.score >= SAME_KEY and normalize_text(index.keys[best.i]).strip(" .")
                             == normalize_text(text).strip(" .")):
        edit.update(op="noop", row=index.ids[best.i], score=best.score, before=index.row(best.i), after=None,
                    reason="already known")
    elif replaced is not None or (best is not None and best.sim >= UPDATE):
        target = replaced or best
        assert target is not None
        before = index.row(target.i)
        edit.update(op="update", row=index.ids[target.i], score=target.score, before=before,
                    after={**before, **after},
                    reason="the turn replaces this note" if replaced is not None else
                    f"a note on the same topic (similarity {target.sim:.2f})")
    elif best is not None and best.sim >= CONFLICT:
        edit.update(op="conflict", row=index.ids[best.i], score=best.score, before=index.row(best.i), after=after,
                    reason="maybe the same topic as an existing note")
    else:
        edit.update(op="add", row=None, score=best.score if best else 0.0, before=None,
                    after={**after, task.split_column: task.default_split},
                    position={"at": "end", "split": task.default_split, "rows": len(index)})
    edit["candidates"] = _evidence(index, cands)
    return edit


def _span(index, task: Task, item: dict, item_no: int, encoder, top_k: int) -> dict:
    text = str(item.get("text", ""))
    cands = search(index, (text,), k=top_k)
    edit: dict[str, Any] = {"item": item_no, "task": task.name}
    same = next((c for c in cands if normalize_text(index.keys[c.i]) == normalize_text(text)), None)
    if same is None:
        edit.update(op="add", row=None, score=cands[0].score if cands else 0.0, before=None,
                    after={**task.to_row(item), task.split_column: task.default_split},
                    position={"at": "end", "split": task.default_split, "rows": len(index)})
    else:
        before = index.row(same.i)
        old_text, old_spans = _row_spans(task, before)
        # The item's offsets are into its own copy of the sentence; the stored one may differ in spacing.
        new = item["spans"] if old_text == text else _move(item["spans"], text, old_text)
        merged = merge(old_spans, new)
        after = {**before, **task.to_row({"text": old_text, "spans": merged})}
        if after == before:
            edit.update(op="noop", row=index.ids[same.i], score=same.score, before=before, after=None,
                        reason="already known")
        else:
            edit.update(op="update", row=index.ids[same.i], score=same.score, before=before, after=after)
    edit["candidates"] = _evidence(index, cands)
    return edit


def _row_spans(task: Task, row: dict) -> tuple[str, list[dict]]:
    if task.span_style == "conll":
        return from_conll(list(row.get(task.column("tokens")) or []), list(row.get(task.column("tags")) or []))
    spans = row.get(task.column("spans")) or []
    return str(row.get(task.column("text"), "")), [dict(s) for s in spans if isinstance(s, dict)]


def _move(spans: list[dict], src: str, dst: str) -> list[dict]:
    """Spans of `src` re-found in `dst` by their words (the same sentence, other spacing)."""
    out = []
    for s in spans:
        at = dst.find(src[s["start"]:s["end"]])
        if at >= 0:
            out.append({"start": at, "end": at + s["end"] - s["start"], "label": s["label"]})
    return out


def _evidence(index, cands) -> list[dict[str, Any]]:
    return [{"row": index.ids[c.i], "key": index.keys[c.i], "value": index.value(c.i),
             "fuzz": c.fuzz, "sim": c.sim, "score": c.score} for c in cands]
