"""Benchmark: `lic detect` throughput on a 10,000-turn transcript, beside the raw MiniLM
encoder's throughput on the same texts, in the same run.

    .venv/bin/python bench/bench_detect.py [--turns 10000] [--project . | none] [--models head trained]

`--project none`: lic's default detector (no project, no intent task), on the packaged corpus's turns.

The transcript is made of the intent dataset's rows: conversations of 10 turns that
alternate user and assistant, so 9 of every 10 texts reach the model (5 user turns and
the 4 assistant turns before them as context): detect has as much text to embed as the
raw encoder, which embeds every turn once (one call, at batch 64 and at batch 128: the faster counts). Every
text carries a unique suffix, so no cache or de-duplication flatters either side.
Records are generated lazily and detect's output is consumed as it streams, so peak RSS
shows that memory does not grow with the transcript. Prints a table (turns/s, ratio to
the raw encoder, peak RSS). Model loading and first-use training happen before timing.
Measurements are interleaved over --rounds rounds and the best of each is kept: on a
shared 2-core machine, other processes otherwise decide the ratio.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONV = 10  # turns per conversation
RAW_BATCHES = (64, 128)  # the raw encoder is timed at each and its best counts


def transcript(rows: list[dict], turns: int) -> Iterator[dict]:
    for i in range(turns):
        row = rows[(i // 2) % len(rows)]
        conv, turn = divmod(i, CONV)
        if turn % 2 == 0:
            text = row["text"]
            role = "user"
        else:
            text = rows[(i // 2 + 1) % len(rows)]["context"] or "Sure, I can help with that. Anything else?"
            role = "assistant"
        yield {"conversation": f"c{conv}", "turn": turn + 1, "role": role, "text": f"{text} [{i}]"}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--turns", type=int, default=10000)
    ap.add_argument("--project", default=str(ROOT))
    ap.add_argument("--models", nargs="+", default=["head", "trained"], choices=["head", "trained"])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON line too")
    args = ap.parse_args()

    from lic_cli import detect
    from lic_cli.errors import ModelLoadError
    from lic_cli.models import load_encoder
    from lic_cli.tasks import load_project

    project = load_project(args.project) if args.project != "none" else None
    task = detect.intent_task(project)
    if task is not None:
        rows = [json.loads(line) for line in project.dataset_path(task).open(encoding="utf-8")]
    else:  # no intent task: the packaged corpus's turns (their last assistant turn as context)
        from lic_cli.data import teaching_rows

        rows = [{"text": r["text"], "context": next((t["text"] for t in reversed(r["context"])
                                                     if t["role"] == "assistant"), "")}
                for _, r in teaching_rows()]
    texts = [r["text"] for r in transcript(rows, args.turns)]
    encoder = load_encoder("minilm")
    encoder.encode(texts[:64])  # warm-up
    models = {}
    for choice in args.models:
        try:
            models[choice] = detect.load_model(project, choice=choice)
        except ModelLoadError as exc:
            print(f"skipping {choice}: {exc}", file=sys.stderr)
            continue
        list(detect.run(transcript(rows, 200), model=models[choice]))  # warm-up
    best: dict[str, float] = {}
    rss: dict[str, float] = {}
    for _ in range(args.rounds):
        for batch in RAW_BATCHES:  # the raw encoder at its best batch size
            start = time.perf_counter()
            encoder.encode(texts, batch_size=batch)
            best["raw"] = max(best.get("raw", 0.0), args.turns / (time.perf_counter() - start))
        rss["raw"] = rss_mb()
        for choice, model in models.items():
            start = time.perf_counter()
            n = sum(1 for _ in detect.run(transcript(rows, args.turns), model=model))
            best[choice] = max(best.get(choice, 0.0), n / (time.perf_counter() - start))
            rss[choice] = rss_mb()
    raw = best["raw"]
    results = [{"what": "raw MiniLM encoder (all turns)", "turns_per_s": raw, "ratio": 1.0, "rss_mb": rss["raw"]}]
    for choice, model in models.items():
        results.append({"what": f"detect --model {choice} ({model.name})", "turns_per_s": best[choice],
                        "ratio": best[choice] / raw, "rss_mb": rss[choice]})

    print(f"{args.turns} turns ({args.turns // 2} user turns), {CONV} turns per conversation, "
          f"best of {args.rounds} rounds")
    print(f"{'':<58}{'turns/s':>9}{'x raw':>8}{'peak RSS MB':>13}")
    for r in results:
        print(f"{r['what']:<58}{r['turns_per_s']:>9.1f}{r['ratio']:>8.2f}{r['rss_mb']:>13.0f}")
    if args.json:
        print(json.dumps([{k: round(v, 4) if isinstance(v, float) else v for k, v in r.items()} for r in results]))


if __name__ == "__main__":
    main()
