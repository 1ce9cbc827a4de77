"""The extract stage: what exactly is the knowledge in each teaching turn.

Adds `knowledge` (a list of items, see docs/records.md and `schema.py`) to every user
turn whose `intent.label` is teach, correct or forget; every other turn and key passes
through untouched. A teaching turn that yields nothing gets `knowledge: []` and an
entry in `errors`, so it is never dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lic_cli.errors import InputError, RecordError
from lic_cli.extract import rules
from lic_cli.extract.schema import item_problems, make_item
from lic_cli.jsonl import record_id
from lic_cli.records import Context, is_teaching, is_user

ENGINES = ("rules", "auto")
STAGE = "extract"


@dataclass
class Stats:
    """Counts for the command's summary line on stderr."""

    teaching: int = 0
    items: int = 0
    empty: list[str] = field(default_factory=list)  # record ids of teaching turns with no item


def run(records: Iterable[dict], *, engine: str = "rules", stats: Stats | None = None) -> Iterator[dict]:
    """Add `knowledge` to teaching turns. `auto` picks the best available engine (rules, for now)."""
    if engine not in ENGINES:
        raise InputError(f"unknown extract engine {engine!r} (expected {', '.join(ENGINES)})", field="engine")
    stats = stats if stats is not None else Stats()
    context = Context()
    for rec in records:
        out = rec
        if is_user(rec) and is_teaching(rec):
            out = _extract(rec, context.before(rec), stats)
        context.add(rec)
        yield out


def _extract(rec: dict, before: list[dict], stats: Stats) -> dict:
    text = rec.get("text")
    if not isinstance(text, str):
        raise RecordError(f"expected a string, got {type(text).__name__}", record=rec, field="text")
    errors = rec.get("errors", [])
    if not isinstance(errors, list):
        raise RecordError(f"expected a list, got {type(errors).__name__}", record=rec, field="errors")
    # Re-running extract replaces its own earlier error entries instead of piling them up.
    errors = [e for e in errors if not (isinstance(e, dict) and e.get("stage") == STAGE)]
    source = record_id(rec) or ""
    label = rec["intent"]["label"]

    knowledge: list[dict[str, Any]] = []
    for kind, fields in rules.extract(text, label, before):
        item = make_item(kind, fields, source=source, engine="rules")
        problems = item_problems(item)
        if problems:
            errors.append({"stage": STAGE, "reason": f"dropped a {kind} item: {'; '.join(problems)}"})
        else:
            knowledge.append(item)
    stats.teaching += 1
    stats.items += len(knowledge)
    if not knowledge:
        stats.empty.append(source)
        errors.append({"stage": STAGE, "reason": f"no knowledge found in this {label} turn by the rules engine"})

    out = {**rec, "knowledge": knowledge}
    if errors:
        out["errors"] = errors
    else:
        out.pop("errors", None)
    return out
