"""Choose `locate.cross.VALUE_SIM` (qa→fact by value) on the route eval's dev split, then score
test once at the chosen value, with the value match off beside it (same run).

    python evals/route_value_sim.py            # the demo project (repository root)

Prints, per threshold, dev accuracy, cross-kind routes found and wrong cross-kind routes; the
chosen threshold (best dev accuracy, ties to the higher threshold); then test aggregates only.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GRID = (0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80)
OFF = 9.0  # no cosine reaches it: the value match never fires


def score(cases, project, scorer, sim: float) -> dict:
    from lic_cli.locate import cross
    from lic_cli.router import route_item

    cross.VALUE_SIM = sim
    ok = found = expected = wrong = 0
    for c in cases:
        got = [r["task"] for r in route_item(project, scorer, c["item"], 0)]
        want = list(c["expect"].get("tasks") or [])
        ok += sorted(got) == sorted(want)
        other = {"qa": "facts", "fact": "support_qa"}.get(c["item"].get("kind"))
        if other:
            expected += other in want
            found += other in want and other in got
            wrong += other in got and other not in want
    return {"acc": ok / len(cases), "n": len(cases), "cross": f"{found}/{expected}", "wrong": wrong}


def main() -> int:
    from lic_cli.locate.evaluate import read_cases
    from lic_cli.models import load_encoder
    from lic_cli.router.scorer import Scorer
    from lic_cli.tasks import load_project

    project = load_project(ROOT)
    scorer = Scorer(project, load_encoder("minilm"))
    cases = read_cases(ROOT / "evals" / "route.jsonl", ())
    dev = [c for c in cases if c["split"] == "dev"]
    test = [c for c in cases if c["split"] == "test"]
    rows = [(sim, score(dev, project, scorer, sim)) for sim in (OFF, *GRID)]
    for sim, r in rows:
        print(f"dev  VALUE_SIM={'off' if sim == OFF else sim:<5} acc {r['acc']:.4f} ({r['n']})  cross {r['cross']}  "
              f"wrong cross {r['wrong']}", file=sys.stderr)
    best = max(rows[1:], key=lambda x: (round(x[1]["acc"], 6), x[0]))[0]
    print(f"chosen on dev: VALUE_SIM={best}", file=sys.stderr)
    for sim in (OFF, best):
        r = score(test, project, scorer, sim)
        print(f"test VALUE_SIM={'off' if sim == OFF else sim:<5} acc {r['acc']:.4f} ({r['n']})  cross {r['cross']}  "
              f"wrong cross {r['wrong']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
