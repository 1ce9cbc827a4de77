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
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


GOLD: Path | None = None  # --gold: score against this corpus file's gold (same turns), e.g. an older convention


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
    if len(by) > 1:
        out["per_domain"] = {d: score([golds[i] for i in idx], [items[i] for i in idx])["field"]["f1"]
                             for d, idx in sorted(by.items())}
    return out


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
    kinds = ("qa", "fact", "label", "forget", "note", "span")
    lines = [f"{name}: {'engine':<16}{'field F1':>9}{'exact':>7}{'empty':>7}" + "".join(f"{k:>8}" for k in kinds)]
    for eng in [e for e in engines] + [f"{e} (words)" for e in engines]:
        f = res.get(eng)
        if not f:
            continue
        empty = f"{f['empty_kept']:.3f}" if f["empty_kept"] is not None else "-"
        lines.append(f"{'':<{len(name) + 2}}{eng:<16}{f['field_f1']:>9.3f}{f['exact']:>7.3f}{empty:>7}"
                     + "".join(f"{f['per_kind'][k]:>8.3f}" if k in f["per_kind"] else f"{'-':>8}" for k in kinds))
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
    ap.add_argument("--gold", type=Path, help="score the corpus splits against this corpus file's gold (the same "
                                                "turns), e.g. tools/corpus/build.py --keep-unsaid-replaces --out F")
    args = ap.parse_args()
    global GOLD
    GOLD = args.gold

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
        if name == "test":  # held out: its rows are scored, never studied
            preds = {}
        errors[name] = {eng: [{"id": r["id"], "form": r.get("form"), "text": r["text"],
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
