"""Turn located edits (the `edits` key of `lic locate` records) into one patch per task.

noop edits change nothing, and conflict edits and proposals marked `review` need a
person (`lic resolve`), so none of them goes into a patch, except the stale-value sweep's
proposals (`review: "sweep"`) when the caller opts in (`lic apply --sweep`); records carrying `errors` are left out whole. Several edits of one row in a
transcript fold into one op (the first `before`, the last `after`): the later
correction wins, and the patch never touches a row twice. An edit that a later turn of
its conversation names in `unstaged` (what `/undo` took back in `lic chat`) is left out,
so a chat transcript rebuilds exactly the changes the session kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lic_cli.errors import RecordError, TaskConfigError
from lic_cli.jsonl import record_id
from lic_cli.patches.apply import complete_row, expected_id
from lic_cli.patches.fileformat import OPS, Op, Patch, op_sort_key, source_key
from lic_cli.patches.files import slugify
from lic_cli.store.rows import row_hash
from lic_cli.store.versions import current_version
from lic_cli.tasks import Project, Task

_EDIT_OPS = (*OPS, "noop", "conflict")


@dataclass
class Built:
    patches: list[Patch] = field(default_factory=list)
    slugs: dict[str, str] = field(default_factory=dict)  # task -> a name for the file
    left_out: list[str] = field(default_factory=list)  # record ids with errors
    conflicts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (record id, edit)
    swept: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # sweep proposals held for review
    folded: int = 0  # edits merged into an earlier edit of the same row


def undo_note(turn: Any, edit: dict[str, Any]) -> dict[str, Any]:
    """How a chat transcript names an edit that /undo took back (a turn's `unstaged` list)."""
    return {"turn": turn, "task": edit.get("task"), "op": edit.get("op"), "row": edit.get("row"),
            "after": edit.get("after")}


def _note_key(conversation: Any, note: Any) -> str:
    return json.dumps([conversation, note], sort_keys=True, ensure_ascii=False)


def build(records: Iterable[dict[str, Any]], *, project: Project, author: str, time: str,
          message: str | None = None, sweep: bool = False) -> Built:
    """`sweep`: put the stale-value sweep's proposals in the patches too (default: hold them)."""
    out = Built()
    per_task: dict[str, list[tuple[tuple[Any, ...], Op]]] = {}
    taken_back: dict[str, list[tuple[str, int]]] = {}  # undo note key -> (task, index in per_task)
    dropped: set[tuple[str, int]] = set()
    for rec in records:
        rid = record_id(rec) or "?"
        notes = rec.get("unstaged")
        if notes is not None:
            if not isinstance(notes, list):
                raise RecordError("expected a list of /undo notes", record=rec, field="unstaged")
            for note in notes:
                places = taken_back.get(_note_key(rec.get("conversation"), note))
                if places:
                    dropped.add(places.pop())
        if rec.get("errors"):
            out.left_out.append(rid)
            continue
        edits = rec.get("edits")
        if edits is None:
            continue
        if not isinstance(edits, list):
            raise RecordError("expected a list of edits", record=rec, field="edits")
        for i, edit in enumerate(edits):
            if sweep and isinstance(edit, dict) and edit.get("review") == "sweep":
                edit = {k: v for k, v in edit.items() if k != "review"}  # the caller accepted the sweep
            op, task, item = _op(project, rec, rid, edit, f"edits[{i}]")
            if op is None:
                if isinstance(edit, dict) and edit.get("review") == "sweep" and edit.get("op") == "update":
                    out.swept.append((rid, edit))
                elif isinstance(edit, dict) and (edit.get("op") == "conflict" or edit.get("review")):
                    out.conflicts.append((rid, edit))
                continue
            ops_of_task = per_task.setdefault(task.name, [])
            key = _note_key(rec.get("conversation"), undo_note(rec.get("turn"), edit))
            taken_back.setdefault(key, []).append((task.name, len(ops_of_task)))
            ops_of_task.append((op_sort_key(op, item), op))
    for name in sorted(per_task):
        task = project.task(name)
        kept = [kv for i, kv in enumerate(per_task[name]) if (name, i) not in dropped]
        ops, folded = _fold(sorted(kept, key=lambda kv: kv[0]))
        out.folded += folded
        if not ops:
            continue
        version, digest = current_version(project, task)
        sources = sorted({op.source for op in ops if op.source}, key=source_key)
        patch = Patch(task=name, dataset=task.dataset, base_version=version, base_hash=digest,
                      author=author, time=time, source=tuple(sources),
                      message=message or _default_message(name, ops), ops=tuple(ops))
        out.patches.append(patch)
        first = ops[0].after or ops[0].before or {}
        out.slugs[name] = slugify(message) if message else slugify(str(first.get(task.key[0], "")))
    return out


def _op(project: Project, rec: dict, rid: str, edit: Any, where: str) -> tuple[Op | None, Task, int]:
    if not isinstance(edit, dict):
        raise RecordError("expected an edit object", record=rec, field=where)
    kind = edit.get("op")
    if kind not in _EDIT_OPS:
        raise RecordError(f"unknown op {kind!r} (expected {', '.join(_EDIT_OPS)})", record=rec,
                          field=f"{where}.op")
    try:
        task = project.task(str(edit.get("task")))
    except TaskConfigError as exc:
        raise RecordError(str(exc), record=rec, field=f"{where}.task") from None
    item = edit.get("item", 0)
    item = item if isinstance(item, int) and not isinstance(item, bool) else 0
    if kind in ("noop", "conflict") or edit.get("review"):
        return None, task, item  # a conflict, or a proposal marked for review: `lic resolve` decides
    before, after = edit.get("before"), edit.get("after")
    for side, val, wanted in (("before", before, kind != "add"), ("after", after, kind != "delete")):
        if wanted and not (isinstance(val, dict) and val):
            raise RecordError(f"{kind} needs the row {side} (an object)", record=rec, field=f"{where}.{side}")
    if kind == "add":
        after = complete_row(task, after)
        row = expected_id(task, after)
        before = None
    elif kind == "update":
        # Columns the edit does not mention (split, context...) keep their value.
        after = {**before, **after}
        row = edit.get("row") or expected_id(task, before)
    else:
        row = edit.get("row") or expected_id(task, before)
        after = None
    if not isinstance(row, str):
        raise RecordError("expected a row id (a string)", record=rec, field=f"{where}.row")
    for side, val in (("before", before), ("after", after)):
        if val is not None:
            for col in task.key:
                if not isinstance(val.get(col), str) and not (task.format == "span" and _span_key(val.get(col))):
                    raise RecordError(f"key column '{col}' must be a string", record=rec,
                                      field=f"{where}.{side}.{col}")
    score = edit.get("score")
    score = round(float(score), 4) if isinstance(score, (int, float)) and not isinstance(score, bool) else None
    return Op(op=kind, row=row, before=before, after=after, score=score, source=rid), task, item


def _span_key(value: Any) -> bool:
    from lic_cli.spans import is_key

    return is_key(value)  # a CoNLL span task's key is its list of tokens


def _fold(keyed: list[tuple[tuple[Any, ...], Op]]) -> tuple[list[Op], int]:
    """Merge ops on the same row, in order; drop the ones that cancel out.

    Returns the ops in stable order (each merged op sorts where its last edit did)."""
    merged: dict[str, tuple[tuple[Any, ...], Op]] = {}
    folded = 0
    for key, op in keyed:
        prev = merged.pop(op.row, None)
        if prev is None:
            merged[op.row] = (key, op)
            continue
        folded += 1
        before, after = prev[1].before, op.after
        if before is None and after is None:
            continue
        kind = "add" if before is None else "delete" if after is None else "update"
        new = Op(op=kind, row=op.row, before=before, after=after, score=op.score, source=op.source)
        merged[op.row] = (key[:2] + op_sort_key(new)[2:], new)
    kept = [op for _, op in sorted(merged.values(), key=lambda kv: kv[0])
            if not (op.before is not None and op.after is not None and row_hash(op.before) == row_hash(op.after))]
    return kept, folded + len(merged) - len(kept)


def _default_message(task: str, ops: list[Op]) -> str:
    counts = {k: sum(1 for o in ops if o.op == k) for k in OPS}
    parts = [f"{n} {k}{'s' if n > 1 else ''}" for k, n in counts.items() if n]
    return f"{task}: {', '.join(parts)} taught in conversation"
