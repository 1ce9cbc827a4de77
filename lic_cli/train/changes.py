"""Which rows the patches changed since a given dataset version, and by which patch.

Incremental training teaches these rows (with replayed old ones), and `lic eval`
measures what was learned from each patch. The version log names the patch of every
version; its add and update ops give the rows, deletes take rows out again. Only rows
still in the current dataset count (a later patch may have changed them once more:
the newest patch is the one that taught them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lic_cli.patches.fileformat import read_patch
from lic_cli.store.rows import key_id
from lic_cli.store.versions import read_log
from lic_cli.tasks import Project, Task


@dataclass(frozen=True)
class ChangeSet:
    changes: list[Change]  # rows added or updated, still in the dataset, in patch order
    deleted: int  # delete ops among the patches (an LM cannot unlearn a row incrementally)


@dataclass(frozen=True)
class Change:
    row: dict[str, Any]  # the row as it is in the current dataset
    op: str  # add | update
    version: int  # the dataset version the patch made
    patch: str  # project-relative patch path


def changes_since(project: Project, task: Task, since_hash: str, rows: list[dict[str, Any]],
                  until_hash: str | None = None) -> ChangeSet | None:
    """Rows of `rows` (the current dataset) added or updated after the version with
    `since_hash` (up to the version with `until_hash`, default the newest), in patch order.
    None when that cannot be known: a hash is not in the version log, or a version in
    between is a hand edit (no patch says what changed).
    """
    log = read_log(project, task)
    end = len(log)
    if until_hash is not None:
        found = next((i for i in range(len(log) - 1, -1, -1) if log[i].hash == until_hash), None)
        if found is None:
            return None
        end = found + 1
    start = next((i for i in range(end - 1, -1, -1) if log[i].hash == since_hash), None)
    if start is None:
        return None
    taught: dict[str, tuple[str, int, str, dict[str, Any]]] = {}
    deleted = 0
    for version in log[start + 1:end]:
        if version.patch is None:
            return None
        patch = read_patch(project.path(version.patch), version.patch, check_id=False)
        for op in patch.ops:
            deleted += op.op == "delete"
            if op.before is not None:
                taught.pop(key_id(task, op.before), None)
            if op.after is not None:
                taught[key_id(task, op.after)] = (op.op, version.version, version.patch, op.after)
    current = {key_id(task, row): row for row in rows}
    out = []
    for key, (op, version_no, patch_path, _after) in taught.items():
        row = current.get(key)
        if row is not None:
            out.append(Change(row=row, op=op, version=version_no, patch=patch_path))
    return ChangeSet(changes=out, deleted=deleted)
