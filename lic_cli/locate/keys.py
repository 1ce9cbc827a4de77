"""What identifies and what carries a row or a knowledge item, as text to match on."""

from __future__ import annotations

import re
from typing import Any

from lic_cli.tasks import FORMATS, Task


def row_key_fields(task: Task, row: dict[str, Any]) -> tuple[str, ...]:
    if task.format == "span" and task.span_style == "conll":  # the sentence, from its tokens
        from lic_cli.spans import from_conll

        return (from_conll(list(row.get(task.column("tokens")) or []), [])[0],)
    return tuple(str(row.get(task.column(f), "")) for f in task.key_fields)


def row_key_text(task: Task, row: dict[str, Any]) -> str:
    return " ".join(row_key_fields(task, row)).strip()


def row_value_text(task: Task, row: dict[str, Any]) -> str:
    return " ".join(str(row.get(task.column(f), "")) for f in task.value_fields).strip()


QUOTED = re.compile(r"(?:^|(?<=[\s(:]))[\"'‘“]([^\"“”]{3,}?)[\"'’”](?=$|[\s.,;:!?)])")


def forget_target(item: dict[str, Any]) -> str:
    """What a forget item names: the quoted text when it quotes one ("Remove the ticket
    'hello world'" names the row 'hello world'), else the whole target."""
    target = str(item.get("target", ""))
    m = QUOTED.search(target)
    return m.group(1).strip() if m else target


def item_key_fields(task: Task, item: dict[str, Any]) -> tuple[str, ...]:
    """The item's key, field by field; a forget target is one free-text field."""
    if item.get("kind") == "forget":
        return (forget_target(item),)
    return tuple(str(item.get(f, "")) for f in task.key_fields)


def item_key_text(task: Task, item: dict[str, Any]) -> str:
    return " ".join(item_key_fields(task, item)).strip()


def item_value_text(task: Task, item: dict[str, Any]) -> str:
    return " ".join(str(item.get(f, "")) for f in task.value_fields).strip()


def item_own_key(item: dict[str, Any]) -> str:
    """The item's key in its own kind, as one text: a question, or "subject relation"."""
    fields = FORMATS.get(str(item.get("kind")), {}).get("key", ())
    return " ".join(str(item.get(f, "")) for f in fields).strip()
