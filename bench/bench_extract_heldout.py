"""Benchmark: extract accuracy per engine (rules / learned / auto) and per kind, on the teaching
corpus's dev and held-out test domains and on the demo's test split, from one model run.

    .venv/bin/python bench/bench_extract_heldout.py --splits dev [--dump /tmp/raw_dev.json]
    .venv/bin/python bench/bench_extract_heldout.py --splits dev --from-dump /tmp/raw_dev.json   # no model
    .venv/bin/python bench/bench_extract_heldout.py --splits dev test --demo --speed --json out.json
    .venv/bin/python bench/bench_extract_heldout.py --splits dev --rows bench/bench_extract_fresh10.jsonl

The learned engine runs once per split (`LearnedEngine.raw`: spans and head probabilities);
its items are assembled from that output, and `auto`'s are combined from the rules' and the
learned engine's as `auto.AutoEngine` does (policy `corpus` on the corpus; on the demo, the
policy the demo project's own dev rows choose). `--dump` writes the raw output so assembly
changes can be measured without the model (`--from-dump`). Figures: field F1 of the teaching
turns, overall and per kind; look-alikes (turns labelled none, gold []) kept empty. Each
engine is scored twice: exact (field values equal once normalized) and `(words)`, where fact
subjects / relations and note texts that say the same words in another order count
(`lic_cli/extract/convention.py`, docs/extract.md "Evaluation").
`--speed`: the learned engine's turns/s beside the raw encoder's on the same inputs, same run.
Every field F1 (overall and per kind) comes with a 95 % bootstrap interval over the set's
teaching turns (`--resamples`, fixed seed), and the look-alikes' share with a Wilson interval:
the hand-written sets are 30-90 turns, so a difference inside the interval is not a finding.
`--json` keeps each turn's counts (`turn_counts`), which `--paired OLD.json` compares turn by
turn with an earlier run on the same rows (a paired bootstrap of the difference).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


GOLD: Path | None = None  # --gold: score against this corpus file's gold (same turns), e.g. an older convention
RESAMPLES = 1000
KINDS = ("qa", "fact", "label", "forget", "note", "span")


def corpus_split(split: str) -> list[dict]:
    from lic_cli.extract.learned import corpus_rows

    rows = [r for r in corpus_rows(("teaching.jsonl",)) if r["split"] == split]
    if GOLD is not None:
        other = {(r["text"], json.dumps(r["context"])): r for r in map(json.loads, GOLD.read_text().splitlines())
                 if r["split"] == split}
        rows = [{**r, "knowledge": other[(r["text"], json.dumps(r["context"]))]["knowledge"]} for r in rows]
    return rows


def demo_split(split: str = "test") -> list[dict]:
    rows = [json.loads(line) for line in (ROOT / "datasets" / "extract.jsonl").read_text().splitlines() if line.strip()]
    return [r for r in rows if r.get("split") == split]


def figures(rows: list[dict], preds: list[list[dict]], convention: str = "exact") -> dict:
    """Field F1 and the rest; convention `words`: fact subjects / relations and note texts
    compared as same words in any order first (`extract/convention.py`)."""
    from lic_cli.extract.convention import align
    from lic_cli.extract.evaluate import _item, score

    if convention == "words":
        preds = [align(r["knowledge"], p) for r, p in zip(rows, preds, strict=True)]
    teach = [i for i, r in enumerate(rows) if r.get("label") != "none"]
    golds = [[_item(f) for f in r["knowledge"]] for r in rows]
    items = [[_item(f) for f in p] for p in preds]
    m = score([golds[i] for i in teach], [items[i] for i in teach])
    empty = [i for i, r in enumerate(rows) if not r["knowledge"]]
    out = {"rows": len(rows), "teaching": len(teach), "field_f1": m["field"]["f1"], "exact": m["exact"],
           "per_kind": {k: v["field"]["f1"] for k, v in m["per_kind"].items() if v["field"]["gold"]},
           "empty_kept": round(sum(not preds[i] for i in empty) / len(empty), 4) if empty else None}
    by: dict[str, list[int]] = {}
    for i in teach:
        by.setdefault(rows[i].get("domain", "-"), []).append(i)
    counts = [turn_counts(golds[i], items[i]) for i in teach]
    out["turn_counts"] = counts
    out["field_f1_ci"] = bootstrap(counts, None)
    out["per_kind_ci"] = {k: bootstrap(counts, k) for k in out["per_kind"]}
    if empty:
        out["empty_kept_ci"] = wilson(sum(not preds[i] for i in empty), len(empty))
    if len(by) > 1:
        out["per_domain"] = {d: score([golds[i] for i in idx], [items[i] for i in idx])["field"]["f1"]
                             for d, idx in sorted(by.items())}
    return out


def turn_counts(gold: list[tuple], pred: list[tuple]) -> dict[str, list[int]]:
    """One turn's field triples per kind: [true positives, predicted, gold] (as `evaluate.score`)."""
    from lic_cli.extract.evaluate import _triples

    tg, tp = _triples(gold), _triples(pred)
    out: dict[str, list[int]] = {}
    for (kind, _, _), n in (tg & tp).items():
        out.setdefault(kind, [0, 0, 0])[0] += n
    for (kind, _, _), n in tp.items():
        out.setdefault(kind, [0, 0, 0])[1] += n
    for (kind, _, _), n in tg.items():
        out.setdefault(kind, [0, 0, 0])[2] += n
    return out


def _f1(counts: list[dict], kind: str | None, idx) -> float | None:
    tp = n = 0
    for i in idx:
        for k, (a, p, g) in counts[i].items():
            if kind is None or k == kind:
                tp += a
                n += p + g
    return 2 * tp / n if n else None


def bootstrap(counts: list[dict], kind: str | None, other: list[dict] | None = None) -> list[float]:
    """95 % percentile interval of field F1 (or, with `other`, of F1(counts) - F1(other) on the
    same turns), resampling turns with a fixed seed; a draw holding none of the kind is skipped."""
    rng = random.Random(0)
    n = len(counts)
    vals = []
    for _ in range(RESAMPLES if n else 0):
        idx = [rng.randrange(n) for _ in range(n)]
        v = _f1(counts, kind, idx)
        w = _f1(other, kind, idx) if other is not None else None
        if v is not None or w is not None:
            vals.append((v or 0.0) - (w or 0.0))
    vals.sort()
    return [round(vals[int(0.025 * len(vals))], 3), round(vals[int(0.975 * len(vals)) - 1], 3)] if vals else [0.0, 0.0]


def wilson(k: int, n: int, z: float = 1.96) -> list[float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [round(centre - half, 3), round(centre + half, 3)]


def run_split(name: str, rows: list[dict], engines: list[str], raw: list[dict] | None, learned, policy: str) -> dict:
    from lic_cli.extract import learned as learned_mod
    from lic_cli.extract import tagging
    from lic_cli.extract.auto import SURE, _combine
    from lic_cli.extract.engine import Outcome, RulesEngine, Turn

    turns = [Turn(r["text"], list(r.get("context") or []), str(r.get("label") or "teach")) for r in rows]
    contexts = [tagging.context_text(t.context) for t in turns]
    out: dict = {}
    by_rules = RulesEngine().extract(turns)
    if raw is None and learned is not None and ("learned" in engines or "auto" in engines):
        start = time.perf_counter()
        raw = learned.raw([t.text for t in turns], contexts, full=True)
        out["learned_seconds"] = round(time.perf_counter() - start, 1)
    by_learned = None
    if raw is not None:
        by_learned = [Outcome(items=learned_mod.finish(learned_mod.assemble_raw(t.text, c, r), t))
                      for t, c, r in zip(turns, contexts, raw, strict=True)]
    preds = {"rules": by_rules, "learned": by_learned}
    if by_learned is not None:
        preds["auto"] = _combine(policy, by_rules, by_learned, SURE, turns)
        out["auto_policy"] = policy
        out["auto_decided_by_rules"] = sum(a is r for a, r in zip(preds["auto"], by_rules, strict=True))
    for eng in engines:
        if preds.get(eng) is not None:
            out[eng] = figures(rows, [o.items for o in preds[eng]])
            out[eng + " (words)"] = figures(rows, [o.items for o in preds[eng]], "words")
    out["_raw"] = raw
    out["_preds"] = {k: [o.items for o in v] for k, v in preds.items() if v is not None}
    return out


def speed(learned, sample: int = 512, batch_size: int = 64) -> dict:
    """The learned engine (encoder + heads + decoding + assembly) beside the raw encoder alone
    on the same tokenized inputs and batches, interleaved, best of 2 each."""
    from bench_extract import raw_encoder_seconds

    from lic_cli.extract import tagging

    rows = [r for r in corpus_split("dev") if r["label"] != "none"][:sample]
    texts = [r["text"] for r in rows]
    contexts = [tagging.context_text(r.get("context") or []) for r in rows]

    def engine() -> float:
        start = time.perf_counter()
        learned.predict(texts, contexts, batch_size)
        return time.perf_counter() - start

    def encoder() -> float:  # tokenizing is inside the timing here, as it is in the engine's
        start = time.perf_counter()
        raw_encoder_seconds(learned, texts, contexts, batch_size)
        return time.perf_counter() - start

    best = {"engine": float("inf"), "encoder": float("inf")}
    for _ in range(2):
        best["encoder"] = min(best["encoder"], encoder())
        best["engine"] = min(best["engine"], engine())
    return {"turns": len(rows), "engine_turns_per_s": round(len(rows) / best["engine"], 1),
            "encoder_turns_per_s": round(len(rows) / best["encoder"], 1),
            "ratio": round(best["encoder"] / best["engine"], 3), "threads": __import__("torch").get_num_threads()}


def table(name: str, res: dict, engines: list[str]) -> str:
    kinds = KINDS
    lines = [f"{name}: {'engine':<16}{'field F1':>9}{'exact':>7}{'empty':>7}" + "".join(f"{k:>8}" for k in kinds)]
    for eng in [e for e in engines] + [f"{e} (words)" for e in engines]:
        f = res.get(eng)
        if not f:
            continue
        empty = f"{f['empty_kept']:.3f}" if f["empty_kept"] is not None else "-"
        lines.append(f"{'':<{len(name) + 2}}{eng:<16}{f['field_f1']:>9.3f}{f['exact']:>7.3f}{empty:>7}"
                     + "".join(f"{f['per_kind'][k]:>8.3f}" if k in f["per_kind"] else f"{'-':>8}" for k in kinds))
        ci = [f"field F1 [{f['field_f1_ci'][0]:.3f}, {f['field_f1_ci'][1]:.3f}]"]
        if f.get("empty_kept_ci"):
            ci.append(f"empty [{f['empty_kept_ci'][0]:.3f}, {f['empty_kept_ci'][1]:.3f}]")
        ci += [f"{k} [{f['per_kind_ci'][k][0]:.2f}, {f['per_kind_ci'][k][1]:.2f}]" for k in kinds if k in f["per_kind_ci"]]
        lines.append(f"{'':<{len(name) + 18}}95 %: " + "; ".join(ci))
    return "\n".join(lines)


def paired(old: dict, new: dict, engines: list[str]) -> str:
    """Before -> after on the same rows, each difference with its paired bootstrap interval."""
    lines = []
    for name, res in new.items():
        if not isinstance(res, dict) or name not in old or not isinstance(old[name], dict):
            continue
        for eng in engines:
            a, b = old[name].get(eng), res.get(eng)
            if not a or not b or len(a["turn_counts"]) != len(b["turn_counts"]):
                continue
            parts = []
            for kind in (None, *KINDS):
                if kind is not None and kind not in b["per_kind"]:
                    continue
                before, after = (_f1(x["turn_counts"], kind, range(len(x["turn_counts"]))) or 0.0 for x in (a, b))
                lo, hi = bootstrap(b["turn_counts"], kind, a["turn_counts"])
                parts.append(f"{kind or 'all'} {before:.3f} -> {after:.3f} [{lo:+.3f}, {hi:+.3f}]")
            lines.append(f"{name} {eng}: " + "; ".join(parts))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--splits", nargs="*", default=["dev"], choices=["train", "dev", "test"])
    ap.add_argument("--demo", action="store_true", help="also the demo's extract dataset, its test split")
    ap.add_argument("--engines", nargs="+", default=["rules", "learned", "auto"])
    ap.add_argument("--dump", type=Path, help="write the learned engine's raw output per split to this JSON file")
    ap.add_argument("--from-dump", type=Path, help="assemble from this raw output instead of running the model")
    ap.add_argument("--speed", action="store_true")
    ap.add_argument("--model", type=Path, help="a trained learned-engine folder (default: the one for the packaged "
                                                "corpus, trained first when there is none)")
    ap.add_argument("--errors", type=Path, help="write each split's wrong rows (per engine; never the test "
                                                "split's) to this JSON file")
    ap.add_argument("--json", type=Path, help="write the figures to this JSON file")
    ap.add_argument("--rows", type=Path, nargs="*", default=[],
                    help="also these files of labelled rows (the corpus's format, e.g. bench/bench_extract_fresh10.jsonl), "
                         "each scored as a split named by the file")
    ap.add_argument("--paired", type=Path, help="an earlier run's --json on the same rows: print each difference "
                                                  "with its paired bootstrap interval")
    ap.add_argument("--resamples", type=int, default=RESAMPLES)
    ap.add_argument("--gold", type=Path, help="score the corpus splits against this corpus file's gold (the same "
                                                "turns), e.g. tools/corpus/build.py --keep-unsaid-replaces --out F")
    args = ap.parse_args()
    global GOLD
    GOLD = args.gold
    globals()["RESAMPLES"] = args.resamples

    dumped = json.loads(args.from_dump.read_text()) if args.from_dump else {}
    learned = None
    extra = [(p.stem, [json.loads(line) for line in p.read_text().splitlines() if line.strip()]) for p in args.rows]
    needs_model = args.speed or any(s not in dumped for s in args.splits + (["demo"] if args.demo else [])
                                    + [name for name, _ in extra])
    if needs_model and ("learned" in args.engines or "auto" in args.engines or args.speed):
        from lic_cli.extract.learned import LearnedEngine

        learned = LearnedEngine.from_folder(args.model) if args.model else LearnedEngine.load()
    results: dict = {"uptime": os.getloadavg(), "model": getattr(learned, "model", None)}
    dump: dict = {}
    errors: dict = {}
    sets = [(s, corpus_split(s), "corpus") for s in args.splits] + [(name, rows, "corpus") for name, rows in extra]
    if args.demo:
        from lic_cli.extract.auto import choose_policy
        from lic_cli.extract.engine import RulesEngine
        from lic_cli.tasks import load_project

        policy = choose_policy(load_project(str(ROOT)), RulesEngine(), learned) if learned else "rules"
        sets.append(("demo", demo_split("test"), policy))
    for name, rows, policy in sets:
        res = run_split(name, rows, args.engines, dumped.get(name), learned, policy)
        dump[name] = res.pop("_raw")
        preds = res.pop("_preds")
        if name == "test":  # held out: its rows are scored, never studied (no per-turn counts kept either)
            preds = {}
            for eng in list(res):
                if isinstance(res[eng], dict):
                    res[eng].pop("turn_counts", None)
        errors[name] = {"_rows": len(rows)} | {eng: [{"id": r["id"], "form": r.get("form"), "text": r["text"],
                               "context": tagging_context(r), "gold": r["knowledge"], "pred": p}
                              for r, p in zip(rows, ps, strict=True)
                              if Counter(map(_key, r["knowledge"])) != Counter(map(_key, p))]
                        for eng, ps in preds.items()}
        results[name] = res
        print(table(name, res, args.engines))
        if "auto_policy" in res:
            print(f"{'':<{len(name) + 2}}auto policy {res['auto_policy']}, rules decided {res['auto_decided_by_rules']}"
                  f" of {len(rows)} turns")
    if args.speed and learned is not None:
        results["speed"] = speed(learned)
        s = results["speed"]
        print(f"learned engine {s['engine_turns_per_s']} turns/s, raw encoder {s['encoder_turns_per_s']} turns/s "
              f"(ratio {s['ratio']}, {s['turns']} dev teaching turns, {s['threads']} threads)")
    if args.paired:
        print(paired(json.loads(args.paired.read_text()), results, args.engines))
    print(f"load average {results['uptime']}")
    if args.dump:
        args.dump.write_text(json.dumps(dump))
    if args.errors:
        args.errors.write_text(json.dumps(errors, indent=1, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


def tagging_context(row: dict) -> str:
    from lic_cli.extract import tagging

    return tagging.context_text(row.get("context") or [])


def _key(item: dict) -> tuple:
    from lic_cli.extract.evaluate import _item

    return _item(item)


if __name__ == "__main__":
    main()
