"""Benchmark: the generative engine (SmolLM2 fine-tuned on the teaching corpus) per kind, alone
and inside `auto`, on the corpus's dev / held-out test domains and the demo's test split.

    # the learned engine's raw output first (bench_extract_heldout.py), then:
    .venv/bin/python bench/bench_extract_generative.py --splits dev --learned-dump /tmp/raw.json --dump /tmp/gen.json
    .venv/bin/python bench/bench_extract_generative.py --splits dev --learned-dump /tmp/raw.json --from-dump /tmp/gen.json
    .venv/bin/python bench/bench_extract_generative.py --train-only [--top-layers 8 --max-rows 1200 ...]
    .venv/bin/python bench/bench_extract_generative.py --speed     # engine vs plain model.generate, same prompts

The engine generates once per split for every teaching turn and for the look-alikes (turns
labelled none) that `auto` would send it (the rules undecided and the learned engine found
a fact or note there); `--dump` keeps the completions so assembly and routing changes are
scored without the model (`--from-dump`). Figures: field F1 of teaching turns, overall and
per kind, exact and `(words)` (bench_extract_heldout.figures); look-alikes kept empty.
Engines: rules, learned, generative (alone: its items on every teaching turn; look-alikes as
auto sends them), auto (rules + learned, as shipped before) and the auto policies with the
generative engine (`auto.GENERATIVE_ROUTES`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 128  # turns generated between writes of --dump
FOCUS = ("fact", "note")
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def settings_from(args):
    from lic_cli.extract import generative as g

    s = g.DEFAULT
    for name in ("top_layers", "epochs", "batch", "lr", "other_fraction", "max_rows", "bf16"):
        v = getattr(args, name)
        if v is not None:
            s = replace(s, **{name: v})
    return s


def rows_for(name: str) -> list[dict]:
    from bench_extract_heldout import corpus_split, demo_split

    if name == "demo":
        return demo_split("test")
    if name == "fresh":
        return [json.loads(line) for line in (ROOT / "bench" / "bench_extract_fresh.jsonl").read_text().splitlines()
                if line.strip()]
    return corpus_split(name)


def learned_outcomes(rows: list[dict], raw: list[dict]):
    from lic_cli.extract import learned as learned_mod
    from lic_cli.extract import tagging
    from lic_cli.extract.engine import Outcome
    from lic_cli.extract.snap import snap_items

    out = []
    for r, x in zip(rows, raw, strict=True):
        c = tagging.context_text(r.get("context") or [])
        out.append(Outcome(items=snap_items(learned_mod.assemble_raw(r["text"], c, x), r["text"], r.get("context") or [])))
    return out


def needs_generation(rows: list[dict], by_rules, by_learned, every_teaching: bool = False) -> list[int]:
    """The turns some generative route of auto would send (the rules undecided, the learned engine
    found a fact or note), and every teaching turn whose gold holds a fact or note (the engine
    alone on those kinds); with `every_teaching`, every teaching turn."""
    from lic_cli.extract.auto import GENERATIVE_ROUTES, SURE, _decided, sends_generative
    from lic_cli.extract.engine import Turn

    idx = []
    for i, (r, ru, le) in enumerate(zip(rows, by_rules, by_learned, strict=True)):
        t = Turn(r["text"], list(r.get("context") or []), str(r.get("label") or "teach"))
        if (every_teaching and r.get("label") != "none") or any(k["kind"] in FOCUS for k in r["knowledge"]) or (
                not _decided(ru, SURE, t) and any(sends_generative(route, le, ru) for route in GENERATIVE_ROUTES)):
            idx.append(i)
    return idx


def score_split(name: str, rows: list[dict], by_learned, completions: dict[str, str], policy: str) -> dict:
    from bench_extract_heldout import figures

    from lic_cli.extract import generative as g
    from lic_cli.extract.auto import GENERATIVE_ROUTES, SURE, _combine, combine_generative
    from lic_cli.extract.engine import Outcome, RulesEngine, Turn
    from lic_cli.extract.snap import snap_items

    turns = [Turn(r["text"], list(r.get("context") or []), str(r.get("label") or "teach")) for r in rows]
    by_rules = RulesEngine().extract(turns)
    by_gen: list[Outcome | None] = []
    bad = 0
    for r, t in zip(rows, turns, strict=True):
        text = completions.get(r["id"])
        if text is None:
            by_gen.append(None)
            continue
        items, problems = g.parse(text)
        bad += bool(problems)
        by_gen.append(Outcome(items=snap_items(items, t.text, t.context), output=text))
    preds = {"rules": by_rules}
    if by_learned is not None:
        preds["learned"] = by_learned
        preds["auto"] = _combine(policy, by_rules, by_learned, SURE, turns)
        for route in GENERATIVE_ROUTES:
            preds[f"auto+gen:{route}"] = combine_generative(route, preds["auto"], by_rules, by_learned, by_gen, turns)
    preds["generative"] = [o if o is not None else Outcome() for o in by_gen]
    out: dict = {"generated": sum(o is not None for o in by_gen), "unparsed_lines": bad}
    for eng, ps in preds.items():
        out[eng] = figures(rows, [o.items for o in ps])
        out[eng + " (words)"] = figures(rows, [o.items for o in ps], "words")
    out["_preds"] = {k: [o.items for o in v] for k, v in preds.items()}
    return out


def table(name: str, res: dict) -> str:
    kinds = ("qa", "fact", "label", "forget", "note", "span")
    engines = [k for k in res if isinstance(res[k], dict) and "field_f1" in res[k]]
    width = max(len(e) for e in engines) + 2
    lines = [f"{name}: {'engine':<{width}}{'field F1':>9}{'empty':>7}" + "".join(f"{k:>8}" for k in kinds)]
    for eng in sorted(engines, key=lambda e: ("(words)" in e, engines.index(e.replace(" (words)", "")))):
        f = res[eng]
        empty = f"{f['empty_kept']:.3f}" if f["empty_kept"] is not None else "-"
        lines.append(f"{'':<{len(name) + 2}}{eng:<{width}}{f['field_f1']:>9.3f}{empty:>7}"
                     + "".join(f"{f['per_kind'][k]:>8.3f}" if k in f["per_kind"] else f"{'-':>8}" for k in kinds))
    return "\n".join(lines)


def speed(eng, rows: list[dict], n: int = 64) -> dict:
    """The engine (prompts, length-sorted batches, parsing, snapping) beside plain `model.generate`
    on the same prompts in input order, same batch size, same run, each timed once, interleaved."""
    import torch

    from lic_cli.extract.engine import Turn

    turns = [Turn(r["text"], list(r.get("context") or []), str(r.get("label") or "teach")) for r in rows][:n]
    prompts = eng.prompts(turns)
    tok = eng.tokenizer

    def plain() -> float:
        start = time.perf_counter()
        for i in range(0, len(prompts), eng.batch_size):
            enc = tok(prompts[i:i + eng.batch_size], return_tensors="pt", padding=True, add_special_tokens=False)
            with torch.inference_mode():
                eng.net.generate(**enc, max_new_tokens=eng.settings.max_new_tokens, do_sample=False,
                                 pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id)
        return time.perf_counter() - start

    def engine() -> float:
        start = time.perf_counter()
        eng.extract(turns)
        return time.perf_counter() - start

    t_plain, t_engine = plain(), engine()
    fp32 = eng.complete(prompts)
    was, eng.bf16 = eng.bf16, True
    start = time.perf_counter()
    bf16 = eng.complete(prompts)
    t_bf16 = time.perf_counter() - start
    eng.bf16 = was
    return {"turns": len(turns), "engine_turns_per_s": round(len(turns) / t_engine, 2),
            "plain_generate_turns_per_s": round(len(turns) / t_plain, 2), "ratio": round(t_plain / t_engine, 3),
            "bf16_turns_per_s": round(len(turns) / t_bf16, 2),
            "bf16_same_output": round(sum(a == b for a, b in zip(fp32, bf16, strict=True)) / len(turns), 3),
            "batch": eng.batch_size, "threads": torch.get_num_threads()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--splits", nargs="*", default=["dev"], choices=["train", "dev", "test", "demo", "fresh"])
    ap.add_argument("--learned-dump", type=Path, help="the learned engine's raw output (bench_extract_heldout --dump)")
    ap.add_argument("--dump", type=Path, help="write the completions per split (merged into the file if it exists)")
    ap.add_argument("--from-dump", type=Path, help="score these completions instead of running the model")
    ap.add_argument("--model", type=Path, help="a trained generative-engine folder (default: the packaged corpus's)")
    ap.add_argument("--train-only", action="store_true", help="train (if not cached) and stop")
    ap.add_argument("--speed", action="store_true")
    ap.add_argument("--every-teaching", action="store_true", help="generate for every teaching turn (the engine "
                                                                    "alone on every kind), not only fact/note ones")
    ap.add_argument("--limit", type=int, default=0, help="generate for at most this many turns per split (probe)")
    ap.add_argument("--json", type=Path)
    for name, typ in (("top_layers", int), ("epochs", float), ("batch", int), ("lr", float),
                      ("other_fraction", float), ("max_rows", int)):
        ap.add_argument("--" + name.replace("_", "-"), type=typ)
    ap.add_argument("--bf16", action="store_true", default=None)
    ap.add_argument("--no-bf16", dest="bf16", action="store_false")
    ap.add_argument("--infer-bf16", action="store_true", help="bf16 autocast while generating")
    ap.add_argument("--gen-batch", type=int, default=16)
    args = ap.parse_args()

    from lic_cli.extract import generative as g
    from lic_cli.extract.learned import corpus_rows

    settings = settings_from(args)
    dumped = json.loads(args.from_dump.read_text()) if args.from_dump else {}
    eng = None

    def engine():
        nonlocal eng
        if eng is None:
            if args.model:
                eng = g.GenerativeEngine.from_folder(args.model)
            else:
                path = g.cache_path(corpus_rows(), settings)
                if not (path / "info.json").is_file():
                    start = time.perf_counter()
                    info = g.train(corpus_rows(), path, settings)
                    print(f"trained {path.name} in {time.perf_counter() - start:.1f} s: {json.dumps(info)}", flush=True)
                eng = g.GenerativeEngine.from_folder(path)
            eng.bf16 = bool(args.infer_bf16)
            eng.batch_size = args.gen_batch
            print(f"engine {eng.model} ({json.loads((Path(args.model or g.cache_path(corpus_rows(), settings)) / 'info.json').read_text())})", flush=True)
        return eng

    results: dict = {"uptime": os.getloadavg(), "settings": settings.__dict__}
    if args.train_only:
        engine()
        return
    learned_raw = json.loads(args.learned_dump.read_text()) if args.learned_dump else {}
    out_dump: dict = json.loads(args.dump.read_text()) if args.dump and args.dump.is_file() else {}
    policy_of = {"demo": "rules"}
    for name in args.splits:
        rows = rows_for(name)
        by_learned = learned_outcomes(rows, learned_raw[name]) if name in learned_raw else None
        completions = dict(dumped.get(name) or {})
        if not completions:
            from lic_cli.extract.engine import RulesEngine, Turn

            turns = [Turn(r["text"], list(r.get("context") or []), str(r.get("label") or "teach")) for r in rows]
            by_rules = RulesEngine().extract(turns)
            idx = (needs_generation(rows, by_rules, by_learned, args.every_teaching) if by_learned is not None
                   else [i for i, r in enumerate(rows) if r.get("label") != "none"])
            if args.limit:
                idx = idx[:args.limit]
            e = engine()
            # Resumable: turns already in --dump are not generated again; the dump is written
            # every CHUNK turns, so a run cut by its time limit keeps what it did.
            completions = dict(out_dump.get(name) or {})
            todo = [i for i in idx if rows[i]["id"] not in completions]
            start = time.perf_counter()
            for k in range(0, len(todo), CHUNK):
                part = todo[k:k + CHUNK]
                texts = e.complete(e.prompts([turns[i] for i in part]))
                completions.update({rows[i]["id"]: t for i, t in zip(part, texts, strict=True)})
                out_dump[name] = completions
                if args.dump:
                    args.dump.write_text(json.dumps(out_dump))
                print(f"{name}: {len(completions)}/{len(idx)} turns generated ({time.perf_counter() - start:.0f} s)",
                      flush=True)
            seconds = time.perf_counter() - start
            results[f"{name}_generation"] = {"turns": len(todo), "seconds": round(seconds, 1),
                                             "turns_per_s": round(len(todo) / max(seconds, 1e-9), 2)}
            print(f"{name}: generated {len(todo)} turns in {seconds:.1f} s", flush=True)
        res = score_split(name, rows, by_learned, completions, policy_of.get(name, "corpus"))
        res.pop("_preds")
        results[name] = res
        print(table(name, res))
        print(f"  generated for {res['generated']} turns; {res['unparsed_lines']} completions with an unparsed line")
    if args.speed:
        rows = [r for r in rows_for("dev") if any(i["kind"] in ("fact", "note") for i in r["knowledge"])]
        results["speed"] = s = speed(engine(), rows)
        print(f"generative engine {s['engine_turns_per_s']} turns/s, plain model.generate {s['plain_generate_turns_per_s']}"
              f" turns/s on the same {s['turns']} prompts (ratio {s['ratio']}, batch {s['batch']}, {s['threads']} threads);"
              f" bf16 autocast {s['bf16_turns_per_s']} turns/s, same output on {s['bf16_same_output']:.1%}")
    print(f"load average {results['uptime']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
