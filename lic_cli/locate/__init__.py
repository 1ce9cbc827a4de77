"""locate: for each routed knowledge item, the edit to make in that task's dataset.

Ops: `add` (new; nearest rows as evidence), `update` (same key, different value:
before and after), `delete` (forget), `noop` (already known: same key, or a
paraphrase, with the same value) and `conflict` (a near match too weak to decide;
for a person to resolve). Adds `edits` to each record with routes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from lic_cli.errors import RecordError
from lic_cli.extract.schema import validate_item
from lic_cli.locate import index as key_index
from lic_cli.locate.keys import item_key_fields, item_value_text
from lic_cli.locate.matcher import Candidate, same_value, search
from lic_cli.tasks import Project, Task

# Decision thresholds on the blended score (see docs/locate.md).
SAME_KEY = 0.86  # at or above: the same row
NEAR = 0.78  # between NEAR and SAME_KEY with a different value: conflict
FORGET = 0.86  # a forget target must match this well to delete; NEAR..FORGET is a conflict
PARAPHRASE = 0.60  # a candidate this close carrying the very same value is the row (already known)
FIELD_SAME = 0.90  # multi-column keys (subject + relation): each column must match this well to be the same key
TOP_K = 5


def run(records: Iterable[dict], *, project: Project, encoder, top_k: int = TOP_K) -> Iterator[dict]:
    for rec in records:
        routes = rec.get("routes")
        if not routes:
            yield rec
            continue
        knowledge = rec.get("knowledge")
        if not isinstance(routes, list):
            raise RecordError("expected a list of routes", record=rec, field="routes")
        if not isinstance(knowledge, list):
            raise RecordError("routes without a knowledge list: run 'lic extract' first", record=rec,
                              field="knowledge")
        edits = []
        for i, route in enumerate(routes):
            item_no, task = _check_route(rec, route, i, knowledge, project)
            edits.append(locate_item(project, task, knowledge[item_no], item_no, encoder, top_k))
        yield {**rec, "edits": edits}


def _check_route(rec: dict, route: Any, i: int, knowledge: list, project: Project) -> tuple[int, Task]:
    """Routes may have been edited by hand between stages: check them before trusting them."""
    field = f"routes[{i}]"
    if not isinstance(route, dict):
        raise RecordError("expected an object with 'item' and 'task'", record=rec, field=field)
    item_no = route.get("item")
    if not isinstance(item_no, int) or isinstance(item_no, bool) or not 0 <= item_no < len(knowledge):
        raise RecordError(f"no knowledge item {item_no!r} (the record has {len(knowledge)})",
                          record=rec, field=f"{field}.item")
    validate_item(knowledge[item_no], index=item_no, record=rec)
    name = route.get("task")
    if not isinstance(name, str) or name not in project.tasks:
        raise RecordError(f"unknown task {name!r} (tasks: {', '.join(project.tasks)})", record=rec,
                          field=f"{field}.task")
    return item_no, project.tasks[name]


def _evidence(index, cands: list[Candidate]) -> list[dict[str, Any]]:
    return [{"row": index.ids[c.i], "key": index.keys[c.i], "value": index.value(c.i),
             "fuzz": c.fuzz, "sim": c.sim, "score": c.score} for c in cands]


def locate_item(project: Project, task: Task, item: dict, item_no: int, encoder, top_k: int) -> dict:
    index = key_index.load(project, task, encoder)
    query = item_key_fields(task, item)
    cands = search(index, query, k=top_k)
    best = cands[0] if cands else None
    edit: dict[str, Any] = {"item": item_no, "task": task.name}
    if item.get("kind") == "forget":
        if best is not None and best.score >= FORGET:
            edit.update(op="delete", row=index.ids[best.i], score=best.score, before=index.row(best.i), after=None)
        elif best is not None and best.score >= NEAR:
            edit.update(op="conflict", row=index.ids[best.i], score=best.score, before=index.row(best.i),
                        after=None, reason="the closest row is not a sure match for the forget target")
        else:
            edit.update(op="noop", row=None, score=best.score if best else 0.0, before=None, after=None,
                        reason="nothing in this task matches the forget target")
    else:
        after_fields = task.to_row(item)
        value = item_value_text(task, item)
        # A label is shared by many rows: only the same text is already known. A qa answer or a
        # fact object is specific, so a paraphrased key carrying the very same value is.
        floor = SAME_KEY if task.format == "label" else PARAPHRASE
        known = next((c for c in cands if c.score >= floor and same_value(index.value(c.i), value)), None)
        # "Kestrel / founded by" is not "Kestrel / founded in": close embeddings, different key.
        same_key = best is not None and best.score >= SAME_KEY and (len(task.key_fields) == 1 or best.fuzz >= FIELD_SAME)
        if known is not None:
            edit.update(op="noop", row=index.ids[known.i], score=known.score, before=index.row(known.i), after=None,
                        reason="already known" if known is best and same_key else
                        "a paraphrase with the same value is already known")
        elif same_key:
            before = index.row(best.i)
            edit.update(op="update", row=index.ids[best.i], score=best.score, before=before,
                        after={**before, **{c: v for c, v in after_fields.items() if c not in task.key}})
        elif best is not None and best.score >= NEAR and (len(task.key_fields) == 1 or best.fuzz >= FIELD_SAME):
            edit.update(op="conflict", row=index.ids[best.i], score=best.score, before=index.row(best.i),
                        after=after_fields, reason="close to an existing row with a different value")
        else:
            edit.update(op="add", row=None, score=best.score if best else 0.0, before=None,
                        after={**after_fields, task.split_column: task.default_split},
                        position={"at": "end", "split": task.default_split, "rows": len(index)})
    edit["candidates"] = _evidence(index, cands)
    return edit
