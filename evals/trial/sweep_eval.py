"""Precision and recall of the stale-value sweep on hand-written corrections (issue 16).

evals/trial/sweep/gold.jsonl: one correction per line, in a small project of its own (a QA
task and a facts task), with the rows the sweep must propose (`swept`); every other row
that states the replaced value is a distractor about another subject. The gold was written
and committed before the sweep was first run on it (the six cases with a `said` turn, which
the sweep also reads, were added in session 12 before any change for them); `dev` cases were used to tune the
subject test, `test` cases only to measure it. The corrected row's update is made by
locate's own code (`_update_value`), the sweep by `sweep.sweep`: no model is loaded.

    python evals/trial/sweep_eval.py [--split dev|test|all] [-v]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLD = HERE / "sweep" / "gold.jsonl"
TASKS = """version: 1
tasks:
  - name: faq
    description: Questions and answers about {subject}.
    dataset: faq.jsonl
    format: qa
    id_column: id
  - name: facts
    description: Facts about {subject} as subject, relation, object.
    dataset: facts.jsonl
    format: fact
    id_column: id
"""


def run_case(case: dict) -> dict:
    from lic_cli import locate
    from lic_cli.locate import spans, sweep
    from lic_cli.locate.answered import read_row
    from lic_cli.tasks import load_project

    with tempfile.TemporaryDirectory(prefix="lic-sweep-") as tmp:
        root = Path(tmp)
        (root / "tasks.yaml").write_text(TASKS.format(subject=case["subject"]), encoding="utf-8")
        for name, rows in (("faq", case["qa"]), ("facts", case["facts"])):
            (root / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        project = load_project(root)
        c = case["correct"]
        task = project.task("faq" if c["task"] == "qa" else "facts")
        row = read_row(project, task, c["row"])
        item = {"kind": "qa", "question": c["question"], "answer": c["new"], "statement": c["question"]}
        previous = row[task.column(task.value_fields[0])]
        core = spans.core(c["new"])
        said = case.get("said", "")  # the correcting turn, when the case gives it (session 12)
        hint = f"{c['question']} {spans.stating(said, c['new'])}" if said else c["question"]  # as locate.correction
        corr = locate.Correction(is_correction=True, new=c["new"], core=core,
                                 old=locate.old_value("", previous, core, hint, said) if core else None, hint=hint)
        edit = {"item": 0, "task": task.name}
        locate._update_value(edit, task, item, corr, c["row"], row, 1.0, "answered_from")
        edits = [edit]
        done = {(task.name, c["row"])}
        swept = sweep.sweep(project, locate.sweep_changes(project, edits, [item], said), done)
    got = {e["row"] for e in swept}
    want = set(case["swept"])
    return {"id": case["id"], "split": case["split"], "update": edit.get("after"), "got": sorted(got),
            "want": sorted(want), "tp": len(got & want), "fp": sorted(got - want), "fn": sorted(want - got),
            "about": {e["row"]: e["sweep"]["about"] for e in swept}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("dev", "test", "all"), default="all")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    cases = [json.loads(x) for x in GOLD.read_text(encoding="utf-8").splitlines() if x.strip()]
    results = [run_case(c) for c in cases if args.split in ("all", c["split"])]
    for split in ("dev", "test"):
        rs = [r for r in results if r["split"] == split]
        if not rs:
            continue
        tp = sum(r["tp"] for r in rs)
        fp = sum(len(r["fp"]) for r in rs)
        fn = sum(len(r["fn"]) for r in rs)
        p = tp / (tp + fp) if tp + fp else 1.0
        rc = tp / (tp + fn) if tp + fn else 1.0
        exact = sum(not r["fp"] and not r["fn"] for r in rs)
        print(f"{split}: {len(rs)} corrections, precision {tp}/{tp + fp} = {p:.3f}, recall {tp}/{tp + fn} = {rc:.3f}, "
              f"exact {exact}/{len(rs)}", file=sys.stderr)
    if args.verbose:
        for r in results:
            if r["fp"] or r["fn"]:
                print(f"  {r['split']} {r['id']}: false positives {r['fp']}, missed {r['fn']}; about {r['about']}",
                      file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
