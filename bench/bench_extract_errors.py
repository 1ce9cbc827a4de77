"""Classify extraction misses by class, from `bench/bench_extract_heldout.py --errors F` output
(and, with --trial, the extract-stage losses of `evals/trial/run_trial.py --json F`).

    .venv/bin/python bench/bench_extract_errors.py /tmp/err.json [--engine auto] [--sets dev bench_extract_fresh11]
    .venv/bin/python bench/bench_extract_errors.py /tmp/err.json --trial /tmp/trial.json --show

Each gold item of a wrong turn is paired with the predicted item of its kind that shares the most
words (each predicted item used once) and given one class, the first that applies:

- `item missed`: no predicted item of its kind and none of another kind holding its value;
- `wrong kind`: no predicted item of its kind, but one of a kind the gold does not hold (that
  item is then used up);
- fact: `subject worded differently`, `relation worded differently`, `value cut` (the
  predicted object's words are a part of the gold object's), `value other` (too long or another
  value); a fact wrong in several fields counts once per field;
- qa: `question worded differently`, `value cut` / `value other` for the answer;
- `forget target` (a forget's target), `note paraphrase` (a note's text), `label value`;
- `extra item`: a predicted item paired with no gold item (counted per item).

Look-alikes (gold empty) given an item count as `extra item` too. Fields are compared as
`lic extract --eval` compares them (`evaluate.normalize`). The trial's turns are those whose
gold intent is teaching and whose extract stage failed, in the mode given (default: `extract`,
gold intent given), rounds 1-8 only.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLASSES = ("item missed", "wrong kind", "subject worded differently", "relation worded differently",
           "question worded differently", "value cut", "value other", "forget target", "note paraphrase",
           "label value", "old value (replaces)", "extra item")


def words(text: object) -> set[str]:
    return set(re.findall(r"[\w£$€%.:]+", str(text or "").casefold())) - {"the", "a", "an", "."}


def norm(text: object) -> str:
    from lic_cli.extract.evaluate import normalize

    return normalize(str(text or ""))


def overlap(a: dict, b: dict) -> int:
    fa = set().union(*(words(v) for k, v in a.items() if k not in ("kind", "replaces")))
    fb = set().union(*(words(v) for k, v in b.items() if k not in ("kind", "replaces")))
    return len(fa & fb)


def classify(gold: list[dict], pred: list[dict]) -> list[str]:
    """The classes of one wrong turn's misses."""
    return [cls for _, cls in classify_kinds(gold, pred)]


def classify_kinds(gold: list[dict], pred: list[dict]) -> list[tuple[str, str]]:
    """The (kind, class) of one wrong turn's misses: the gold item's kind, or for an extra item
    the predicted item's."""
    out: list[tuple[str, str]] = []
    free = list(range(len(pred)))
    for g in gold:
        kind = g.get("kind")
        same = [i for i in free if pred[i].get("kind") == kind]
        if not same:
            other = [i for i in free if pred[i].get("kind") not in {x.get("kind") for x in gold}]
            if other:
                free.remove(max(other, key=lambda i: overlap(g, pred[i])))
            out.append((kind, "wrong kind" if other else "item missed"))
            continue
        best = max(same, key=lambda i: overlap(g, pred[i]))
        free.remove(best)
        p = pred[best]
        if kind == "fact":
            wrong = [f for f in ("subject", "relation", "object") if norm(g.get(f)) != norm(p.get(f))]
            out += [(kind, "subject worded differently")] * ("subject" in wrong) \
                + [(kind, "relation worded differently")] * ("relation" in wrong)
            if "object" in wrong:
                out.append((kind, value_class(g.get("object"), p.get("object"))))
        elif kind == "qa":
            if norm(g.get("question")) != norm(p.get("question")):
                out.append((kind, "question worded differently"))
            if norm(g.get("answer")) != norm(p.get("answer")):
                out.append((kind, value_class(g.get("answer"), p.get("answer"))))
        if kind in ("fact", "qa", "note") and norm(g.get("replaces")) != norm(p.get("replaces")):
            out.append((kind, "old value (replaces)"))
        if kind == "forget":
            if norm(g.get("target")) != norm(p.get("target")):
                out.append((kind, "forget target"))
        elif kind == "note":
            if norm(g.get("text")) != norm(p.get("text")):
                out.append((kind, "note paraphrase"))
        elif kind == "label":
            if norm(g.get("label")) != norm(p.get("label")) or norm(g.get("example")) != norm(p.get("example")):
                out.append((kind, "label value"))
        elif kind == "span":
            out.append((kind, "value other"))
    out += [(str(pred[i].get("kind")), "extra item") for i in free]
    return out


def value_class(gold: object, pred: object) -> str:
    g, p = words(gold), words(pred)
    return "value cut" if p and p < g else "value other"


def trial_turns(path: Path, mode: str) -> list[dict]:
    data = json.loads(path.read_text())
    out = []
    for rnd, modes in sorted(data.items()):
        if rnd == "round9":  # held out: never read
            continue
        base = ROOT / "evals" / "trial" / ("" if rnd == "round1" else rnd)
        gold = {}
        for d in {r["domain"] for r in modes.get(mode, [])}:
            for line in (base / d / "gold.jsonl").read_text().splitlines():
                if line.strip():
                    g = json.loads(line)
                    gold[(d, g["turn"])] = g
        for r in modes.get(mode, []):
            if r["teaching"] and not r["extract"]:
                g = gold[(r["domain"], r["turn"])]
                out.append({"id": f"{rnd}/{r['domain']}/{r['turn']}", "gold": g["knowledge"], "pred": r["knowledge"],
                            "text": "", "intent": g["intent"]})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("errors", type=Path, help="bench_extract_heldout.py --errors output")
    ap.add_argument("--engine", default="auto")
    ap.add_argument("--sets", nargs="*", default=None, help="default: every set in the file but the demo's")
    ap.add_argument("--trial", type=Path, help="evals/trial/run_trial.py --json output (rounds 1-8)")
    ap.add_argument("--trial-mode", default="extract", choices=("full", "extract"))
    ap.add_argument("--show", action="store_true", help="print each wrong turn with its classes")
    ap.add_argument("--by-kind", action="store_true",
                    help="misses per kind and class, each count with a 95 %% bootstrap interval over the set's turns")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    errors = json.loads(args.errors.read_text())
    sets = {name: errs.get(args.engine, []) for name, errs in errors.items()
            if name != "test" and (args.sets is None and name != "demo" or args.sets and name in args.sets)}
    if args.trial:
        sets["trial rounds 1-8"] = trial_turns(args.trial, args.trial_mode)
    if args.by_kind:
        sizes = {name: errs.get("_rows", len(sets[name])) for name, errs in errors.items() if name in sets}
        print(kind_table(sets, sizes))
        return
    table: dict[str, Counter] = {}
    for name, rows in sets.items():
        c: Counter = Counter()
        for r in rows:
            classes = classify(r["gold"], r["pred"])
            c.update(classes)
            c["turns"] += 1
            if args.show:
                print(f"{name} {r['id']}: {', '.join(classes)}\n  {r.get('text', '')}\n  gold {json.dumps(r['gold'], ensure_ascii=False)}"
                      f"\n  pred {json.dumps(r['pred'], ensure_ascii=False)}")
        table[name] = c
    names = list(table)
    print(f"{'class':<30}" + "".join(f"{n[-14:]:>16}" for n in names) + f"{'all':>8}")
    for cls in ("turns",) + CLASSES:
        row = [table[n][cls] for n in names]
        print(f"{cls:<30}" + "".join(f"{v:>16}" for v in row) + f"{sum(row):>8}")
    if args.json:
        args.json.write_text(json.dumps({n: dict(c) for n, c in table.items()}, indent=1))


def kind_table(sets: dict[str, list[dict]], sizes: dict[str, int], resamples: int = 1000) -> str:
    """Rows: kind / class; columns: sets; each cell the count of misses and its 95 % bootstrap
    interval (the set's turns resampled with a fixed seed; a right turn counts 0)."""
    per_set = {name: [Counter(classify_kinds(r["gold"], r["pred"])) for r in rows] for name, rows in sets.items()}
    keys = sorted({k for turns in per_set.values() for c in turns for k in c})
    cells: dict[tuple, dict[str, str]] = {}
    rng = random.Random(0)
    for name, turns in per_set.items():
        n = sizes.get(name, len(turns))
        padded = turns + [Counter()] * (n - len(turns))
        draws = [[rng.randrange(n) for _ in range(n)] for _ in range(resamples)]
        for key in keys:
            vals = sorted(sum(padded[i][key] for i in idx) for idx in draws)
            total = sum(c[key] for c in turns)
            cells.setdefault(key, {})[name] = f"{total} [{vals[int(0.025 * resamples)]}-{vals[int(0.975 * resamples) - 1]}]"
    names = list(sets)
    lines = [f"{'kind / class':<36}" + "".join(f"{n[-14:]:>16}" for n in names),
             f"{'turns (wrong / all)':<36}" + "".join(f"{f'{len(sets[n])} / {sizes.get(n, 0)}':>16}" for n in names)]
    for key in sorted(keys, key=lambda k: (k[0], -sum(int(cells[k].get(n, '0 ').split()[0]) for n in names))):
        lines.append(f"{key[0] + ' / ' + key[1]:<36}" + "".join(f"{cells[key].get(n, '0'):>16}" for n in names))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
