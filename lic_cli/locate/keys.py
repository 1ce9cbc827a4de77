"""What identifies and what carries a row or a knowledge item, as text to match on."""

from __future__ import annotations

from typing import Any

from lic_cli.tasks import Task


def row_key_fields(task: Task, row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(row.get(task.column(f), "")) for f in task.key_fields)


def row_key_text(task: Task, row: dict[str, Any]) -> str:
    return " ".join(row_key_fields(task, row)).strip()


def row_value_text(task: Task, row: dict[str, Any]) -> str:
    return " ".join(str(row.get(task.column(f), "")) for f in task.value_fields).strip()


def item_key_fields(task: Task, item: dict[str, Any]) -> tuple[str, ...]:
    """The item's key, field by field; a forget target is one free-text field."""
    if item.get("kind") == "forget":
        return (str(item.get("target", "")),)
    return tuple(str(item.get(f, "")) for f in task.key_fields)


def item_key_text(task: Task, item: dict[str, Any]) -> str:
    return " ".join(item_key_fields(task, item)).strip()


def item_value_text(task: Task, item: dict[str, Any]) -> str:
    return " ".join(str(item.get(f, "")) for f in task.value_fields).strip()
