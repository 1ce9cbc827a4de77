"""Benchmark: `lic extract` throughput per engine on the same transcript, and the model
engine's generation speed beside plain batched `model.generate` of the same model.

    .venv/bin/python bench/bench_extract.py [--turns 10000] [--sample 32] [--engines rules auto learned model llm]

The transcript is built from the extract dataset's rows: for each row its context turns,
then the row's text as a user turn with its intent label, then an assistant reply, so
about 40% of the turns are teaching turns and the rest are context the engine reads but
does not extract from (as in a real conversation). Every text carries a unique suffix, so no cache flatters a
run. Each row also shows turns per CPU second of this process, the figure that does not
depend on what else runs on a shared machine. `rules` runs on --turns turns; `model` and `llm` on the first --sample teaching turns
(with their context) of the same transcript. turns/s counts every transcript turn;
teaching/s only the turns an engine extracts from.

Generation (model engine only): the engine's batched greedy generation (prompt building,
left padding, length sorting, decoding, parsing, validation) against one plain
`model.generate(**tokenizer(prompts, padding=True))` per batch of the same prompts,
same model, same batch size, same max_new_tokens, interleaved over --rounds rounds (best
of each kept: on a shared machine other processes otherwise decide the ratio). Both
count generated tokens up to the end-of-turn token. Target: ratio >= 0.9.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def transcript(rows: list[dict], turns: int) -> Iterator[dict]:
    n = conv = 0
    while True:
        for row in rows:
            conv += 1
            recs = [{"role": c["role"], "text": c["text"]} for c in row["context"]]
            recs.append({"role": "user", "text": row["text"], "intent": {"label": row["label"], "score": 0.9}})
            recs.append({"role": "assistant", "text": "Thanks, I'll keep that in mind."})
            for t, rec in enumerate(recs, 1):
                if n >= turns:
                    return
                yield {"conversation": f"c{conv}", "turn": t, **rec, "text": f"{rec['text']} [{n}]"}
                n += 1


def timed(engine, records: list[dict], batch_size: int) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of this process, teaching turns)."""
    from lic_cli import extract

    stats = extract.Stats()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in extract.run(records, engine=engine, stats=stats, batch_size=batch_size):
        pass
    return time.perf_counter() - start, time.process_time() - cpu, stats.teaching


def generation(gen, records: list[dict], rounds: int) -> dict:
    """The engine's generated tokens/s (`gen`: its ChatGenerator) vs plain batched generate on
    the same prompts: in input order (what a caller would write) and in the engine's own
    length-sorted batches (same batches, so only the engine's own per-call work differs)."""
    import torch

    from lic_cli.extract import prompt
    from lic_cli.extract.engine import Turn
    from lic_cli.records import Context, is_teaching

    turns, ctx = [], Context()
    for rec in records:
        if is_teaching(rec):
            turns.append(Turn(rec["text"], ctx.before(rec), rec["intent"]["label"]))
        ctx.add(rec)
    model, tok, bs = gen.model, gen.tokenizer, gen.batch_size
    texts = gen.prompts([prompt.messages(t.text, t.context, t.label) for t in turns])
    by_length = sorted(texts, key=len)

    def plain(texts: list[str] = texts) -> tuple[float, int]:
        tokens = 0
        start = time.perf_counter()
        for i in range(0, len(texts), bs):
            enc = tok(texts[i:i + bs], return_tensors="pt", padding=True, add_special_tokens=False)
            with torch.inference_mode():
                out = model.generate(**enc, max_new_tokens=gen.max_new_tokens, do_sample=False,
                                     pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id)
            for row in out[:, enc["input_ids"].shape[1]:].tolist():
                tokens += row.index(tok.eos_token_id) + 1 if tok.eos_token_id in row else len(row)
        return time.perf_counter() - start, tokens

    def engine_run() -> tuple[float, int]:
        start = time.perf_counter()
        answers = gen.complete([prompt.messages(t.text, t.context, t.label) for t in turns])
        for a in answers:  # the engine's own validation, included in its time
            try:
                prompt.parse(a.text)
            except Exception:  # noqa: BLE001 - an invalid answer still counts its tokens
                pass
        return time.perf_counter() - start, sum(a.new_tokens for a in answers)

    runs = (("plain", plain), ("engine", engine_run), ("plain_sorted", lambda: plain(by_length)))
    best = {name: 0.0 for name, _ in runs}
    tokens = {}
    for _ in range(rounds):
        for name, fn in runs:
            seconds, n = fn()
            print(f"  {name}: {n} tokens in {seconds:.1f} s", file=sys.stderr)
            tokens[name] = n
            best[name] = max(best[name], n / seconds)
    return {"model": gen.name, "turns": len(turns), "batch_size": bs, "max_new_tokens": gen.max_new_tokens,
            "tokens_engine": tokens["engine"], "tokens_plain": tokens["plain"],
            "tokens_plain_sorted": tokens["plain_sorted"],
            "engine_tok_s": round(best["engine"], 1), "plain_tok_s": round(best["plain"], 1),
            "plain_sorted_tok_s": round(best["plain_sorted"], 1),
            "ratio": round(best["engine"] / best["plain"], 3) if best["plain"] else None,
            "ratio_same_batches": round(best["engine"] / best["plain_sorted"], 3) if best["plain_sorted"] else None}


def corpus_turns(split: str) -> list[dict]:
    """Teaching turns of the packaged corpus (its `split` domains) as transcript records."""
    from lic_cli.extract.learned import corpus_rows

    recs = []
    for n, row in enumerate(r for r in corpus_rows() if r["split"] == split and r["label"] != "none"):
        for t, c in enumerate(row.get("context") or [], 1):
            recs.append({"conversation": f"k{n}", "turn": t, "role": c["role"], "text": c["text"]})
        recs.append({"conversation": f"k{n}", "turn": 9, "role": "user", "text": row["text"],
                     "intent": {"label": row["label"], "score": 0.9}})
    return recs


def auto_where_rules_decide(turns: int, rounds: int) -> dict:
    """`auto` on teaching turns the rules decide (their items are all of a SURE kind): no model
    is loaded (the learned engine would be asked for any other turn; the run checks it never is)."""
    from lic_cli.extract.auto import SURE, AutoEngine
    from lic_cli.extract.engine import RulesEngine, Turn

    rules = RulesEngine()
    decided = []
    for split in ("train", "dev"):
        recs = corpus_turns(split)
        for i, rec in enumerate(recs):
            if rec.get("intent"):
                ctx = [r for r in recs[:i] if r["conversation"] == rec["conversation"]]
                (o,) = rules.extract([Turn(rec["text"], ctx, rec["intent"]["label"])])
                if o.items and all(f["kind"] in SURE for f in o.items):
                    decided.append([{**r, "conversation": f"{split}-{r['conversation']}"} for r in [*ctx, rec]])
    records: list[dict] = []
    rounds_of = 0
    while len(records) < turns:
        rounds_of += 1
        for conv in decided:
            records.extend({**r, "conversation": f"{r['conversation']}-{rounds_of}"} for r in conv)
    records = records[:turns]

    def refuse():
        raise AssertionError("auto loaded the learned engine for turns the rules decide")

    best = None
    for _ in range(rounds):
        engine = AutoEngine(learned=refuse)
        seconds, cpu, teaching = timed(engine, records, 16)
        best = (seconds, cpu, teaching) if best is None or seconds < best[0] else best
    seconds, cpu, teaching = best
    return {"engine": "auto (rules decide)", "turns": len(records), "teaching": teaching,
            "turns_per_s": round(len(records) / seconds, 1), "teaching_per_s": round(teaching / seconds, 1),
            "turns_per_cpu_s": round(len(records) / cpu, 1) if cpu else None}


def raw_encoder_seconds(eng, texts: list[str], contexts: list[str], batch_size: int) -> float:
    """Seconds for the learned engine's own encoder alone on the engine's tokenized inputs,
    in its length-sorted batches: the baseline its turns/s are compared with."""
    import torch

    from lic_cli.extract import learned

    feats = learned._features(eng.tokenizer, texts, contexts)
    order = sorted(range(len(feats)), key=lambda i: len(feats[i]["input_ids"]))
    start = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(order), batch_size):
            batch = [feats[k] for k in order[i:i + batch_size]]
            eng.net.encoder(input_ids=learned._pad(batch, "input_ids", 0),
                            attention_mask=learned._pad(batch, "attention_mask", 0),
                            token_type_ids=learned._pad(batch, "token_type_ids", 0))
    return time.perf_counter() - start


def learned_vs_encoder(sample: int, batch_size: int) -> dict:
    """The learned engine on `sample` held-out (dev) teaching turns, beside the raw MiniLM encoder
    (the engine's own fine-tuned encoder, same tokenized inputs, same batches) in the same run."""
    from lic_cli.extract import learned, tagging
    from lic_cli.extract.engine import Turn

    eng = learned.LearnedEngine.load()
    recs = [r for r in corpus_turns("dev") if r.get("intent")][:sample]
    turns = [Turn(r["text"], [], r["intent"]["label"]) for r in recs]
    start = time.perf_counter()
    eng.extract(turns)
    engine_s = time.perf_counter() - start
    encoder_s = raw_encoder_seconds(eng, [t.text for t in turns], [tagging.context_text(t.context) for t in turns],
                                    batch_size)
    return {"engine": "learned", "turns": len(turns), "engine_turns_per_s": round(len(turns) / engine_s, 1),
            "encoder_turns_per_s": round(len(turns) / encoder_s, 1), "ratio": round(encoder_s / engine_s, 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--turns", type=int, default=10000)
    ap.add_argument("--sample", type=int, default=32, help="teaching turns for the model and llm engines")
    ap.add_argument("--project", default=str(ROOT))
    ap.add_argument("--engines", nargs="+", default=["rules", "model", "llm"],
                    choices=["rules", "auto", "learned", "model", "llm"])
    ap.add_argument("--llm", default="smollm2")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON line too")
    ap.add_argument("--generator", default=None, metavar="MODEL",
                    help="without a trained extraction model, measure the model engine's generation path "
                         "(its ChatGenerator and prompts) with this chat model instead, e.g. smollm2")
    args = ap.parse_args()

    from lic_cli import extract
    from lic_cli.records import is_teaching
    from lic_cli.tasks import load_project

    project = load_project(args.project)
    data = [json.loads(line) for line in (ROOT / "datasets" / "extract.jsonl").read_text().splitlines()]
    full = list(transcript(data, args.turns))
    sample: list[dict] = []
    for rec in full:  # whole conversations, until --sample teaching turns
        sample.append(rec)
        if sum(map(is_teaching, sample)) >= args.sample and rec.get("intent"):
            break
    results = []
    for name in args.engines:
        if name == "auto":
            results.append(auto_where_rules_decide(args.turns, args.rounds))
            continue
        if name == "learned":
            r = learned_vs_encoder(max(args.sample, 256), 64)
            print(f"learned engine: {r['turns']} dev teaching turns, {r['engine_turns_per_s']} turns/s; the raw "
                  f"encoder on the same inputs {r['encoder_turns_per_s']} turns/s (ratio {r['ratio']})")
            results.append(r)
            continue
        try:
            engine = extract.load_engine(name, project, llm=args.llm, batch_size=args.batch_size)
        except Exception as exc:  # noqa: BLE001 - a missing model skips its row, the others still run
            print(f"{name}: skipped ({exc})", file=sys.stderr)
            if name == "model" and args.generator:
                from lic_cli.extract.generate import ChatGenerator
                from lic_cli.extract.model import MAX_NEW_TOKENS

                gen = ChatGenerator.load(args.generator, batch_size=args.batch_size, max_new_tokens=MAX_NEW_TOKENS)
                results.append({"engine": f"model path ({gen.name})", "generation": generation(gen, sample,
                                                                                              args.rounds)})
            continue
        records = full if name == "rules" else sample
        best = best_cpu = None
        for _ in range(args.rounds if name == "rules" else 1):
            seconds, cpu, teaching = timed(engine, records, args.batch_size)
            best = seconds if best is None else min(best, seconds)
            best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
        row = {"engine": name, "turns": len(records), "teaching": teaching,
               "turns_per_s": round(len(records) / best, 1), "teaching_per_s": round(teaching / best, 2),
               "turns_per_cpu_s": round(len(records) / best_cpu, 1) if best_cpu else None}
        if name == "model":
            row["generation"] = generation(engine.generator, sample, args.rounds)
        results.append(row)

    # turns per CPU second: what one idle core does, whatever else the machine is running
    # (for the model engines it also counts torch's worker threads, so it reads low).
    if any("turns_per_s" in r for r in results):
        print(f"{'engine':<8}{'turns':>8}{'teaching':>10}{'turns/s':>11}{'teaching/s':>12}{'turns/CPU s':>13}")
    for r in results:
        if "turns_per_s" not in r:
            continue
        print(f"{r['engine']:<8}{r['turns']:>8}{r['teaching']:>10}{r['turns_per_s']:>11}{r['teaching_per_s']:>12}"
              f"{r['turns_per_cpu_s']:>13}")
    for r in results:
        if "generation" in r:
            g = r["generation"]
            print(f"\n{r['engine']} generation ({g['model']}), {g['turns']} prompts, batch {g['batch_size']}: "
                  f"engine {g['engine_tok_s']} tok/s ({g['tokens_engine']} tokens); plain model.generate in input "
                  f"order {g['plain_tok_s']} tok/s ({g['tokens_plain']} tokens), ratio {g['ratio']} (target >= 0.9); "
                  f"plain in the engine's batches {g['plain_sorted_tok_s']} tok/s, ratio {g['ratio_same_batches']}")
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
