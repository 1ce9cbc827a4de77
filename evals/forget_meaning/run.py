"""Forgets described in other words (issue 16): each case's forget target located in its task
(lic_cli.locate.locate_item, MiniLM loaded once), judged against the gold row.

    python evals/forget_meaning/run.py [--split dev|test] [-v]

Per split: gold rows deleted (right), rows deleted that the gold does not name (wrong: must be
0), and what the cases with no gold row became (conflict / noop)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
TASKS = """version: 1
tasks:
  - name: faq
    description: Questions and answers about {subject}.
    dataset: datasets/faq.jsonl
    format: qa
    key: [question]
  - name: facts
    description: Facts about {subject} as subject / relation / object triples.
    dataset: datasets/facts.jsonl
    format: fact
    key: [subject, relation]
"""


def write_project(root: Path, case: dict) -> None:
    (root / "datasets").mkdir(parents=True)
    (root / "tasks.yaml").write_text(TASKS.format(subject=case["subject"]), encoding="utf-8")
    qa = [{"question": q, "answer": a, "split": "train"} for q, a in case["qa"]]
    facts = [{"subject": case["subject"], "relation": r, "object": o, "split": "train"} for r, o in case["facts"]]
    for name, rows in (("faq", qa), ("facts", facts)):
        (root / "datasets" / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("dev", "test"), default="dev", help="test: held-out domains, scored once")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--grid", action="store_true", help="dev only: right / wrong deletions for a grid of "
                                                         "MEANING_MIN x MEANING_MARGIN (how they were chosen)")
    ap.add_argument("--no-meaning", action="store_true", help="without the meaning step (the baseline)")
    ap.add_argument("--agreed-grid", action="store_true", help="dev only: right / wrong deletions for a grid of "
                                                                "AGREED_MIN x AGREED_MARGIN (session 10)")
    args = ap.parse_args()
    from lic_cli.locate import forgets
    from lic_cli.models import load_encoder

    encoder = load_encoder("minilm")
    if args.no_meaning:
        forgets.MEANING_MIN = 2.0
    if args.grid:
        if args.split != "dev":
            raise SystemExit("--grid tunes: dev only")
        grid = {}
        for lo in (0.35, 0.4, 0.45, 0.5, 0.55, 0.6):
            for margin in (0.03, 0.05, 0.08, 0.1, 0.12, 0.15):
                forgets.MEANING_MIN, forgets.MEANING_MARGIN = lo, margin
                grid[(lo, margin)] = evaluate(args.split, encoder, verbose=False)
        for (lo, margin), t in grid.items():
            print(f"min {lo:.2f} margin {margin:.2f}: right {t['right']:2d} wrong {t['wrong']}")
        return 0
    if args.agreed_grid:
        if args.split != "dev":
            raise SystemExit("--agreed-grid tunes: dev only")
        for lo in (0.3, 0.35, 0.4):
            for margin in (0.05, 0.06, 0.08, 0.1, 0.12):
                forgets.AGREED_MIN, forgets.AGREED_MARGIN = lo, margin
                t = evaluate(args.split, encoder, verbose=False)
                print(f"agreed min {lo:.2f} margin {margin:.2f}: right {t['right']:2d} wrong {t['wrong']}")
        return 0
    tally = evaluate(args.split, encoder, args.verbose)
    report(args.split, tally)
    return 0


def evaluate(split: str, encoder, verbose: bool) -> Counter[str]:
    from lic_cli import locate
    from lic_cli.tasks import load_project

    domains = [json.loads(x) for x in (HERE / "cases.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    tally: Counter[str] = Counter()
    for dom in (d for d in domains if d["split"] == split):
        with tempfile.TemporaryDirectory(prefix="lic-forget-meaning-") as tmp:
            root = Path(tmp)
            write_project(root, dom)
            project = load_project(root)
            for case in dom["cases"]:
                task = project.tasks["faq" if case["task"] == "qa" else "facts"]
                item = {"kind": "forget", "target": case["target"]}
                edit = locate.locate_item(project, task, item, 0, encoder, locate.TOP_K)
                rows = dom["qa"] if case["task"] == "qa" else dom["facts"]
                gold = case["gold"]
                deleted = None
                if edit["op"] == "delete":
                    before = edit["before"]
                    key = before.get("question") if case["task"] == "qa" else before.get("relation")
                    deleted = next(i for i, r in enumerate(rows) if r[0] == key)
                if gold is not None:
                    verdict = "right" if deleted == gold else ("wrong" if deleted is not None else f"missed:{edit['op']}")
                else:
                    verdict = "wrong" if deleted is not None else f"none:{edit['op']}"
                tally[verdict.split(":")[0] if verdict.startswith(("right", "wrong")) else verdict] += 1
                if verbose and verdict != "right" and not verdict.startswith("none"):
                    print(f"  {dom['domain']} {case['task']} {case['target']!r}: {verdict} "
                          f"(gold {gold}, deleted {deleted}, {edit.get('signal')}, {edit.get('score')})", file=sys.stderr)
    return tally


def report(split: str, tally: Counter[str]) -> None:
    domains = [json.loads(x) for x in (HERE / "cases.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    n_gold = sum(1 for d in domains if d["split"] == split for c in d["cases"] if c["gold"] is not None)
    n_none = sum(1 for d in domains if d["split"] == split for c in d["cases"] if c["gold"] is None)
    print(f"{split}: gold rows deleted {tally['right']}/{n_gold}, wrong deletions {tally['wrong']} "
          f"(of {n_gold + n_none} cases; {n_none} name no one row: "
          + ", ".join(f"{k[5:]} {v}" for k, v in sorted(tally.items()) if k.startswith("none")) + "); missed: "
          + ", ".join(f"{k[7:]} {v}" for k, v in sorted(tally.items()) if k.startswith("missed")))


if __name__ == "__main__":
    sys.exit(main())
