"""What identifies and what carries a row or a knowledge item, as text to match on."""

from __future__ import annotations

from typing import Any

from lic_cli.tasks import Task


def row_key_text(task: Task, row: dict[str, Any]) -> str:
    return " ".join(str(row.get(task.column(f), "")) for f in task.key_fields).strip()


def row_value_text(task: Task, row: dict[str, Any]) -> str:
    return " ".join(str(row.get(task.column(f), "")) for f in task.value_fields).strip()


def item_key_text(task: Task, item: dict[str, Any]) -> str:
    if item.get("kind") == "forget":
        return str(item.get("target", ""))
    return " ".join(str(item.get(f, "")) for f in task.key_fields).strip()


def item_value_text(task: Task, item: dict[str, Any]) -> str:
    return " ".join(str(item.get(f, "")) for f in task.value_fields).strip()
