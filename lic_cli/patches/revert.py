"""The inverse of a patch: applied as a new version, it undoes the original.

add <-> delete, and an update swaps before and after. A re-added row goes at the end
of the dataset (row order carries no meaning). A patch that added a row whose key was
already present deletes exactly that copy: its id is found by streaming the dataset.
"""

from __future__ import annotations

from typing import Any

from lic_cli.patches.apply import base_id, check_patch, complete_row, expected_id, find_ids
from lic_cli.patches.fileformat import Op, Patch, op_sort_key
from lic_cli.store.rows import row_hash
from lic_cli.store.versions import current_version
from lic_cli.tasks import Project


def inverse(project: Project, patch: Patch, *, name: str, author: str, time: str,
            message: str | None = None) -> Patch:
    task = check_patch(project, patch, name)
    added = [complete_row(task, op.after) for op in patch.ops if op.op == "add" and op.after]
    ids = find_ids(project, task, added)
    ops: list[Op] = []
    for op in patch.ops:
        new: dict[str, Any]
        if op.op == "add":
            assert op.after is not None
            row = complete_row(task, op.after)
            new = {"op": "delete", "row": ids.get(row_hash(row), op.row), "before": row, "after": None}
        elif op.op == "delete":
            assert op.before is not None
            new = {"op": "add", "row": expected_id(task, op.before), "before": None, "after": op.before}
        else:
            assert op.before is not None and op.after is not None
            same_key = expected_id(task, op.after) == base_id(op.row)
            new = {"op": "update", "row": op.row if same_key else expected_id(task, op.after),
                   "before": op.after, "after": op.before}
        ops.append(Op(**new, score=op.score, source=op.source))
    ops.sort(key=op_sort_key)
    version, digest = current_version(project, task)
    return Patch(task=patch.task, dataset=patch.dataset, base_version=version, base_hash=digest,
                 author=author, time=time, source=patch.source,
                 message=message or f"Revert {name}: {patch.message}", ops=tuple(ops), reverts=patch.id)
