"""The demo's closing summary: what was taught, which versions and models it made, and
whether the system now knows it (the loop finds nothing left to change, and the retrained
classifier gives the taught label, the assistant answers from the new rows). Run by
examples/demo.sh inside the demo workspace."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from lic_cli.store import versions
from lic_cli.tasks import load_project
from lic_cli.train import registry
from lic_cli.train.classify import Classifier


def records(path: str) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def change(edit: dict) -> str:
    before, after = edit.get("before") or {}, edit.get("after") or {}
    if edit.get("op") == "add":
        return ", ".join(f"+ {k}: {v}" for k, v in after.items() if k != "split")
    if edit.get("op") == "delete":
        return ", ".join(f"- {k}: {v}" for k, v in before.items() if k != "split")
    return "\n".join(f"{k}: {before.get(k)!r} → {after.get(k)!r}" for k in sorted(set(before) | set(after))
                     if before.get(k) != after.get(k)) or "-"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=None)
    args = ap.parse_args()
    console = Console(stderr=True, width=None if sys.stderr.isatty() else 150)
    project = load_project(".")

    taught = Table(title="What was taught", show_lines=True)
    for col in ("turn", "intent", "knowledge", "edit", "change"):
        taught.add_column(col)
    for rec in records("located.jsonl"):
        if rec.get("role") != "user" or rec.get("intent", {}).get("label") == "none":
            continue
        knowledge = rec.get("knowledge") or []
        edits = rec.get("edits") or [{}]
        for edit in edits:
            item = knowledge[edit["item"]] if "item" in edit else {}
            taught.add_row(f"{rec['conversation']}/t{rec['turn']}: {rec['text']}",
                           f"{rec['intent']['label']} {rec['intent']['score']:.2f}",
                           item.get("statement", "(nothing extracted)"),
                           f"{edit.get('op', '-')} {edit.get('task', '')}", change(edit))
    console.print(taught)

    vers = Table(title="Dataset versions and models")
    for col in ("task", "version", "patch", "model", "status", "eval metrics"):
        vers.add_column(col)
    trained = {t["task"]: t for t in records("trained.jsonl")}
    for name, task in project.tasks.items():
        number, _ = versions.current_version(project, task)
        log = versions.read_log(project, task)
        t = trained.get(name, {})
        metrics = t.get("metrics") or {}
        shown = ", ".join(f"{k} {v:.3f}" for k, v in metrics.items() if isinstance(v, float))
        vers.add_row(name, f"v{number}", log[-1].patch if log else "-", t.get("model") or "-",
                     t.get("status", "-"), shown or "-")
    console.print(vers)

    # Does the system know it now? Re-running the conversation finds nothing left to change...
    again = [e for r in records("relocated.jsonl") for e in r.get("edits", [])]
    pending = [e for e in again if e["op"] in ("add", "update", "delete", "conflict")]
    checks = [("re-running the conversation proposes no further change",
               not pending, f"{len(again)} edits, all noop" if not pending else
               f"{len(pending)} edits still pending: {[(e['task'], e['op']) for e in pending]}")]
    # ...and each retrained classifier gives the label it was taught.
    for rec in records("located.jsonl"):
        for edit in rec.get("edits") or []:
            task = project.task(edit["task"])
            entry = registry.latest(project, task.name)
            if task.format != "label" or edit["op"] not in ("add", "update") or entry is None:
                continue
            row = edit["after"]
            label, p = Classifier.load(registry.model_path(project, entry)).predict([row[task.column("text")]])[0]
            checks.append((f"{task.name} model on {row[task.column('text')]!r}", label == row[task.column("label")],
                           f"predicts {label} ({p:.2f}); taught {row[task.column('label')]}"))
    # ...and the assistant answers with the corrected refund window before any retraining.
    for rec in records("asked.jsonl"):
        if rec.get("role") == "assistant":
            used = ", ".join(f"{c['task']} {c['row']}" for c in rec.get("context", []))
            checks.append(("chat answers from the new dataset version", "30" in rec["text"],
                           f"{rec['text']!r} (rows given: {used or 'none'})"))
    known = Table(title="Does the system know it now?")
    for col in ("check", "result", "detail"):
        known.add_column(col)
    for what, ok, detail in checks:
        known.add_row(what, "[green]yes[/]" if ok else "[red]no[/]", detail)
    console.print(known)
    if args.seconds is not None:
        console.print(f"demo wall time: {args.seconds} s")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
