"""Which text and span tasks can hold a note or a span item (router/rules.py calls `fits`)."""

from __future__ import annotations

from typing import Any

from lic_cli.tasks import Task


def fits(task: Task, item: dict[str, Any]) -> str | None:
    """Why `task` can hold `item`, or None when it cannot."""
    if item.get("kind") == "note":
        return f"{task.name} stores notes (text rows)"
    labels = {str(s.get("label")) for s in item.get("spans") or [] if isinstance(s, dict)}
    if task.labels and not labels <= set(task.labels):
        return None  # an entity label the task does not have: a proposal, not a guess
    return f"{task.name} stores entity spans" + (f" with labels {', '.join(sorted(labels))}" if labels else "")
