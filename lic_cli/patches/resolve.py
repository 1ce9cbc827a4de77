"""Resolve the edits locate left for a person, without editing JSONL by hand.

A `conflict` edit (a near match locate could not decide) and a proposal marked `review`
(`rewrite`: no span of the stored value could be found; `sweep`: another row that still
states the corrected value; `taught`: a taught value, not said as a correction, that meets a
stored row's: update it or add beside it) never go into a patch (`lic apply --sweep` takes the sweep's).
`lic resolve` reads located records, asks what to do with each such edit, and writes the
records back with the decision made, ready for `lic apply`:

| choice   | the edit becomes                                                        |
|----------|-------------------------------------------------------------------------|
| `update` | an update of the row locate found, to the proposed row                  |
| `add`    | an add of the proposed row as a new row                                 |
| `delete` | a delete of the row (forget conflicts)                                  |
| `edit`   | an update of the row, with the value a person typed                     |
| `skip`   | a noop: nothing changes                                                 |

Each resolved edit keeps what locate proposed under `resolved` (who chose what), so the
decision is reviewable in the records and in the patch's source turn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from lic_cli.errors import InputError, RecordError
from lic_cli.jsonl import record_id
from lic_cli.tasks import Project

CHOICES = ("update", "add", "delete", "edit", "skip")


@dataclass(frozen=True)
class Decision:
    choice: str
    value: str | None = None  # `edit`: the new value of the row's value column


Decide = Callable[[dict[str, Any], int, dict[str, Any]], Decision | None]


def needs_person(edit: Any) -> bool:
    return isinstance(edit, dict) and (edit.get("op") == "conflict" or bool(edit.get("review")))


def edit_ref(rec: dict[str, Any], i: int) -> str:
    """How a person names an edit: `<record id>#<index in edits>` (e.g. refund/t3#0)."""
    return f"{record_id(rec) or '?'}#{i}"


def choices_for(edit: dict[str, Any]) -> tuple[str, ...]:
    if edit.get("after") is None:  # a forget conflict: the row or nothing
        return ("delete", "skip")
    if edit.get("review") == "sweep":  # a stored row to bring up to date, or not
        return ("update", "edit", "skip")
    return ("update", "add", "edit", "skip")


def apply_decision(project: Project, rec: dict[str, Any], i: int, edit: dict[str, Any], d: Decision,
                   author: str) -> dict[str, Any]:
    """The edit with the decision made (raises RecordError for a choice that does not fit)."""
    field = f"edits[{i}]"
    if d.choice not in choices_for(edit):
        raise RecordError(f"cannot {d.choice} this edit (choices: {', '.join(choices_for(edit))})",
                          record=rec, field=field)
    task = project.task(str(edit.get("task")))
    before, proposed = edit.get("before"), edit.get("after")
    out = {k: v for k, v in edit.items() if k not in ("review",)}
    out["resolved"] = {"by": author, "choice": d.choice, "was": edit.get("op"),
                       **({"review": edit["review"]} if edit.get("review") else {})}
    if d.choice == "skip":
        out.update(op="noop", after=None)
    elif d.choice == "delete":
        out.update(op="delete", after=None)
    elif d.choice == "add":
        row = {k: v for k, v in (proposed or {}).items() if k != task.id_column}
        if before:  # an add keeps only the knowledge's own columns of the row it was compared with
            row = {c: row[c] for c in row if c in {task.column(f) for f in task.key_fields + task.value_fields}}
        row.setdefault(task.split_column, task.default_split)
        out.update(op="add", row=None, before=None, after=row)
    else:
        if not isinstance(before, dict):
            raise RecordError("this edit names no row to update; choose add or skip", record=rec, field=field)
        value_col = task.column(task.value_fields[0])
        new_value = d.value if d.choice == "edit" else (proposed or {}).get(value_col)
        if d.choice == "edit" and not (isinstance(new_value, str) and new_value.strip()):
            raise InputError(f"{edit_ref(rec, i)}: edit needs a non-empty value")
        out.update(op="update", after={**before, value_col: new_value})
    return out


def resolve(records: Iterable[dict[str, Any]], *, project: Project, decide: Decide, author: str,
            stats: dict[str, int] | None = None) -> Iterator[dict[str, Any]]:
    """Every record, with each edit that needs a person decided by `decide` (None: left as it is)."""
    stats = stats if stats is not None else {}
    for rec in records:
        edits = rec.get("edits")
        if not isinstance(edits, list) or not any(needs_person(e) for e in edits):
            yield rec
            continue
        new = []
        for i, edit in enumerate(edits):
            if not needs_person(edit):
                new.append(edit)
                continue
            d = decide(rec, i, edit)
            if d is None:
                stats["left"] = stats.get("left", 0) + 1
                new.append(edit)
                continue
            stats[d.choice] = stats.get(d.choice, 0) + 1
            new.append(apply_decision(project, rec, i, edit, d, author))
        yield {**rec, "edits": new}


def parse_choices(specs: Iterable[str]) -> dict[str, Decision]:
    """`--choose REF=CHOICE` (REF: a row id or `<record id>#<i>`; CHOICE: update, add, delete,
    skip, or `edit:NEW VALUE`)."""
    out = {}
    for spec in specs:
        ref, sep, choice = spec.partition("=")
        if not sep or not ref:
            raise InputError(f"--choose {spec!r}: expected REF=CHOICE (e.g. refund/t3#0=update)")
        value = None
        if choice.startswith("edit:"):
            choice, value = "edit", choice[5:]
        if choice not in CHOICES:
            raise InputError(f"--choose {spec!r}: unknown choice {choice!r} (expected {', '.join(CHOICES)} "
                             "or edit:VALUE)")
        out[ref] = Decision(choice, value)
    return out


def scripted(choices: dict[str, Decision], default: str | None) -> Decide:
    """The non-interactive form: decisions by edit reference or row id, else `--all`."""
    def decide(rec: dict[str, Any], i: int, edit: dict[str, Any]) -> Decision | None:
        for ref in (edit_ref(rec, i), str(edit.get("row"))):
            if ref in choices:
                return choices[ref]
        if default is not None and default in choices_for(edit):
            return Decision(default)
        return None

    return decide


def describe(rec: dict[str, Any], i: int, edit: dict[str, Any]) -> list[str]:
    """Lines a person reads before choosing."""
    lines = [f"{edit_ref(rec, i)}  task {edit.get('task')}  {edit.get('op')}"
             f"{' (' + str(edit['review']) + ' for review)' if edit.get('review') else ''}"
             f"  row {edit.get('row')}  score {edit.get('score')}",
             f"  turn:     {rec.get('text', '')}"]
    if edit.get("reason"):
        lines.append(f"  why:      {edit['reason']}")
    if edit.get("before"):
        lines.append(f"  stored:   {edit['before']}")
    if edit.get("after"):
        lines.append(f"  proposed: {edit['after']}")
    return lines
