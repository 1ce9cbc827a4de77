"""`lic locate --eval FILE`: score locate against a project-written eval set.

A case names a task, a knowledge item (kind + fields) and the expected edit:
`{"op": ..., "row": [key column values] | null}`. Rows are named by their key, not
their id, so the files stay readable. Cases carry a fixed `split` (dev: tune on it;
test: report it). Metrics per split: accuracy (op right, and the row when one is
expected), precision@1 (the row locate picked is the expected one, over cases that
expect a row) and the confusion of ops (expected -> predicted).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from lic_cli.errors import InputError
from lic_cli.extract.schema import REQUIRED, make_item
from lic_cli.jsonl import read_jsonl_file
from lic_cli.store.rows import normalize_text
from lic_cli.tasks import Project

SPLITS = ("dev", "test")


def read_cases(path: str | Path, required: tuple[str, ...]) -> list[dict[str, Any]]:
    """Eval cases, checked: one clear line naming file, line and field on bad input."""
    cases = []
    for line, case in read_jsonl_file(path):
        for name in ("id", "split", "item", "expect") + required:
            if name not in case:
                raise InputError("missing", source=str(path), line=line, field=name)
        if case["split"] not in SPLITS:
            raise InputError(f"expected one of {', '.join(SPLITS)}", source=str(path), line=line, field="split")
        item = case["item"]
        if not isinstance(item, dict) or item.get("kind") not in REQUIRED:
            raise InputError(f"expected an item with kind in {', '.join(REQUIRED)}", source=str(path), line=line,
                             field="item.kind")
        fields = {k: v for k, v in item.items() if k != "kind"}
        for name in REQUIRED[item["kind"]]:
            if not isinstance(fields.get(name), str) or not fields[name].strip():
                raise InputError("expected a non-empty string", source=str(path), line=line, field=f"item.{name}")
        cases.append({**case, "item": make_item(item["kind"], fields, source=f"eval/{case['id']}", engine="eval"),
                      "line": line})
    return cases


def summarize(results: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """results: {split, correct, p1 (None when not applicable), expected, predicted, id}."""
    out: dict[str, Any] = {}
    for split in SPLITS + ("all",):
        rs = [r for r in results if split in (r["split"], "all")]
        if not rs:
            continue
        p1 = [r["p1"] for r in rs if r["p1"] is not None]
        confusion: dict[str, Counter] = {}
        for r in rs:
            confusion.setdefault(r["expected"], Counter())[r["predicted"]] += 1
        out[split] = {"cases": len(rs), "accuracy": round(sum(r["correct"] for r in rs) / len(rs), 4),
                      "precision_at_1": round(sum(p1) / len(p1), 4) if p1 else None, "p1_cases": len(p1),
                      "confusion": {e: dict(sorted(c.items())) for e, c in sorted(confusion.items())},
                      "errors": [r["id"] for r in rs if not r["correct"]]}
    return out


def report_text(summary: dict[str, Any], what: str) -> str:
    lines = []
    for split, s in summary.items():
        p1 = "n/a" if s["precision_at_1"] is None else f"{s['precision_at_1']:.4f}"
        lines.append(f"{what} [{split}] cases={s['cases']} accuracy={s['accuracy']:.4f} "
                     f"precision@1={p1} (over {s['p1_cases']})")
        labels = sorted(set(s["confusion"]) | {p for c in s["confusion"].values() for p in c})
        width = max(len(x) for x in labels + ["expected"]) + 1
        lines.append("  " + "expected".ljust(width) + "".join(p[:9].rjust(10) for p in labels))
        for e in labels:
            row = s["confusion"].get(e, {})
            if row:
                lines.append("  " + e.ljust(width) + "".join(str(row.get(p, 0)).rjust(10) for p in labels))
        if s["errors"]:
            lines.append(f"  wrong: {', '.join(s['errors'][:30])}" + (" ..." if len(s["errors"]) > 30 else ""))
    return "\n".join(lines)


def _key(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(normalize_text(v) for v in values)


def evaluate(path: str | Path, *, project: Project, encoder, top_k: int = 5,
             progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    from lic_cli.locate import locate_item

    results = []
    for n, case in enumerate(read_cases(path, ("task",))):
        if case["task"] not in project.tasks:
            raise InputError(f"unknown task {case['task']!r}", source=str(path), line=case["line"], field="task")
        task = project.tasks[case["task"]]
        edit = locate_item(project, task, case["item"], 0, encoder, top_k)
        want_op, want_row = case["expect"].get("op"), case["expect"].get("row")
        got_row = task.key_of(edit["before"]) if edit.get("before") else None
        row_ok = want_row is None or (got_row is not None and _key(got_row) == _key(want_row))
        results.append({"id": case["id"], "split": case["split"], "expected": want_op, "predicted": edit["op"],
                        "correct": edit["op"] == want_op and row_ok,
                        "p1": None if want_row is None else bool(got_row is not None and row_ok)})
        if progress:
            progress(n + 1)
    return summarize(results)
