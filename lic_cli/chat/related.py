"""Rows that still say what a correction just replaced.

Teaching "the refund window is 30 days" updates one row, but a dataset tends to say the
same thing in many rows ("you have 14 days to start a return", "the 14-day return
window"). When an update changes one number with its unit (14 days -> 30 days), the rows
closest to the corrected key, in every task that answers questions (qa and fact), that
still carry the old number with that unit are offered as further updates: the number is
replaced and nothing else. The person picks which; nothing is changed without them.
"""

from __future__ import annotations

import re
from typing import Any

from lic_cli.locate import index as key_index
from lic_cli.locate.keys import row_key_text
from lic_cli.locate.matcher import first_stage
from lic_cli.tasks import Project, Task

SEARCH = 60  # nearest keys looked at per task
LIMIT = 8  # related rows offered at most
_PAIR = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)([ -]?)([a-z%]+)", re.IGNORECASE)


def _unit(word: str) -> str:
    w = word.lower()
    return w[:-1] if len(w) > 3 and w.endswith("s") else w


def _pairs(text: str) -> set[tuple[str, str]]:
    return {(m.group(1), _unit(m.group(3))) for m in _PAIR.finditer(text)}


def replacement(before: str, after: str) -> tuple[str, str, str] | None:
    """(old number, new number, unit) when exactly one number of a unit changed, else None."""
    old, new = _pairs(before) - _pairs(after), _pairs(after) - _pairs(before)
    units = {u for _, u in old} & {u for _, u in new}
    if len(units) != 1:
        return None
    unit = units.pop()
    olds, news = [n for n, u in old if u == unit], [n for n, u in new if u == unit]
    if len(olds) != 1 or len(news) != 1:
        return None
    return olds[0], news[0], unit


def _substitute(text: str, old: str, new: str, unit: str) -> str:
    def repl(m: re.Match[str]) -> str:
        if m.group(1) == old and _unit(m.group(3)) == unit:
            return new + m.group(2) + m.group(3)
        return m.group(0)

    return _PAIR.sub(repl, text)


def _value_columns(task: Task) -> list[str]:
    return [task.column(f) for f in task.value_fields]


def related_edits(project: Project, edit: dict[str, Any], *, encoder, tasks: list[Task],
                  skip: set[tuple[str, str]] = frozenset()) -> tuple[list[dict[str, Any]], str | None]:
    """Further update edits for rows that still carry the number `edit` replaced.

    Returns (edits, a phrase like "14 days") — ([], None) when the edit changes no number.
    """
    if edit.get("op") != "update" or not edit.get("before") or not edit.get("after"):
        return [], None
    task = project.task(edit["task"])
    cols = _value_columns(task)
    before = " ".join(str(edit["before"].get(c, "")) for c in cols)
    after = " ".join(str(edit["after"].get(c, "")) for c in cols)
    change = replacement(before, after)
    if change is None:
        return [], None
    old, new, unit = change
    query = encoder.encode([row_key_text(task, edit["before"])])[0]
    found: list[tuple[float, dict[str, Any]]] = []
    for other in tasks:
        index = key_index.load(project, other, encoder)
        rows, sims = first_stage(index, query, min(SEARCH, len(index)))
        for i, sim in zip(rows, sims, strict=True):
            rid = index.ids[i]
            if (other.name, rid) in skip or (other.name == task.name and rid == edit.get("row")):
                continue
            row = index.row(i)
            changed = {c: _substitute(row[c], old, new, unit) for c in _value_columns(other)
                       if isinstance(row.get(c), str)}
            changed = {c: v for c, v in changed.items() if v != row[c]}
            if changed:
                found.append((sim, {"item": edit.get("item", 0), "task": other.name, "op": "update", "row": rid,
                                    "score": round(float(sim), 4), "before": row, "after": {**row, **changed},
                                    "related": True}))
    found.sort(key=lambda x: -x[0])
    said = next((m.group(0) for m in _PAIR.finditer(before) if m.group(1) == old and _unit(m.group(3)) == unit),
                f"{old} {unit}")
    return [e for _, e in found[:LIMIT]], said
