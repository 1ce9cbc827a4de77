"""Schema compatibility: which tasks can hold a knowledge item at all.

Tasks of format `extraction` (lic's own extractor training data) never receive
knowledge: their rows are teaching turns, not the things taught.
"""

from __future__ import annotations

from typing import Any

from lic_cli.router.kinds import fits
from lic_cli.tasks import KIND_FORMAT, Project, Task

ROUTABLE = ("qa", "fact", "label", "text", "span")  # the formats that store knowledge items


def compatible(project: Project, item: dict[str, Any]) -> list[tuple[Task, str]]:
    """(task, reason) for every task whose schema accepts the item."""
    kind = item.get("kind")
    out = []
    for task in project.tasks.values():
        if task.format not in ROUTABLE:
            continue
        if kind == "forget":
            out.append((task, "forget: any task may hold the target"))
        elif KIND_FORMAT.get(str(kind), kind) != task.format:
            continue
        elif kind in ("note", "span"):
            reason = fits(task, item)
            if reason:
                out.append((task, reason))
        elif kind == "label":
            named = item.get("task")
            if named and named != task.name:
                continue
            if item.get("label") in task.labels:
                out.append((task, f"label '{item['label']}' is in {task.name}'s label set"))
        else:
            out.append((task, f"{task.name} stores {kind} rows"))
    return out


def proposal(item: dict[str, Any]) -> dict[str, Any]:
    """A tasks.yaml snippet for knowledge no task accepts — for a person to accept, never applied."""
    kind = item.get("kind", "qa")
    if kind == "label":
        name = str(item.get("task") or f"{item.get('label', 'new')}_labels").lower().replace("-", "_")
        snippet: dict[str, Any] = {"name": name, "format": "label",
                                   "description": f"Examples labelled {item.get('label')} (proposed from: "
                                                  f"{item.get('statement', '')})",
                                   "dataset": f"datasets/{name}.jsonl",
                                   "labels": [item.get("label"), "other"]}
    else:
        name = f"new_{kind}"
        snippet = {"name": name, "format": KIND_FORMAT.get(kind, kind),
                   "description": f"Proposed for: {item.get('statement', '')}",
                   "dataset": f"datasets/{name}.jsonl"}
    return {"item": None, "reason": "no task in tasks.yaml accepts this knowledge", "tasks_yaml": snippet}
