"""`lic route --eval FILE`: score routing against a project-written eval set.

A case is a knowledge item and the tasks a person expects, best first
(`{"tasks": [...]}`; `[]` means no task fits: for everything but forget, a proposal).
Accuracy: the set of routed tasks is the expected set. precision@1: the top route is
the expected first task (cases expecting a route). Confusion: expected vs predicted
top task, `(none)` for no route.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lic_cli.locate.evaluate import read_cases, summarize
from lic_cli.tasks import Project

NONE = "(none)"


def evaluate(path: str | Path, *, project: Project, encoder) -> dict[str, Any]:
    from lic_cli.router import route_item
    from lic_cli.router.scorer import Scorer

    scorer = Scorer(project, encoder)
    results = []
    for case in read_cases(path, ()):
        routes = route_item(project, scorer, case["item"], 0)
        got = [r["task"] for r in routes]
        want = list(case["expect"].get("tasks") or [])
        results.append({"id": case["id"], "split": case["split"], "expected": want[0] if want else NONE,
                        "predicted": got[0] if got else NONE, "correct": sorted(got) == sorted(want),
                        "p1": (bool(got) and got[0] == want[0]) if want else None})
    return summarize(results)
