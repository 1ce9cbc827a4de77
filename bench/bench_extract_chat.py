"""Benchmark: what extraction writes for the teaching turns of the chat-grounding sets
(evals/chat/<domain>.jsonl: a taught turn, and the fact's question / answer).

    .venv/bin/python bench/bench_extract_chat.py [--domains makerspace vetclinic ...] [--dump F | --from-dump F]

Issue 18's pipeline lost held-out paraphrases because extraction in chat wrote no row stating
the value. This measures, per taught turn (`auto`, the learned engine and the rules; each
turn alone, empty context, intent `teach`, as chat's learning path sees a first teaching turn):

- `whole`: some item's value (a fact's object, a qa answer, a note's text) holds the taught
  answer whole (normalized as `lic extract --eval` does);
- `exact`: some item's value is the answer, nothing more;
- `empty`: nothing extracted;
- `split`: the answer's words are all in the items, but no one value holds it whole;
- `collide`: the item holding the answer has the same key (fact: subject + relation; qa: the
  question) as the item of another fact of the same domain with another answer, so one row
  would overwrite the other (the qualifier that tells them apart was dropped).

Dev for issue 15 (session 11): makerspace, vetclinic, campusit, trampoline, barber. Domains
written later are held out and are not read here unless named with --domains.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEV = ("makerspace", "vetclinic", "campusit", "trampoline", "barber")


def rows_of(domain: str) -> list[dict]:
    facts = [json.loads(line) for line in (ROOT / "evals" / "chat" / f"{domain}.jsonl").read_text().splitlines()
             if line.strip()]
    return [{"id": f["id"], "domain": domain, "text": f["teach"], "context": [], "label": "teach", "knowledge": [],
             "question": f["question"], "answer": f["answer"]} for f in facts]


def value(item: dict) -> str:
    return str(item.get("object") or item.get("answer") or item.get("text") or item.get("target") or "")


def key(item: dict) -> tuple:
    from lic_cli.extract.evaluate import normalize as n

    if item.get("kind") == "fact":
        return ("fact", n(str(item.get("subject", ""))), n(str(item.get("relation", ""))))
    if item.get("kind") == "qa":
        return ("qa", n(str(item.get("question", ""))))
    return (item.get("kind"), n(value(item)))


def measure(rows: list[dict], preds: list[list[dict]]) -> dict:
    from lic_cli.extract.evaluate import normalize as n

    out = {"turns": len(rows), "whole": 0, "exact": 0, "empty": 0, "split": 0, "collide": 0}
    holder: list[dict | None] = []
    for r, items in zip(rows, preds, strict=True):
        ans = n(r["answer"])
        whole = [i for i in items if ans and ans in n(value(i))]
        holder.append(whole[0] if whole else None)
        out["whole"] += bool(whole)
        out["exact"] += any(n(value(i)) == ans for i in items)
        out["empty"] += not items
        words = set(ans.split())
        out["split"] += bool(not whole and items and words <= set(" ".join(n(value(i)) for i in items).split()))
    for i, (r, h) in enumerate(zip(rows, holder, strict=True)):
        if h is None:
            continue
        out["collide"] += any(j != i and o is not None and rows[j]["domain"] == r["domain"]
                              and key(o) == key(h) and n(rows[j]["answer"]) != n(r["answer"])
                              for j, o in enumerate(holder))
    return out


def main() -> None:
    from bench_extract_heldout import run_split

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--domains", nargs="+", default=list(DEV))
    ap.add_argument("--dump", type=Path, help="write the learned engine's raw output to this JSON file")
    ap.add_argument("--from-dump", type=Path, help="assemble from this raw output instead of running the model")
    ap.add_argument("--show", action="store_true", help="print each turn whose answer no item holds whole, or collides")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--model", type=Path, help="a trained learned-engine folder (default: the packaged corpus's)")
    args = ap.parse_args()
    rows = [r for d in args.domains for r in rows_of(d)]
    raw = json.loads(args.from_dump.read_text())["chat"] if args.from_dump else None
    learned = None
    if raw is None:
        from lic_cli.extract.learned import LearnedEngine

        learned = LearnedEngine.from_folder(args.model) if args.model else LearnedEngine.load()
    res = run_split("chat", rows, ["rules", "learned", "auto"], raw, learned, "corpus")
    if args.dump:
        args.dump.write_text(json.dumps({"chat": res["_raw"]}))
    figures = {eng: measure(rows, preds) for eng, preds in res["_preds"].items()}
    for d in args.domains:
        idx = [i for i, r in enumerate(rows) if r["domain"] == d]
        figures[f"auto {d}"] = measure([rows[i] for i in idx], [res["_preds"]["auto"][i] for i in idx])
    print(f"{'engine':<18}{'turns':>6}{'whole':>7}{'exact':>7}{'empty':>7}{'split':>7}{'collide':>8}")
    for name, f in figures.items():
        print(f"{name:<18}{f['turns']:>6}{f['whole']:>7}{f['exact']:>7}{f['empty']:>7}{f['split']:>7}{f['collide']:>8}")
    if args.show:
        from lic_cli.extract.evaluate import normalize as n

        preds = res["_preds"]["auto"]
        keys = [key(next((i for i in p if n(r["answer"]) in n(value(i))), {"kind": "-"})) for r, p in zip(rows, preds, strict=True)]
        for i, (r, p) in enumerate(zip(rows, preds, strict=True)):
            whole = any(n(r["answer"]) in n(value(x)) for x in p)
            clash = whole and any(j != i and keys[j] == keys[i] and rows[j]["domain"] == r["domain"]
                                  and n(rows[j]["answer"]) != n(r["answer"]) for j in range(len(rows)))
            if not whole or clash:
                print(f"{'COLLIDE' if clash else 'MISS':<8}{r['id']:<15}{r['text']!r}\n{'':<8}Q {r['question']!r} A {r['answer']!r}"
                      f"\n{'':<8}-> {json.dumps(p, ensure_ascii=False)}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
