"""Apply a patch to a dataset that is rewritten whole: CSV/TSV, Parquet, HF folders.

The same rules as the streaming JSONL applier (patches/apply.py): ops matched by row
id and checked against the row they expect, idempotent ops skipped, conflicts
reported with nothing written, adds at the end, one new version recorded with the
dataset's content hash. The format (store/formats) hands over only the rows whose key
a patch may target, and writes the new version beside the dataset, renamed into
place by versions.commit.
"""

from __future__ import annotations

from typing import Any

from lic_cli.errors import ConflictError, PatchError
from lic_cli.patches.apply import ApplyResult, _conflict_message, _record, base_id, expected_id
from lic_cli.patches.fileformat import Op, Patch, utc_now
from lic_cli.store import formats
from lic_cli.store.rows import RowIds, file_hash, normalize_text, row_hash
from lic_cli.tasks import Project, Task


def apply_table(project: Project, task: Task, patch: Patch, name: str, patch_path: str | None,
                author: str | None, now: str | None, *, dry_run: bool) -> ApplyResult:
    dataset = project.dataset_path(task)
    fmt = formats.table(dataset)
    assert fmt is not None
    data_name = task.dataset
    by_row = {op.row: op for op in patch.ops if op.op != "add"}
    adds = [op for op in patch.ops if op.op == "add"]
    rows = [r for op in patch.ops for r in (op.before, op.after) if r]
    track = {base_id(op.row) for op in patch.ops} | {expected_id(task, op.after) for op in patch.ops if op.after}
    targets = None if task.id_column else {normalize_text(r.get(task.key[0], "")) for r in rows}
    try:
        old_hash = file_hash(dataset)
    except OSError as exc:
        raise PatchError(f"{data_name}: cannot open ({exc.strerror})") from None
    cand = fmt.candidates(dataset, data_name, task.key[0], targets)
    ids = RowIds(task, track=track)
    seen: dict[str, set[str]] = {}
    found: set[str] = set()
    applied: list[Op] = []
    changes: dict[int, dict[str, Any] | None] = {}
    skipped = deleted = 0
    conflicts: list[tuple[Op, dict[str, Any] | None, int | None]] = []
    for pos, line, row in cand.rows:
        rid = ids(row)
        base = base_id(rid)
        current = row_hash(row)
        if base in track:
            seen.setdefault(base, set()).add(current)
        op = by_row.get(rid)
        if op is None:
            continue
        found.add(rid)
        if op.after is not None and current == row_hash(op.after):
            skipped += 1
        elif op.before is not None and current == row_hash(op.before):
            applied.append(op)
            changes[pos] = op.after
            if op.after is None:
                deleted += 1
        else:
            conflicts.append((op, row, line))
    for rid, op in by_row.items():
        if rid in found:
            continue
        if op.op == "delete":
            skipped += 1
        elif op.after is not None and row_hash(op.after) in seen.get(expected_id(task, op.after), ()):
            skipped += 1
        else:
            conflicts.append((op, None, None))
    new_rows: list[dict[str, Any]] = []
    for op in adds:
        assert op.after is not None
        row = op.after
        # The split column is filled only where the dataset has one (absent: the default split).
        if task.split_column and task.split_column in cand.columns and task.split_column not in row:
            row = {**row, task.split_column: task.default_split}
        if row_hash(row) in seen.get(expected_id(task, row), ()):
            skipped += 1
            continue
        new_rows.append(row)
        applied.append(op)
    if conflicts:
        raise ConflictError(_conflict_message(name, data_name, conflicts))
    rows_new = cand.total - deleted + len(new_rows)
    out = None
    try:
        new_hash = old_hash
        if applied:
            out = fmt.open_output(dataset)
            fmt.write(cand, changes, new_rows, out, data_name)
            new_hash = file_hash(out.prepare())
        return _record(project, task, patch, out, patch_path, author, now or utc_now(),  # type: ignore[arg-type]
                       old_hash=old_hash, new_hash=new_hash, rows_old=cand.total, rows_new=rows_new,
                       applied=applied, skipped=skipped, dry_run=dry_run)
    finally:
        if out is not None:
            if not out.done:
                out.discard()
            out.settle()
